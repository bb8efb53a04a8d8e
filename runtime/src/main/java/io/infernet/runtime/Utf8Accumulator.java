package io.infernet.runtime;

import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token pieces into text without splitting a UTF-8 character: complete
 * characters come out, an incomplete tail waits for the next piece. Invalid bytes become
 * U+FFFD, as a decoder would make them. Not thread-safe.
 */
public final class Utf8Accumulator {
    private byte[] pending = new byte[64];
    private int size;

    /** Adds bytes and returns the text they complete (possibly empty). */
    public String append(byte[] bytes, int length) {
        ensure(size + length);
        System.arraycopy(bytes, 0, pending, size, length);
        size += length;
        int complete = completePrefix(pending, size);
        if (complete == 0) {
            return "";
        }
        String s = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, size - complete);
        size -= complete;
        return s;
    }

    /** Whatever is left (an incomplete character becomes U+FFFD). */
    public String flush() {
        String s = new String(pending, 0, size, StandardCharsets.UTF_8);
        size = 0;
        return s;
    }

    /** Length of the longest prefix that does not end inside a multi-byte sequence. */
    static int completePrefix(byte[] b, int len) {
        // Look back at most 3 bytes for the lead byte of the last character.
        for (int back = 1; back <= Math.min(4, len); back++) {
            int c = b[len - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int need = c >= 0xF0 && c <= 0xF7 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (c >= 0xF8) {
                return len; // invalid lead: let the decoder replace it
            }
            return back < need ? len - back : len;
        }
        return len; // only continuation bytes: invalid, emit as replacement
    }

    private void ensure(int n) {
        if (n > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(n, pending.length * 2));
        }
    }
}
