package io.infernet.chat.template;

import java.util.Objects;

/**
 * A rendered prompt and which of its characters came from the conversation's data: the text a
 * tokenizer must read without turning special-token text into special tokens. Everything else
 * was written by the template (its literals, and {@code bos_token}/{@code eos_token}).
 */
public record PromptText(String text, InputSpans input) {
    public PromptText {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(input, "input");
        if (input.count() > 0 && input.end(input.count() - 1) > text.length()) {
            throw new IllegalArgumentException("input spans " + input + " run past the text's " + text.length() + " characters");
        }
    }

    /** Text written wholly by the template (or a trusted caller). */
    public static PromptText trusted(String text) {
        return new PromptText(text, InputSpans.NONE);
    }

    public PromptText substring(int from, int to) {
        return new PromptText(text.substring(from, to), input.sub(from, to));
    }

    public PromptText append(PromptText more) {
        return new PromptText(text + more.text, input.concat(text.length(), more.input));
    }

    /**
     * The last occurrence of {@code target}, which must be template text there, replaced by
     * {@code replacement} (template text); unchanged when there is none outside the input.
     */
    public PromptText replaceLastTrusted(String target, String replacement) {
        int at = text.lastIndexOf(target);
        if (at < 0 || input.any(at, at + target.length())) {
            return this;
        }
        return substring(0, at).append(trusted(replacement)).append(substring(at + target.length(), text.length()));
    }
}
