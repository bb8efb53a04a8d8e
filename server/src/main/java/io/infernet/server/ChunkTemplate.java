package io.infernet.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * A streamed chunk's JSON split around its text: the bytes before and after it, so that a token of
 * plain text is written as {@code head + escaped text + tail} instead of building and serializing
 * a tree per token (a third of the streaming path's Java time, measured). The text is escaped as
 * the project's mapper escapes strings; {@code ChunkTemplateTest} checks the bytes are the same.
 */
final class ChunkTemplate {

    /** What the template's chunk is built with in place of the text: never a model's output or a request's field. */
    static final String MARK = "infernet-text-" + UUID.randomUUID();

    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);

    private final byte[] head;
    private final byte[] tail;

    private ChunkTemplate(byte[] head, byte[] tail) {
        this.head = head;
        this.tail = tail;
    }

    /**
     * The template of a chunk built with {@link #MARK} as its text.
     *
     * @throws IllegalArgumentException if the mark is not in it exactly once
     */
    static ChunkTemplate of(ObjectNode chunkWithMark) {
        byte[] json = Json.bytes(chunkWithMark);
        int at = indexOf(json, 0);
        if (at < 0 || indexOf(json, at + 1) >= 0) {
            throw new IllegalArgumentException("the chunk does not hold the text's mark exactly once: " + new String(json, StandardCharsets.UTF_8));
        }
        return new ChunkTemplate(Arrays.copyOf(json, at), Arrays.copyOfRange(json, at + MARK_BYTES.length, json.length));
    }

    /** The chunk's JSON with {@code text} in place of the mark. */
    byte[] fill(String text) {
        byte[] escaped = escape(text);
        byte[] out = new byte[head.length + escaped.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(escaped, 0, out, head.length, escaped.length);
        System.arraycopy(tail, 0, out, head.length + escaped.length, tail.length);
        return out;
    }

    /**
     * {@code text} as the inside of a JSON string, as the mapper writes it: Jackson's own encoder,
     * except that the mapper writes a character outside the BMP as an escaped surrogate pair, so
     * text with one is written by the mapper itself (a string alone, still no tree).
     */
    private static byte[] escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                byte[] quoted = Json.bytes(com.fasterxml.jackson.databind.node.TextNode.valueOf(text));
                return Arrays.copyOfRange(quoted, 1, quoted.length - 1);
            }
        }
        return JsonStringEncoder.getInstance().quoteAsUTF8(text);
    }

    private static int indexOf(byte[] json, int from) {
        for (int i = from; i <= json.length - MARK_BYTES.length; i++) {
            if (Arrays.equals(json, i, i + MARK_BYTES.length, MARK_BYTES, 0, MARK_BYTES.length)) {
                return i;
            }
        }
        return -1;
    }
}
