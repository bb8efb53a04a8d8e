package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What one request tells the parser beyond the model's format.
 *
 * @param parseToolCalls   false when the request has no tools or {@code tool_choice: "none"}: call
 *                         syntax is then left in the content, as llama-server does
 * @param extractReasoning false to leave reasoning markup in the content
 * @param promptTail       the end of the rendered prompt (its generation prompt, or simply the whole
 *                         prompt); when it opened a reasoning block ({@code <think>\n}) or a call
 *                         ({@code >>>} in Functionary v3.2), the output starts inside it. "" when
 *                         unknown
 * @param tools            the request's functions, name to {@code parameters} schema. Empty: any name
 *                         is accepted and tagged argument values are typed by their text alone.
 *                         Non-empty: a call to another name is not a call (it stays content), and
 *                         tagged values are typed by the schema (a {@code string} parameter stays a
 *                         string even when it reads {@code 42})
 * @param idGenerator      ids for calls whose format carries none; called once per call, on the
 *                         parsing thread
 */
public record ParserOptions(boolean parseToolCalls, boolean extractReasoning, String promptTail,
                            Map<String, JsonNode> tools, Supplier<String> idGenerator) {

    public ParserOptions {
        Objects.requireNonNull(promptTail, "promptTail");
        tools = Map.copyOf(tools);
        Objects.requireNonNull(idGenerator, "idGenerator");
    }

    /** Tool calls and reasoning parsed, no prompt tail, any tool name, random OpenAI-style ids. */
    public static ParserOptions defaults() {
        return new ParserOptions(true, true, "", Map.of(), ParserOptions::randomCallId);
    }

    public ParserOptions withToolCalls(boolean parse) {
        return new ParserOptions(parse, extractReasoning, promptTail, tools, idGenerator);
    }

    public ParserOptions withReasoning(boolean extract) {
        return new ParserOptions(parseToolCalls, extract, promptTail, tools, idGenerator);
    }

    public ParserOptions withPromptTail(String tail) {
        return new ParserOptions(parseToolCalls, extractReasoning, tail, tools, idGenerator);
    }

    public ParserOptions withTools(Map<String, JsonNode> byName) {
        return new ParserOptions(parseToolCalls, extractReasoning, promptTail, byName, idGenerator);
    }

    public ParserOptions withIdGenerator(Supplier<String> ids) {
        return new ParserOptions(parseToolCalls, extractReasoning, promptTail, tools, ids);
    }

    /**
     * The functions of an OpenAI {@code tools} array, name to {@code parameters} schema (an empty
     * object schema when absent). Entries that are not {@code type: function} are skipped.
     *
     * @throws IllegalArgumentException naming the entry when a function has no name
     */
    public static Map<String, JsonNode> toolsFromOpenAi(JsonNode toolsArray) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        if (toolsArray == null || !toolsArray.isArray()) {
            return byName;
        }
        for (int i = 0; i < toolsArray.size(); i++) {
            JsonNode tool = toolsArray.get(i);
            if (!tool.path("type").asText("function").equals("function")) {
                continue;
            }
            JsonNode function = tool.path("function");
            String name = function.path("name").asText("");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("tools[" + i + "].function.name is missing: every function tool needs a name");
            }
            JsonNode parameters = function.get("parameters");
            byName.put(name, parameters != null ? parameters : ArgumentValues.MAPPER.createObjectNode());
        }
        return byName;
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** An OpenAI-style call id: {@code call_} and 24 random letters and digits. Thread-safe. */
    public static String randomCallId() {
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            id.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
        }
        return id.toString();
    }
}
