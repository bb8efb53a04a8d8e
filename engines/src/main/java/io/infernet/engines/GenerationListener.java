package io.infernet.engines;

/**
 * Receives a generation's events in order, on the engine's thread. Implementations return
 * quickly (hand off to a queue) and never throw; an exception thrown here cancels the
 * generation.
 */
@FunctionalInterface
public interface GenerationListener {
    void onEvent(GenerationEvent event);
}
