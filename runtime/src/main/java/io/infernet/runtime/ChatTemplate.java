package io.infernet.runtime;

import io.infernet.bindings.llama_chat_message;
import io.infernet.bindings.llama_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Formats chat messages into a prompt with a model's chat template, through llama.cpp's
 * {@code llama_chat_apply_template} (which recognises the common templates by their text).
 * A model without a template gets ChatML, and says so once in the log.
 */
public final class ChatTemplate {

    /** One message: role (system, user, assistant, ...) and text. */
    public record Message(String role, String content) {}

    private static final System.Logger LOG = System.getLogger(ChatTemplate.class.getName());
    /** The fallback, as llama.cpp names its built-in. */
    public static final String FALLBACK = "chatml";

    private final String template;

    private ChatTemplate(String template) {
        this.template = template;
    }

    /** The model's template, or ChatML when it has none. */
    public static ChatTemplate of(Model model) {
        String t = model.chatTemplate();
        if (t == null || t.isBlank()) {
            LOG.log(System.Logger.Level.INFO, model.name() + " has no chat template; using " + FALLBACK);
            return new ChatTemplate(FALLBACK);
        }
        return new ChatTemplate(t);
    }

    /** A template given by text or by llama.cpp's built-in name ("chatml", "llama2", ...). */
    public static ChatTemplate named(String templateOrName) {
        return new ChatTemplate(templateOrName);
    }

    public String template() {
        return template;
    }

    /**
     * Formats {@code messages}; with {@code addAssistant} the prompt ends where the assistant's
     * reply begins.
     *
     * @throws LlamaException if llama.cpp does not support the template
     */
    public String apply(List<Message> messages, boolean addAssistant) {
        LlamaRuntime.load();
        try (Arena arena = Arena.ofConfined()) {
            long stride = llama_chat_message.layout().byteSize();
            MemorySegment chat = arena.allocate(llama_chat_message.layout(), Math.max(1, messages.size()));
            long chars = 0;
            for (int i = 0; i < messages.size(); i++) {
                MemorySegment m = chat.asSlice(i * stride, stride);
                llama_chat_message.role(m, arena.allocateFrom(messages.get(i).role()));
                llama_chat_message.content(m, arena.allocateFrom(messages.get(i).content()));
                chars += messages.get(i).content().getBytes(StandardCharsets.UTF_8).length + 64;
            }
            MemorySegment tmpl = arena.allocateFrom(template);
            int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1024, chars * 2 + template.length()));
            MemorySegment buf = arena.allocate(cap);
            int n = llama_h.llama_chat_apply_template(tmpl, chat, messages.size(), addAssistant, buf, cap);
            if (n > cap) {
                cap = n + 1;
                buf = arena.allocate(cap);
                n = llama_h.llama_chat_apply_template(tmpl, chat, messages.size(), addAssistant, buf, cap);
            }
            if (n < 0) {
                throw new LlamaException("llama.cpp does not support this model's chat template; "
                        + "give a supported one (e.g. chatml, llama2, llama3) or use raw completions");
            }
            return new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }
}
