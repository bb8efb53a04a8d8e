package io.infernet.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.natives.Progress;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.GgufTensor;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.runtime.serve.ServeConfig;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge over the real in-process engine: requests that used to break serving (every token
 * banned, also under a JSON schema, NaN logits, also for two choices) or were answered 500 (an id
 * outside the vocabulary, a penalty window of 2^31-1) get their status and param, the next request
 * is served; a non-streamed request whose client leaves stops and frees its slot and cells at once.
 */
@Tag("native")
class InProcessEdgeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ApiHarness served(Path model) {
        Model m = Model.load(model);
        InProcessEngine e = new InProcessEngine(m, "tiny", ServeConfig.defaults().withThreads(1).withParallel(2).withKvCells(8192)
                .withBatchSize(128), JavaSampler::new);
        return new ApiHarness(e, ServerConfig.defaults().withPort(0), EdgeConfig.defaults());
    }

    private static Path tiny() {
        return DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
    }

    private static String chat(int maxTokens, boolean stream, String extra) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"Say something\"}], \"max_tokens\": " + maxTokens + ", \"stream\": "
                + stream + extra + "}";
    }

    private static JsonNode error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return ApiHarness.json(r.body()).get("error");
    }

    /** {@code , "logit_bias": {...}} banning every token of the tiny model's vocabulary. */
    private static String banAll() {
        StringBuilder banAll = new StringBuilder(", \"logit_bias\": {");
        for (int t = 0; t < 32000; t++) {
            banAll.append(t == 0 ? "" : ",").append('"').append(t).append("\":-100");
        }
        return banAll.append('}').toString();
    }

    @Test
    void requestsThatUsedToBreakServingGetTheirStatusAndTheNextOneIsServed() throws Exception {
        try (ApiHarness api = served(tiny())) {
            String banAll = banAll();
            for (boolean stream : new boolean[] {false, true}) {
                JsonNode e = error(api.post("/v1/chat/completions", chat(8, stream, banAll)), 400);
                assertEquals("logit_bias", e.get("param").asText(), e.toString());
            }
            assertEquals("logit_bias", error(api.post("/v1/chat/completions", chat(8, false, ", \"logit_bias\": {\"32000\": 5}")), 400)
                    .get("param").asText());
            JsonNode window = error(api.post("/v1/chat/completions", chat(8, false, ", \"repeat_penalty\": 1.1, \"repeat_last_n\": 2147483647")), 400);
            assertEquals("repeat_last_n", window.get("param").asText());

            assertEquals(200, api.get("/health").statusCode());
            HttpResponse<String> ok = api.post("/v1/chat/completions", chat(8, false, ", \"temperature\": 0"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(8, ApiHarness.json(ok.body()).get("usage").get("completion_tokens").asInt());
        }
    }

    /**
     * The two halves at once: a request constrained to a JSON schema whose logit_bias bans every
     * token (so the grammar's mask leaves none either) is the request's doing, whole, streamed and
     * with two choices, on chat and on the Responses API; the next structured request is answered
     * with JSON that fits the schema.
     */
    @Test
    void everyTokenBannedUnderAJsonSchemaIs400AndTheNextStructuredAnswerFitsTheSchema() throws Exception {
        String schema = ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"n\", \"strict\": true, "
                + "\"schema\": {\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}}, \"required\": [\"n\"], "
                + "\"additionalProperties\": false}}}";
        try (ApiHarness api = served(tiny())) {
            String banAll = banAll();
            for (String variant : new String[] {"", ", \"n\": 2"}) {
                for (boolean stream : new boolean[] {false, true}) {
                    JsonNode e = error(api.post("/v1/chat/completions", chat(16, stream, schema + banAll + variant)), 400);
                    assertEquals("logit_bias", e.get("param").asText(), e.toString());
                    assertTrue(e.get("message").asText().contains("output format allows"), e.toString());
                }
            }
            String responses = "{\"input\": \"Say something\", \"max_output_tokens\": 16, \"text\": {\"format\": {\"type\": \"json_schema\", "
                    + "\"name\": \"n\", \"strict\": true, \"schema\": {\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}}, "
                    + "\"required\": [\"n\"], \"additionalProperties\": false}}}" + banAll;
            for (String stream : new String[] {"}", ", \"stream\": true}"}) {
                JsonNode e = error(api.post("/v1/responses", responses + stream), 400);
                assertEquals("logit_bias", e.get("param").asText(), e.toString());
            }
            assertEquals(200, api.get("/health").statusCode());
            InProcessEngine engine = (InProcessEngine) api.engine();
            await("the failed requests to leave the engine").atMost(WAIT)
                    .until(() -> engine.serveStats().running() == 0 && engine.serveStats().queued() == 0);
            for (int seed = 1; seed <= 2; seed++) {
                HttpResponse<String> ok = api.post("/v1/chat/completions", chat(48, false, schema + ", \"temperature\": 1.5, \"seed\": " + seed));
                assertEquals(200, ok.statusCode(), ok.body());
                JsonNode answer = ApiHarness.json(ApiHarness.json(ok.body()).at("/choices/0/message/content").asText());
                assertTrue(answer.get("n").isIntegralNumber() && answer.size() == 1, answer.toString());
            }
        }
    }

    @Test
    void nanLogitsAre500ForTheRequestAndTheEngineStaysUp(@TempDir Path dir) throws Exception {
        Path nan = dir.resolve("nan.gguf");
        Files.copy(tiny(), nan);
        GgufFile f = GgufReader.read(nan);
        GgufTensor norm = f.tensor("output_norm.weight").orElseThrow(); // F32: every logit becomes NaN
        ByteBuffer b = ByteBuffer.allocate((int) norm.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            b.putFloat(Float.NaN);
        }
        b.flip();
        try (FileChannel ch = FileChannel.open(nan, StandardOpenOption.WRITE)) {
            ch.write(b, f.dataOffset() + norm.offset());
        }
        try (ApiHarness api = served(nan)) {
            for (int i = 0; i < 3; i++) {
                JsonNode e = error(api.post("/v1/chat/completions", chat(4, false, "")), 500);
                assertEquals("generation_failed", e.get("code").asText());
                assertTrue(e.get("message").asText().contains("no usable logits"), e.toString());
                assertEquals(200, api.get("/health").statusCode(), "the engine is not broken by a NaN answer");
            }
            // Two choices from one NaN row: the request fails once, naming the choice; neither choice is left running.
            InProcessEngine engine = (InProcessEngine) api.engine();
            for (boolean stream : new boolean[] {false, true}) {
                JsonNode e = error(api.post("/v1/chat/completions", chat(4, stream, ", \"n\": 2")), 500);
                assertEquals("generation_failed", e.get("code").asText());
                assertTrue(e.get("message").asText().startsWith("choice ") && e.get("message").asText().contains("no usable logits"),
                        e.toString());
                await("both choices to leave the engine").atMost(WAIT)
                        .until(() -> engine.serveStats().running() == 0 && engine.serveStats().queued() == 0);
                assertEquals(200, api.get("/health").statusCode(), "the engine is not broken by a NaN answer to two choices");
            }
        }
    }

    @Test
    void aNonStreamedRequestWhoseClientLeavesStopsAndFreesItsCells() throws Exception {
        try (ApiHarness api = served(tiny())) {
            InProcessEngine engine = (InProcessEngine) api.engine();
            try (RawSocket s = new RawSocket(api.server.port())) {
                String body = chat(100_000, false, ", \"temperature\": 1, \"seed\": 3"); // until the context (4096) is full
                s.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body);
                await("the sequence to run").atMost(WAIT).until(() -> engine.serveStats().running() == 1
                        && engine.serveStats().generatedTokens() > 20);
            } // the client leaves
            long atClose = engine.serveStats().generatedTokens();
            await("the sequence to stop").atMost(WAIT).until(() -> engine.serveStats().running() == 0);
            long after = engine.serveStats().generatedTokens();
            assertTrue(after - atClose < 200, "the sequence ran on for " + (after - atClose) + " tokens after its client left");
            assertTrue(after < 4000, "it stopped long before its end: " + after + " tokens");
            assertEquals(0, engine.serveStats().kvCellsActive(), "its cells are no longer held by a running sequence");
            await("the request to be counted").atMost(WAIT)
                    .until(() -> api.get("/metrics").body().contains("route=\"/v1/chat/completions\",status=\"client_closed\"} 1"));
            assertTrue(api.get("/metrics").body().contains("infernet_kv_cache_active_cells 0"));
        }
    }
}
