package io.infernet.chat.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.chat.template.jinja.Strftime;
import io.infernet.chat.template.jinja.Template;
import io.infernet.chat.template.jinja.Value;
import io.infernet.chat.template.jinja.Values;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's own chat template ({@code tokenizer.chat_template} of a GGUF file, or a file the
 * operator gives), rendering conversations to the prompt text byte for byte as the pinned
 * llama-server renders them with {@code --jinja}. Parse once, render per request; immutable and
 * thread-safe.
 *
 * <p>Before the template sees a conversation, it is prepared as llama-server prepares it:
 * <ol>
 *   <li>the source is patched where llama-server patches it (gpt-oss's check on channel markers in
 *       content, Mistral's check for empty assistant messages);</li>
 *   <li>messages are validated and rebuilt in llama-server's shape ({@link Conversation});
 *       templates recognised by StepFun's tool instructions get every content trimmed;</li>
 *   <li>content follows the template's {@link #caps() capabilities}: text parts are joined with
 *       newlines for a template that only takes string content, a string becomes one text part for
 *       one that only takes parts;</li>
 *   <li>{@code developer} becomes {@code system} (except for gpt-oss, which has its own); a system
 *       message is merged into the next message (joined with a newline) for a template without a
 *       system role; tool-call arguments become objects for a template that reads them as objects;</li>
 *   <li>dedicated families get their adjustments ({@link Family});</li>
 *   <li>the template gets {@code messages}, {@code tools} (only when there are some),
 *       {@code bos_token}, {@code eos_token}, {@code enable_thinking}, {@code add_generation_prompt}
 *       (only when true), {@code date_string} ({@code %d %b %Y}) and {@code datetime} ({@code %b %d %Y}),
 *       the kwargs last; {@code preserve_reasoning} sets {@code preserve_thinking} and its opposites
 *       {@code clear_thinking}, {@code truncate_history_thinking}, {@code drop_thinking};
 *       {@code reasoning_effort} also sets {@code reasoning_strength};</li>
 *   <li>a BOS the template writes first is removed when the tokenizer adds one (likewise EOS last).</li>
 * </ol>
 * Not reproduced: llama-server's continuation of a final assistant message (prefill), which
 * renders it apart; a conversation ending with an assistant message is rendered as it is.
 */
public final class ChatTemplate {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String source;
    private final Template template;
    private final TemplateCaps caps;
    private final Family family;

    private ChatTemplate(String source, Template template, TemplateCaps caps, Family family) {
        this.source = source;
        this.template = template;
        this.caps = caps;
        this.family = family;
    }

    /**
     * Parses a template and probes its capabilities (about a dozen renders of small conversations).
     *
     * @throws TemplateException of kind {@code SYNTAX} when it does not parse
     */
    public static ChatTemplate parse(String source) {
        String patched = patch(source);
        Template template = Template.parse(patched);
        return new ChatTemplate(source, template, TemplateCaps.probe(template), Family.detect(template.source()));
    }

    /** The template as given. */
    public String source() {
        return source;
    }

    public TemplateCaps caps() {
        return caps;
    }

    /**
     * Renders a conversation to prompt text.
     *
     * @throws TemplateException {@code INPUT} for an invalid conversation, {@code RAISED} when the
     *         template refuses it ({@link TemplateException#reason()} is the template's message),
     *         {@code RENDER} or {@code LIMIT} when the template fails on it
     */
    public String render(RenderRequest request) {
        return renderMarked(request).text();
    }

    /**
     * Renders as {@link #render} does, also telling which characters of the prompt came from the
     * conversation (message contents, names, ids, tool-call arguments and reasoning; the tools;
     * the kwargs), so that a tokenizer parses special-token text only in the template's own text
     * ({@link Template#renderMarked} says how input is followed through the template). Roles and
     * {@code type} names stay template text (templates build special tokens from them), and so do
     * {@code bos_token} and {@code eos_token}.
     *
     * @throws TemplateException as {@link #render}
     */
    public PromptText renderMarked(RenderRequest request) {
        String src = template.source();
        List<Conversation.Message> messages = Conversation.parseMessages(request.messages());
        if (src.contains("You have access to the following functions in JSONSchema format")) {
            messages = messages.stream().map(ChatTemplate::trimmed).toList();
        }
        ArrayNode prepared = NODES.arrayNode();
        for (Conversation.Message m : messages) {
            prepared.add(normalizeContent(Conversation.toJson(m)));
        }
        if (!src.contains("<|channel|>")) {
            prepared.forEach(m -> {
                if (m.path("role").asText("").equals("developer")) {
                    ((ObjectNode) m).put("role", "system");
                }
            });
        }
        if (!caps.systemRole()) {
            mergeSystemMessage(prepared);
        }
        if (caps.objectArguments()) {
            parseArguments(prepared);
        }
        ArrayNode tools = Conversation.tools(request.tools());
        ArrayNode forTemplate = family.adjustMessages(prepared, src);

        ZonedDateTime now = ZonedDateTime.now(request.clock());
        Map<String, Value> globals = new HashMap<>();
        JsonNode preserve = request.kwargs().get("preserve_reasoning");
        if (preserve != null && preserve.isBoolean()) {
            putPreserveReasoning(globals, preserve.booleanValue());
        }
        JsonNode effort = request.kwargs().get("reasoning_effort");
        if (effort != null && effort.isTextual() && !effort.textValue().isEmpty()) {
            putReasoningEffort(globals, effort.textValue());
        }
        globals.put("messages", Values.fromInput(forTemplate));
        globals.put("bos_token", Values.of(request.bosToken()));
        globals.put("eos_token", Values.of(request.eosToken()));
        globals.put("enable_thinking", Values.of(request.enableThinking()));
        if (tools != null) {
            globals.put("tools", Values.fromInput(tools));
        }
        globals.put("datetime", Values.of(Strftime.format("%b %d %Y", now)));
        globals.put("date_string", Values.of(Strftime.format("%d %b %Y", now)));
        request.kwargs().forEach((k, v) -> globals.put(k, Values.fromInput(v)));
        if (request.addGenerationPrompt()) {
            globals.put("add_generation_prompt", Values.of(true));
        }

        PromptText prompt = template.renderMarked(globals, now, request.limits());
        String text = prompt.text();
        if (request.tokenizerAddsBos() && text.startsWith(request.bosToken())) {
            prompt = prompt.substring(request.bosToken().length(), text.length());
        }
        text = prompt.text();
        if (request.tokenizerAddsEos() && text.endsWith(request.eosToken())) {
            prompt = prompt.substring(0, text.length() - request.eosToken().length());
        }
        return family.adjustPrompt(prompt, request.addGenerationPrompt());
    }

    /** The variables {@code preserve_reasoning} stands for in llama.cpp. */
    static void putPreserveReasoning(Map<String, Value> globals, boolean enabled) {
        globals.put("preserve_thinking", Values.of(enabled));
        globals.put("clear_thinking", Values.of(!enabled));
        globals.put("truncate_history_thinking", Values.of(!enabled));
        globals.put("drop_thinking", Values.of(!enabled));
    }

    /** {@code reasoning_effort} and its alias {@code reasoning_strength}, one value. */
    static void putReasoningEffort(Map<String, Value> globals, String effort) {
        Value v = Values.of(effort);
        globals.put("reasoning_effort", v);
        globals.put("reasoning_strength", v);
    }

    /** The source with llama-server's two patches for template checks that reject valid conversations. */
    static String patch(String source) {
        String s = source;
        if (s.contains("<|channel|>") && s.contains("in message.content or")) {
            s = s.replace("{%- if \"<|channel|>analysis<|message|>\" in message.content or \"<|channel|>final<|message|>\" in message.content %}",
                    "{%- if false %}");
        }
        if (s.contains("[TOOL_CALLS]") && s.contains("if (message['content'] is none or")) {
            s = s.replace("{%- if (message['content'] is none or message['content'] == '' or message['content']|length == 0) and "
                    + "(message['tool_calls'] is not defined or message['tool_calls'] is none or message['tool_calls']|length == 0) %}",
                    "{%- if false %}");
        }
        return s;
    }

    private static Conversation.Message trimmed(Conversation.Message m) {
        List<Conversation.Part> parts = m.parts().stream().map(p -> p.type().equals("text") ? new Conversation.Part(p.type(), trim(p.text())) : p).toList();
        return m.withText(m.content() == null ? null : trim(m.content()), trim(m.reasoning()), parts);
    }

    /** ASCII whitespace off both ends, as llama.cpp's trim_whitespace. */
    private static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    private ObjectNode normalizeContent(ObjectNode message) {
        boolean onlyString = caps.stringContent() && !caps.typedContent();
        boolean onlyTyped = !caps.stringContent() && caps.typedContent();
        JsonNode content = message.get("content");
        if (onlyTyped && content.isTextual()) {
            ArrayNode parts = NODES.arrayNode();
            parts.addObject().put("type", "text").put("text", content.textValue());
            message.set("content", parts);
        } else if (onlyString && content.isArray()) {
            message.put("content", Conversation.joinParts(content));
        }
        return message;
    }

    private static void mergeSystemMessage(ArrayNode messages) {
        if (messages.isEmpty() || !messages.get(0).path("role").asText("").equals("system")) {
            return;
        }
        if (messages.size() > 1) {
            JsonNode first = messages.get(0).get("content");
            JsonNode second = messages.get(1).get("content");
            if (!first.isTextual() || !second.isTextual()) {
                throw Conversation.input("this template has no system role; a system message can be merged into the next message "
                        + "only when both contents are strings");
            }
            ((ObjectNode) messages.get(1)).put("content", first.textValue() + "\n" + second.textValue());
        }
        messages.remove(0);
    }

    private static void parseArguments(ArrayNode messages) {
        for (JsonNode m : messages) {
            for (JsonNode call : m.path("tool_calls")) {
                JsonNode fn = call.get("function");
                if (fn != null && fn.path("arguments").isTextual()) {
                    String text = fn.get("arguments").textValue();
                    try {
                        JsonNode parsed = Conversation.STRICT_JSON.readTree(text);
                        if (parsed == null || parsed.isMissingNode()) {
                            throw new IllegalArgumentException("empty");
                        }
                        ((ObjectNode) fn).set("arguments", parsed);
                    } catch (Exception e) {
                        throw Conversation.input("tool call arguments are not valid JSON: " + text);
                    }
                }
            }
        }
    }
}
