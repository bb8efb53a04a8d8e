package io.infernet.runtime;

import io.infernet.bindings.llama_h;
import io.infernet.grammar.Vocabulary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import io.infernet.runtime.text.SpecialTokenSplitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model's vocabulary: tokenizing, detokenizing, special tokens. Valid while its {@link Model}
 * is open. The calls are read-only on llama.cpp's side and safe from any thread.
 */
public final class Vocab {
    private final Model model;
    private final MemorySegment vocab;
    private final int size;
    /** Built on first use; racing threads build equal ones. */
    private volatile SpecialTokenSplitter splitter;
    /** Built on first use by {@link #grammarVocabulary()}. */
    private volatile Vocabulary grammarVocabulary;
    /** Built on first use by {@link #grammarVocabulary(BitSet)}, by the set shown (a few per model: one per chat format). */
    private final Map<BitSet, Vocabulary> shownGrammarVocabularies = new ConcurrentHashMap<>();

    Vocab(Model model, MemorySegment vocab) {
        this.model = model;
        this.vocab = vocab;
        this.size = llama_h.llama_vocab_n_tokens(vocab);
    }

    /** Number of tokens; valid ids are 0 .. size-1. */
    public int size() {
        return size;
    }

    public int bos() {
        return llama_h.llama_vocab_bos(vocab);
    }

    public int eos() {
        return llama_h.llama_vocab_eos(vocab);
    }

    /** End-of-turn token, or -1 if the vocabulary has none. */
    public int eot() {
        return llama_h.llama_vocab_eot(vocab);
    }

    /** Whether the token ends a generation (eos, eot and the like). */
    public boolean isEndOfGeneration(int token) {
        return llama_h.llama_vocab_is_eog(vocab, token);
    }

    public boolean addsBos() {
        return llama_h.llama_vocab_get_add_bos(vocab);
    }

    public boolean addsEos() {
        return llama_h.llama_vocab_get_add_eos(vocab);
    }

    /** A token's text as the vocabulary stores it (control tokens as written, e.g. {@code <|im_start|>}). */
    public String text(int token) {
        checkToken(token);
        MemorySegment t = llama_h.llama_vocab_get_text(vocab, token);
        return t.equals(MemorySegment.NULL) ? "" : LlamaRuntime.cString(t);
    }

    /** llama.cpp's token attributes ({@code LLAMA_TOKEN_ATTR_*} bits). */
    public int attributes(int token) {
        checkToken(token);
        return llama_h.llama_vocab_get_attr(vocab, token);
    }

    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;

