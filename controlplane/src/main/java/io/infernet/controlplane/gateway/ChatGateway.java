package io.infernet.controlplane.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import io.infernet.controlplane.http.Http;
import io.infernet.controlplane.jobs.JobStore;
import io.infernet.controlplane.jobs.JobWatch;
import io.infernet.server.SseWriter;
import io.infernet.engines.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible, streamed (SSE) or not: the request
 * becomes a chat job in the queue, a provider is chosen by the dispatcher, and the provider's
 * events become the answer. As the reference, plus:
 * <ul>
 *   <li>no free provider is not a 503 at once: the job waits in the queue up to the queue
 *       timeout (then 503 with a Retry-After);</li>
 *   <li>a job whose provider goes stale before its first token is reassigned (the reaper),
 *       unseen by the client;</li>
 *   <li>{@code finish_reason} ({@code stop} or {@code length}) and {@code usage} come from the
 *       provider's done event (usage: its {@code usage} when sent, else the completion's token
 *       count, else the number of token events, with prompt_tokens 0);</li>
 *   <li>the job id is in the {@code X-Infernet-Job-Id} header.</li>
 * </ul>
 * Runs on the request's virtual thread and blocks on the job's events.
 */
public final class ChatGateway {

    public static final String JOB_HEADER = "X-Infernet-Job-Id";
    static final Duration MAX_ALIVE = Duration.ofMinutes(10);
    static final int DEFAULT_MAX_TOKENS = 512;
    static final double DEFAULT_TEMPERATURE = 0.7;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");
    private static final SecureRandom IDS = new SecureRandom();

    private final Db db;
    private final Signals signals;
    private final JobStore jobs;
    private final Duration queueTimeout;
    private final BigDecimal paymentOffer;
    private final String paymentCoin;

    /** @param paymentOffer what each chat job offers its provider (0, the reference's, records no payment) */
    public ChatGateway(Db db, Signals signals, JobStore jobs, Duration queueTimeout, BigDecimal paymentOffer, String paymentCoin) {
        this.db = db;
        this.signals = signals;
        this.jobs = jobs;
        this.queueTimeout = queueTimeout;
        this.paymentOffer = paymentOffer;
        this.paymentCoin = paymentCoin;
    }

    /** An OpenAI-shaped error with its status. */
    public static final class OpenAiError extends RuntimeException {
        final int status;

        public OpenAiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public static void send(ServerResponse res, int status, String message) {
        ObjectNode e = Json.object();
        e.putObject("error").put("message", message).put("type", "infernet_error").put("code", status);
        Http.json(res, status, e);
    }

    public void handle(ServerRequest req, ServerResponse res) throws InterruptedException {
        ObjectNode body;
        try {
            JsonNode n = Json.parse(Http.body(req));
            if (!(n instanceof ObjectNode o)) {
                throw new OpenAiError(400, "the body must be a JSON object");
            }
            body = o;
        } catch (IOException e) {
            throw new OpenAiError(400, "invalid JSON body");
        }
        Request r = parse(body);
        UUID jobId = db.tx(c -> jobs.create(c, new JobStore.NewJob(title(r.messages()), "chat", r.model(), r.inputSpec(),
                paymentOffer, paymentCoin, "gateway", null, Set.of())));
        res.header(JOB_HEADER, jobId.toString());
        String id = "chatcmpl-" + HexFormat.of().formatHex(randomBytes(12));
        long created = Instant.now().getEpochSecond();
        Answer answer = new Answer(id, created, r.model() != null ? r.model() : "infernet", r.includeUsage());
        JobWatch watch = new JobWatch(db, signals, jobs, jobId);
        if (r.stream()) {
            stream(res, watch, jobId, answer);
        } else {
            whole(res, watch, jobId, answer);
        }
    }

    record Request(String model, ArrayNode messages, boolean stream, boolean includeUsage, ObjectNode inputSpec) {}

