package io.infernet.bench.templates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The fixed conversations every chat template of the corpus is rendered with, as OpenAI chat
 * requests ({@code messages}, {@code tools}, {@code add_generation_prompt},
 * {@code chat_template_kwargs}), in the order they are recorded. Tool calls carry ids of nine
 * alphanumerics because the Mistral templates refuse any other shape; one tool description
 * holds a non-ASCII character so that every {@code tojson} of the tools shows how it is escaped.
 */
public final class TemplateConversations {
    private TemplateConversations() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String TOOLS = """
            [
              {"type": "function", "function": {
                "name": "get_weather",
                "description": "Get the current weather in a city (°C or °F).",
                "parameters": {"type": "object",
                  "properties": {
                    "city": {"type": "string", "description": "City name, e.g. Paris"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                  "required": ["city"]}}},
              {"type": "function", "function": {
                "name": "search_web",
                "description": "Search the web and return the top results.",
                "parameters": {"type": "object",
                  "properties": {
                    "query": {"type": "string"},
                    "max_results": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3}},
                  "required": ["query"]}}}
            ]""";

    private static final String WEATHER_CALL = """
            {"role": "user", "content": "What's the weather in Paris?"},
            {"role": "assistant", "content": null, "tool_calls": [
              {"id": "call00001", "type": "function",
               "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\", \\"unit\\": \\"celsius\\"}"}}]},
            {"role": "tool", "tool_call_id": "call00001", "content": "{\\"temperature\\": 18, \\"condition\\": \\"sunny\\"}"}""";

    /** A question and the assistant turn that answers it with two calls at once (call00001 Paris, call00002 London). */
    private static final String PARALLEL_CALLS = """
            {"role": "user", "content": "Compare the weather in Paris and London."},
            {"role": "assistant", "content": "", "tool_calls": [
              {"id": "call00001", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}},
              {"id": "call00002", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"London\\"}"}}]}""";

    /** The results of {@link #PARALLEL_CALLS}' two calls. */
    private static final String PARIS_RESULT = """
            {"role": "tool", "tool_call_id": "call00001", "name": "get_weather", "content": "{\\"temperature\\": 18}"}""";
    private static final String LONDON_RESULT = """
            {"role": "tool", "tool_call_id": "call00002", "name": "get_weather", "content": "{\\"temperature\\": 14}"}""";

    /** Name to request, in recording order; a fresh copy on each call. */
    public static SequencedMap<String, ObjectNode> all() {
        SequencedMap<String, ObjectNode> all = new LinkedHashMap<>();
        all.put("plain", request("""
                {"messages": [{"role": "user", "content": "Hello! Who are you?"}]}"""));
        all.put("system", request("""
                {"messages": [
                  {"role": "system", "content": "You are a concise assistant. Answer in one sentence."},
                  {"role": "user", "content": "What is the capital of France?"}]}"""));
        all.put("multi_turn", request("""
                {"messages": [
                  {"role": "user", "content": "Hi, I'm planning a trip."},
                  {"role": "assistant", "content": "Great! Where are you going?"},
                  {"role": "user", "content": "Paris, in May. What should I pack?"}]}"""));
        all.put("tools", request("""
                {"messages": [{"role": "user", "content": "What's the weather in Paris right now?"}], "tools": %s}""".formatted(TOOLS)));
        all.put("tools_system", request("""
                {"messages": [
                  {"role": "system", "content": "You are a helpful assistant with tools."},
                  {"role": "user", "content": "Find me news about the Louvre."}], "tools": %s}""".formatted(TOOLS)));
        all.put("tool_calls", request("""
                {"messages": [%s], "tools": %s}""".formatted(WEATHER_CALL, TOOLS)));
        all.put("tool_calls_followup", request("""
                {"messages": [%s,
                  {"role": "assistant", "content": "It is 18 degrees and sunny in Paris."},
                  {"role": "user", "content": "Thanks! And in London?"}], "tools": %s}""".formatted(WEATHER_CALL, TOOLS)));
        all.put("parallel_tool_calls", request("""
                {"messages": [%s, %s, %s], "tools": %s}""".formatted(PARALLEL_CALLS, PARIS_RESULT, LONDON_RESULT, TOOLS)));
        all.put("content_parts", request("""
                {"messages": [{"role": "user", "content": [
                  {"type": "text", "text": "Describe this scene:"},
                  {"type": "text", "text": "a cat asleep on a red sofa."}]}]}"""));
        all.put("reasoning_history", request("""
                {"messages": [
                  {"role": "user", "content": "What is 2+2?"},
                  {"role": "assistant", "content": "4.", "reasoning_content": "Two plus two equals four."},
                  {"role": "user", "content": "And 3+3?"}]}"""));
        all.put("no_generation_prompt", request("""
                {"messages": [
                  {"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "Say hi."}], "add_generation_prompt": false}"""));
        all.put("thinking_off", request("""
                {"messages": [{"role": "user", "content": "Hello! Who are you?"}], "chat_template_kwargs": {"enable_thinking": false}}"""));
        all.put("unicode", request("""
                {"messages": [{"role": "user", "content": "Grüße aus Köln! 你好 👋 \\"quoted\\" back\\\\slash\\ttab"}]}"""));
        all.put("developer", request("""
                {"messages": [
                  {"role": "developer", "content": "Reply in French."},
                  {"role": "user", "content": "Good morning!"}]}"""));
        all.put("tool_call_object_arguments", request("""
                {"messages": [
                  {"role": "user", "content": "Search for Jinja."},
                  {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call00001", "type": "function", "function": {"name": "search_web", "arguments": {"query": "Jinja", "max_results": 2}}}]},
                  {"role": "tool", "tool_call_id": "call00001", "content": "[\\"jinja.palletsprojects.com\\"]"}], "tools": %s}""".formatted(TOOLS)));
        all.put("reasoning_tool_calls", request("""
                {"messages": [
                  {"role": "user", "content": "What's the weather in Paris?"},
                  {"role": "assistant", "content": "Let me check.", "reasoning_content": "I should call get_weather.", "tool_calls": [
                    {"id": "call00001", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]},
                  {"role": "tool", "tool_call_id": "call00001", "content": "sunny"},
                  {"role": "assistant", "content": "It is sunny."},
                  {"role": "user", "content": "Thanks."}], "tools": %s}""".formatted(TOOLS)));
        all.put("tool_results_out_of_order", request("""
                {"messages": [%s, %s, %s], "tools": %s}""".formatted(PARALLEL_CALLS, LONDON_RESULT, PARIS_RESULT, TOOLS)));
        all.put("empty_tools", request("""
                {"messages": [{"role": "user", "content": "Hello! Who are you?"}], "tools": []}"""));
        return all;
    }

    private static ObjectNode request(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("conversation JSON does not parse: " + e.getMessage(), e);
        }
    }
}
