package io.infernet.chat.parse;

/**
 * Reads the tool calls that follow one trigger (e.g. {@code <tool_call>}), a character at a
 * time, and reports them to a {@link CallSink}. Until it has reported something it is
 * <em>uncommitted</em>: if it then fails, the parser takes its text back as content (or hands it
 * to the next reader for the same trigger). Once it has reported something, a failure ends the
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
        /** This character breaks the syntax; {@link #leftover()} is read again as content. */
        FAIL
    }

    protected CallSink sink;

    final void attach(CallSink sink) {
        this.sink = sink;
    }

    abstract Step accept(char c);

    /**
     * The output ended inside this reader. Report what can still be reported (a call whose
     * arguments are complete, or an incomplete one if already started). Returns false when
     * nothing was or can be reported, so that the text falls back to content.
     */
    abstract boolean finish();

    /** Text taken but not used, read again as content after DONE_REJECT or a FAIL once committed. */
    String leftover() {
        return "";
    }
}
