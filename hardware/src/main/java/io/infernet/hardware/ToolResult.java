package io.infernet.hardware;

import java.util.List;

/** What running an external tool gave: it ran to the end, it is not installed, or it could not be run or finished. */
public sealed interface ToolResult {

    /** The tool ran and exited with {@code exitCode}; outputs are decoded as UTF-8 and capped (see {@link ProcessToolRunner}). */
    record Completed(int exitCode, String stdout, String stderr) implements ToolResult {
        public Completed {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }

        /**
         * The first non-blank line of stderr, else of stdout (nvidia-smi prints its driver errors
         * on stdout), else {@code "no output"}.
         */
        public String firstErrorLine() {
            for (String text : List.of(stderr, stdout)) {
                for (String line : text.split("\\R")) {
                    if (!line.isBlank()) {
                        return line.strip();
                    }
                }
            }
            return "no output";
        }
    }

    /** The program is not an executable file on PATH. */
    record NotFound(String program) implements ToolResult {}

    /** The program exists but could not be started, timed out (and was killed), or was interrupted. */
    record Failed(String program, String message) implements ToolResult {}

    /**
     * A one-line reason for a result that gave no usable output, phrased for a person:
     * {@code "nvidia-smi not found on PATH"}, {@code "nvidia-smi exited with code 9: NVIDIA-SMI has
     * failed ..."}, {@code "nvidia-smi did not finish in 10 s"}; null for a zero exit.
     */
    static String reasonOf(String program, ToolResult r) {
        return switch (r) {
            case NotFound nf -> nf.program() + " not found on PATH";
            case Failed f -> f.message();
            case Completed c when c.exitCode() != 0 -> program + " exited with code " + c.exitCode() + ": " + c.firstErrorLine();
            case Completed c -> null;
        };
    }
}
