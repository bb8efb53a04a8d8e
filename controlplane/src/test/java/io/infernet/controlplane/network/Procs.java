package io.infernet.controlplane.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Processes of the black-box tests: {@code infernet} commands in their own JVMs (the test's
 * class path, the launcher's flags), output to a log file each, found again by name. Every
 * process started here is ended by {@link #close()} (and its children: the embedded
 * PostgreSQL of a control plane).
 */
final class Procs implements AutoCloseable {

    /** One started process and its log. */
    record Proc(String name, Process process, Path log) {
        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        /** Waits for a line matching {@code regex} in the log; the first match's groups. */
        Matcher await(String regex, Duration timeout) throws InterruptedException {
            Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                Matcher m = p.matcher(output());
                if (m.find()) {
                    return m;
                }
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited (" + process.exitValue() + ") before printing /" + regex + "/:\n" + tail());
                }
                Thread.sleep(50);
            }
            throw new AssertionError(name + " did not print /" + regex + "/ within " + timeout + ":\n" + tail());
        }

        String tail() {
            String o = output();
            return o.length() > 4000 ? o.substring(o.length() - 4000) : o;
        }

        /** SIGKILL: the process gets no chance to clean up. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGTERM, then waits for the exit. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private final Path dir;
    private final List<Proc> started = new ArrayList<>();

    Procs(Path dir) {
        this.dir = dir;
    }

    /** Runs {@code infernet args...} in a new JVM. */
    Proc start(String name, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xss2m",
                "-cp", System.getProperty("java.class.path"), "io.infernet.node.cli.Main"));
        cmd.addAll(List.of(args));
        Path log = dir.resolve(name + "-" + started.size() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Proc p = new Proc(name, pb.start(), log);
        started.add(p);
        return p;
    }

    /** Runs {@code infernet args...} to its end; its output. */
    String run(String name, Duration timeout, String... args) throws IOException, InterruptedException {
        Proc p = start(name, Map.of(), args);
        if (!p.process().waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not finish within " + timeout + ":\n" + p.tail());
        }
        if (p.process().exitValue() != 0) {
            throw new AssertionError(name + " failed (" + p.process().exitValue() + "):\n" + p.tail());
        }
        return p.output();
    }

    @Override
    public void close() {
        for (Proc p : started.reversed()) {
            List<ProcessHandle> children = p.process().descendants().toList();
            if (p.process().isAlive()) {
                try {
                    p.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }
}
