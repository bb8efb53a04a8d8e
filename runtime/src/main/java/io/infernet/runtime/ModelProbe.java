package io.infernet.runtime;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.GgufFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a model file may be loaded into this process. A file llama.cpp would crash on
 * (a native assert, a C++ exception escaping into the JVM: both end the whole process) must never
 * reach {@link Model#load} in the node. So:
 *
 * <ol>
 *   <li>the Java checks ({@link ModelFileCheck}: structure and hyperparameters, tensors and
 *       tokenizer against what the pinned llama.cpp asserts), which refuse most bad files with a
 *       message naming the key or tensor;</li>
 *   <li>then, unless a verdict is cached, a child JVM ({@link ModelProbeMain}: the same java and
 *       class path as this one) loads the model and runs it; a crash there is a refusal here,
 *       with the last lines llama.cpp printed.</li>
 * </ol>
 *
 * <p>Accepted files are remembered in {@link ProbeCache} by a digest of their header, so the
 * child runs once per file (and llama.cpp build), not at every start.
 *
 * <p>The child loads on the CPU only ({@code n_gpu_layers 0}): a node serving one model on a GPU
 * can check another without taking GPU memory. The asserts that end a process sit in the
 * hyperparameter, tokenizer and graph code that every backend shares.
 *
 * <p>Thread safety: instances are immutable; concurrent checks of the same file each run a
 * child.
 */
public final class ModelProbe {

    /** Set to 1 to skip the child process (the Java checks still run): the node may then crash on a bad file. */
    public static final String SKIP_ENV = "INFERNET_SKIP_MODEL_CHECK";

    /** How a check ended. */
    public enum Outcome {
        /** The child loaded and ran it (now or per the cache): safe to load. */
        ACCEPTED,
        /** The Java checks refused it; no child ran. */
        REFUSED_BY_CHECKS,
        /** llama.cpp refused it cleanly in the child (load failed, non-finite logits ...). */
        REFUSED_BY_LLAMA_CPP,
        /** The child died while loading or running it: it would have killed the node. */
        CRASHED,
        /** The child did not finish in time. */
        TIMED_OUT
    }

    /**
     * One file's verdict.
     *
     * @param message for ACCEPTED the child's summary (model, sizes, timings), else why it was
     *                refused, starting with the file name
     * @param cached  ACCEPTED from the cache, no child run
     * @param millis  wall time of this check
     */
    public record Verdict(Path file, Outcome outcome, String message, boolean cached, long millis) {
        public Verdict {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(message, "message");
        }

        public boolean accepted() {
            return outcome == Outcome.ACCEPTED;
        }
    }

    /** Lines of the child's log kept for a crash message. */
    private static final int LOG_LINES = 6;

    private final ProbeCache cache;
    private final List<String> javaCommand;
    private final String mainClass;
    private final Duration baseTimeout;
    private final Duration timeoutPerGiB;

    /**
     * @param cache         where accepted files are remembered; null: no cache
     * @param javaCommand   the child's command up to (not including) the main class: java, its flags, the class path
     * @param mainClass     the child's main class, speaking {@link ModelProbeMain}'s protocol
     * @param baseTimeout   a child gets this long per file, plus {@code timeoutPerGiB} per GiB of the file
     * @param timeoutPerGiB see {@code baseTimeout}
     */
    public ModelProbe(ProbeCache cache, List<String> javaCommand, String mainClass, Duration baseTimeout, Duration timeoutPerGiB) {
        this.cache = cache;
        this.javaCommand = List.copyOf(javaCommand);
        this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        this.baseTimeout = Objects.requireNonNull(baseTimeout, "baseTimeout");
        this.timeoutPerGiB = Objects.requireNonNull(timeoutPerGiB, "timeoutPerGiB");
        if (javaCommand.isEmpty()) {
            throw new IllegalArgumentException("the child needs a java command");
        }
    }

    /**
     * The node's probe: the cache in {@code <cache root>/probe}, a child of this JVM (same java
     * and class path, the llama.cpp library folder passed on), 2 minutes plus 30 s per GiB.
     */
    public static ModelProbe standard() {
        return standard(new ProbeCache(NativeBundle.cacheRoot().resolve("probe")));
    }

    /** {@link #standard()} with another cache; null: none (every check runs a child, nothing is remembered). */
    public static ModelProbe standard(ProbeCache cache) {
        return new ModelProbe(cache, childJava(), ModelProbeMain.class.getName(), Duration.ofMinutes(2), Duration.ofSeconds(30));
    }

    /**
     * This JVM's java with the flags every JVM of the project runs with, this class path, and the
     * llama.cpp library folder if one was given as a system property (the environment is
     * inherited). Crash reports of the child go to the temporary folder, not the working one.
     */
    public static List<String> childJava() {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss2m", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "infernet-probe-hs_err_%p.log"),
                "-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n")); // one line per llama.cpp log line
        String libs = System.getProperty(NativeBundle.LIB_DIR_PROPERTY);
        if (libs != null && !libs.isBlank()) {
            c.add("-D" + NativeBundle.LIB_DIR_PROPERTY + "=" + libs);
        }
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        return c;
    }

    /**
     * Throws unless {@code file} is accepted: call before loading it into this process. With
     * {@value #SKIP_ENV}=1 only the Java checks run. Says on {@code progress} when a child runs.
     *
     * @throws LlamaException naming the file and why it was refused
     */
    public void require(Path file, Progress progress) {
        if ("1".equals(System.getenv(SKIP_ENV))) {
            ModelFileCheck.check(file, false);
            progress.step("not checking " + file + " in a separate process (" + SKIP_ENV + "=1): a bad file can crash this process");
            return;
        }
        Verdict v = check(List.of(file), progress).getFirst();
        if (!v.accepted()) {
            throw new LlamaException(v.message() + (v.outcome() == Outcome.CRASHED || v.outcome() == Outcome.TIMED_OUT
                    ? " (" + SKIP_ENV + "=1 loads it without this check, at the risk of a crash)" : ""));
        }
    }

    /** Checks one file; never throws for a bad file. */
    public Verdict check(Path file) {
        return check(List.of(file), Progress.NONE).getFirst();
    }

    /**
     * Checks files, in order: the Java checks, the cache, then one child for all that remain (a
     * new one after each crash or timeout, for the files after it).
     */
    public List<Verdict> check(List<Path> files, Progress progress) {
        Verdict[] out = new Verdict[files.size()];
        List<Integer> pending = new ArrayList<>();
        String[] keys = new String[files.size()];
        for (int i = 0; i < files.size(); i++) {
            long t0 = System.nanoTime();
            Path file = files.get(i);
            try {
                GgufFile gguf = ModelFileCheck.check(file, false);
                keys[i] = cache == null ? null : cache.key(gguf);
                if (keys[i] != null && cache.isAccepted(keys[i])) {
                    out[i] = new Verdict(file, Outcome.ACCEPTED, file + ": accepted before (cached)", true, millisSince(t0));
                } else {
                    pending.add(i);
                }
            } catch (LlamaException e) {
                out[i] = new Verdict(file, Outcome.REFUSED_BY_CHECKS, e.getMessage(), false, millisSince(t0));
            }
        }
        ArrayDeque<Integer> queue = new ArrayDeque<>(pending);
        while (!queue.isEmpty()) {
            runChild(files, queue, out, progress);
        }
        for (int i : pending) {
            if (out[i].accepted() && keys[i] != null) {
                cache.accept(keys[i], files.get(i), out[i].message());
            }
        }
        return Arrays.asList(out);
    }

    /** Runs one child over the head of {@code queue}, filling verdicts and taking the files it settled off the queue. */
    private void runChild(List<Path> files, ArrayDeque<Integer> queue, Verdict[] out, Progress progress) {
        List<Integer> batch = List.copyOf(queue);
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.add(mainClass);
        for (int i : batch) {
            cmd.add(files.get(i).toAbsolutePath().toString());
        }
        progress.step("checking " + (batch.size() == 1 ? files.get(batch.getFirst()) : batch.size() + " model files")
                + " in a separate process before loading");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GGML_NO_BACKTRACE", "1"); // ggml would otherwise attach a debugger to print a backtrace
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            // not the file's fault, but it cannot be loaded safely either
            for (int i : batch) {
                out[i] = new Verdict(files.get(i), Outcome.CRASHED, files.get(i) + ": cannot start the check process: " + e.getMessage(), false, 0);
            }
            queue.clear();
            return;
        }
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().name("model-probe-output").start(() -> pump(p, lines));
        ArrayDeque<String> log = new ArrayDeque<>();
        int current = -1; // batch index begun and not ended
        long started = System.nanoTime();
        long deadline = started + timeout(files.get(batch.getFirst())).toNanos();
        try {
            while (true) {
                long wait = deadline - System.nanoTime();
                String line = wait <= 0 ? null : lines.poll(wait, TimeUnit.NANOSECONDS);
                if (line == null) { // deadline
                    p.destroyForcibly();
                    int i = batch.get(Math.max(current, 0));
                    out[i] = new Verdict(files.get(i), Outcome.TIMED_OUT, files.get(i) + ": the check process did not finish loading and running it within "
                            + timeout(files.get(i)).toSeconds() + " s; last lines: " + String.join(" | ", log), false, millisSince(started));
                    queue.remove(i);
                    return;
                }
                if (line == EOF) {
                    break;
                }
                if (!line.startsWith(ModelProbeMain.PREFIX)) {
                    if (worthKeeping(line)) {
                        log.addLast(line.strip());
                        if (log.size() > LOG_LINES) {
                            log.removeFirst();
                        }
                    }
                    continue;
                }
                String[] parts = line.substring(ModelProbeMain.PREFIX.length()).split(" ", 3);
                switch (parts[0]) {
                    case "begin" -> {
                        current = Integer.parseInt(parts[1]);
                        log.clear();
                        started = System.nanoTime();
                        deadline = started + timeout(files.get(batch.get(current))).toNanos();
                    }
                    case "ok", "refused" -> {
                        int i = batch.get(Integer.parseInt(parts[1]));
                        String detail = parts.length > 2 ? parts[2] : "";
                        out[i] = parts[0].equals("ok")
                                ? new Verdict(files.get(i), Outcome.ACCEPTED, detail, false, millisSince(started))
                                : new Verdict(files.get(i), Outcome.REFUSED_BY_LLAMA_CPP, refusal(files.get(i), detail), false, millisSince(started));
                        queue.remove(i);
                        current = -1;
                    }
                    case "done" -> { }
                    default -> log.addLast(line);
                }
            }
            int code = waitFor(p);
            if (queue.isEmpty()) {
                return;
            }
            // died: the file it was on crashed it; the rest go to the next child
            int i = batch.get(Math.max(current, 0));
            out[i] = new Verdict(files.get(i), Outcome.CRASHED, files.get(i) + ": llama.cpp crashed the check process ("
                    + describeExit(code) + ") while " + (current < 0 ? "starting" : "loading and running this model")
                    + ", so it is not loaded into this one" + (log.isEmpty() ? "" : "; last lines: " + String.join(" | ", log)),
                    false, millisSince(started));
            queue.remove(i);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LlamaException("interrupted while checking " + files.get(batch.getFirst()));
        } finally {
            p.destroyForcibly();
            reader.interrupt();
        }
    }

    /**
     * Log lines a refusal quotes: llama.cpp's and ggml's, and of the JVM's crash banner only the
     * native frame that crashed ({@code # C  [libllama.so+0x1234]  symbol}).
     */
    static boolean worthKeeping(String line) {
        if (line.isBlank() || line.startsWith("WARNING: Using incubator modules")) {
            return false;
        }
        return !line.startsWith("#") || line.matches("#\\s+[CjJv]\\s+\\[.*");
    }

    /** Marks the end of the child's output in the line queue (compared by identity). */
    private static final String EOF = new String("<eof>");

    private static void pump(Process p, LinkedBlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process died or was killed; the end marker follows
        } finally {
            lines.add(EOF);
        }
    }

    private static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
        return p.exitValue();
    }

    private static String refusal(Path file, String detail) {
        String name = file.toString();
        return detail.startsWith(name) || detail.contains(name) ? detail : file + ": " + detail;
    }

    /** {@code exit 134, SIGABRT} and the like. */
    static String describeExit(int code) {
        if (code > 128 && code < 128 + 32) {
            String signal = switch (code - 128) {
                case 4 -> "SIGILL";
                case 6 -> "SIGABRT: a failed assert or an uncaught C++ exception";
                case 7 -> "SIGBUS";
                case 8 -> "SIGFPE";
                case 9 -> "SIGKILL: out of memory?";
                case 11 -> "SIGSEGV";
                default -> "signal " + (code - 128);
            };
            return "exit " + code + ", " + signal;
        }
        return "exit " + code;
    }

    /** How long a child may take over {@code file}. */
    Duration timeout(Path file) {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            bytes = 0;
        }
        return baseTimeout.plus(timeoutPerGiB.multipliedBy(bytes >> 30));
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
