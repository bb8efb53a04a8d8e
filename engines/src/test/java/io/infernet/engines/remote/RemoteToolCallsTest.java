package io.infernet.engines.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.FinishReason;
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
}
