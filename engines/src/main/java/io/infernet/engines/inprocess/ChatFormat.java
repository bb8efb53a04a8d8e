package io.infernet.engines.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.chat.parse.CallSyntax;
import io.infernet.chat.parse.ChatOutputParser;
import io.infernet.chat.parse.FormatDetector;
import io.infernet.chat.parse.OutputFormat;
import io.infernet.chat.parse.ParserOptions;
import io.infernet.chat.parse.ToolCallFormat;
import io.infernet.chat.template.PromptText;
import io.infernet.chat.template.RenderRequest;
import io.infernet.chat.template.TemplateException;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatMessages;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.EngineException;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Json;
import io.infernet.runtime.ChatTemplate;
import io.infernet.runtime.LlamaException;
import io.infernet.runtime.Model;
import io.infernet.runtime.Vocab;
import io.infernet.runtime.text.SpecialTokenSplitter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one model's chats are written and read: its Jinja chat template (the GGUF's
 * {@code tokenizer.chat_template}, its {@code tool_use} variant for requests with tools, or the
 * operator's {@code --chat-template} file), parsed once, and the output format detected from it
 * once. A model without a template (or with one our Jinja engine cannot parse) keeps llama.cpp's
 * {@code llama_chat_apply_template}. Either way the prompt is tokenized with special-token text
 * parsed only where the template wrote it ({@link Vocab#tokenizePrompt}).
 *
 * <p>Immutable and thread-safe; {@link #tokenize} makes native calls (run it on the serving
 * engine's platform threads).
 */
final class ChatFormat {
    private static final System.Logger LOG = System.getLogger(ChatFormat.class.getName());
    /** Characters of the prompt's end the output parser sees (an open {@code <think>}, Functionary's {@code >>>}). */
    private static final int TAIL = 256;

    /** One template and what its output looks like. */
    private record Variant(io.infernet.chat.template.ChatTemplate jinja, OutputFormat format, BitSet shownControl) {}

    private final Vocab vocab;
    private final Variant main;
    /** The {@code tool_use} template, for requests with tools; null when the model has none. */
    private final Variant toolUse;
    /** llama.cpp's formatter, when there is no Jinja template. */
    private final ChatTemplate legacy;
    private final String bos;
    private final String eos;

    private ChatFormat(Vocab vocab, Variant main, Variant toolUse, ChatTemplate legacy) {
        this.vocab = vocab;
        this.main = main;
        this.toolUse = toolUse;
        this.legacy = legacy;
        this.bos = tokenText(vocab, vocab.bos());
        this.eos = tokenText(vocab, vocab.eos());
    }

    /**
     * The model's chat format.
     *
     * @param override a template to use instead of the model's ({@code --chat-template}), null for the model's
     * @throws IllegalArgumentException when {@code override} does not parse
     */
    static ChatFormat of(Model model, String override) {
        Vocab vocab = model.vocab();
        if (override != null) {
            io.infernet.chat.template.ChatTemplate t;
            try {
                t = io.infernet.chat.template.ChatTemplate.parse(override);
            } catch (TemplateException e) {
                throw new IllegalArgumentException("the --chat-template file does not parse: " + e.getMessage(), e);
            }
            return new ChatFormat(vocab, variant(vocab, t), null, null);
        }
        String source = model.chatTemplate();
        Variant main = jinja(vocab, source, model.name());
        if (main == null) {
            return new ChatFormat(vocab, new Variant(null, OutputFormat.CONTENT_ONLY, null), null, ChatTemplate.of(model));
        }
        Variant toolUse = jinja(vocab, model.chatTemplate("tool_use"), model.name() + " (tool_use)");
        return new ChatFormat(vocab, main, toolUse, null);
    }

    private static Variant jinja(Vocab vocab, String source, String what) {
        if (source == null || source.isBlank()) {
            return null;
        }
        try {
            return variant(vocab, io.infernet.chat.template.ChatTemplate.parse(source));
        } catch (TemplateException e) {
            LOG.log(System.Logger.Level.WARNING, "the chat template of " + what + " does not parse (" + e.getMessage()
                    + "); using llama.cpp's built-in formats, which render no tools");
            return null;
        }
    }

    private static Variant variant(Vocab vocab, io.infernet.chat.template.ChatTemplate t) {
        OutputFormat format = FormatDetector.detect(t.source());
        return new Variant(t, format, shownControl(vocab, format));
    }

    /** The output format of plain chats (no tools). */
    OutputFormat format() {
        return main.format();
    }

    /** Whether the model has a Jinja template (else llama.cpp's built-in formats, without tools). */
    boolean jinja() {
        return main.jinja() != null;
    }

    /** A rendered prompt, its tokens' source, and how to read the output. */
    record Prompt(PromptText text, OutputFormat format, BitSet shownControl) {}

    /**
     * Renders a chat request's prompt (pure Java for a Jinja template).
     *
     * @throws EngineException INVALID_REQUEST with the template's message when it refuses the conversation or fails on it
     */
    Prompt render(GenerationRequest r) {
        ChatOptions chat = r.chat();
        Variant v = !chat.tools().isEmpty() && toolUse != null ? toolUse : main;
        if (v.jinja() == null) {
            if (!chat.tools().isEmpty()) {
                throw new EngineException(EngineException.Kind.UNSUPPORTED, "this model has no Jinja chat template, so it cannot be "
                        + "given tools; serve it with --chat-template FILE (a template that renders tools)", "tools");
            }
            List<ChatTemplate.Message> msgs = new ArrayList<>();
            for (ChatMessage m : r.messages()) {
                msgs.add(new ChatTemplate.Message(m.role(), m.content()));
            }
            try {
                ChatTemplate.Applied a = legacy.applyMarked(msgs, true);
                io.infernet.chat.template.InputSpans spans = io.infernet.chat.template.InputSpans.of(a.inputRanges());
                return new Prompt(new PromptText(a.text(), spans), v.format(), null);
            } catch (LlamaException e) {
                throw new EngineException(EngineException.Kind.INVALID_REQUEST, e.getMessage(), "messages");
            }
        }
        Map<String, JsonNode> kwargs = new HashMap<>(chat.templateKwargs());
        if (chat.reasoningEffort() != null && !kwargs.containsKey("reasoning_effort")) {
            kwargs.put("reasoning_effort", Json.MAPPER.getNodeFactory().textNode(chat.reasoningEffort()));
        }
        JsonNode thinking = kwargs.get("enable_thinking");
        RenderRequest req = RenderRequest.of(ChatMessages.toJson(r.messages()))
                .withTools(chat.toolsJson())
                .withTokens(bos, eos, vocab.addsBos(), vocab.addsEos())
                .withEnableThinking(thinking == null || !thinking.isBoolean() || thinking.booleanValue())
                .withKwargs(kwargs);
        try {
            return new Prompt(v.jinja().renderMarked(req), v.format(), v.shownControl());
        } catch (TemplateException e) {
            String message = e.kind() == TemplateException.Kind.RAISED ? e.reason() : e.getMessage();
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, message, "messages");
        }
    }

    /** The prompt's tokens (native: on the serving engine's platform threads). */
    int[] tokenize(Prompt p) {
        return vocab.tokenizePrompt(p.text().text(), p.text().input().ranges());
    }

    /** A parser for one chat generation's output. */
    ChatOutputParser parser(Prompt p, ChatOptions chat) {
        String text = p.text().text();
        ParserOptions o = ParserOptions.defaults()
                .withToolCalls(chat.parseToolCalls())
                .withReasoning(chat.extractReasoning())
                .withTools(chat.toolSchemas())
                .withPromptTail(text.substring(Math.max(0, text.length() - TAIL)));
        return p.format().parser(o);
    }

    /**
     * The control tokens whose text the parser needs to see (tool-call markers such as Mistral's
     * {@code [TOOL_CALLS]}, reasoning markers, gpt-oss's channel markers): any control token whose
     * text is one of the format's markers or part of one.
     */
    private static BitSet shownControl(Vocab vocab, OutputFormat format) {
        Set<String> markers = new LinkedHashSet<>(format.contentMarkers());
        if (format.reasoning() != null) {
            markers.add(format.reasoning().start());
            markers.add(format.reasoning().end());
        }
        CallSyntax syntax = format.callSyntax();
        if (syntax != null) {
            markers.addAll(syntax.triggers());
            markers.add(syntax.prefix());
            markers.add(syntax.separator());
            markers.add(syntax.suffix());
            for (CallSyntax.Part part : syntax.call()) {
                if (part instanceof CallSyntax.Literal l) {
                    markers.add(l.text());
                }
            }
        }
        if (format.toolFormat() == ToolCallFormat.GPT_OSS) {
            markers.addAll(List.of("<|start|>", "<|channel|>", "<|message|>", "<|end|>", "<|constrain|>"));
        }
        markers.remove("");
        BitSet shown = new BitSet();
        for (SpecialTokenSplitter.Special s : vocab.specialTokens().specials()) {
            if (s.parseOnly() && s.text().length() >= 3 && markers.stream().anyMatch(m -> m.contains(s.text()))) {
                shown.set(s.id());
            }
        }
        return shown.isEmpty() ? null : shown;
    }

    private static String tokenText(Vocab vocab, int token) {
        return token < 0 ? "" : vocab.text(token);
    }
}
