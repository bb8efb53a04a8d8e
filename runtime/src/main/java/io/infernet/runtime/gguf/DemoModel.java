package io.infernet.runtime.gguf;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.NativePin;
import io.infernet.natives.Progress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The built-in demo model: the {@link SynthPreset#DEMO} preset (512 dim, 8 layers, Q8_0, the
 * llama-spm tokenizer, about 63 MB, random weights), made on first use in the per-user cache as
 * {@code <cache>/models/demo-<hash>.gguf}. The hash covers the spec, the synth version and the
 * llama.cpp pin (which supplies the tokenizer), so a change to any of them makes a new file.
 * Concurrent callers in this and other processes wait on a file lock; the file is written to a
 * temporary name and renamed, so it is complete whenever it exists.
 */
public final class DemoModel {
    private DemoModel() {}

    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    /** The demo model's file, creating it first if needed. */
    public static Path ensure(Progress progress) {
        return ensure(NativeBundle.cacheRoot().resolve("models"), SynthPreset.DEMO.spec(), progress);
    }

    /** Where {@link #ensure(Progress)} keeps the demo model (it may not exist yet). */
    public static Path path() {
        return fileFor(NativeBundle.cacheRoot().resolve("models"), SynthPreset.DEMO.spec());
    }

    /**
     * Any synthesized model, cached like the demo model (tests and benchmarks use the presets):
     * made once per spec, seed, synth version and pin.
     */
    public static Path ensure(SynthSpec spec, Progress progress) {
        return ensure(NativeBundle.cacheRoot().resolve("models"), spec, progress);
    }

    /** {@code spec}'s model in {@code dir}, made if missing. */
    @SuppressWarnings("try") // the lock is held by the try block, not used in it
    static Path ensure(Path dir, SynthSpec spec, Progress progress) {
        Path file = fileFor(dir, spec);
        if (Files.isRegularFile(file)) {
            return file; // written under a temporary name and renamed: complete if it exists
        }
        IN_PROCESS.lock(); // FileLock is per process: threads of this one queue here first
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (Files.isRegularFile(file)) {
                    return file;
                }
                progress.step("creating the " + spec.name() + " model (random weights) in " + file);
                ModelSynth.write(spec, file, new PercentProgress(progress, spec.name() + " model"));
                return file;
            }
        } catch (IOException e) {
            throw new GgufException("cannot create the demo model in " + dir + ": " + e.getMessage(), e);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    static Path fileFor(Path dir, SynthSpec spec) {
        return dir.resolve(spec.name() + "-" + hash(spec) + ".gguf");
    }

    private static String hash(SynthSpec spec) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((spec + "|synth v" + ModelSynth.VERSION + "|" + NativePin.ID).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Reports a long write as one line per 10 percent. */
    static final class PercentProgress implements GgufWriter.WriteProgress {
        private final Progress out;
        private final String what;
        private int lastTenth = -1;

        PercentProgress(Progress out, String what) {
            this.out = out;
            this.what = what;
        }

        @Override
        public void written(long bytes, long totalBytes) {
            int tenth = totalBytes == 0 ? 10 : (int) (bytes * 10 / totalBytes);
            if (tenth != lastTenth) {
                lastTenth = tenth;
                out.step("%s: %d%% (%,d of %,d bytes)".formatted(what, tenth * 10, bytes, totalBytes));
            }
        }
    }
}