    /** The control, user-defined and unknown tokens, as llama.cpp's tokenizer splits them out; built once. */
    public SpecialTokenSplitter specialTokens() {
        SpecialTokenSplitter s = splitter;
        if (s == null) {
            List<SpecialTokenSplitter.Special> specials = new ArrayList<>();
            for (int id = 0; id < size; id++) {
                int attr = llama_h.llama_vocab_get_attr(vocab, id);
                if ((attr & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) {
                    specials.add(new SpecialTokenSplitter.Special(id, text(id), (attr & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0,
                            (attr & ATTR_LSTRIP) != 0, (attr & ATTR_RSTRIP) != 0));
                }
            }
            s = new SpecialTokenSplitter(specials);
            splitter = s;
        }
        return s;
    }

    /**
     * Tokenizes a chat prompt as llama-server does ({@code add_special} and {@code parse_special}
     * on), except that special-token text inside {@code inputRanges} (start/end pairs of UTF-16
     * indices: what came from the conversation) is read as plain text: a message cannot open a
     * turn or a role with control tokens. Outside them the tokens are exactly llama.cpp's.
     */
    public int[] tokenizePrompt(String text, int[] inputRanges) {
        model.ensureOpen();
        List<SpecialTokenSplitter.Fragment> fragments = specialTokens().split(text, inputRanges);
        IntList out = new IntList(text.length() / 3 + 8);
        if (addsBos() && bos() >= 0) {
            out.add(bos());
        }
        for (SpecialTokenSplitter.Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
            } else {
                for (int t : tokenize(text.substring(f.start(), f.end()), false, false)) {
                    out.add(t);
                }
            }
        }
        if (addsEos() && eos() >= 0) {
            out.add(eos());
        }
        return out.toArray();
    }

    /** Growable int array. */
    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(8, capacity)];
        }

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Throws a clear error for an id outside the vocabulary (llama.cpp would read out of bounds). */
    public void checkToken(int token) {
        if (token < 0 || token >= size) {
            throw new IllegalArgumentException("token id " + token + " is out of range: the vocabulary of " + model.name() + " has ids 0.." + (size - 1));
        }
    }

    /**
     * Tokenizes UTF-8 text.
     *
     * @param addSpecial   add the model's BOS/EOS as its tokenizer config says
     * @param parseSpecial turn special-token text ("&lt;|im_start|&gt;") into the special token
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        model.ensureOpen();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(utf8.length + 1L);
            MemorySegment.copy(utf8, 0, in, ValueLayout.JAVA_BYTE, 0, utf8.length);
            int capacity = utf8.length + 8;
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT, capacity);
            int n = llama_h.llama_tokenize(vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
            if (n < 0) {
                if (n == Integer.MIN_VALUE) {
                    throw new IllegalArgumentException("text too long to tokenize (" + utf8.length + " bytes)");
                }
                capacity = -n;
                out = arena.allocate(ValueLayout.JAVA_INT, capacity);
                n = llama_h.llama_tokenize(vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
                if (n < 0) {
                    throw new LlamaException("llama_tokenize failed (" + n + ") for " + utf8.length + " bytes of text");
                }
            }
            return out.asSlice(0, (long) n * Integer.BYTES).toArray(ValueLayout.JAVA_INT);
        }
    }

    /**
     * Writes the UTF-8 bytes of one token into {@code buf} (no NUL) and returns how many; a
     * piece may be part of a multi-byte character. Allocates nothing.
     *
     * @param special render special tokens as their text
     * @return bytes written; if negative, {@code buf} is too small and {@code -n} bytes are needed
     */
    public int tokenToPiece(int token, MemorySegment buf, boolean special) {
        checkToken(token);
        return llama_h.llama_token_to_piece(vocab, token, buf, (int) Math.min(buf.byteSize(), Integer.MAX_VALUE), 0, special);
    }

    /** The bytes of one token (allocates; for tests and tools). */
    public byte[] pieceBytes(int token, boolean special) {
        model.ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            int n = tokenToPiece(token, buf, special);
            if (n < 0) {
                buf = arena.allocate(-n);
                n = tokenToPiece(token, buf, special);
            }
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * The vocabulary as a grammar matcher sees it: each token's bytes as served output renders them
     * ({@code special = false}: control tokens are empty, so a grammar never allows them where it
     * applies) and the end-of-generation ids. Built on the first call (one piece per token, tens of
     * milliseconds for 150k tokens; call it off the engine thread), then kept.
     */
    public Vocabulary grammarVocabulary() {
        Vocabulary v = grammarVocabulary;
        if (v == null) {
            synchronized (this) {
                v = grammarVocabulary;
                if (v == null) {
                    v = buildGrammarVocabulary(null);
                    grammarVocabulary = v;
                }
            }
        }
        return v;
    }

    /**
     * As {@link #grammarVocabulary()}, except that the control tokens in {@code shownControl} have
     * their text as piece, as served output renders them for a request that shows them
     * ({@code ServeRequest.shownControl}): a grammar can then require or allow such a marker (a
     * tool-call opener like {@code [TOOL_CALLS]}), and a lazy grammar sees it as its trigger. Null or
     * empty: {@link #grammarVocabulary()}. Built once per distinct set, then kept.
     */
    public Vocabulary grammarVocabulary(BitSet shownControl) {
        if (shownControl == null || shownControl.isEmpty()) {
            return grammarVocabulary();
        }
        return shownGrammarVocabularies.computeIfAbsent((BitSet) shownControl.clone(), this::buildGrammarVocabulary);
    }

    /** Each token's piece (control tokens empty unless in {@code shown}) and the end-of-generation ids. */
    private Vocabulary buildGrammarVocabulary(BitSet shown) {
        model.ensureOpen();
        byte[][] pieces = new byte[size][];
        int[] eog = new int[size];
        int eogCount = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            for (int t = 0; t < size; t++) {
                boolean special = shown != null && shown.get(t);
                int n = tokenToPiece(t, buf, special);
                if (n < 0) {
                    pieces[t] = pieceBytes(t, special);
                } else {
                    pieces[t] = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                }
                if (isEndOfGeneration(t)) {
                    eog[eogCount++] = t;
                }
            }
        }
        return Vocabulary.of(pieces, Arrays.copyOf(eog, eogCount));
    }

    /** Detokenizes to text (invalid UTF-8 becomes U+FFFD). */
    public String detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        model.ensureOpen();
        for (int t : tokens) {
            checkToken(t);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_INT, tokens.length == 0 ? new int[] {0} : tokens);
            int capacity = Math.max(16, tokens.length * 8);
            MemorySegment out = arena.allocate(capacity);
            int n = llama_h.llama_detokenize(vocab, in, tokens.length, out, capacity, removeSpecial, unparseSpecial);
            if (n < 0) {
                capacity = -n;
                out = arena.allocate(capacity);
                n = llama_h.llama_detokenize(vocab, in, tokens.length, out, capacity, removeSpecial, unparseSpecial);
            }
            if (n < 0) {
                throw new LlamaException("llama_detokenize failed (" + n + ") for " + Arrays.toString(Arrays.copyOf(tokens, Math.min(8, tokens.length))) + "...");
            }
            return new String(out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    MemorySegment handle() {
        return vocab;
    }
}
