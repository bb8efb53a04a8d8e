package io.infernet.runtime.gguf;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tokenizer checks of {@link ModelValidator}: what makes llama.cpp's vocabulary code assert,
 * or throw a C++ exception out of {@code llama_tokenize} / {@code llama_token_to_piece} (which
 * no C caller catches, so it aborts the process), in {@code src/llama-vocab.cpp} of the pin:
 * <ul>
 *   <li>two tokens with the same text ({@code GGML_ASSERT(id_to_token.size() == token_to_id.size())});</li>
 *   <li>a SentencePiece vocabulary ({@code llama}) without a token for every byte: its byte
 *       fallback looks them up with {@code std::map::at}, which throws on the first character
 *       the vocabulary lacks (BPE tokens marked {@code llama} are the common case);</li>
 *   <li>byte-typed tokens shorter than {@code <0x} (their text is cut with {@code substr(3, 2)})
 *       and, in a WordPiece ({@code bert}) vocabulary, any byte-typed token ({@code GGML_ABORT});</li>
 *   <li>an RWKV vocabulary where a token starts with a byte that is no token by itself: its
 *       tokenizer then never advances;</li>
 *   <li>no vocabulary at all ({@code none}): nothing can be tokenized.</li>
 * </ul>
 * Plus what llama.cpp refuses or ignores but is clearer said here: per-token arrays shorter
 * than the token list, BPE without merges, special-token ids that are no u32 or beyond the
 * vocabulary (llama.cpp falls back to a default id, which may not be the token meant).
 */
final class VocabValidator {
    private VocabValidator() {}

    /** {@code LLAMA_TOKEN_TYPE_BYTE}. */
    private static final int TYPE_BYTE = 6;
    private static final Set<String> KNOWN = Set.of("llama", "bert", "gpt2", "hybriddna", "whitespace", "t5", "rwkv", "plamo2",
            "gemma4", "none", "no_vocab", "test");

    static void check(Meta m, List<String> out) {
        Optional<String> model = m.string(GgufKeys.TOKENIZER_MODEL, true);
        if (model.isEmpty()) {
            return;
        }
        String type = model.get();
        if (!KNOWN.contains(type)) {
            out.add(GgufKeys.TOKENIZER_MODEL + " is '" + type + "', a tokenizer the pinned llama.cpp does not know");
            return;
        }
        if (type.equals("none") || type.equals("no_vocab") || type.equals("test")) {
            out.add(GgufKeys.TOKENIZER_MODEL + " is '" + type + "': the model has no usable vocabulary, so no text can be tokenized for it");
            return;
        }
        Optional<GgufValue> list = m.value(GgufKeys.TOKENS, true);
        if (list.isEmpty()) {
            return;
        }
        if (!(list.get() instanceof GgufValue.StrArray tokensArray)) {
            out.add(GgufKeys.TOKENS + " is " + Meta.kind(list.get()) + ", expected an array of strings");
            return;
        }
        List<String> tokens = tokensArray.values();
        int n = tokens.size();
        if (n == 0) {
            out.add(GgufKeys.TOKENS + " is empty");
            return;
        }
        int[] types = perToken(m, GgufKeys.TOKEN_TYPE, n, Set.of(GgufType.INT32), out);
        perToken(m, GgufKeys.SCORES, n, Set.of(GgufType.FLOAT32, GgufType.INT32), out);
        distinct(tokens, out);
        specialIds(m, n, out);
        switch (type) {
            case "llama" -> byteFallback(tokens, out);
            case "gpt2", "gemma4", "hybriddna", "whitespace" -> merges(m, out);
            case "rwkv" -> rwkvAdvances(tokens, out);
            default -> { }
        }
        if (types != null) {
            for (int i = 0; i < n; i++) {
                if (types[i] != TYPE_BYTE) {
                    continue;
                }
                if (type.equals("bert")) {
                    out.add("token " + i + " '" + GgufException.shown(tokens.get(i)) + "' has type byte (6), which a WordPiece (bert) vocabulary cannot have");
                    return;
                }
                if (tokens.get(i).getBytes(StandardCharsets.UTF_8).length < 3) {
                    out.add("token " + i + " '" + GgufException.shown(tokens.get(i)) + "' has type byte (6) but is not of the form <0xNN>");
                    return;
                }
            }
        }
    }

