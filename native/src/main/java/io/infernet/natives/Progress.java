package io.infernet.natives;

/** Receives one line per step of long work (downloads, unpacking, builds). */
@FunctionalInterface
public interface Progress {
    void step(String line);

    /** Prints to standard error, prefixed, so it never mixes with a command's output. */
    Progress STDERR = line -> System.err.println("[native] " + line);

    Progress NONE = line -> {};
}
