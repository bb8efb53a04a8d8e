package io.infernet.bench.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process holds now, from Linux's {@code /proc/<pid>}: resident memory, threads, open
 * file descriptors (sockets among them).
 *
 * @param rssBytes {@code VmRSS}, bytes
 * @param threads  {@code Threads}
 * @param fds      entries of {@code fd/}
 */
public record ProcessFacts(long rssBytes, int threads, int fds) {

    /** @throws UncheckedIOException when the process is gone or /proc cannot be read (not Linux) */
    public static ProcessFacts of(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid));
        try {
            long rss = -1;
            int threads = -1;
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).strip().split("\\s+")[0]) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).strip());
                }
            }
            int fds;
            try (Stream<Path> s = Files.list(dir.resolve("fd"))) {
                fds = (int) s.count();
            }
            if (rss < 0 || threads < 0) {
                throw new IOException("no VmRSS or Threads line in " + dir.resolve("status"));
            }
            return new ProcessFacts(rss, threads, fds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc of process " + pid + " (Linux only): " + e.getMessage(), e);
        }
    }

    public long rssMiB() {
        return rssBytes >> 20;
    }
}
