package io.infernet.chat.parse;

/**
 * Reads the tool calls that follow one trigger (e.g. {@code <tool_call>}), a character at a
 * time, and reports them to a {@link CallSink}. Until it has reported something it is
 * <em>uncommitted</em>: if it then fails, the parser takes its text back as content (or hands it
 * to the next reader for the same trigger). Once it has reported something, a break ends the
 * calls and the rest is read again as content. One instance per trigger occurrence; not
 * thread-safe.
 */
abstract class CallReader {

    enum Step {
        /** Consumed; more is expected. */
        MORE,
        /** Consumed; the calls are over. */
        DONE,
        /** The calls are over; {@link #leftover()} (which ends with this character) is not theirs. */
        DONE_REJECT,
        /** Nothing was reported and this character shows the text is not calls: it is all content. */
        FAIL
    }

    protected CallSink sink;
    private boolean committed;
    private boolean callOpen;
    private int calls;
    private String leftover = "";

    final void attach(CallSink sink) {
        this.sink = sink;
    }

    abstract Step accept(char c);

    /**
     * The output ended inside this reader. Reports what can still be reported (a call whose
     * arguments are complete) and closes an open call as incomplete. Returns false when nothing
     * was reported, so that the text falls back to content.
     */
    boolean finish() {
        closeCall(false);
        return committed;
    }

    /** Text taken but not used, read again as content after {@link Step#DONE_REJECT}. */
    final String leftover() {
        return leftover;
    }

    /** Whether anything was reported. */
    final boolean committed() {
        return committed;
    }

    /** How many calls were opened. */
    final int calls() {
        return calls;
    }

    protected final boolean callOpen() {
        return callOpen;
    }

    protected final void openCall(String id, String name) {
        sink.start(id, name);
        callOpen = true;
        committed = true;
        calls++;
    }

    protected final void closeCall(boolean complete) {
        if (callOpen) {
            sink.end(complete);
            callOpen = false;
        }
    }

    /** Counts as having reported (a reader whose delegate reported). */
    protected final void commit() {
        committed = true;
    }

    protected final void content(String text) {
        if (!text.isEmpty()) {
            committed = true;
            sink.content(text);
        }
    }

    /**
     * The calls are over before {@code rest} (which ends with the current character): a broken
     * syntax or text after the calls. Uncommitted, that means the whole is content ({@link Step#FAIL});
     * committed, an open call is closed ({@code complete} says whether its arguments were whole)
     * and {@code rest} is read again as content.
     */
    protected final Step over(String rest, boolean complete) {
        if (!committed) {
            return Step.FAIL;
        }
        closeCall(complete);
        leftover = rest;
        return Step.DONE_REJECT;
    }
}
