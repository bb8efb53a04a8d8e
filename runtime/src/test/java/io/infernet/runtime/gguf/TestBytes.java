package io.infernet.runtime.gguf;

import java.nio.charset.StandardCharsets;

/** Finding text in a file's bytes, for tests that patch files in place. */
public final class TestBytes {
    private TestBytes() {}

    /** Offset of the first UTF-8 occurrence of {@code needle} at or after {@code from}. */
    public static int indexOf(byte[] hay, String needle, int from) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = from; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (hay[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " is not in the file");
    }
}
