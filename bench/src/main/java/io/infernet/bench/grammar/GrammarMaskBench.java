package io.infernet.bench.grammar;

import io.infernet.bench.jmh.NativeFork;
import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.Grammar;
import io.infernet.grammar.GrammarMatcher;
import io.infernet.grammar.JsonSchemaCompiler;
import io.infernet.grammar.TokenMask;
import io.infernet.grammar.Vocabulary;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What constrained decoding costs per token, on real vocabularies (llama.cpp's test vocabularies
 * from the pinned source: {@code llama-spm}, 32000 tokens; {@code qwen2}, 151936), pieces from
 * {@code llama_token_to_piece} (special tokens as their text).
 *
 * <p>Token sequences: {@code walk} picks uniformly among the allowed tokens (seeded) within a
 * budget of 256 tokens, what a random-weight model does; {@code text} is the tokenizer's
 * tokenization of a fixed valid document, what a real model writes.
 *
 * <ul>
 *   <li>{@code step}: {@link GrammarMatcher#fillMask} + {@link GrammarMatcher#accept} for the next
 *       token, the sequence replayed over and over on one {@link CompiledGrammar}: the steady state
 *       of a schema seen before (masks cached per state).</li>
 *   <li>{@code request}: a fresh {@link CompiledGrammar} (schema compiled to grammar to automata)
 *       and the whole sequence, every mask computed for the first time: a new schema's first
 *       request. Divide by {@code tokens} (printed at setup) for a per-token figure.</li>
 *   <li>{@code apply}: {@link TokenMask#apply} on a native logits row.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GrammarMaskBench extends NativeFork {
    static final String OBJECT_SCHEMA = """
            {"type":"object","additionalProperties":false,
             "required":["name","age","email","active","score","kind","tags","address"],
             "properties":{
              "name":{"type":"string"},
              "age":{"type":"integer","minimum":0,"maximum":150},
              "email":{"type":"string","format":"email"},
              "active":{"type":"boolean"},
              "score":{"type":"number","minimum":0,"maximum":1},
              "kind":{"enum":["person","company","other"]},
              "tags":{"type":"array","items":{"type":"string"},"maxItems":5},
              "address":{"type":"object","additionalProperties":false,"required":["street","city","zip"],
                "properties":{"street":{"type":"string"},"city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}}}}}
            """;
    static final String OBJECT_TEXT = "{\"name\": \"Ada Lovelace\", \"age\": 36, \"email\": \"ada@example.com\", \"active\": true, "
            + "\"score\": 0.97, \"kind\": \"person\", \"tags\": [\"math\", \"engines\", \"poetry\"], "
            + "\"address\": {\"street\": \"12 St James's Square\", \"city\": \"London\", \"zip\": \"01234\"}}";
    static final String JSON_TEXT = "{\"results\": [{\"id\": 1, \"title\": \"Notes on the Analytical Engine\", \"year\": 1843}, "
            + "{\"id\": 2, \"title\": \"Sketch\", \"tags\": [\"translation\", null, false], \"ratio\": -1.5e3}], \"total\": 2}";

    @Param({"llama-spm", "qwen2"})
    public String vocab;

    @Param({"object", "json"})
    public String schema;

    @Param({"walk", "text"})
    public String sequence;

    private Vocabulary vocabulary;
    private Grammar grammar;
    private CompiledGrammar compiled;
    private GrammarMatcher matcher;
    private int[] tokens;
    private int next;
    private long[] mask;
    private Arena arena;
    private MemorySegment logits;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Pieces loaded = Pieces.load(vocab);
        byte[][] pieces = loaded.pieces();
        int[] eog = loaded.eog();
        vocabulary = Vocabulary.of(pieces, eog);
        grammar = schema.equals("object") ? JsonSchemaCompiler.compile(OBJECT_SCHEMA) : JsonSchemaCompiler.anyJsonObject();
        compiled = CompiledGrammar.compile(grammar, vocabulary);
        mask = TokenMask.allocate(vocabulary.size());
        tokens = sequence.equals("walk") ? longWalk(compiled) : checked(longestMatch(pieces, eog, schema.equals("object") ? OBJECT_TEXT : JSON_TEXT));
        matcher = compiled.matcher();
        // apply() masks with the mask halfway through the sequence (inside a value, typically)
        GrammarMatcher half = compiled.matcher();
        for (int i = 0; i < tokens.length / 2; i++) {
            half.accept(tokens[i]);
        }
        half.fillMask(mask);
        arena = Arena.ofConfined();
        logits = arena.allocate((long) vocabulary.size() * Float.BYTES, 64);
        System.err.printf("[grammar-bench] %s %s %s: %d tokens, vocabulary %d%n", vocab, schema, sequence, tokens.length, vocabulary.size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One step of a schema seen before: mask then accept. */
    @Benchmark
    public long step() {
        if (next == tokens.length) {
            matcher.reset();
            next = 0;
        }
        matcher.fillMask(mask);
        matcher.accept(tokens[next++]);
        return mask[0];
    }

    /** A new schema's first request: compile, then mask and accept every token once. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 3)
    @Measurement(iterations = 10)
    public long request() {
        CompiledGrammar fresh = CompiledGrammar.compile(grammar, vocabulary);
        GrammarMatcher m = fresh.matcher();
        long sum = 0;
        for (int t : tokens) {
            m.fillMask(mask);
            m.accept(t);
            sum += mask[0];
        }
        return sum;
    }

    /** Disallowed logits to -infinity, in place on a native row (the mask of the sequence's middle). */
    @Benchmark
    public MemorySegment apply() {
        TokenMask.apply(logits, mask, vocabulary.size());
        return logits;
    }

    /** A vocabulary's token pieces (as the engine renders output) and end-of-generation ids, through llama.cpp. */
    record Pieces(byte[][] pieces, int[] eog) {
        static Pieces load(String name) {
            try (Model model = Model.load(vocabFile(name), ModelParams.vocabularyOnly())) {
                var v = model.vocab();
                byte[][] pieces = new byte[v.size()][];
                List<Integer> ends = new ArrayList<>();
                for (int t = 0; t < v.size(); t++) {
                    pieces[t] = v.pieceBytes(t, false); // as the engine emits them: control tokens empty
                    if (v.isEndOfGeneration(t)) {
                        ends.add(t);
                    }
                }
                return new Pieces(pieces, ends.stream().mapToInt(Integer::intValue).toArray());
            }
        }
    }

    static Path vocabFile(String name) {
        Path p = Path.of(System.getProperty("user.home"), ".cache/infernet/native/node-llama-cpp-3.22.1/src/models/ggml-vocab-" + name + ".gguf");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("vocabulary " + p + " not found: run ./infernet once so the pinned llama.cpp source is unpacked");
        }
        return p;
    }

    /** The first seeded walk of at least 128 tokens (a random walk may close the object at once). */
    static int[] longWalk(CompiledGrammar g) {
        int[] best = new int[0];
        for (long seed = 42; seed < 42 + 200 && best.length < 128; seed++) {
            int[] w = walk(g, 256, seed);
            if (w.length > best.length) {
                best = w;
            }
        }
        return best;
    }

    /** A random walk uniform over the allowed tokens, ending complete within {@code budget} tokens. */
    static int[] walk(CompiledGrammar g, int budget, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        GrammarMatcher m = g.matcher();
        long[] mask = TokenMask.allocate(g.vocabulary().size());
        List<Integer> out = new ArrayList<>();
        int[] allowed = new int[g.vocabulary().size()];
        for (int left = budget; left > 0 && !m.isComplete(); left--) {
            m.fillMask(mask, left);
            int n = 0;
            for (int t = 0; t < g.vocabulary().size(); t++) {
                if (TokenMask.isAllowed(mask, t) && !g.vocabulary().isEndOfGeneration(t)) {
                    allowed[n++] = t;
                }
            }
            if (n == 0) {
                break;
            }
            int t = allowed[r.nextInt(n)];
            m.accept(t);
            out.add(t);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The document as the longest vocabulary pieces, left to right: close to what a BPE or SPM model
     * emits for it (the tokenizer itself would add SPM's leading space, which the grammar refuses).
     */
    static int[] longestMatch(byte[][] pieces, int[] eog, String text) {
        java.util.Set<Integer> ends = new java.util.HashSet<>();
        for (int e : eog) {
            ends.add(e);
        }
        java.util.Map<String, Integer> byPiece = new java.util.HashMap<>();
        int longest = 0;
        for (int t = 0; t < pieces.length; t++) {
            if (pieces[t].length > 0 && !ends.contains(t)) {
                byPiece.putIfAbsent(new String(pieces[t], StandardCharsets.ISO_8859_1), t);
                longest = Math.max(longest, pieces[t].length);
            }
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < b.length; ) {
            for (int len = Math.min(longest, b.length - i); ; len--) {
                Integer t = byPiece.get(new String(b, i, len, StandardCharsets.ISO_8859_1));
                if (t != null) {
                    out.add(t);
                    i += len;
                    break;
                }
                if (len == 1) {
                    throw new IllegalStateException("no token for byte " + (b[i] & 0xFF));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] checked(int[] text) {
        GrammarMatcher m = compiled.matcher();
        for (int t : text) {
            if (!m.tryAccept(t)) {
                throw new IllegalStateException("the fixed document does not fit the grammar at token " + t + ": "
                        + new String(vocabulary.piece(t), StandardCharsets.UTF_8));
            }
        }
        return text;
    }
}
