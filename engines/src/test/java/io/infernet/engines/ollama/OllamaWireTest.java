package io.infernet.engines.ollama;

import static io.infernet.engines.remote.EventLog.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.infernet.engines.ChatMessage;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Usage;
import io.infernet.engines.Json;
import io.infernet.engines.remote.StreamChunk;
import io.infernet.kernels.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ollama's wire without a server: request bodies byte for byte, recorded transcripts decoded. */
class OllamaWireTest {

    private static final OllamaOptions MACHINE = new OllamaOptions(8192, 6, null);

    private static List<StreamChunk> decodeAll(String fixture, boolean chat) throws Exception {
        NdjsonDecoder d = new NdjsonDecoder(chat);
        List<StreamChunk> out = new ArrayList<>();
        for (String line : fixture(fixture).split("\n")) {
            out.addAll(d.decode(line));
        }
        return out;
    }

    private static String text(List<StreamChunk> chunks) {
        StringBuilder b = new StringBuilder();
        chunks.forEach(c -> {
            if (c instanceof StreamChunk.Text t) {
                b.append(t.text());
            }
        });
        return b.toString();
    }

    /** The stream ends with its finish reason, then Ollama's counts, then the end. */
    private static void assertEnds(List<StreamChunk> c, FinishReason reason, Usage usage) {
        assertEquals(List.of(new StreamChunk.Finish(reason), new StreamChunk.Counts(usage), new StreamChunk.End()), c.subList(c.size() - 3, c.size()));
    }

