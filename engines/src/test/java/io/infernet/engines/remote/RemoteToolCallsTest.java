package io.infernet.engines.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.Json;
import io.infernet.engines.ollama.NdjsonDecoder;
import io.infernet.engines.openai.SseDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool calls and reasoning as vLLM, llama-server and Ollama stream them, read into the engine contract's deltas. */
class RemoteToolCallsTest {

    private static List<ChatDelta> read(StreamDecoder decoder, String... lines) {
        ChatAssembler chat = new ChatAssembler();
        List<ChatDelta> out = new ArrayList<>();
        for (String line : lines) {
            for (StreamChunk c : decoder.decode(line)) {
                out.addAll(chat.deltas(c));
            }
        }
        out.addAll(chat.finish());
        assertEquals(chat.message(), ParsedMessage.fold(out));
        return out;
    }

    @Test
    void openAiStreamsNameFirstThenArgumentPieces() {
        List<ChatDelta> d = read(new SseDecoder(true),
                "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm\"}}]}",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}}]}",
                "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
        assertEquals(List.of(new ChatDelta.Reasoning("hmm"), new ChatDelta.ToolCallDelta(0, "call_a", "get_weather", ""),
                new ChatDelta.ToolCallDelta(0, null, null, "{\"city\":"), new ChatDelta.ToolCallDelta(0, null, null, "\"Paris\"}"),
                new ChatDelta.ToolCallEnd(0, true)), d);
        assertEquals(List.of(new StreamChunk.Finish(FinishReason.TOOL_CALLS)),
                new SseDecoder(true).decode("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"));
    }

    @Test
    void ollamaSendsWholeCallsWithObjectArgumentsAndThinking() {
        List<ChatDelta> d = read(new NdjsonDecoder(true),
                "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"let me see\"},\"done\":false}",
                "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}},"
                        + "{\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]},\"done\":false}");
        ParsedMessage m = ParsedMessage.fold(d);
        assertEquals("let me see", m.reasoningContent());
        assertEquals(2, m.toolCalls().size());
        assertEquals("get_weather", m.toolCalls().get(0).name());
        assertEquals("{\"city\":\"Paris\"}", m.toolCalls().get(0).argumentsJson());
        assertEquals("get_time", m.toolCalls().get(1).name());
    }

    @Test
    void ollamaGetsHistoryWithObjectArgumentsAndToolNames() {
        String json = Json.write(io.infernet.engines.ollama.OllamaRequestsAccess.messages(List.of(new ChatMessage("user", "Paris?"),
                ChatMessage.assistantCalls("", List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                ChatMessage.toolResult("call_1", "sunny"))));
        assertEquals("[{\"role\":\"user\",\"content\":\"Paris?\"},{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":"
                + "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}]},{\"role\":\"tool\",\"content\":\"sunny\",\"tool_name\":\"get_weather\"}]", json);
    }

    @Test
    void eachChoiceOfAStreamAssemblesItsOwnMessage() throws Exception {
        String stream = String.join("\n",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}},{\"index\":1,\"delta\":{\"content\":\"Hi\"},"
                        + "\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.5,\"bytes\":[72,105],\"top_logprobs\":[]}]}}]}",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"add\",\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}",
                "data: {\"choices\":[{\"index\":1,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_b\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"add\",\"arguments\":\"{}\"}}]}}]}",
                "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"},{\"index\":1,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                "data: [DONE]", "");
        EventLog log = new EventLog();
        RemoteGeneration g = new RemoteGeneration("vllm", "m", "vLLM server", new java.io.ByteArrayInputStream(
                stream.getBytes(java.nio.charset.StandardCharsets.UTF_8)), new SseDecoder(true), log, java.time.Duration.ofSeconds(30), () -> { })
                .start();
        GenerationEvent.Done done = (GenerationEvent.Done) log.awaitEnd(g);
        assertEquals(2, done.choices().size());
        GenerationEvent.Choice first = done.choices().get(0);
        assertEquals(FinishReason.TOOL_CALLS, first.reason());
        assertEquals("hmm", first.message().reasoningContent());
        assertEquals(List.of(new ToolCall("call_a", "add", "{\"a\":1}")), first.message().toolCalls());
        GenerationEvent.Choice second = done.choices().get(1);
        assertEquals("Hi", second.message().content());
        assertEquals(FinishReason.TOOL_CALLS, second.reason(), "a stop after calls ended the turn with them");
        assertEquals(List.of(new ToolCall("call_b", "add", "{}")), second.message().toolCalls());
        assertEquals(first.message(), done.message(), "the first choice leads");
        GenerationEvent.Token hi = log.events().stream().filter(e -> e instanceof GenerationEvent.Token t && t.index() == 1 && !t.text().isEmpty())
                .map(e -> (GenerationEvent.Token) e).findFirst().orElseThrow();
        assertEquals(-0.5, hi.logprob().logprob());
        assertEquals(List.of(new ChatDelta.Content("Hi")), hi.deltas());
    }
}
