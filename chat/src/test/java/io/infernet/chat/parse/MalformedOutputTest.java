package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the parser does with output that is not quite a tool call: text that only looks like one
 * stays content, a call cut short stays a call marked incomplete, a call broken after its name
 * ends there and the rest is content. Every case is also streamed at every split.
 */
class MalformedOutputTest {

    private static final OutputFormat HERMES = OutputFormat.of(ToolCallFormat.HERMES, ReasoningSyntax.THINK);

    private static ParsedMessage parse(OutputFormat format, String text) {
        return Parsing.parseEveryWay(format, Parsing::options, text, text.hashCode());
    }

    private static ParsedMessage message(String content, ToolCall... calls) {
        return new ParsedMessage(content, "", List.of(calls));
    }

    @Test
    void textThatIsNotACallStaysContent() {
        assertEquals(message("<tool_call>not json</tool_call>"), parse(HERMES, "<tool_call>not json</tool_call>"));
        assertEquals(message("<tool_call>"), parse(HERMES, "<tool_call>"));
        assertEquals(message("Hello <tool_ca"), parse(HERMES, "Hello <tool_ca"));
        assertEquals(message("<tool_call>\n{\"name\": \"f"), parse(HERMES, "<tool_call>\n{\"name\": \"f"));
        assertEquals(message("<tool_call>{\"id\": 1, \"x\": [1, 2]}</tool_call> and more"),
                parse(HERMES, "<tool_call>{\"id\": 1, \"x\": [1, 2]}</tool_call> and more"));
        assertEquals(message("<tool_call>{}</tool_call>"), parse(HERMES, "<tool_call>{}</tool_call>"));
    }

