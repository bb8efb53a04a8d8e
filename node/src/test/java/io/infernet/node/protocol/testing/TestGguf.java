package io.infernet.node.protocol.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes small valid GGUF v3 files by hand: the header, string key/values, no tensors.
 * {@code paddingBytes} adds a {@code test.padding} string of that length to make the file big
 * enough to cut a transfer in the middle.
 */
public final class TestGguf {

    private static final int TYPE_STRING = 8;

    private TestGguf() {}

    public static byte[] minimal(int paddingBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le(4).putInt(3).array());          // version
        out.writeBytes(le(8).putLong(0).array());         // tensor count
        out.writeBytes(le(8).putLong(paddingBytes > 0 ? 3 : 2).array()); // key/value count
        kv(out, "general.architecture", "llama");
        kv(out, "general.name", "tiny-test");
        if (paddingBytes > 0) {
            kv(out, "test.padding", "x".repeat(paddingBytes));
        }
        return out.toByteArray();
    }

    private static void kv(ByteArrayOutputStream out, String key, String value) {
        str(out, key);
        out.writeBytes(le(4).putInt(TYPE_STRING).array());
        str(out, value);
    }

    private static void str(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(le(8).putLong(b.length).array());
        out.writeBytes(b);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
