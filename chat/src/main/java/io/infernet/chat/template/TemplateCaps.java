package io.infernet.chat.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.chat.template.jinja.Limits;
import io.infernet.chat.template.jinja.Template;
import io.infernet.chat.template.jinja.Value;
import io.infernet.chat.template.jinja.Values;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a chat template handles, found as llama.cpp finds it: by rendering probe conversations in
 * analysis mode and looking at which parts of the input the template read and how (a
 * {@code content} tested with {@code is string} and iterated is typed content, a tool call whose
 * arguments' keys were read takes arguments as an object, ...). The same probes, the same
 * inferences, so the same answers as llama-server's {@code chat_template_caps}; they decide how
 * messages are prepared for the template (see {@link ChatTemplate}).
 *
 * @param tools                {@code tools} are rendered (the tool's name is read)
 * @param toolCalls            assistant {@code tool_calls} are rendered
 * @param systemRole           a {@code system} message is rendered (else it is merged into the next message)
 * @param parallelToolCalls    a second tool call of one message is rendered
 * @param preserveReasoning    {@code reasoning_content} of earlier turns appears in the prompt
 * @param reasoningEffort      the {@code reasoning_effort} variable is read
 * @param stringContent        a string {@code content} renders
 * @param typedContent         a {@code content} list of parts renders
 * @param objectArguments      tool-call {@code arguments} are expected as an object, not a JSON string
 */
public record TemplateCaps(boolean tools, boolean toolCalls, boolean systemRole, boolean parallelToolCalls, boolean preserveReasoning,
                           boolean reasoningEffort, boolean stringContent, boolean typedContent, boolean objectArguments) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = "STRING_MARKER";
    private static final String REASONING_MARKER = "<REASONING_CONTENT_PLACEHOLDER>";

    /** As llama-server's {@code /props} names them ({@code supports_tools}, ...). */
    public Map<String, Boolean> asMap() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("supports_object_arguments", objectArguments);
        m.put("supports_parallel_tool_calls", parallelToolCalls);
        m.put("supports_preserve_reasoning", preserveReasoning);
        m.put("supports_reasoning_effort", reasoningEffort);
        m.put("supports_string_content", stringContent);
        m.put("supports_system_role", systemRole);
        m.put("supports_tool_calls", toolCalls);
        m.put("supports_tools", tools);
        m.put("supports_typed_content", typedContent);
        return m;
    }

    /** Runs the probes on a template (a dozen renders; done once per template). */
    static TemplateCaps probe(Template template) {
        return new Probe(template).run();
    }

    /** One probe render's inputs and what it saw. */
    private record Seen(boolean success, String output, Value messages, Value tools, Map<String, Value> variables) {}

    private static final class Probe {
        private final Template template;
        private final ZonedDateTime now = Instant.now().atZone(ZoneOffset.UTC);
        boolean tools = true;
        boolean toolCalls = true;
        boolean systemRole = true;
        boolean parallelToolCalls = true;
        boolean preserveReasoning;
        boolean reasoningEffort;
        boolean stringContent = true;
        boolean typedContent;
        boolean objectArguments;

        Probe(Template template) {
            this.template = template;
        }

        TemplateCaps run() {
            Seen typed = execute("[{\"role\": \"user\", \"content\": \"" + MARKER + "\"}]", null, null);
            Value content = at(typed.messages(), 0, "content");
            boolean checksForString = content.ops().contains("test_is_string");
            boolean usedAsArray = content.ops().contains("selectattr") || content.ops().contains("array_access");
            if (usedAsArray) {
                typedContent = true;
            }
            if (!typed.success()) {
                stringContent = false;
            } else if (usedAsArray && !typed.output().contains(MARKER)) {
                stringContent = false;
            }
            if (checksForString) {
                Seen empty = execute("[{\"role\": \"user\", \"content\": []}]", null, null);
                Value parts = at(empty.messages(), 0, "content");
                if ((parts.ops().contains("selectattr") || parts.ops().contains("array_access")) && empty.success()) {
                    typedContent = true;
                }
            }

            Seen system = execute("[{\"role\": \"system\", \"content\": \"System message\"}, {\"role\": \"user\", \"content\": \"User message\"}]",
                    null, null);
            if (!at(system.messages(), 0, "content").used()) {
                systemRole = false;
            }

            Seen objectCall = execute(toolConversation(1, "{\"arg\": \"value\"}"), null, TOOLS);
            if (objectCall.success()) {
                if (!at(objectCall.tools(), 0, "function", "name").used()) {
                    tools = false;
                }
                Value calls = at(objectCall.messages(), 1, "tool_calls");
                if (!calls.used()) {
                    toolCalls = false;
                } else if (at(calls, 0, "function", "arguments", "arg").used()) {
                    objectArguments = true;
                }
            }
            if (!objectArguments) {
                Seen stringCall = execute(toolConversation(1, "\"{\\\"arg\\\": \\\"value\\\"}\""), null, TOOLS);
                if (!stringCall.success()) {
                    toolCalls = false;
                    tools = false;
                } else {
                    if (!at(stringCall.tools(), 0, "function", "name").used()) {
                        tools = false;
                    }
                    if (!at(stringCall.messages(), 1, "tool_calls").used()) {
                        toolCalls = false;
                    }
                }
            }

            String args = objectArguments ? "{\"arg\": \"value\"}" : "\"{\\\"arg\\\": \\\"value\\\"}\"";
            Seen parallel = execute(toolConversation(2, args), null, TOOLS);
            if (!parallel.success() || !at(parallel.messages(), 1, "tool_calls", 1, "function").used()) {
                parallelToolCalls = false;
            }

            Seen reasoning = execute("""
                    [{"role": "user", "content": "User message"},
                     {"role": "assistant", "content": "Assistant message", "reasoning_content": "%s"},
                     {"role": "user", "content": "User message"},
                     {"role": "assistant", "content": "Assistant message", "reasoning_content": "Reasoning content"},
                     {"role": "user", "content": "User message"}]""".formatted(REASONING_MARKER),
                    g -> {
                        g.put("enable_thinking", Values.of(true));
                        ChatTemplate.putPreserveReasoning(g, true);
                    }, null);
            if (reasoning.output() != null && reasoning.output().contains(REASONING_MARKER)) {
                preserveReasoning = true;
            }

            Seen effort = execute("[{\"role\": \"user\", \"content\": \"User message\"}]", g -> {
                g.put("enable_thinking", Values.of(true));
                ChatTemplate.putReasoningEffort(g, "low");
            }, null);
            Value effortValue = effort.variables().get("reasoning_effort");
            reasoningEffort = effortValue != null && effortValue.used();

            return new TemplateCaps(tools, toolCalls, systemRole, parallelToolCalls, preserveReasoning, reasoningEffort, stringContent,
                    typedContent, objectArguments);
        }

        /** Renders a probe: {@code messages} and {@code tools} as JSON, {@code extra} setting more variables before them. */
        private Seen execute(String messagesJson, Consumer<Map<String, Value>> extra, String toolsJson) {
            Map<String, Value> globals = new HashMap<>();
            Value messages = Values.fromJson(read(messagesJson));
            Value toolsValue = Values.fromJson(read(toolsJson != null ? toolsJson : "[]"));
            globals.put("messages", messages);
            globals.put("tools", toolsValue);
            globals.put("bos_token", Values.of(""));
            globals.put("eos_token", Values.of(""));
            globals.put("add_generation_prompt", Values.of(true));
            if (extra != null) {
                extra.accept(globals); // set after the defaults, as llama.cpp does
            }
            Template.Analysis a = template.analyse(globals, now, Limits.DEFAULT);
            return new Seen(a.output() != null, a.output(), messages, toolsValue, a.variables());
        }
    }

    private static final String TOOLS = """
            [{"name": "tool", "type": "function", "function": {"name": "tool1", "description": "Tool description",
              "parameters": {"type": "object", "properties": {"arg": {"type": "string", "description": "Arg description"}},
                             "required": ["arg"]}}}]""";

    /** The tool-call probe conversation with {@code calls} calls whose arguments are {@code argumentsJson}. */
    private static String toolConversation(int calls, String argumentsJson) {
        StringBuilder c = new StringBuilder();
        for (int i = 1; i <= calls; i++) {
            if (i > 1) {
                c.append(", ");
            }
            c.append("{\"id\": \"call0000").append(i).append("\", \"type\": \"function\", \"function\": {\"name\": \"tool1\", \"arguments\": ")
                    .append(argumentsJson).append("}}");
        }
        return """
                [{"role": "user", "content": "User message"},
                 {"role": "assistant", "content": "", "tool_calls": [%s]},
                 {"role": "tool", "content": "Tool response", "tool_call_id": "call00001"},
                 {"role": "assistant", "content": "The tool response was 'tool response'"},
                 {"role": "user", "content": "User message"}]""".formatted(c);
    }

    /** The value at a path of list indices and dict keys; an undefined-like empty value where the path leads nowhere. */
    private static Value at(Value root, Object... path) {
        Value v = root;
        for (Object step : path) {
            Value next = null;
            if (step instanceof Integer i && v instanceof Value.Array a) {
                next = a.get(i);
            } else if (step instanceof String k && v instanceof Value.Obj o) {
                next = o.get(k);
            }
            if (next == null) {
                return Values.of(""); // never marked: reads as unused
            }
            v = next;
        }
        return v;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
