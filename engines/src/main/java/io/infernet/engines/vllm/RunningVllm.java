package io.infernet.engines.vllm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A vLLM server found running on this machine (not one this node launched), read from its
 * command line: how many GPUs it spans ({@code tensor_parallel x pipeline_parallel}) and the port
 * it serves. vLLM's HTTP API does not say how the model is split, so the process is the only
 * witness; a vLLM on another machine cannot be read, and counts as one GPU.
 *
 * @param pid              its process id
 * @param port             the API port ({@code --port}, 8000 when not given)
 * @param tensorParallel   {@code --tensor-parallel-size} / {@code -tp}, 1 when not given
 * @param pipelineParallel {@code --pipeline-parallel-size} / {@code -pp}, 1 when not given
 */
public record RunningVllm(long pid, int port, int tensorParallel, int pipelineParallel) {

    public static final int DEFAULT_PORT = 8000;

    /** GPUs the model spans. */
    public int gpus() {
        return tensorParallel * pipelineParallel;
    }

    /** The workload classes it makes this node fit for: A, and B when the model spans several GPUs. */
    public List<String> workloadClasses() {
        return gpus() > 1 ? List.of("A", "B") : List.of("A");
    }

    /** The vLLM server process listening on {@code port}, read from {@code /proc}; empty when none is found. */
    public static Optional<RunningVllm> onPort(int port) {
        return onPort(Path.of("/proc"), port);
    }

    static Optional<RunningVllm> onPort(Path proc, int port) {
        if (!Files.isDirectory(proc)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path d : dirs) {
                byte[] raw;
                try {
                    raw = Files.readAllBytes(d.resolve("cmdline"));
                } catch (IOException | SecurityException gone) {
                    continue; // exited meanwhile, or not ours to read
                }
                Optional<RunningVllm> v = parse(Long.parseLong(d.getFileName().toString()), raw);
                if (v.isPresent() && v.get().port() == port) {
                    return v;
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Reads a NUL-separated command line ({@code /proc/<pid>/cmdline}); empty unless it is a
     * vLLM OpenAI server ({@code vllm serve ...} or {@code python -m vllm.entrypoints.openai.api_server ...}).
     */
    static Optional<RunningVllm> parse(long pid, byte[] cmdline) {
        List<String> args = new ArrayList<>(Arrays.asList(new String(cmdline, StandardCharsets.UTF_8).split("\0")));
        int i = 0;
        if (!args.isEmpty() && baseName(args.getFirst()).startsWith("python")) {
            i = 1; // the interpreter, then its own flags
            while (i < args.size() && args.get(i).startsWith("-") && !args.get(i).equals("-m")) {
                i++;
            }
        }
        int start = -1;
        if (i + 1 < args.size() && args.get(i).equals("-m") && args.get(i + 1).equals("vllm.entrypoints.openai.api_server")) {
            start = i + 2;
        } else if (i + 1 < args.size() && baseName(args.get(i)).equals("vllm") && args.get(i + 1).equals("serve")) {
            start = i + 2;
        } else if (i < args.size() && args.get(i).endsWith("vllm/entrypoints/openai/api_server.py")) {
            start = i + 1;
        }
        if (start < 0) {
            return Optional.empty();
        }
        int port = DEFAULT_PORT;
        int tp = 1;
        int pp = 1;
        for (int k = start; k < args.size(); k++) {
            String a = args.get(k);
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("-") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (k + 1 < args.size()) {
                value = args.get(k + 1);
            }
            switch (name) {
                case "--port" -> port = positive(value, port);
                case "--tensor-parallel-size", "-tp" -> tp = positive(value, tp);
                case "--pipeline-parallel-size", "-pp" -> pp = positive(value, pp);
                default -> { }
            }
        }
        return Optional.of(new RunningVllm(pid, port, tp, pp));
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static int positive(String v, int otherwise) {
        try {
            int n = Integer.parseInt(v == null ? "" : v.trim());
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
