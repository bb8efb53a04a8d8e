package io.infernet.node.cli;

/** One-line log records on stderr for long-running commands: {@code 2025-04-18 12:00:00 INFO message}. */
final class Logging {

    private Logging() {}

    /** Call before the first logger is used; an explicit java.util.logging setting wins. */
    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %5$s%6$s%n");
        }
    }
}
