package io.infernet.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Synthetic vocabularies: every single byte (so any text can be spelled), JSON-ish multi-character
 * pieces, multi-byte UTF-8 characters whole and split into their bytes' halves, junk, one empty
 * piece, and one end-of-generation token (the last id).
 */
final class TestVocab {
    private TestVocab() {}

    static final String[] JSONISH = {
        "{", "}", "[", "]", ",", ":", "\"", "{\"", "\"}", "\":", "\": ", "\",", "\", \"", ", \"", "\"]", "[\"", "],", "},", "}]",
        " ", "  ", "\n", "\n  ", "\n\n", "\t", "true", "false", "null", "tr", "ue", "fal", "se", "nu", "ll",
        "0", "1", "12", "123", "-", "-1", ".", ".5", "e", "E+", "e-", "00", "42", "3.14",
        "name", "age", "\"name", "\"age\"", "id", "items", "hello", " world", "abc", "a", "b", "c", "x", "yz",
        "\\", "\\\"", "\\n", "\\u", "\\u00", "41", "ff", "FF", "d8", "D8", "00e9", "T", "Z", ":00", "2024", "-01", "-15", "T12",
        "@", ".com", "example", "foo", "bar", "baz", "<tool_call>", "</tool_call>", "<tool", "_call>", "\n<tool_call>\n",
        "\"arguments\"", "\"name\": \"", "get_weather", "city", "Paris", "unit", "celsius", "é", "日本", "€", "😀",
    };

    /** The vocabulary and its EOG id. */
    record Vocab(Vocabulary vocabulary, byte[][] pieces, int eog) {
        int size() {
            return pieces.length;
        }

        String text(List<Integer> tokens) {
            var out = new java.io.ByteArrayOutputStream();
            for (int t : tokens) {
                if (t != eog) {
                    out.writeBytes(pieces[t]);
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    static Vocab standard() {
        return build(JSONISH, 200, 7);
    }

    static Vocab build(String[] words, int junk, long seed) {
        List<byte[]> pieces = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            pieces.add(new byte[] {(byte) b});
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String w : words) {
            if (seen.add(w)) {
                pieces.add(w.getBytes(StandardCharsets.UTF_8));
            }
        }
        for (String w : new String[] {"é", "日", "😀"}) { // characters split across tokens
            byte[] u = w.getBytes(StandardCharsets.UTF_8);
            pieces.add(java.util.Arrays.copyOfRange(u, 0, u.length / 2));
            pieces.add(java.util.Arrays.copyOfRange(u, u.length / 2, u.length));
        }
        SplittableRandom r = new SplittableRandom(seed);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \"{}[],:.-\\_é日😀\n";
        int[] cps = alphabet.codePoints().toArray();
        for (int i = 0; i < junk; i++) {
            StringBuilder s = new StringBuilder();
            int len = 2 + r.nextInt(7);
            for (int k = 0; k < len; k++) {
                s.appendCodePoint(cps[r.nextInt(cps.length)]);
            }
            pieces.add(s.toString().getBytes(StandardCharsets.UTF_8));
        }
        pieces.add(new byte[0]); // a control token rendered empty: never allowed
        pieces.add("</s>".getBytes(StandardCharsets.UTF_8)); // EOG
        byte[][] arr = pieces.toArray(byte[][]::new);
        int eog = arr.length - 1;
        return new Vocab(Vocabulary.of(arr, new int[] {eog}), arr, eog);
    }

    /** Ids of the tokens a mask allows. */
    static List<Integer> allowed(long[] mask, int size) {
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < size; t++) {
            if (TokenMask.isAllowed(mask, t)) {
                out.add(t);
            }
        }
        return out;
    }
}
