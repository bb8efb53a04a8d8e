package io.infernet.engines.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.FinishReason;
import io.infernet.engines.remote.StreamChunk;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Json;
import io.infernet.kernels.SamplingParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every sampling field reaches the wire, in each server's dialect, byte for byte. */
class OpenAiRequestsTest {

    private static final SamplingParams ALL = new SamplingParams(0.7f, 0, 0.9f, 0.05f, 1.1f, -1, 0.5f, -0.25f,
            Map.of(2, Float.NEGATIVE_INFINITY, 15043, 2.5f, 7, 250f), 0x1_2345_6789L);

    private static final GenerationRequest CHAT = GenerationRequest.chat("m", List.of(new ChatMessage("system", "be brief"),
            new ChatMessage("user", "hi \"there\"")), ALL, 64).withStop(List.of("\n\n", "User:"));

    @Test
    void vllmChatStreams() {
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}],"
                        + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":64,"
                        + "\"temperature\":0.7,\"top_p\":0.9,\"min_p\":0.05,\"presence_penalty\":-0.25,\"frequency_penalty\":0.5,"
                        + "\"top_k\":-1,\"repetition_penalty\":1.1,\"seed\":4886718345,"
                        + "\"logit_bias\":{\"2\":-100.0,\"7\":100.0,\"15043\":2.5},"
                        + "\"stop\":[\"\\n\\n\",\"User:\"]}",
                Json.write(OpenAiRequests.body(OpenAiDialect.VLLM, "m", CHAT, true)));
    }

    @Test
    void llamacppChatSendsItsOwnOffValues() {
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}],"
                        + "\"stream\":false,\"max_tokens\":64,"
                        + "\"temperature\":0.7,\"top_p\":0.9,\"min_p\":0.05,\"presence_penalty\":-0.25,\"frequency_penalty\":0.5,"
                        + "\"top_k\":0,\"repeat_penalty\":1.1,\"repeat_last_n\":131072,\"seed\":591751049,"
                        + "\"logit_bias\":{\"2\":false,\"7\":250.0,\"15043\":2.5},"
                        + "\"stop\":[\"\\n\\n\",\"User:\"]}",
                Json.write(OpenAiRequests.body(OpenAiDialect.LLAMACPP, "m", CHAT, false)));
    }

    @Test
    void toolsToolCallsAndReasoningOptionsPassThrough() throws Exception {
        ChatOptions.FunctionTool weather = new ChatOptions.FunctionTool("get_weather", "Weather of a city",
                Json.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}".getBytes()), null);
        ChatOptions chat = new ChatOptions(List.of(weather), ChatOptions.ToolChoice.function("get_weather"), false,
                Map.of("enable_thinking", Json.parse("false".getBytes())), false, "low");
        GenerationRequest r = GenerationRequest.chat("m", List.of(new ChatMessage("user", "Paris?"),
                ChatMessage.assistantCalls("", List.of(new io.infernet.chat.parse.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                ChatMessage.toolResult("call_1", "sunny")), SamplingParams.greedy(), 8).withChat(chat);
        String body = Json.write(OpenAiRequests.body(OpenAiDialect.LLAMACPP, "m", r, true));
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"content\":\"sunny\",\"tool_call_id\":\"call_1\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather of a city\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},\"parallel_tool_calls\":false,"
                + "\"chat_template_kwargs\":{\"enable_thinking\":false},\"reasoning_effort\":\"low\",\"reasoning_format\":\"none\",", body.substring(0, body.indexOf("\"stream\"")));
    }

    @Test
    void rawPromptsGoToCompletions() {
        GenerationRequest r = GenerationRequest.completion("m", "1, 2, 3,", SamplingParams.greedy().withTopK(5), 3);
        assertEquals("/v1/completions", OpenAiRequests.path(r));
        assertEquals("/v1/chat/completions", OpenAiRequests.path(CHAT));
        assertEquals("{\"model\":\"m\",\"prompt\":\"1, 2, 3,\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":3,"
                        + "\"temperature\":0.0,\"top_p\":1.0,\"min_p\":0.0,\"presence_penalty\":0.0,\"frequency_penalty\":0.0,"
                        + "\"top_k\":5,\"repeat_penalty\":1.0,\"repeat_last_n\":64,\"seed\":0}",
                Json.write(OpenAiRequests.body(OpenAiDialect.LLAMACPP, "m", r, true)));
    }

    @Test
    void llamacppSeedIsTheLow32BitsButNeverItsRandomMarker() {
        assertEquals(0L, OpenAiRequests.llamacppSeed(1L << 32));
        assertEquals(42L, OpenAiRequests.llamacppSeed(42L));
        assertEquals(0xFFFF_FFFEL, OpenAiRequests.llamacppSeed(-1L));
        assertEquals(0xFFFF_FFFEL, OpenAiRequests.llamacppSeed(0xFFFF_FFFFL));
    }

    @Test
    void embeddingsAskForFloats() {
        assertEquals("{\"model\":\"e\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"float\"}",
                Json.write(OpenAiRequests.embeddings("e", List.of("a", "b"))));
    }

    @Test
    void decodingOptionsPassThroughInEachDialect() {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
        DecodingOptions d = DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonSchema("thing", schema, true)).withLogprobs(true, 0).withN(3);
        var vllm = OpenAiRequests.body(OpenAiDialect.VLLM, "m", CHAT.withDecoding(d), true);
        assertEquals("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"thing\",\"schema\":" + schema + ",\"strict\":true}}",
                Json.write(vllm.get("response_format")));
        assertEquals("true|0|3", vllm.get("logprobs") + "|" + vllm.get("top_logprobs") + "|" + vllm.get("n"));
        var llama = OpenAiRequests.body(OpenAiDialect.LLAMACPP, "m", CHAT.withDecoding(d), true);
        assertEquals("true|1|3", llama.get("logprobs") + "|" + llama.get("top_logprobs") + "|" + llama.get("n"),
                "llama-server reports nothing for top_logprobs 0: ask for 1 (the decoder keeps 0)");
        GenerationRequest raw = GenerationRequest.completion("m", "x", SamplingParams.greedy(), 3)
                .withDecoding(DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonObject()).withLogprobs(true, 5));
        var llamaRaw = OpenAiRequests.body(OpenAiDialect.LLAMACPP, "m", raw, true);
        assertEquals("{\"type\":\"object\"}", Json.write(llamaRaw.get("json_schema")), "llama-server reads response_format for chat only");
        assertEquals("5", Json.write(llamaRaw.get("logprobs")));
        var vllmRaw = OpenAiRequests.body(OpenAiDialect.VLLM, "m", raw, true);
        assertEquals("{\"type\":\"json_object\"}", Json.write(vllmRaw.get("response_format")));
        assertEquals(false, OpenAiRequests.body(OpenAiDialect.VLLM, "m", CHAT, true).has("response_format"));
    }

    @Test
    void streamedChoicesAndLogprobsDecodeByIndexInBothShapes() {
        SseDecoder chat = new SseDecoder(true, 1);
        List<StreamChunk> c = chat.decode("data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"Hi\"},\"logprobs\":{\"content\":["
                + "{\"token\":\"H\",\"logprob\":-0.5,\"bytes\":[72],\"top_logprobs\":[{\"token\":\"H\",\"logprob\":-0.5},{\"token\":\"J\",\"logprob\":-1}]},"
                + "{\"token\":\"i\",\"logprob\":-0.25,\"top_logprobs\":[]}]},\"finish_reason\":null},"
                + "{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
        assertEquals(3, c.size(), c.toString());
        StreamChunk.Text first = (StreamChunk.Text) c.get(0);
        assertEquals("Hi|1|H|-0.5|1", first.text() + "|" + first.index() + "|" + first.logprob().token() + "|" + first.logprob().logprob()
                + "|" + first.logprob().top().size());
        StreamChunk.Text second = (StreamChunk.Text) c.get(1);
        assertEquals("|1|i", second.text() + "|" + second.index() + "|" + second.logprob().token());
        assertEquals(new StreamChunk.Finish(FinishReason.LENGTH, 0), c.get(2));
        List<StreamChunk> legacy = new SseDecoder(false, 2).decode("data: {\"choices\":[{\"index\":0,\"text\":\" a\",\"logprobs\":{"
                + "\"tokens\":[\" a\"],\"token_logprobs\":[-1.5],\"top_logprobs\":[{\" b\":-2.0,\" a\":-1.5}]}}]}");
        StreamChunk.Text t = (StreamChunk.Text) legacy.getFirst();
        assertEquals(" a|-1.5| a| b", t.text() + "|" + t.logprob().logprob() + "|" + t.logprob().top().get(0).token() + "|" + t.logprob().top().get(1).token());
    }

    @Test
    void toolsAndDecodingFieldsGoTogether() throws Exception {
        ChatOptions.FunctionTool add = new ChatOptions.FunctionTool("add", null, Json.parse("{\"type\":\"object\"}".getBytes()), null);
        GenerationRequest r = GenerationRequest.chat("m", List.of(new ChatMessage("user", "1+1?")), SamplingParams.greedy(), 8)
                .withChat(ChatOptions.DEFAULT.withTools(List.of(add), ChatOptions.ToolChoice.REQUIRED))
                .withDecoding(DecodingOptions.DEFAULT.withN(2).withLogprobs(true, 3));
        var vllm = OpenAiRequests.body(OpenAiDialect.VLLM, "m", r, true);
        assertEquals("[{\"type\":\"function\",\"function\":{\"name\":\"add\",\"parameters\":{\"type\":\"object\"}}}]", Json.write(vllm.get("tools")));
        assertEquals("\"required\"", Json.write(vllm.get("tool_choice")));
        assertEquals(2, vllm.get("n").asInt());
        assertEquals(true, vllm.get("logprobs").asBoolean());
        assertEquals(3, vllm.get("top_logprobs").asInt());
    }
}
