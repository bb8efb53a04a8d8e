package io.infernet.runtime;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.NativePin;
import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.GgufFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Model files {@link ModelProbe} accepted, one small file per verdict in a folder
 * ({@code <key>.accepted}, holding the file's path and the child's summary for people).
 *
 * <p>The key is a SHA-256 of: this cache's format version, the llama.cpp pin and library folder
 * (another build may crash where this one did not), the file's size, and every byte of its
 * header (metadata and tensor infos, up to the data section). Hyperparameters, tokenizer and
 * tensor shapes, types and offsets, all that llama.cpp's asserts look at, are in the header;
 * the weights after it are only multiplied, never steer control flow (tensor validation is off),
 * so they need not be hashed. Hashing a whole multi-GB file at every start would cost seconds
 * (SHA-256 runs at about 1-2 GB/s, plus reading the file); the header is a few MB at most. The key
 * does not depend on the path, so a file renamed after the check (a finished download) keeps its
 * verdict. Only acceptances are kept: a refused file is checked again next time.
 *
 * <p>Writes are atomic (a temporary file renamed); concurrent writers of one key write the same.
 */
public final class ProbeCache {
    /** Bumped when what the child checks changes, so older verdicts no longer count. */
    static final int VERSION = 1;

    private final Path dir;

    public ProbeCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The key of a validated file (see the class comment); reads its header again. */
    public String key(GgufFile gguf) {
        MessageDigest md = sha256();
        md.update(("infernet model probe v" + VERSION + "\n" + NativePin.ID + "\n" + NativeBundle.resolve(Progress.NONE).dir()
                + "\n" + gguf.fileSize() + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = FileChannel.open(gguf.path(), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long left = gguf.dataOffset();
            long pos = 0;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new LlamaException(gguf.path() + ": the file got shorter while it was being checked");
                }
                md.update(buf.flip());
                pos += n;
                left -= n;
            }
        } catch (IOException e) {
            throw new LlamaException(gguf.path() + ": cannot read it: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public boolean isAccepted(String key) {
        return Files.isRegularFile(dir.resolve(key + ".accepted"));
    }

    /** Remembers an acceptance; a cache that cannot be written only costs a check next time. */
    public void accept(String key, Path file, String summary) {
        Path target = dir.resolve(key + ".accepted");
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            Files.writeString(tmp, "file: " + file.toAbsolutePath() + "\nchecked: " + Instant.now() + "\nsummary: " + summary + "\n");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.getLogger(ProbeCache.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot remember that " + file + " passed its check in " + dir + ": " + e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