    /** An integer array of one of {@code allowed} element types with an entry per token; null if absent or unusable. */
    private static int[] perToken(Meta m, String key, int n, Set<GgufType> allowed, List<String> out) {
        GgufValue v = m.file.metadata().get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof GgufValue.NumArray a) || !allowed.contains(a.elementType())) {
            out.add(key + " is " + Meta.kind(v) + ", expected an array of " + allowed.stream().map(GgufType::shortName).sorted().toList());
            return null;
        }
        if (a.size() < n) {
            out.add(key + " has " + a.size() + " entries but there are " + n + " tokens");
            return null;
        }
        if (a.elementType() != GgufType.INT32) {
            return null;
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = (int) a.getLong(i);
        }
        return values;
    }

    /** {@code tokenizer.ggml.*_token_id}: a u32 naming a token of the vocabulary. */
    private static void specialIds(Meta m, int n, List<String> out) {
        m.file.metadata().forEach((key, v) -> {
            if (!key.startsWith("tokenizer.ggml.") || !key.endsWith("_token_id")) {
                return;
            }
            if (!(v instanceof GgufValue.Int i) || i.type() != GgufType.UINT32) {
                out.add(key + " is " + Meta.kind(v) + ", expected a u32 token id");
            } else if (i.value() >= n) {
                out.add(key + " is " + i.value() + " but the vocabulary has only " + n + " tokens (ids 0.." + (n - 1) + ")");
            }
        });
    }

    /** llama.cpp names an empty token {@code [EMPTY_i]} and then needs every text unique. */
    private static void distinct(List<String> tokens, List<String> out) {
        Map<String, Integer> seen = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i).isEmpty() ? "[EMPTY_" + i + "]" : tokens.get(i);
            Integer before = seen.putIfAbsent(t, i);
            // two texts that differ only in invalid UTF-8 read alike here; llama.cpp tells them apart
            if (before != null && t.indexOf('\ufffd') < 0) {
                out.add("tokens " + before + " and " + i + " are both '" + GgufException.shown(t) + "'; every token's text must be unique");
                return;
            }
        }
    }

    /** Every byte must be a token, as {@code <0xNN>} or, below 0x80, as itself ({@code llama_vocab::byte_to_token}). */
    private static void byteFallback(List<String> tokens, List<String> out) {
        Set<String> all = new HashSet<>(tokens);
        for (int b = 0; b < 256; b++) {
            if (!all.contains("<0x%02X>".formatted(b)) && !(b < 0x80 && all.contains(String.valueOf((char) b)))) {
                out.add("the SentencePiece (" + GgufKeys.TOKENIZER_MODEL + " 'llama') vocabulary has no token for byte 0x%02X (<0x%02X>)".formatted(b, b)
                        + ", so llama.cpp would crash on text that needs it; is it another tokenizer's vocabulary marked 'llama'?");
                return;
            }
        }
    }

    private static void merges(Meta m, List<String> out) {
        GgufValue v = m.file.metadata().get(GgufKeys.MERGES);
        boolean kimi = m.file.metadata().get(GgufKeys.TOKENIZER_PRE) instanceof GgufValue.Str s && s.value().equals("kimi-k2");
        if (v == null && !kimi) {
            out.add(GgufKeys.MERGES + " is missing; a BPE vocabulary needs its merges");
        } else if (v != null && !(v instanceof GgufValue.StrArray)) {
            out.add(GgufKeys.MERGES + " is " + Meta.kind(v) + ", expected an array of strings");
        }
    }

    /** RWKV's greedy matcher loops forever where a token begins with a byte that is no token by itself. */
    private static void rwkvAdvances(List<String> tokens, List<String> out) {
        boolean[] single = new boolean[256];
        boolean[] first = new boolean[256];
        for (String t : tokens) {
            byte[] b = unescapeRwkv(t);
            if (b.length == 1) {
                single[b[0] & 0xFF] = true;
            }
            if (b.length > 0) {
                first[b[0] & 0xFF] = true;
            }
        }
        for (int c = 0; c < 256; c++) {
            if (first[c] && !single[c]) {
                out.add("the RWKV vocabulary has tokens starting with byte 0x%02X but no token for that byte alone".formatted(c)
                        + ", on which llama.cpp's RWKV tokenizer never finishes; is it another tokenizer's vocabulary marked 'rwkv'?");
                return;
            }
        }
    }

    /** {@code llama_unescape_rwkv_token}: {@code \t \n \r \xNN} and {@code \c} for c. */
    static byte[] unescapeRwkv(String escaped) {
        byte[] in = escaped.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(in.length);
        boolean escaping = false;
        int hexLeft = 0;
        int acc = 0;
        for (byte c : in) {
            if (hexLeft > 0) {
                acc = ((acc << 4) + (c >= 'a' ? c - 'a' + 10 : c - '0')) & 0xFF;
                if (--hexLeft == 0) {
                    o.write(acc);
                    acc = 0;
                }
            } else if (escaping) {
                switch (c) {
                    case 't' -> o.write('\t');
                    case 'n' -> o.write('\n');
                    case 'r' -> o.write('\r');
                    case 'x' -> hexLeft = 2;
                    default -> o.write(c);
                }
                escaping = false;
            } else if (c == '\\') {
                escaping = true;
            } else {
                o.write(c);
            }
        }
        return o.toByteArray();
    }
}
