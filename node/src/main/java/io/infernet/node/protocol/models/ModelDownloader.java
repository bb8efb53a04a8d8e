package io.infernet.node.protocol.models;

import io.infernet.node.protocol.config.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a model into a {@link ModelStore}: into {@code <name>.part}, resuming a previous
 * partial download with an HTTP Range request; then the SHA-256 check (an expected digest, or
 * the registry's for a blob), the {@link GgufValidator}, and an atomic rename into the store. A
 * failed check deletes the part file; an interrupted transfer keeps it for the next attempt.
 * Redirects are followed (at most {@value #MAX_REDIRECTS}); an {@code Authorization} header goes
 * only to the host it was meant for, never to the one a redirect leads to (Hugging Face and
 * registries send downloads to a CDN). {@code HF_TOKEN} (or {@code HUGGING_FACE_HUB_TOKEN}) is
 * sent to Hugging Face and never written anywhere. Progress goes to a sink
 * ({@link InstallProgress}: bytes, percent, MB/s). One download per store at a time (the command
 * runner runs one command at a time).
 */
public final class ModelDownloader {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");
    private static final int CHUNK = 1 << 20;
    public static final int MAX_REDIRECTS = 10;

    /**
     * What was installed.
     *
     * @param resumedFrom bytes already on disk from an earlier attempt (0 for a fresh download)
     * @param alreadyThere true when the file was in the store and nothing was downloaded
     */
    public record Installed(Path path, long bytes, String sha256, long resumedFrom, boolean alreadyThere) {}

    private final HttpClient http;
    private final GgufValidator validator;
    private final Duration progressEvery;
    private final Duration stallTimeout;
    private final Map<String, String> env;

    /**
     * @param progressEvery how often a progress line is written while bytes flow
     * @param stallTimeout  a transfer that receives nothing for this long is aborted (the part
     *                      file is kept for resuming)
     */
    public ModelDownloader(HttpClient http, GgufValidator validator, Duration progressEvery, Duration stallTimeout) {
        this(http, validator, progressEvery, stallTimeout, System.getenv());
    }

    /** @param env where {@code HF_TOKEN} is read from */
    public ModelDownloader(HttpClient http, GgufValidator validator, Duration progressEvery, Duration stallTimeout, Map<String, String> env) {
        this.http = Objects.requireNonNull(http, "http");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.progressEvery = Objects.requireNonNull(progressEvery, "progressEvery");
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
        this.env = Map.copyOf(env);
    }

    public HttpClient http() {
        return http;
    }

    /** {@code Authorization: Bearer $HF_TOKEN} for Hugging Face, when the token is set; otherwise none. */
    public Map<String, String> huggingFaceHeaders() {
        String t = env.getOrDefault("HF_TOKEN", env.get("HUGGING_FACE_HUB_TOKEN"));
        return t == null || t.isBlank() ? Map.of() : Map.of("Authorization", "Bearer " + t.trim());
    }

    /** Progress every 2 s, abort after 60 s without data. */
    public static ModelDownloader standard(GgufValidator validator) {
        return new ModelDownloader(defaultHttpClient(), validator, Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    /** Redirects are followed by the downloader itself (it decides where credentials go). */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Installs the GGUF file {@code ref} names (with {@code HF_TOKEN} for Hugging Face).
     *
     * @param sha256   expected lowercase or uppercase hex SHA-256 of the whole file, or null
     * @param progress receives the steps
     * @throws IOException with a message saying what failed and whether running again resumes
     */
    public Installed install(ModelReference.FileUrl ref, ModelStore store, String sha256, Consumer<InstallProgress> progress)
            throws IOException, GgufValidator.InvalidModelException {
        return fetch(ref.url(), ref.huggingFace() ? huggingFaceHeaders() : Map.of(), ref.fileName(), store, sha256, progress);
    }

    /**
     * Downloads {@code url} into the store as {@code fileName}, checks it and moves it in.
     *
     * @param headers sent to {@code url}'s host only (not to where it redirects)
     * @param sha256  expected hex SHA-256 of the whole file, or null
     */
    public Installed fetch(URI url, Map<String, String> headers, String fileName, ModelStore store, String sha256,
                           Consumer<InstallProgress> progress) throws IOException, GgufValidator.InvalidModelException {
        String expected = checkSha(sha256);
        Path target = store.pathOf(fileName);
        Files.createDirectories(store.dir());
        if (Files.isRegularFile(target)) {
            String have = sha256Of(target);
            if (expected == null || expected.equals(have)) {
                progress.accept(InstallProgress.step("success", fileName + " is already installed (" + mb(Files.size(target)) + " MB, sha256 " + have + ")"));
                return new Installed(target, Files.size(target), have, 0, true);
            }
            progress.accept(InstallProgress.step("downloading", fileName + " is installed but its sha256 differs; downloading it again"));
        }
        Path part = store.partOf(fileName);
        long resumedFrom = download(url, headers, fileName, part, progress);
        progress.accept(InstallProgress.step("verifying sha256 digest", "verifying the sha256 digest of " + fileName));
        String actual = sha256Of(part);
        if (expected != null && !expected.equals(actual)) {
            Files.deleteIfExists(part);
            throw new IOException("sha256 mismatch for " + fileName + ": expected " + expected + ", got " + actual + " (the download was deleted)");
        }
        progress.accept(InstallProgress.step("checking the model", "checking " + fileName + " (structure, then a load in a separate process)"));
        try {
            validator.validate(part);
        } catch (GgufValidator.InvalidModelException e) {
            Files.deleteIfExists(part);
            throw new GgufValidator.InvalidModelException(fileName + " from " + url.getHost() + " was refused: " + e.getMessage());
        }
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDir(store.dir());
        long size = Files.size(target);
        progress.accept(InstallProgress.step("success", "installed " + target + " (" + mb(size) + " MB, sha256 " + actual + ")"));
        return new Installed(target, size, actual, resumedFrom, false);
    }

    /** Brings {@code part} to the full file; returns how many bytes were already there. */
    private long download(URI url, Map<String, String> headers, String name, Path part, Consumer<InstallProgress> progress) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpResponse<InputStream> resp = get(url, headers, name, have);
        int status = resp.statusCode();
        long total;
        boolean append;
        if (status == 206 && have > 0) {
            Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
            if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                resp.body().close();
                throw new IOException("the server answered a resume of " + name + " with an unexpected range; delete "
                        + part + " and try again");
            }
            total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            append = true;
            progress.accept(new InstallProgress("downloading", null, have, Math.max(0, total), "resuming " + name + " at " + mb(have) + " MB"));
        } else if (status == 416 && have > 0) {
            resp.body().close();
            Matcher m = UNSATISFIED_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
            if (m.matches() && Long.parseLong(m.group(1)) == have) {
                progress.accept(new InstallProgress("downloading", null, have, have, name + ": the earlier download was already complete"));
                return have;
            }
            Files.delete(part);
            return download(url, headers, name, part, progress);
        } else if (status == 200) {
            total = resp.headers().firstValueAsLong("content-length").orElse(-1);
            append = false;
            if (have > 0) {
                progress.accept(InstallProgress.step("downloading", "the server does not resume downloads; starting " + name + " over"));
            }
            have = 0;
        } else {
            resp.body().close();
            throw new IOException("download of " + name + " from " + url.getHost() + " failed: HTTP " + status
                    + (status == 401 || status == 403 ? " (the file is private or gated" + (headers.isEmpty() ? "" : ", or the token is refused") + ")"
                    : status == 404 ? " (no such file)" : ""));
        }
        long done = copy(resp.body(), part, append, have, total, name, progress);
        if (total >= 0 && done != total) {
            throw new IOException("download of " + name + " ended early: " + done + " of " + total
                    + " bytes; run model_install again to resume");
        }
        return append ? have : 0;
    }

    /** GETs {@code url} from byte {@code from}, following redirects; {@code headers} go to the first host only. */
    private HttpResponse<InputStream> get(URI url, Map<String, String> headers, String name, long from) throws IOException {
        URI at = url;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(Duration.ofSeconds(30)).GET();
            if (from > 0) {
                b.header("Range", "bytes=" + from + "-");
            }
            if (sameHost(url, at)) {
                headers.forEach(b::header);
            }
            HttpResponse<InputStream> resp;
            try {
                resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("download of " + name + " was interrupted", e);
            } catch (IOException e) {
                throw new IOException("cannot reach " + at.getHost() + " to download " + name + ": " + e, e);
            }
            int status = resp.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return resp;
            }
            resp.body().close();
            String location = resp.headers().firstValue("location").orElse(null);
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new IOException("download of " + name + " from " + url.getHost() + ": " + (location == null ? "a redirect without a Location" : "too many redirects"));
            }
            URI next = at.resolve(location);
            if (next.getScheme() == null || !(next.getScheme().equalsIgnoreCase("https") || next.getScheme().equalsIgnoreCase("http"))
                    || "https".equalsIgnoreCase(at.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                throw new IOException("download of " + name + ": refused a redirect from " + at.getScheme() + " to " + next.getScheme());
            }
            at = next;
        }
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private long copy(InputStream in, Path part, boolean append, long have, long total, String name,
                      Consumer<InstallProgress> progress) throws IOException {
        long start = System.nanoTime();
        long lastReport = start;
        long done = have;
        var opts = append
                ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND}
                : new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING};
        byte[] buf = new byte[CHUNK];
        StallWatch watch = new StallWatch(in, stallTimeout);
        try (in; watch; FileChannel out = FileChannel.open(part, opts)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                watch.progressed();
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                done += n;
                long now = System.nanoTime();
                if (now - lastReport >= progressEvery.toNanos()) {
                    progress.accept(new InstallProgress("downloading", null, done, Math.max(0, total), progressLine(name, done, have, total, now - start)));
                    lastReport = now;
                }
            }
            if (watch.fired()) {
                throw new IOException("no data for " + stallTimeout.toSeconds() + " s");
            }
        } catch (IOException e) {
            String why = watch.fired() ? "no data for " + stallTimeout.toSeconds() + " s" : e.getMessage();
            throw new IOException("download of " + name + " broke off after " + mb(done) + " MB (" + why
                    + "); run model_install again to resume", e);
        }
        progress.accept(new InstallProgress("downloading", null, done, Math.max(0, total), progressLine(name, done, have, total, System.nanoTime() - start)));
        return done;
    }

    /** Closes a response stream that delivers nothing for {@code timeout}, which ends a blocked read. */
    private static final class StallWatch implements AutoCloseable {
        private final InputStream in;
        private final long timeoutNanos;
        private final Thread thread;
        private volatile long last = System.nanoTime();
        private volatile boolean fired;
        private volatile boolean closed;

        StallWatch(InputStream in, Duration timeout) {
            this.in = in;
            this.timeoutNanos = timeout.toNanos();
            this.thread = Thread.ofVirtual().name("download-stall-watch").start(this::watch);
        }

        void progressed() {
            last = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        private void watch() {
            long tick = Math.max(1, Math.min(1_000, timeoutNanos / 4_000_000));
            while (!closed) {
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
                if (!closed && System.nanoTime() - last > timeoutNanos) {
                    fired = true;
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // closing is all we can do
                    }
                    return;
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
        }
    }

    static String progressLine(String name, long done, long startedAt, long total, long nanos) {
        double secs = Math.max(nanos / 1e9, 1e-3);
        double rate = (done - startedAt) / 1e6 / secs;
        String pct = total > 0 ? String.format(Locale.ROOT, "%.1f%% ", 100.0 * done / total) : "";
        String of = total > 0 ? " / " + mb(total) : "";
        return String.format(Locale.ROOT, "downloading %s: %s(%s%s MB) at %.1f MB/s", name, pct, mb(done), of, rate);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    private static String checkSha(String sha256) {
        if (sha256 == null || sha256.isBlank()) {
            return null;
        }
        String s = sha256.trim().toLowerCase(Locale.ROOT);
        if (!s.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 hex characters, got '" + sha256 + "'");
        }
        return s;
    }

    static String sha256Of(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