    @Test
    void aCallCutShortIsKeptIncomplete() {
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1", false)),
                parse(HERMES, "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":\"par", false)),
                parse(HERMES, "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": \"par"));
        assertEquals(message("", new ToolCall("gen_0", "f", "", false)), parse(HERMES, "<tool_call>{\"name\": \"f\""));
    }

    @Test
    void aCallBrokenAfterItsNameEndsThereAndTheRestIsContent() {
        assertEquals(message("x}}</tool_call>", new ToolCall("gen_0", "f", "{\"a\":1", false)),
                parse(HERMES, "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1 x}}</tool_call>"));
        assertEquals(message("<tool_call>{bad", new ToolCall("gen_0", "f", "{}")),
                parse(HERMES, "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>\n<tool_call>{bad"));
    }

    @Test
    void textAfterCallsIsContent() {
        assertEquals(message("Let me check.\nDone.", new ToolCall("gen_0", "f", "{\"a\":1}")),
                parse(HERMES, "Let me check.\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n</tool_call>\nDone."));
        assertEquals(message("nope", new ToolCall("gen_0", "f", "{}")),
                parse(HERMES, "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_calX>nope".replace("</tool_calX>", "</tool_call>")));
    }

    @Test
    void jsonFieldVariantsAreRead() {
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1}")),
                parse(HERMES, "<tool_call>{\"arguments\": {\"a\": 1}, \"name\": \"f\"}</tool_call>"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1}")),
                parse(HERMES, "<tool_call>{\"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": {\"a\": 1}}}</tool_call>"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1}")),
                parse(HERMES, "<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}</tool_call>"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{}")), parse(HERMES, "<tool_call>{\"name\": \"f\"}</tool_call>"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"s\":\"\\u00e9\\n\",\"n\":-1.5e3}")),
                parse(HERMES, "<tool_call>{ \"name\" : \"f\" , \"parameters\" : { \"s\" : \"\\u00e9\\n\" , \"n\" : -1.5e3 } }</tool_call>"));
    }

    @Test
    void callsToToolsTheRequestDidNotOfferStayContent() {
        Map<String, JsonNode> tools = Map.of("g", Parsing.JSON.createObjectNode());
        String text = "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>";
        assertEquals(message(text), Parsing.parseEveryWay(HERMES, () -> Parsing.options().withTools(tools), text, 1));
        assertEquals(message(text), Parsing.parseEveryWay(HERMES, () -> Parsing.options().withToolCalls(false), text, 2));
    }

    @Test
    void llama3JsonIsACallOnlyWhenItHasAName() {
        OutputFormat llama = OutputFormat.of(ToolCallFormat.LLAMA_3, null);
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"x\":1}")), parse(llama, "{\"name\": \"f\", \"parameters\": {\"x\": 1}}"));
        assertEquals(message("{not a call}"), parse(llama, "{not a call}"));
        assertEquals(message("Here: {\"a\": 1} and {\"b\": [2]}"), parse(llama, "Here: {\"a\": 1} and {\"b\": [2]}"));
        assertEquals(message("", new ToolCall("gen_0", "brave_search", "{\"query\":\"llamas\"}")),
                parse(llama, "<|python_tag|>brave_search.call(query=\"llamas\")"));
        assertEquals(message("", new ToolCall("gen_0", "python", "{\"code\":\"print(\\\"hi\\\")\"}")),
                parse(llama, "<|python_tag|>print(\"hi\")"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1}")),
                parse(llama, "<|python_tag|>{\"name\": \"f\", \"parameters\": {\"a\": 1}}"));
    }

    @Test
    void otherFormatsFallBackAlike() {
        OutputFormat mistral = OutputFormat.of(ToolCallFormat.MISTRAL_ARGS, null);
        assertEquals(message("bad", new ToolCall("gen_0", "f", "{", false)), parse(mistral, "[TOOL_CALLS]f[ARGS]{bad"));
        assertEquals(message("[TOOL_CALLS] what"), parse(mistral, "[TOOL_CALLS] what"));
        OutputFormat qwenCoder = OutputFormat.of(ToolCallFormat.QWEN3_CODER, null);
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1}")),
                parse(qwenCoder, "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n</tool_call>"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":\"x\"", false)),
                parse(qwenCoder, "<tool_call>\n<function=f>\n<parameter=a>\nx\n</parameter>\n"));
        OutputFormat glm = OutputFormat.of(ToolCallFormat.GLM_4_5, null);
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":1}")), parse(glm, "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}}</tool_call>"));
        assertEquals(message("", new ToolCall("gen_0", "get_time", "{}")), parse(glm, "<tool_call>get_time</tool_call>"));
        OutputFormat functionary = OutputFormat.of(ToolCallFormat.FUNCTIONARY_V3_2, null);
        ParsedMessage code = Parsing.parseEveryWay(functionary, () -> Parsing.options().withPromptTail(">>>"), "python\nprint('hi')\n>>>all\ndone", 3);
        assertEquals(message("done", new ToolCall("gen_0", "python", "{\"code\":\"print('hi')\"}")), code);
    }

    @Test
    void genericJson() {
        OutputFormat generic = OutputFormat.of(ToolCallFormat.GENERIC, null);
        assertEquals(message("Hi \"there\"\n€"), parse(generic, "{\"response\": \"Hi \\\"there\\\"\\n\\u20ac\"}"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{}")), parse(generic, "{\"tool_call\": {\"name\": \"f\", \"arguments\": {}}}"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{}"), new ToolCall("gen_1", "g", "{\"a\":[1]}")),
                parse(generic, "{\"tool_calls\": [{\"name\": \"f\", \"arguments\": {}}, {\"name\": \"g\", \"arguments\": {\"a\": [1]}}]}"));
        assertEquals(message("{\"other\": 1}"), parse(generic, "{\"other\": 1}"));
        assertEquals(message("plain {\"response\": \"x\"}"), parse(generic, "plain {\"response\": \"x\"}"));
        assertEquals(message("{\"a\":1}"), parse(generic, "{\"response\": {\"a\": 1}}"));
    }

    @Test
    void harmonyEdges() {
        OutputFormat oss = OutputFormat.of(ToolCallFormat.GPT_OSS, null);
        assertEquals(message("no header here"), parse(oss, "no header here"));
        assertEquals(new ParsedMessage("", "thinking", List.of()), parse(oss, "<|channel|>analysis<|message|>thinking"));
        assertEquals(message("", new ToolCall("gen_0", "f", "{\"a\":", false)),
                parse(oss, "<|channel|>commentary to=functions.f <|constrain|>json<|message|>{\"a\": "));
        assertEquals(message("Preamble.", new ToolCall("gen_0", "f", "{}")),
                parse(oss, "<|channel|>commentary<|message|>Preamble.<|end|><|start|>assistant<|channel|>commentary to=functions.f json<|message|>{}<|call|>"));
    }

    @Test
    void nothingIsLostAroundSurrogatePairs() {
        String text = "smile 😀 <tool_call>{\"name\": \"f\", \"arguments\": {\"e\": \"😀\"}}</tool_call> 🎉";
        assertEquals(message("smile 😀 🎉", new ToolCall("gen_0", "f", "{\"e\":\"😀\"}")), parse(HERMES, text));
    }
}
