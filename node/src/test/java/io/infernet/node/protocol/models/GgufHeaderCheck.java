package io.infernet.node.protocol.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test double (production uses {@link GgufFullCheck}): the minimum check of a GGUF file: the magic {@code "GGUF"}, a version llama.cpp reads (2 or
 * 3), and plausible tensor and key/value counts for the file's size. It does not walk the
 * metadata or the tensor table.
 */
public final class GgufHeaderCheck implements GgufValidator {

    /** Header bytes: magic (4), version (u32), tensor count (u64), key/value count (u64); little-endian. */
    public static final int HEADER_BYTES = 24;

    @Override
    public void validate(Path file) throws InvalidModelException {
        byte[] header = new byte[HEADER_BYTES];
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            if (in.readNBytes(header, 0, HEADER_BYTES) < HEADER_BYTES) {
                throw new InvalidModelException("not a GGUF file: only " + size + " bytes, shorter than a GGUF header");
            }
        } catch (IOException e) {
            throw new InvalidModelException("cannot read " + file.getFileName() + ": " + e.getMessage());
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get(0) != 'G' || b.get(1) != 'G' || b.get(2) != 'U' || b.get(3) != 'F') {
            throw new InvalidModelException("not a GGUF file: the first bytes are not \"GGUF\" (an HTML error page or another format?)");
        }
        int version = b.getInt(4);
        if (version != 2 && version != 3) {
            throw new InvalidModelException("unsupported GGUF version " + Integer.toUnsignedString(version) + " (llama.cpp reads versions 2 and 3)");
        }
        long tensors = b.getLong(8);
        long kvs = b.getLong(16);
        // Each tensor descriptor and each key/value takes well over 8 bytes on disk.
        long bound = Math.max(0, (size - HEADER_BYTES) / 8);
        if (tensors < 0 || tensors > bound || kvs < 0 || kvs > bound) {
            throw new InvalidModelException("corrupt GGUF header: " + Long.toUnsignedString(tensors) + " tensors and "
                    + Long.toUnsignedString(kvs) + " key/values cannot fit in " + size + " bytes");
        }
    }
}
