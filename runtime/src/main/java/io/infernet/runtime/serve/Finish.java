package io.infernet.runtime.serve;

/** How a served sequence ended. */
public enum Finish {
    /** End-of-generation token or a stop string. */
    STOP,
    /** max_tokens reached, or the context is full. */
    LENGTH,
    /** Cancelled by its caller (disconnect) or by shutdown. */
    CANCEL
}
