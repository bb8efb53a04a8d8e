package io.infernet.hardware;

import java.util.List;

/**
 * A tool run and its output parsed: the value, or the reason there is none to use (the tool's
 * own, as {@link ToolResult#reasonOf} phrases it, or {@code "could not read WHAT: ..."} when the
 * parser found the output unreadable). Exactly one of the two is non-null.
 */
record ToolOutput<T>(T value, String reason) {

    /** Reads a tool's stdout; throws {@link UnreadableOutputException} for output it does not know. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String stdout);
    }

    /**
     * Runs {@code command} on {@code tools} and parses what it printed.
     *
     * @param program the name its failures are reported under ({@code "nvidia-smi topo -m"})
     * @param what    what could not be read, for an unreadable output ({@code "nvidia-smi output"})
     */
    static <T> ToolOutput<T> read(ToolRunner tools, List<String> command, String program, String what, Parser<T> parser) {
        ToolResult r = tools.run(command);
        String reason = ToolResult.reasonOf(program, r);
        if (reason != null) {
            return new ToolOutput<>(null, reason);
        }
        try {
            return new ToolOutput<>(parser.parse(((ToolResult.Completed) r).stdout()), null);
        } catch (UnreadableOutputException e) {
            return new ToolOutput<>(null, "could not read " + what + ": " + e.getMessage());
        }
    }
}