    @Test
    void chatAlwaysCarriesContextLengthAndThreads() {
        SamplingParams s = new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.1f, -1, 0.25f, 0.5f, Map.of(), 1234L);
        GenerationRequest r = GenerationRequest.chat("llama3.2:3b", List.of(new ChatMessage("user", "Why is the sky blue?")), s, 128)
                .withStop(List.of("\nUser:"));
        assertEquals("{\"model\":\"llama3.2:3b\",\"messages\":[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}],\"stream\":true,"
                        + "\"options\":{\"num_ctx\":8192,\"num_thread\":6,\"temperature\":0.8,\"top_k\":40,\"top_p\":0.95,\"min_p\":0.05,"
                        + "\"seed\":1234,\"repeat_penalty\":1.1,\"repeat_last_n\":-1,\"presence_penalty\":0.5,\"frequency_penalty\":0.25,"
                        + "\"num_predict\":128,\"stop\":[\"\\nUser:\"]}}",
                Json.write(OllamaRequests.generation("llama3.2:3b", r, MACHINE)));
        assertEquals("/api/chat", OllamaRequests.path(r));
    }

    @Test
    void rawPromptsUseGenerateWithoutTemplate() {
        GenerationRequest r = GenerationRequest.completion("llama3.2:3b", "1, 2, 3,", SamplingParams.greedy(), 3);
        assertEquals("{\"model\":\"llama3.2:3b\",\"prompt\":\"1, 2, 3,\",\"raw\":true,\"stream\":true,\"keep_alive\":300,"
                        + "\"options\":{\"num_ctx\":8192,\"num_thread\":6,\"temperature\":0.0,\"top_k\":0,\"top_p\":1.0,\"min_p\":0.0,"
                        + "\"seed\":0,\"repeat_penalty\":1.0,\"repeat_last_n\":64,\"presence_penalty\":0.0,\"frequency_penalty\":0.0,"
                        + "\"num_predict\":3}}",
                Json.write(OllamaRequests.generation("llama3.2:3b", r, new OllamaOptions(8192, 6, "300"))));
        assertEquals("/api/generate", OllamaRequests.path(r));
        assertEquals("\"10m\"", Json.write(OllamaRequests.embed("m", List.of("x"), new OllamaOptions(8192, 6, "10m")).get("keep_alive")));
    }

    @Test
    void responseFormatBecomesFormatAndChoicesOrLogprobsAreRefused() {
        GenerationRequest r = GenerationRequest.chat("m", List.of(new ChatMessage("user", "x")), SamplingParams.greedy(), 8);
        assertEquals("\"json\"", Json.write(OllamaRequests.generation("m",
                r.withDecoding(DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonObject())), MACHINE).get("format")));
        assertEquals("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}", Json.write(OllamaRequests.generation("m",
                r.withDecoding(DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonSchema("s",
                        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}", true))), MACHINE).get("format")));
        EngineException n = assertThrows(EngineException.class, () -> OllamaRequests.generation("m", r.withDecoding(DecodingOptions.DEFAULT.withN(2)), MACHINE));
        assertEquals("n", n.param());
        EngineException lp = assertThrows(EngineException.class, () -> OllamaRequests.generation("m",
                r.withDecoding(DecodingOptions.DEFAULT.withLogprobs(true, 0)), MACHINE));
        assertEquals(EngineException.Kind.UNSUPPORTED, lp.kind());
        assertEquals("logprobs", lp.param());
    }

    @Test
    void aLogitBiasIsRefusedNotIgnored() {
        GenerationRequest r = GenerationRequest.chat("m", List.of(new ChatMessage("user", "x")),
                SamplingParams.greedy().withLogitBias(Map.of(5, -1f)), 8);
        EngineException e = assertThrows(EngineException.class, () -> OllamaRequests.generation("m", r, MACHINE));
        assertEquals(EngineException.Kind.UNSUPPORTED, e.kind());
        assertEquals("logit_bias", e.param());
    }

    @Test
    void embedPullAndDeleteBodies() {
        assertEquals("{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b\"],\"options\":{\"num_ctx\":8192,\"num_thread\":6}}",
                Json.write(OllamaRequests.embed("nomic-embed-text", List.of("a", "b"), MACHINE)));
        assertEquals("{\"model\":\"llama3.2:3b\",\"stream\":true}", Json.write(OllamaRequests.pull("llama3.2:3b")));
        assertEquals("{\"model\":\"llama3.2:3b\"}", Json.write(OllamaRequests.delete("llama3.2:3b")));
    }

    @Test
    void aChatStreamDecodesToTextReasonAndCounts() throws Exception {
        List<StreamChunk> c = decodeAll("ollama/chat-stream.ndjson", true);
        assertEquals("The sky looks blue because of Rayleigh scattering — très simple.", text(c));
        assertEnds(c, FinishReason.STOP, new Usage(31, 13));
    }

    @Test
    void doneReasonLengthIsLength() throws Exception {
        List<StreamChunk> c = decodeAll("ollama/chat-length.ndjson", true);
        assertEquals("Once upon a time", text(c));
        assertEnds(c, FinishReason.LENGTH, new Usage(28, 4));
    }

    @Test
    void anErrorLineFailsTheStream() throws Exception {
        List<StreamChunk> c = decodeAll("ollama/chat-error-midstream.ndjson", true);
        assertEquals(new StreamChunk.Failed("an error was encountered while running the model: unexpected EOF"), c.getLast());
        assertEquals("Sure, here", text(c));
    }

    @Test
    void generateLinesCarryResponse() throws Exception {
        List<StreamChunk> c = decodeAll("ollama/generate-stream.ndjson", false);
        assertEquals(" 4, 5", text(c));
        assertEquals(new StreamChunk.Counts(new Usage(9, 3)), c.get(c.size() - 2));
    }

    @Test
    void notJsonIsAProtocolError() {
        assertThrows(IllegalArgumentException.class, () -> new NdjsonDecoder(true).decode("<html>502 Bad Gateway</html>"));
    }

    @Test
    void pullProgressReportsEveryLayer() throws Exception {
        List<PullProgress> p = new ArrayList<>();
        for (String line : fixture("ollama/pull-progress.ndjson").split("\n")) {
            p.add(OllamaResponses.pullLine(line));
        }
        assertEquals(14, p.size());
        assertEquals(4, p.stream().map(PullProgress::digest).filter(d -> d != null).distinct().count());
        assertEquals(new PullProgress("pulling dde5aa3fc5ff", "sha256:dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff",
                2019377376L, 0L), p.get(1));
        assertEquals("pulling dde5aa3fc5ff: 53% of 2.0 GB", p.get(3).describe());
        assertEquals("success", p.getLast().status());
        assertEquals("pull model manifest: file does not exist",
                assertThrows(IllegalStateException.class, () -> OllamaResponses.pullLine(fixture("ollama/pull-not-found.ndjson").split("\n")[1])).getMessage());
    }

    @Test
    void tagsAndEmbeddings() throws Exception {
        assertEquals(List.of(new ModelInfo("llama3.2:3b", "ollama", 8192, true), new ModelInfo("nomic-embed-text:latest", "ollama", 8192, true)),
                OllamaResponses.tags(fixture("ollama/tags.json"), 8192));
        List<float[]> e = OllamaResponses.embeddings(fixture("ollama/embed.json"), 2).vectors();
        assertArrayEquals(new float[] {0.010071029f, -0.0017594862f, 0.05007221f, 0.04692972f}, e.get(0));
        assertThrows(IllegalArgumentException.class, () -> OllamaResponses.embeddings(fixture("ollama/embed.json"), 3));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new OllamaOptions(0, 4, null));
        assertThrows(IllegalArgumentException.class, () -> new OllamaOptions(4096, 0, null));
    }
}
