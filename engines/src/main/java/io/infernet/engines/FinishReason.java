package io.infernet.engines;

/** Why a generation ended normally. The wire names are the lowercase ones. */
public enum FinishReason {
    /** The model emitted end-of-generation, or a stop string matched. */
    STOP,
    /** max_tokens was reached (or the context filled). */
    LENGTH,
    /** The model ended its turn with tool calls (a chat request that offered tools); wire name {@code tool_calls}. */
    TOOL_CALLS,
    /** The caller cancelled (client disconnect, job cancel). Never reported as an error. */
    CANCEL;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
