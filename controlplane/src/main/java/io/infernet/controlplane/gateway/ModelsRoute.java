package io.infernet.controlplane.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.http.Http;
import io.infernet.engines.Json;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code GET /v1/models}: the distinct {@code specs.served_models} of providers available and
 * seen in the last 10 minutes (as the reference lists them), sorted; when none advertises a
 * model, the public rows of the {@code models} table.
 */
public final class ModelsRoute {

    private final Db db;

    public ModelsRoute(Db db) {
        this.db = db;
    }

    /** The model names on offer now. */
    public List<String> names() {
        return db.read(c -> {
            TreeSet<String> seen = new TreeSet<>();
            for (ObjectNode p : Rows.list(c, "select specs from providers where status = 'available' "
                    + "and last_seen > now() - interval '10 minutes'")) {
                for (JsonNode m : p.path("specs").path("served_models")) {
                    if (m.isTextual() && !m.asText().isEmpty()) {
                        seen.add(m.asText());
                    }
                }
            }
            if (seen.isEmpty()) {
                Rows.list(c, "select name from models where visibility = 'public' order by name").forEach(r -> seen.add(r.get("name").asText()));
            }
            return List.copyOf(seen);
        });
    }

    public void handle(ServerRequest req, ServerResponse res) {
        long created = Instant.now().getEpochSecond();
        ObjectNode out = Json.object().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (String name : names()) {
            data.addObject().put("id", name).put("object", "model").put("created", created).put("owned_by", "infernet");
        }
        Http.json(res, 200, out);
    }
}
