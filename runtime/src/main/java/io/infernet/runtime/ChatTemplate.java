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

    /** A formatted prompt and the start/end pairs of the characters that are message text (see {@link #applyMarked}). */
    public record Applied(String text, int[] inputRanges) {}

    private static final java.util.regex.Pattern SENTINEL = java.util.regex.Pattern.compile("\uE000([0-9]+)\uE001");

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

    /**
     * Formats {@code messages} as {@link #apply} does and tells which characters are message text,
     * so that special-token text in a message can be kept from becoming a token. Found by
     * formatting the conversation a second time with each content replaced by a sentinel
     * (private-use characters and the message's index): the text around the sentinels is the
     * template's; each sentinel stands for its content as given or trimmed (the built-in formats
     * trim some), and the result must rebuild the real prompt exactly.
     *
     * @throws LlamaException if llama.cpp does not support the template, or the template changed
     *         message text in a way that cannot be traced (then nothing is tokenized unsafely)
     */
    public Applied applyMarked(List<Message> messages, boolean addAssistant) {
        String real = apply(messages, addAssistant);
        List<Message> stand = new java.util.ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            stand.add(new Message(messages.get(i).role(), "\uE000" + i + "\uE001"));
        }
        String skeleton = apply(stand, addAssistant);
        java.util.regex.Matcher m = SENTINEL.matcher(skeleton);
        StringBuilder rebuilt = new StringBuilder(real.length());
        java.util.List<Integer> ranges = new java.util.ArrayList<>();
        int piece = 0;
        while (m.find()) {
            rebuilt.append(skeleton, piece, m.start());
            int index = Integer.parseInt(m.group(1));
            String content = index < messages.size() ? messages.get(index).content() : "";
            int next = m.end();
            int nextEnd = SENTINEL.matcher(skeleton).region(next, skeleton.length()).find() ? skeleton.indexOf('\uE000', next) : skeleton.length();
            String after = skeleton.substring(next, nextEnd);
            String chosen = null;
            for (String candidate : new String[] {content, trim(content, true, true), trim(content, true, false), trim(content, false, true)}) {
                int at = rebuilt.length();
                if (real.startsWith(candidate, at) && real.startsWith(after, at + candidate.length())) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen == null) {
                throw untraceable();
            }
            if (!chosen.isEmpty()) {
                ranges.add(rebuilt.length());
                ranges.add(rebuilt.length() + chosen.length());
            }
            rebuilt.append(chosen);
            piece = next;
        }
        rebuilt.append(skeleton, piece, skeleton.length());
        if (!rebuilt.toString().equals(real)) {
            throw untraceable();
        }
        return new Applied(real, ranges.stream().mapToInt(Integer::intValue).toArray());
    }

    private static LlamaException untraceable() {
        return new LlamaException("this model's chat template changes message text in a way that cannot be traced, so special tokens "
                + "in messages could not be kept apart; give the model a Jinja template with --chat-template FILE");
    }

    /** ASCII whitespace off the chosen ends. */
    private static String trim(String s, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        while (left && from < to && Character.isWhitespace(s.charAt(from)) && s.charAt(from) < 0x80) {
            from++;
        }
        while (right && to > from && Character.isWhitespace(s.charAt(to - 1)) && s.charAt(to - 1) < 0x80) {
            to--;
        }
        return s.substring(from, to);
    }
}
