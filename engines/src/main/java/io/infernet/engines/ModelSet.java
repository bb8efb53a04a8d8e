package io.infernet.engines;

import java.nio.file.Path;

/**
 * An engine whose models change while it runs (the node installs and removes them on the
 * owner's command): what is added is listed by {@link Engine#models()} at once. Thread-safe.
 */
public interface ModelSet {

    /**
     * Serves the GGUF {@code file} as {@code name} from now on (replacing a model of that name).
     *
     * @param loadNow load it before returning (unloading idle models if memory needs it), so that
     *                a broken file fails here and the first request does not wait for the load
     * @throws EngineException when {@code loadNow} and it cannot be loaded
     */
    void put(String name, Path file, boolean loadNow);

    /** Stops serving {@code name} and unloads it (its running generations end cancelled); false when not served. */
    boolean remove(String name);
}