    static Request parse(ObjectNode b) {
        JsonNode messages = b.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new OpenAiError(400, "messages[] is required");
        }
        for (JsonNode m : messages) {
            if (!m.isObject() || !m.path("role").isTextual() || !ROLES.contains(m.get("role").asText()) || !textContent(m.get("content"))) {
                throw new OpenAiError(400, "each message must be { role: string, content: string } (role system, user, assistant, tool or developer)");
            }
        }
        JsonNode model = b.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw new OpenAiError(400, "model must be a string");
        }
        ObjectNode spec = Json.object();
        ArrayNode msgs = spec.putArray("messages");
        for (JsonNode m : messages) {
            String role = m.get("role").asText();
            msgs.addObject().put("role", role.equals("developer") ? "system" : role).set("content", m.get("content"));
        }
        JsonNode mt = b.has("max_tokens") && !b.get("max_tokens").isNull() ? b.get("max_tokens") : b.get("max_completion_tokens");
        if (mt != null && !mt.isNull() && (!mt.canConvertToInt() || !mt.isIntegralNumber() || mt.intValue() < 1)) {
            throw new OpenAiError(400, "max_tokens must be an integer >= 1");
        }
        spec.put("max_tokens", mt == null || mt.isNull() ? DEFAULT_MAX_TOKENS : mt.intValue());
        JsonNode t = b.get("temperature");
        if (t != null && !t.isNull() && (!t.isNumber() || t.doubleValue() < 0 || t.doubleValue() > 2)) {
            throw new OpenAiError(400, "temperature must be a number in [0, 2]");
        }
        spec.put("temperature", t == null || t.isNull() ? DEFAULT_TEMPERATURE : t.doubleValue());
        boolean stream = b.path("stream").asBoolean(false);
        boolean usage = b.path("stream_options").path("include_usage").asBoolean(false);
        String m = model == null || model.isNull() || model.asText().isEmpty() ? null : model.asText();
        return new Request(m, msgs, stream, usage, spec);
    }

    private static boolean textContent(JsonNode c) {
        if (c != null && c.isTextual()) {
            return true;
        }
        if (c == null || !c.isArray()) {
            return false;
        }
        for (JsonNode p : c) {
            if (!"text".equals(p.path("type").asText()) || !p.path("text").isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** The reference's title: the first user prompt, 80 characters at most, else "chat". */
    static String title(ArrayNode messages) {
        for (JsonNode m : messages) {
            if ("user".equals(m.path("role").asText()) && m.path("content").isTextual()) {
                String s = m.get("content").asText();
                return s.isEmpty() ? "chat" : s.substring(0, Math.min(80, s.length()));
            }
        }
        return "chat";
    }

    // ---- following the job ----

    /** What the job produced so far, and how it ended. */
    private static final class Outcome {
        final StringBuilder text = new StringBuilder();
        int tokenEvents;
        String model;
        String finishReason;
        String error;
        JsonNode usage;
        boolean ended;
    }

    /**
     * Applies new events and the job's state to {@code o}; calls {@code onToken} for each token.
     *
     * @throws OpenAiError 503 when the job waited in the queue past the timeout
     */
    private void apply(JobWatch.Update u, Outcome o, UUID jobId, java.util.function.Consumer<String> onToken) {
        for (ObjectNode e : u.events()) {
            JsonNode data = e.get("data");
            switch (e.get("event_type").asText()) {
                case "meta" -> {
                    if (data.path("model").isTextual()) {
                        o.model = data.get("model").asText();
                    }
                }
                case "token" -> {
                    String t = data.path("text").asText("");
                    if (!t.isEmpty()) {
                        o.tokenEvents++;
                        o.text.append(t);
                        onToken.accept(t);
                    }
                }
                case "done" -> {
                    String reason = data.path("reason").asText("stop");
                    if (reason.equals("cancel")) {
                        o.error = "the provider cancelled the generation";
                    } else {
                        o.finishReason = reason.equals("length") ? "length" : "stop";
                        if (data.path("text").isTextual() && data.get("text").asText().length() > o.text.length()
                                && data.get("text").asText().startsWith(o.text.toString())) {
                            String rest = data.get("text").asText().substring(o.text.length());
                            o.text.append(rest);
                            onToken.accept(rest);
                        }
                        if (data.path("usage").isObject()) {
                            o.usage = data.get("usage");
                        }
                    }
                    o.ended = true;
                    return;
                }
                case "error" -> {
                    o.error = data.path("message").asText("engine error");
                    o.ended = true;
                    return;
                }
                default -> { }
            }
        }
        ObjectNode job = u.job();
        switch (u.status()) {
            case "completed" -> {
                if (!o.ended) {
                    JsonNode result = job.path("result");
                    String text = result.path("text").asText("");
                    if (text.length() > o.text.length() && text.startsWith(o.text.toString())) {
                        onToken.accept(text.substring(o.text.length()));
                        o.text.append(text.substring(o.text.length()));
                    }
                    o.finishReason = job.path("finish_reason").asText("stop");
                    o.ended = true;
                }
            }
            case "failed" -> {
                if (!o.ended) {
                    o.error = job.path("error").asText("the job failed");
                    o.ended = true;
                }
            }
            case "pending" -> {
                Instant since = Instant.parse(job.get("updated_at").asText());
                if (Instant.now().isAfter(since.plus(queueTimeout)) && expire(jobId)) {
                    throw new OpenAiError(503, "no provider" + (job.path("model_name").isTextual() ? " serving '" + job.get("model_name").asText() + "'" : "")
                            + " was free within " + queueTimeout.toSeconds() + " s; try again later");
                }
            }
            default -> { }
        }
        if (o.usage == null && job.path("usage").isObject()) {
            o.usage = job.get("usage");
        }
    }

    /** Fails a job still waiting in the queue; false when a provider took it meanwhile. */
    private boolean expire(UUID jobId) {
        return db.tx(c -> {
            if (Rows.update(c, "update jobs set status = 'failed', error = 'queue timeout', updated_at = now(), completed_at = now() "
                    + "where id = ? and status = 'pending'", jobId) == 0) {
                return false;
            }
            Signals.notify(c, Signals.EVENTS, jobId.toString());
            return true;
        });
    }

    private void whole(ServerResponse res, JobWatch watch, UUID jobId, Answer a) throws InterruptedException {
        Outcome o = new Outcome();
        long end = System.nanoTime() + MAX_ALIVE.toNanos();
        while (!o.ended) {
            if (System.nanoTime() > end) {
                throw new OpenAiError(504, "stream ended without a response");
            }
            apply(watch.next(1_000), o, jobId, t -> { });
        }
        if (o.error != null) {
            throw new OpenAiError(502, o.error);
        }
        ObjectNode r = Json.object()
                .put("id", a.id).put("object", "chat.completion").put("created", a.created)
                .put("model", o.model != null ? o.model : a.model);
        ObjectNode choice = r.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", o.text.toString());
        choice.put("finish_reason", o.finishReason);
        r.set("usage", usage(o));
        Http.json(res, 200, r);
    }

    private void stream(ServerResponse res, JobWatch watch, UUID jobId, Answer a) throws InterruptedException {
        SseWriter sse = new SseWriter(res);
        Outcome o = new Outcome();
        long end = System.nanoTime() + MAX_ALIVE.toNanos();
        Runnable open = () -> {
            if (!sse.started()) {
                sse.data(Json.compactBytes(a.chunk(o.model, Json.object().put("role", "assistant").put("content", ""), null)));
            }
        };
        java.util.function.Consumer<String> emit = t -> {
            open.run();
            sse.data(Json.compactBytes(a.chunk(o.model, Json.object().put("content", t), null)));
        };
        try {
            while (!o.ended) {
                if (System.nanoTime() > end) {
                    o.error = "stream timeout";
                    break;
                }
                JobWatch.Update u = watch.next(15_000);
                apply(u, o, jobId, emit);
                if (!o.ended && !u.status().equals("pending")) {
                    boolean quiet = sse.started() && u.events().isEmpty();
                    open.run(); // a provider has it: the stream starts (and a quiet one is kept alive)
                    if (quiet) {
                        sse.keepAlive();
                    }
                }
            }
            if (o.error != null && !sse.started()) {
                throw new OpenAiError(502, o.error);
            }
            if (o.error != null) {
                ObjectNode err = Json.object().put("id", a.id).put("object", "chat.completion.chunk");
                err.putObject("error").put("message", o.error).put("type", "infernet_error");
                sse.data(Json.compactBytes(err));
            } else {
                open.run();
                sse.data(Json.compactBytes(a.chunk(o.model, Json.object(), o.finishReason)));
                if (a.includeUsage) {
                    ObjectNode u = a.chunk(o.model, null, null);
                    u.set("usage", usage(o));
                    sse.data(Json.compactBytes(u));
                }
            }
            sse.done();
        } catch (SseWriter.ClientGoneException gone) {
            // the job runs on; its events stay in job_events
        }
    }

    private static ObjectNode usage(Outcome o) {
        int completion = o.usage != null && o.usage.path("completion_tokens").isNumber() ? o.usage.get("completion_tokens").asInt() : o.tokenEvents;
        int prompt = o.usage != null && o.usage.path("prompt_tokens").isNumber() ? o.usage.get("prompt_tokens").asInt() : 0;
        return Json.object().put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
    }

    /** The answer's fixed parts. */
    private record Answer(String id, long created, String model, boolean includeUsage) {
        ObjectNode chunk(String servedModel, ObjectNode delta, String finishReason) {
            ObjectNode c = Json.object().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                    .put("model", servedModel != null ? servedModel : model);
            ArrayNode choices = c.putArray("choices");
            if (delta != null) {
                ObjectNode ch = choices.addObject().put("index", 0);
                ch.set("delta", delta);
                if (finishReason == null) {
                    ch.putNull("finish_reason");
                } else {
                    ch.put("finish_reason", finishReason);
                }
            }
            return c;
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        IDS.nextBytes(b);
        return b;
    }

}
