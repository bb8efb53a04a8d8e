package io.infernet.chat.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The template families llama-server handles with dedicated code, recognised as it recognises them
 * (by marker strings of the source, first match wins), and what that code changes in the messages
 * before rendering or in the prompt after. Families whose code changes neither are listed too,
 * because recognising one stops the search.
 */
enum Family {
    /** Mistral's Ministral 3 / Magistral: system and assistant content becomes typed blocks, reasoning a {@code thinking} block. */
    MINISTRAL_3(s -> all(s, "[SYSTEM_PROMPT]", "[TOOL_CALLS]", "[ARGS]") && !s.contains("[CALL_ID]")),
    /** gpt-oss: {@code reasoning_content} is copied to {@code thinking}; with tool calls the content goes; a final {@code <|return|>} becomes {@code <|end|>} without a generation prompt. */
    GPT_OSS(s -> s.contains("<|channel|>")),
    MUSE_GLIMMER(s -> all(s, "<atem:function_calls>", "<|eom|>")),
    FUNCTIONARY_V3_2(s -> all(s, ">>>all", ">>>${recipient}")),
    KIMI_K2(s -> all(s, "<|tool_calls_section_begin|>", "<|tool_call_begin|>")),
    KIMI_K3(s -> all(s, "<|open|>", "<|close|>", "<|end_of_msg|>")),
    LING_3(s -> all(s, "<role>ASSISTANT</role>", "<arg_key>")),
    COHERE_2_MOE(s -> all(s, "<|START_TEXT|>", "<|START_ACTION|>")),
    /** LFM2 and LFM2.5: {@code reasoning_content} is copied to {@code thinking}. */
    LFM2(s -> all(s, "<|tool_list_start|>", "<|tool_list_end|>") || (s.contains("List of tools: [") && !s.contains("<|tool_list_start|>"))),
    GIGACHAT_V3(s -> all(s, "<|role_sep|>", "<|message_sep|>") && !s.contains("<|function_call|>")),
    MINIMAX_M3(s -> all(s, "]<]minimax[>[", "<tool_call>", "<invoke name=")),
    /** DeepSeek V3.2; V4 (no {@code function_calls} in the source) orders consecutive tool results as their calls. */
    DEEPSEEK_V3_2(s -> all(s, "dsml_token", "DSML") && (s.contains("function_calls") || s.contains("tool_calls"))),
    /** Gemma 4: older templates get tool results folded into the assistant turn; a prompt ending a turn gets the model's turn opened. */
    GEMMA_4(s -> s.contains("'<|tool_call>call:'")),
    MINICPM_5(s -> all(s, "Tool usage guidelines:", "<function name=\"", "<param name=\"")),
    QWEN3_CODER(s -> all(s, "<tool_call>", "<function=", "<parameter=") && !s.contains("'<tool_call><function=' ~ tool_call.name ~ '>'")),
    /** Everything else: llama-server's generic path, which renders the messages as they are. */
    GENERIC(s -> true);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Whether a template's source is this family's, asked in declaration order. */
    private final Predicate<String> recognises;

    Family(Predicate<String> recognises) {
        this.recognises = recognises;
    }

    /** The first family, in declaration order, that recognises {@code src}. */
    static Family detect(String src) {
        for (Family f : values()) {
            if (f.recognises.test(src)) {
                return f;
            }
        }
        throw new AssertionError("GENERIC recognises every template");
    }

    private static boolean all(String src, String... markers) {
        for (String m : markers) {
            if (!src.contains(m)) {
                return false;
            }
        }
        return true;
    }

    /** The messages this family's template is given, from the prepared ones (which are not changed). */
    ArrayNode adjustMessages(ArrayNode messages, String src) {
        return switch (this) {
            case MINISTRAL_3 -> ministralBlocks(messages);
            case GPT_OSS -> copyReasoningToThinking(messages, true);
            case LFM2 -> copyReasoningToThinking(messages, false);
            case DEEPSEEK_V3_2 -> src.contains("function_calls") ? messages : sortToolResults(messages);
            case GEMMA_4 -> src.contains("{#- OpenAI Chat Completions:") ? messages : foldToolResults(messages);
            default -> messages;
        };
    }

    /** The prompt after this family's code has seen it. */
    PromptText adjustPrompt(PromptText prompt, boolean addGenerationPrompt) {
        if (this == GPT_OSS && !addGenerationPrompt) {
            return prompt.replaceLastTrusted("<|return|>", "<|end|>");
        }
        if (this == GEMMA_4 && addGenerationPrompt && prompt.text().endsWith("<turn|>\n")) {
            return prompt.append(PromptText.trusted("<|turn>model\n"));
        }
        return prompt;
    }

    private static ArrayNode copyReasoningToThinking(ArrayNode messages, boolean dropContentWithCalls) {
        ArrayNode out = NODES.arrayNode();
        for (JsonNode m : messages) {
            ObjectNode msg = (ObjectNode) m.deepCopy();
            if (msg.path("reasoning_content").isTextual()) {
                msg.set("thinking", msg.get("reasoning_content"));
                if (dropContentWithCalls && msg.path("tool_calls").isArray() && !msg.get("tool_calls").isEmpty()) {
                    msg.remove("content");
                }
            }
            out.add(msg);
        }
        return out;
    }

