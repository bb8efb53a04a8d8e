package io.infernet.engines;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a generation asks of decoding beyond how tokens are drawn: the output's format (OpenAI's
 * {@code response_format}), token log-probabilities ({@code logprobs}, {@code top_logprobs}), several
 * choices ({@code n}), and the tool-call constraint {@code tool_choice} implies. The in-process
 * engine carries them out itself; the remote engines pass them on (see each engine).
 *
 * @param format      how the output is written: free text, any JSON object, or JSON that validates against a schema
 * @param logprobs    whether each generated token comes with its log-probability
 * @param topLogprobs alternatives reported per token, {@code 0..}{@link #MAX_TOP_LOGPROBS}; 0 unless {@code logprobs}
 * @param n           choices generated from the one prompt, {@code 1..}{@link #MAX_N}
 * @param toolCalls   null, or how tool calls are constrained (from {@code tools} and {@code tool_choice})
 */
public record DecodingOptions(Format format, boolean logprobs, int topLogprobs, int n, ToolCallConstraint toolCalls) {

    public static final int MAX_TOP_LOGPROBS = 20;
    public static final int MAX_N = 128;

    /** Free text, no log-probabilities, one choice. */
    public static final DecodingOptions DEFAULT = new DecodingOptions(new Text(), false, 0, 1, null);

    public DecodingOptions {
        Objects.requireNonNull(format, "format");
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top_logprobs must be in 0.." + MAX_TOP_LOGPROBS + ", got " + topLogprobs);
        }
        if (topLogprobs > 0 && !logprobs) {
            throw new IllegalArgumentException("top_logprobs needs logprobs");
        }
        if (n < 1 || n > MAX_N) {
            throw new IllegalArgumentException("n must be in 1.." + MAX_N + ", got " + n);
        }
    }

    /** Whether anything here differs from {@link #DEFAULT}. */
    public boolean isDefault() {
        return format instanceof Text && !logprobs && n == 1 && toolCalls == null;
    }

    public DecodingOptions withFormat(Format f) {
        return new DecodingOptions(f, logprobs, topLogprobs, n, toolCalls);
    }

    public DecodingOptions withLogprobs(boolean on, int top) {
        return new DecodingOptions(format, on, top, n, toolCalls);
    }

    public DecodingOptions withN(int choices) {
        return new DecodingOptions(format, logprobs, topLogprobs, choices, toolCalls);
    }

    public DecodingOptions withToolCalls(ToolCallConstraint t) {
        return new DecodingOptions(format, logprobs, topLogprobs, n, t);
    }

    /** The output's format ({@code response_format}). */
    public sealed interface Format permits Text, JsonObject, JsonSchema {

        /**
         * Reads OpenAI's {@code response_format}: {@code {"type": "text"}}, {@code {"type": "json_object"}},
         * {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}} (no schema: any JSON
         * object; no name: "response"). Null or JSON null is text.
         *
         * @throws IllegalArgumentException with a message naming the part of {@code response_format} that is wrong
         */
        static Format parse(JsonNode rf) {
            if (rf == null || rf.isNull()) {
                return new Text();
            }
            if (!rf.isObject()) {
                throw new IllegalArgumentException("response_format must be an object, got " + ChatMessages.kind(rf) + ".");
            }
            JsonNode type = rf.get("type");
            if (type == null || !type.isTextual()) {
                throw new IllegalArgumentException("response_format.type must be 'text', 'json_object' or 'json_schema'.");
            }
            return switch (type.textValue()) {
                case "text" -> new Text();
                case "json_object" -> new JsonObject();
                case "json_schema" -> {
                    JsonNode js = rf.get("json_schema");
                    if (js == null || !js.isObject()) {
                        throw new IllegalArgumentException("response_format.json_schema must be an object with name and schema.");
                    }
                    JsonNode name = js.get("name");
                    JsonNode strict = js.get("strict");
                    JsonNode schema = js.get("schema");
                    if ((name != null && !name.isNull() && !name.isTextual()) || (strict != null && !strict.isNull() && !strict.isBoolean())
                            || (schema != null && !schema.isNull() && !schema.isObject())) {
                        throw new IllegalArgumentException("response_format.json_schema takes name (a string), strict (a boolean) and schema (an object).");
                    }
                    if (schema == null || schema.isNull()) {
                        yield new JsonObject();
                    }
                    yield new JsonSchema(name == null || name.isNull() ? "response" : name.textValue(), Json.compact(schema),
                            strict != null && strict.asBoolean());
                }
                default -> throw new IllegalArgumentException("response_format.type must be 'text', 'json_object' or 'json_schema', got '"
                        + type.textValue() + "'.");
            };
        }
    }

    /** Free text ({@code "type": "text"}). */
    public record Text() implements Format {}

    /** Any JSON object ({@code "type": "json_object"}). */
    public record JsonObject() implements Format {}

    /**
     * JSON that validates against {@code schema} ({@code "type": "json_schema"}).
     *
     * @param name   the schema's name, as the client gave it
     * @param schema the JSON Schema, as compact JSON text
     * @param strict the client's {@code strict} flag (the in-process engine always constrains; remote engines get it as given)
     */
    public record JsonSchema(String name, String schema, boolean strict) implements Format {
        public JsonSchema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /**
     * Tool calls that decoding must produce: from the first token ({@code tool_choice: "required"} or
     * a named function) or once the model starts one ({@code "auto"}). {@code "none"} is no constraint.
     *
     * @param tools    the request's function tools
     * @param mode     when the constraint applies
     * @param function for {@link Mode#NAMED}, the one tool that may be called; else null
     * @param parallel whether one message may hold several calls ({@code parallel_tool_calls})
     */
    public record ToolCallConstraint(List<Tool> tools, Mode mode, String function, boolean parallel) {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

        public ToolCallConstraint {
            tools = List.copyOf(tools);
            Objects.requireNonNull(mode, "mode");
            if (tools.isEmpty()) {
                throw new IllegalArgumentException("a tool-call constraint needs at least one tool");
            }
            if ((mode == Mode.NAMED) != (function != null)) {
                throw new IllegalArgumentException("a function name goes with tool_choice naming one, and only then");
            }
            if (function != null && tools.stream().noneMatch(t -> t.name().equals(function))) {
                throw new IllegalArgumentException("tool_choice names the function '" + function + "', which is not among the tools");
            }
        }

        /**
         * The constraint a chat's tools and {@code tool_choice} imply: {@code auto}, {@code required} and a
         * named function map to {@link Mode#AUTO}, {@link Mode#REQUIRED} and {@link Mode#NAMED};
         * {@code parallel_tool_calls} carries over. Null when the chat's output is not parsed for calls
         * (no tools, or {@code tool_choice: "none"}).
         */
        public static ToolCallConstraint of(ChatOptions chat) {
            if (!chat.parseToolCalls()) {
                return null;
            }
            List<Tool> tools = chat.tools().stream().map(t -> new Tool(t.name(), Json.compact(t.parameters()))).toList();
            return switch (chat.toolChoice().mode()) {
                case AUTO -> new ToolCallConstraint(tools, Mode.AUTO, null, chat.parallelToolCalls());
                case REQUIRED -> new ToolCallConstraint(tools, Mode.REQUIRED, null, chat.parallelToolCalls());
                case FUNCTION -> new ToolCallConstraint(tools, Mode.NAMED, chat.toolChoice().function(), chat.parallelToolCalls());
                case NONE -> null;
            };
        }

        /** One function tool: its name and its {@code parameters} JSON Schema as compact JSON text. */
        public record Tool(String name, String parameters) {
            public Tool {
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("a function name must be 1 to 64 of a-z, A-Z, 0-9, _ and -, got '" + name + "'");
                }
                Objects.requireNonNull(parameters, "parameters");
            }
        }

        public enum Mode {
            /** The model may answer in text or call; once it starts a call, the call is constrained. */
            AUTO,
            /** The answer is one or more calls, from the first token. */
            REQUIRED,
            /** The answer is a call of {@code function}, from the first token. */
            NAMED
        }
    }
}
