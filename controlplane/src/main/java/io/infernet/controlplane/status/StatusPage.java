package io.infernet.controlplane.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.http.Http;
import io.infernet.hardware.UserTier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code GET /status} (and {@code /}): a read-only page of the network, rendered on the server
 * (plain HTML, no script, refreshed every 5 s): providers with their state, models, GPU tiers
 * (the wire's VRAM tiers and the tier users see), load and measured tokens/s; job counts by
 * state; the latest jobs and batches. Every value is escaped. Providers whose operator opted out
 * of public listing ({@code is_public = false}, the reference's flag) are left out.
 */
public final class StatusPage {

    private final Db db;
    private final Duration liveWindow;

    public StatusPage(Db db, Duration liveWindow) {
        this.db = db;
        this.liveWindow = liveWindow;
    }

    public void register(HttpRouting.Builder r) {
        r.get("/status", this::handle);
        r.get("/", (req, res) -> {
            res.status(io.helidon.http.Status.FOUND_302);
            res.header(io.helidon.http.HeaderNames.LOCATION, "/status");
            res.send();
        });
    }

    private void handle(ServerRequest req, ServerResponse res) {
        Http.html(res, 200, render());
    }

    /** The page's HTML. */
    public String render() {
        return db.read(c -> {
            List<ObjectNode> providers = Rows.list(c, "select p.id, p.name, p.node_id, p.status, p.last_seen, p.specs, p.reputation, "
                    + "(select count(*) from jobs j where j.provider_id = p.id and j.status = 'assigned') as assigned, "
                    + "extract(epoch from now() - p.last_seen) as age_s from providers p where p.is_public order by p.name");
            Map<String, Integer> counts = new HashMap<>();
            for (ObjectNode r : Rows.list(c, "select status, count(*) as n from jobs group by status")) {
                counts.put(r.get("status").asText(), r.get("n").asInt());
            }
            List<ObjectNode> recent = Rows.list(c, "select j.id, j.type, j.model_name, j.status, j.created_at, j.finish_reason, j.usage, "
                    + "j.attempts, case when p.is_public then p.name when p.id is not null then '(private)' end as provider, "
                    + "extract(epoch from j.completed_at - j.assigned_at) as secs "
                    + "from jobs j left join providers p on p.id = j.provider_id order by j.created_at desc limit 20");
            List<ObjectNode> batches = Rows.list(c, "select b.id, b.kind, b.model, b.status, b.item_count, b.chunk_count, "
                    + "(select count(*) from jobs_batch_chunks k where k.job_id = b.id and k.status = 'done') as done "
                    + "from jobs_batch b order by b.created_at desc limit 10");
            return html(providers, counts, recent, batches);
        });
    }

    private String html(List<ObjectNode> providers, Map<String, Integer> counts, List<ObjectNode> recent, List<ObjectNode> batches) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
                .append("<title>Infernet control plane: status</title><style>body{font-family:sans-serif;margin:2em}")
                .append("table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append(".live{color:#070}.stale{color:#a60}.offline{color:#900}</style></head><body>")
                .append("<h1>Infernet network status</h1>");
        int live = 0;
        double tps = 0;
        List<String> models = new ArrayList<>();
        for (ObjectNode p : providers) {
            if (state(p).equals("live")) {
                live++;
                JsonNode t = p.path("specs").path("bench").get("tokens_per_second_avg");
                tps += t != null && t.isNumber() ? t.doubleValue() : 0;
                p.path("specs").path("served_models").forEach(m -> {
                    if (!models.contains(m.asText())) {
                        models.add(m.asText());
                    }
                });
            }
        }
        h.append("<p id=\"summary\">").append(live).append(" of ").append(providers.size()).append(" providers live; ")
                .append(models.size()).append(" models; network throughput <span id=\"network-tps\">")
                .append(String.format(Locale.ROOT, "%.1f", tps)).append("</span> tokens/s</p>");

        h.append("<h2>Providers</h2><table id=\"providers\"><tr><th>Name</th><th>Node id</th><th>State</th><th>Last seen</th>")
                .append("<th>Models</th><th>GPUs (wire tier)</th><th>Tier</th><th>Jobs / cap</th><th>Tokens/s</th></tr>");
        for (ObjectNode p : providers) {
            JsonNode specs = p.path("specs");
            String state = state(p);
            List<String> served = new ArrayList<>();
            specs.path("served_models").forEach(m -> served.add(m.asText()));
            List<String> gpus = new ArrayList<>();
            long vramLow = 0;
            for (JsonNode g : specs.path("gpus")) {
                String tier = g.path("vram_tier").asText("unknown");
                gpus.add((g.path("model").isTextual() ? g.get("model").asText() : g.path("vendor").asText("gpu")) + " (" + tier + ")");
                vramLow += lowerBoundGib(tier);
            }
            JsonNode load = specs.path("load");
            JsonNode t = specs.path("bench").get("tokens_per_second_avg");
            int active = Math.max(p.path("assigned").asInt(), load.path("active_jobs").asInt(0));
            h.append("<tr class=\"provider\"><td class=\"name\">").append(Http.escape(p.path("name").asText()))
                    .append("</td><td>").append(Http.escape(p.path("node_id").asText("")))
                    .append("</td><td class=\"").append(state).append("\">").append(state)
                    .append("</td><td>").append(p.get("age_s").isNull() ? "never" : Math.round(p.get("age_s").asDouble()) + " s ago")
                    .append("</td><td class=\"models\">").append(Http.escape(String.join(", ", served)))
                    .append("</td><td>").append(gpus.isEmpty() ? "none" : Http.escape(String.join(", ", gpus)))
                    .append("</td><td class=\"tier\">").append(Http.escape(userTier(vramLow)))
                    .append("</td><td>").append(active).append(" / ").append(load.path("concurrency_cap").asInt(4))
                    .append("</td><td class=\"tps\">").append(t != null && t.isNumber() ? String.format(Locale.ROOT, "%.1f", t.doubleValue()) : "-")
                    .append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Jobs</h2><p id=\"job-counts\">");
        for (String s : List.of("pending", "assigned", "completed", "failed")) {
            h.append(s).append(": <span class=\"count-").append(s).append("\">").append(counts.getOrDefault(s, 0)).append("</span> ");
        }
        h.append("</p><table id=\"jobs\"><tr><th>Job</th><th>Type</th><th>Model</th><th>State</th><th>Provider</th><th>Attempts</th>")
                .append("<th>Finish</th><th>Tokens</th><th>Seconds</th></tr>");
        for (ObjectNode j : recent) {
            JsonNode usage = j.path("usage");
            h.append("<tr><td>").append(Http.escape(j.get("id").asText().substring(0, 8)))
                    .append("</td><td>").append(Http.escape(j.path("type").asText()))
                    .append("</td><td>").append(Http.escape(j.path("model_name").asText("")))
                    .append("</td><td>").append(Http.escape(j.path("status").asText()))
                    .append("</td><td>").append(Http.escape(j.path("provider").asText("")))
                    .append("</td><td>").append(j.path("attempts").asInt())
                    .append("</td><td>").append(Http.escape(j.path("finish_reason").asText("")))
                    .append("</td><td>").append(usage.path("completion_tokens").isNumber() ? usage.get("completion_tokens").asInt() : "")
                    .append("</td><td>").append(j.get("secs").isNull() ? "" : String.format(Locale.ROOT, "%.2f", j.get("secs").asDouble()))
                    .append("</td></tr>");
        }
        h.append("</table>");
        if (!batches.isEmpty()) {
            h.append("<h2>Batches</h2><table id=\"batches\"><tr><th>Batch</th><th>Kind</th><th>Model</th><th>State</th><th>Items</th><th>Chunks done</th></tr>");
            for (ObjectNode b : batches) {
                h.append("<tr><td>").append(Http.escape(b.get("id").asText().substring(0, 8)))
                        .append("</td><td>").append(Http.escape(b.path("kind").asText()))
                        .append("</td><td>").append(Http.escape(b.path("model").asText()))
                        .append("</td><td>").append(Http.escape(b.path("status").asText()))
                        .append("</td><td>").append(b.path("item_count").asInt())
                        .append("</td><td>").append(b.path("done").asInt()).append(" / ").append(b.path("chunk_count").asInt())
                        .append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("<p><small>Generated ").append(Instant.now()).append("; the page refreshes every 5 s.</small></p></body></html>");
        return h.toString();
    }

    private String state(ObjectNode p) {
        if (!"available".equals(p.path("status").asText())) {
            return "offline";
        }
        JsonNode age = p.get("age_s");
        return age != null && !age.isNull() && age.asDouble() <= liveWindow.toSeconds() ? "live" : "stale";
    }

    /** The smallest VRAM of a wire tier, in GiB. */
    static long lowerBoundGib(String wireTier) {
        return switch (wireTier) {
            case "8-16gb" -> 8;
            case "16-24gb" -> 16;
            case "24-48gb" -> 24;
            case ">=48gb" -> 48;
            default -> 0;
        };
    }

    /** The tier users see for a pool of at least {@code gib} GiB of VRAM. */
    static String userTier(long gib) {
        return UserTier.forVram(gib == 0 ? OptionalLong.empty() : OptionalLong.of(gib << 30)).id();
    }
}