    private static ArrayNode ministralBlocks(ArrayNode messages) {
        ArrayNode out = NODES.arrayNode();
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            if (!role.equals("system") && !role.equals("assistant")) {
                out.add(m.deepCopy());
                continue;
            }
            ArrayNode content = NODES.arrayNode();
            if (m.path("reasoning_content").isTextual()) {
                content.addObject().put("type", "thinking").put("thinking", m.get("reasoning_content").textValue());
            }
            if (m.path("content").isTextual()) {
                content.addObject().put("type", "text").put("text", m.get("content").textValue());
            } else if (m.path("content").isArray()) {
                m.get("content").forEach(block -> content.add(block.deepCopy()));
            }
            ObjectNode adjusted = (ObjectNode) m.deepCopy();
            adjusted.set("content", content);
            adjusted.remove("reasoning_content");
            out.add(adjusted);
        }
        return out;
    }

    /** DeepSeek V4: within each run of user and tool messages, tool results in the order of the calls of the last assistant message. */
    private static ArrayNode sortToolResults(ArrayNode messages) {
        ArrayNode adjusted = messages.deepCopy();
        Map<String, Integer> callOrder = new HashMap<>();
        int i = 0;
        while (i < adjusted.size()) {
            JsonNode msg = adjusted.get(i);
            String role = msg.path("role").asText("");
            if (role.equals("assistant") && msg.path("tool_calls").isArray() && !msg.get("tool_calls").isEmpty()) {
                callOrder.clear();
                JsonNode calls = msg.get("tool_calls");
                for (int k = 0; k < calls.size(); k++) {
                    String id = calls.get(k).path("id").asText("");
                    if (!id.isEmpty()) {
                        callOrder.put(id, k);
                    }
                }
                i++;
                continue;
            }
            if (!role.equals("user") && !role.equals("tool")) {
                i++;
                continue;
            }
            List<Integer> toolPositions = new ArrayList<>();
            int end = i;
            for (; end < adjusted.size(); end++) {
                String r = adjusted.get(end).path("role").asText("");
                if (r.equals("tool")) {
                    toolPositions.add(end);
                } else if (!r.equals("user")) {
                    break;
                }
            }
            if (toolPositions.size() > 1 && !callOrder.isEmpty()) {
                List<JsonNode> results = new ArrayList<>();
                toolPositions.forEach(p -> results.add(adjusted.get(p)));
                results.sort((a, b) -> Integer.compare(callOrder.getOrDefault(a.path("tool_call_id").asText(""), 0),
                        callOrder.getOrDefault(b.path("tool_call_id").asText(""), 0)));
                for (int k = 0; k < toolPositions.size(); k++) {
                    adjusted.set(toolPositions.get(k), results.get(k));
                }
            }
            i = end;
        }
        return adjusted;
    }

    /**
     * Older Gemma 4 templates: an assistant turn with tool calls, the tool results after it and a
     * final assistant answer become one assistant message with {@code tool_responses}.
     */
    private static ArrayNode foldToolResults(ArrayNode messages) {
        ArrayNode out = NODES.arrayNode();
        int i = 0;
        while (i < messages.size()) {
            JsonNode msg = messages.get(i);
            if (!msg.path("role").asText("").equals("assistant") || !hasToolCalls(msg)) {
                out.add(msg.deepCopy());
                i++;
                continue;
            }
            ArrayNode calls = NODES.arrayNode();
            ArrayNode responses = NODES.arrayNode();
            JsonNode reasoning = msg.path("reasoning_content").isTextual() ? msg.get("reasoning_content") : null;
            msg.get("tool_calls").forEach(tc -> calls.add(tc.deepCopy()));
            i++;
            while (i < messages.size() && messages.get(i).path("role").asText("").equals("tool")) {
                JsonNode result = messages.get(i);
                JsonNode response = NODES.nullNode();
                if (result.has("content")) {
                    JsonNode content = result.get("content");
                    response = content.isTextual() ? parseOr(content) : content.deepCopy();
                }
                String name = "";
                if (responses.size() < calls.size() && calls.get(responses.size()).has("function")) {
                    name = calls.get(responses.size()).get("function").path("name").asText("");
                }
                if (name.isEmpty()) {
                    name = result.path("tool_call_id").asText("");
                }
                ObjectNode r = responses.addObject();
                r.put("name", name);
                r.set("response", response);
                i++;
            }
            JsonNode content = null;
            if (i < messages.size() && messages.get(i).path("role").asText("").equals("assistant")) {
                JsonNode next = messages.get(i);
                if (!hasToolCalls(next) && hasContent(next)) {
                    content = next.get("content").deepCopy();
                    i++;
                }
            }
            ObjectNode folded = out.addObject();
            folded.put("role", "assistant");
            folded.set("tool_calls", calls);
            if (!responses.isEmpty()) {
                folded.set("tool_responses", responses);
            }
            if (content != null) {
                folded.set("content", content);
            }
            if (reasoning != null) {
                folded.set("reasoning_content", reasoning.deepCopy());
            }
        }
        return out;
    }

    private static JsonNode parseOr(JsonNode text) {
        try {
            JsonNode parsed = Conversation.STRICT_JSON.readTree(text.textValue());
            return parsed == null || parsed.isMissingNode() ? text.deepCopy() : parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return text.deepCopy();
        }
    }

    private static boolean hasToolCalls(JsonNode msg) {
        return msg.path("tool_calls").isArray() && !msg.get("tool_calls").isEmpty();
    }

    private static boolean hasContent(JsonNode msg) {
        JsonNode c = msg.get("content");
        return c != null && ((c.isTextual() && !c.textValue().isEmpty()) || (c.isArray() && !c.isEmpty()));
    }
}
