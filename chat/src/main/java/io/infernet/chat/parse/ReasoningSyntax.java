package io.infernet.chat.parse;

/**
 * How a model marks its reasoning: text between {@code start} and {@code end} at the beginning of
 * the output (e.g. {@code <think>} and {@code </think>}). Both are stored without surrounding
 * whitespace; whitespace around them is never part of reasoning or content.
 */
public record ReasoningSyntax(String start, String end) {
    public ReasoningSyntax {
        start = start.strip();
        end = end.strip();
        if (start.isEmpty() || end.isEmpty()) {
            throw new IllegalArgumentException("reasoning markers must not be blank");
        }
    }

    public static final ReasoningSyntax THINK = new ReasoningSyntax("<think>", "</think>");

    /**
     * Whether a prompt ending with {@code promptTail} leaves the output inside a reasoning block:
     * the last start marker in it comes after the last end marker, with only whitespace after it
     * or reasoning text the template prefilled.
     */
    public boolean opensIn(String promptTail) {
        int open = promptTail.lastIndexOf(start);
        return open >= 0 && promptTail.indexOf(end, open + start.length()) < 0;
    }
}
