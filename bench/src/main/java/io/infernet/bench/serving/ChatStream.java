package io.infernet.bench.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A client of any OpenAI-compatible server: one streamed {@code POST /v1/chat/completions}
 * ({@code stream: true}, {@code stream_options.include_usage: true}), timed. The same client drives
 * llama-server and ours, so both are measured the same way, over {@link LeanHttp} (plain sockets,
 * read on the caller's thread). Thread-safe.
 */
public final class ChatStream {

    /**
     * One finished request.
     *
     * @param ok               the server answered 200 and the stream ended with {@code [DONE]}
     * @param ttftMs           from sending to the first chunk with content, ms; NaN when none came
     * @param totalMs          from sending to the end of the stream, ms
     * @param completionTokens the server's {@code usage.completion_tokens} when it sent usage, else the content chunks
     * @param contentChunks    chunks that carried content
     * @param error            why it failed, or null
     * @param promptTokens     the server's {@code usage.prompt_tokens}, or -1 when it sent none
     * @param lastContentMs    from sending to the last chunk with content, ms; NaN when none came
     */
    public record Outcome(boolean ok, double ttftMs, double totalMs, long completionTokens, int contentChunks, String error, long promptTokens,
                          double lastContentMs) {
        public Outcome(boolean ok, double ttftMs, double totalMs, long completionTokens, int contentChunks, String error) {
            this(ok, ttftMs, totalMs, completionTokens, contentChunks, error, -1, Double.NaN);
        }

        /** Mean time between tokens after the first, to the end of the stream, ms; NaN with fewer than two tokens. */
        public double perTokenMs() {
            return completionTokens < 2 || Double.isNaN(ttftMs) ? Double.NaN : (totalMs - ttftMs) / (completionTokens - 1);
        }

        /**
         * Mean time between tokens from the first content chunk to the last, ms: what the in-process
         * engine probe measures between its first and last token; NaN with fewer than two tokens.
         */
        public double interTokenMs() {
            return completionTokens < 2 || Double.isNaN(ttftMs) || Double.isNaN(lastContentMs) ? Double.NaN
                    : (lastContentMs - ttftMs) / (completionTokens - 1);
        }
    }

    private static final ObjectMapper JSON = io.infernet.engines.Json.MAPPER;

    private final LeanHttp http;

    /** @param baseUrl e.g. {@code http://127.0.0.1:8080}; the client posts to {@code /v1/chat/completions} under it */
    public ChatStream(URI baseUrl, Duration timeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.http = new LeanHttp(baseUrl, timeout);
    }

    /**
     * How a request samples: greedy (the probes, which compare outputs and times token for token)
     * or as chat clients send it, with a temperature, top-p and a seed per request.
     *
     * @param temperature 0 for greedy
     * @param topP        null to leave it out
     * @param seed        null to leave it out; request {@code i} of stream {@code s} sends {@code seed + 1000 s + i}
     */
    public record Sampling(double temperature, Double topP, Long seed) {
        public static final Sampling GREEDY = new Sampling(0, null, null);

        /** What the independent client sends by default: temperature 0.8, top-p 0.95, a seed. */
        public static Sampling clients(long seed) {
            return new Sampling(0.8, 0.95, seed);
        }

        /** The seed of request {@code i} of stream {@code stream}, or null. */
        public Long seedOf(int stream, int i) {
            return seed == null ? null : seed + 1000L * stream + i;
        }
    }

    /** The request body: one user message, greedy, at most {@code maxTokens}. */
    public static String body(String model, String prompt, int maxTokens) {
        return body(model, prompt, maxTokens, 0, null, null);
    }

    /** The request body: one user message, sampled so, at most {@code maxTokens}. */
    public static String body(String model, String prompt, int maxTokens, double temperature, Double topP, Long seed) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        o.putArray("messages").addObject().put("role", "user").put("content", prompt);
        o.put("max_tokens", maxTokens);
        o.put("temperature", temperature);
        if (topP != null) {
            o.put("top_p", topP);
        }
        if (seed != null) {
            o.put("seed", seed);
        }
        o.put("stream", true);
        o.putObject("stream_options").put("include_usage", true);
        return o.toString();
    }

    public Outcome send(String model, String prompt, int maxTokens) {
        return sendBody(body(model, prompt, maxTokens));
    }

    /** Sends a request body of the caller's (it must ask for a stream with usage), timed as {@link #send} is. */
    public Outcome sendBody(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        try (LeanHttp.Response res = http.post("/v1/chat/completions", body, "text/event-stream")) {
            if (res.status != 200) {
                String text = new String(res.body.readNBytes(2000), StandardCharsets.UTF_8);
                return new Outcome(false, Double.NaN, ms(t0), 0, 0, "HTTP " + res.status + ": " + text);
            }
            return read(res.body, t0);
        } catch (IOException e) {
            return new Outcome(false, Double.NaN, ms(t0), 0, 0, e.toString());
        }
    }

    /** Reads a server-sent-event stream of chat chunks. */
    static Outcome read(InputStream in, long t0) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        double ttft = Double.NaN;
        double last = Double.NaN;
        int chunks = 0;
        long usage = -1;
        long prompt = -1;
        String line;
        while ((line = r.readLine()) != null) {
            if (!line.startsWith("data:")) {
                continue; // blank separators, comments, event: lines
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                return new Outcome(true, ttft, ms(t0), usage >= 0 ? usage : chunks, chunks, null, prompt, last);
            }
            JsonNode c;
            try {
                c = JSON.readTree(data);
            } catch (IOException e) {
                return new Outcome(false, ttft, ms(t0), usage >= 0 ? usage : chunks, chunks, "unreadable chunk: " + data);
            }
            if (c.has("error")) {
                return new Outcome(false, ttft, ms(t0), usage >= 0 ? usage : chunks, chunks, "error in stream: " + c.get("error"));
            }
            JsonNode u = c.get("usage");
            if (u != null && u.isObject() && u.has("completion_tokens")) {
                usage = u.get("completion_tokens").asLong();
                prompt = u.path("prompt_tokens").asLong(-1);
            }
            JsonNode choices = c.get("choices");
            if (choices != null && choices.isArray() && !choices.isEmpty()) {
                JsonNode delta = choices.get(0).get("delta");
                if (delta != null && hasText(delta.get("content")) || delta != null && hasText(delta.get("reasoning_content"))) {
                    chunks++;
                    last = ms(t0);
                    if (Double.isNaN(ttft)) {
                        ttft = last;
                    }
                }
            }
        }
        return new Outcome(false, ttft, ms(t0), usage >= 0 ? usage : chunks, chunks, "the stream ended without [DONE]");
    }

    private static boolean hasText(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isEmpty();
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
