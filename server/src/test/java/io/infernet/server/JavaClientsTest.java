package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Unmodified Java clients against the real server over loopback (a generated Qwen2-vocabulary
 * model with Qwen2.5's template, outputs scripted: see {@link ScriptedServer}): the official
 * openai-java SDK reads tool calls whole and streamed and uses the Responses API; LangChain4j's
 * {@code AiServices} calls a {@code @Tool} method and answers with its result.
 */
@Tag("native")
@Tag("slow")
class JavaClientsTest {
    private static final String CALL = ToolCallApiTest.CALL;
    private static ScriptedServer server;
    private static OpenAIClient openai;

    @BeforeAll
    static void start() {
        server = ScriptedServer.withTemplate("Qwen-Qwen2.5-7B-Instruct.jinja");
        openai = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("not-needed").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openai.close();
        server.close();
    }

    private static ChatCompletionCreateParams weatherQuestion() {
        return ChatCompletionCreateParams.builder().model("qwen2-tiny").addUserMessage("Weather in Paris?")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Current weather of a city")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string")))).build())
                        .build())
                .build();
    }

    @Test
    void openaiJavaReadsToolCalls() {
        server.script(CALL);
        ChatCompletion c = openai.chat().completions().create(weatherQuestion());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"city\":\"Paris\"}", call.function().arguments());
        assertTrue(call.id().startsWith("call_"));
    }

    @Test
    void openaiJavaAccumulatesStreamedToolCalls() {
        server.script(CALL);
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(weatherQuestion())) {
            stream.stream().forEach(acc::accumulate);
        }
        ChatCompletion.Choice choice = acc.chatCompletion().choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"city\":\"Paris\"}", call.function().arguments());
    }

    @Test
    void openaiJavaUsesTheResponsesApi() {
        server.script(CALL, "It is sunny in Paris.");
        FunctionTool tool = FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build()).build();
        Response first = openai.responses().create(ResponseCreateParams.builder().model("qwen2-tiny").input("Weather in Paris?")
                .instructions("Be brief.").addTool(tool).build());
        ResponseFunctionToolCall call = first.output().stream().filter(o -> o.isFunctionCall()).findFirst().orElseThrow().asFunctionCall();
        assertEquals("get_weather", call.name());
        assertEquals("{\"city\":\"Paris\"}", call.arguments());
        Response second = openai.responses().create(ResponseCreateParams.builder().model("qwen2-tiny").previousResponseId(first.id())
                .inputOfResponse(List.of(com.openai.models.responses.ResponseInputItem.ofFunctionCallOutput(
                        com.openai.models.responses.ResponseInputItem.FunctionCallOutput.builder().callId(call.callId()).output("sunny").build())))
                .addTool(tool).build());
        String text = second.output().stream().filter(o -> o.isMessage()).flatMap(o -> o.asMessage().content().stream())
                .map(c -> c.asOutputText().text()).reduce("", String::concat);
        assertEquals("It is sunny in Paris.", text);
    }

    /** The tool LangChain4j's AiServices offers the model. */
    static final class WeatherTools {
        final List<String> asked = new CopyOnWriteArrayList<>();

        @Tool("Current weather of a city")
        String getWeather(@P("the city") String city) {
            asked.add(city);
            return "sunny, 21 C";
        }
    }

    interface Assistant {
        String chat(String message);
    }

    @Test
    void langchain4jAiServicesCallsATool() {
        // without javac -parameters LangChain4j names the parameter arg0 in the tool schema it sends; the script writes what was offered
        server.script("<tool_call>\n{\"name\": \"getWeather\", \"arguments\": {\"arg0\": \"Paris\"}}\n</tool_call>", "It is sunny in Paris.");
        int before = server.prompts.size();
        WeatherTools tools = new WeatherTools();
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("not-needed").modelName("qwen2-tiny")
                .maxRetries(0).build();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(tools).build();
        assertEquals("It is sunny in Paris.", assistant.chat("Weather in Paris?"));
        assertEquals(List.of("Paris"), tools.asked);
        String second = server.model().vocab().detokenize(server.prompts.get(before + 1), false, true);
        assertTrue(second.contains("<tool_response>\nsunny, 21 C\n</tool_response>"), "the tool's result reached the model: " + second);
    }
}
