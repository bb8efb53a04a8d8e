package io.infernet.runtime;

import io.infernet.natives.Progress;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link ModelProbe}: loads each model file named on its command line with
 * llama.cpp, as the node would, and exercises what can crash the process in native code:
 * every token's text, tokenization of tricky strings (with and without special-token parsing),
 * a context as the server makes one, a decode of a short prompt and of one sampled token (or a
 * pooled embedding for models with pooling). A native assert or a C++ exception escaping into
 * the JVM ends this process, not the node.
 *
 * <p>Protocol on standard output, one line each, all starting with {@value #PREFIX}:
 * {@code begin I} before file I (0-based) is touched, then {@code ok I SUMMARY} or
 * {@code refused I MESSAGE} (llama.cpp or the Java checks refused it cleanly), and {@code done}
 * after the last file. Anything else on the output is llama.cpp's log. A file that began and
 * never ended crashed the process. Exit code 0 after {@code done}; 2 for a bad command line.
 */
public final class ModelProbeMain {
    private ModelProbeMain() {}

    /** Marks the protocol lines among the log lines. */
    static final String PREFIX = "@@probe ";

    /**
     * Texts tokenized both ways: ASCII, whitespace runs, digits, control characters and NUL, UTF-8
     * of one to four bytes, combining marks, text that looks like special tokens, a long run.
     */
    static final List<String> PROBE_TEXTS = List.of(
            "Hello world", " ", "\n\n\t  \r\n", "1234567890 3.14159", "\u0000\u0001\u001f\u007f",
            "grüße, ñandú, façade", "日本語のテキスト 中文 한국어", "مرحبا שלום", "🦙🚀👨‍👩‍👧 emoji",
            "e\u0301 a\u0308 \u200b\u200d\ufeff", "<s></s><unk><|im_start|>user<|im_end|><|endoftext|>[INST]<<SYS>>",
            "<0x0A><0xFF> ▁▁ Ġ Ċ", "a".repeat(600) + " " + "ab ".repeat(100), "\ufffd\ud7ff\ue000\uffff");

    /** Prompt tokens decoded at most. */
    private static final int PROMPT_TOKENS = 8;

    public static void main(String[] args) {
        PrintStream out = System.out;
        if (args.length == 0) {
            System.err.println("usage: ModelProbeMain MODEL.gguf...");
            System.exit(2);
        }
        LlamaRuntime.load(Progress.NONE);
        for (int i = 0; i < args.length; i++) {
            emit(out, "begin " + i);
            try {
                emit(out, "ok " + i + " " + oneLine(exercise(Path.of(args[i]))));
            } catch (RuntimeException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                emit(out, "refused " + i + " " + oneLine(msg));
            }
        }
        emit(out, "done");
        System.exit(0); // llama.cpp's threads must not keep the process alive
    }

    private static void emit(PrintStream out, String line) {
        out.println(PREFIX + line);
        out.flush();
    }

    static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    /** Loads and exercises one model; returns a one-line summary, or throws for a clean refusal. */
    static String exercise(Path file) {
        long t0 = System.nanoTime();
        try (Model m = Model.load(file, ModelParams.defaults().withGpuLayers(0))) {
            long loaded = System.nanoTime();
            Vocab v = m.vocab();
            if (v.size() <= 0) {
                throw new LlamaException(file + ": llama.cpp loaded a vocabulary of " + v.size() + " tokens");
            }
            everyPiece(v);
            for (String text : PROBE_TEXTS) {
                for (boolean special : new boolean[] {false, true}) {
                    int[] ids = v.tokenize(text, true, special);
                    v.detokenize(ids, false, special);
                }
            }
            String decoded = m.hasEncoder() ? "decode skipped (encoder-decoder model)" : decode(file, m);
            long end = System.nanoTime();
            return "%s; n_vocab %d, n_layer %d, n_embd %d; load %d ms, total %d ms; %s".formatted(m.description(), v.size(), m.layers(),
                    m.embeddingLength(), (loaded - t0) / 1_000_000, (end - t0) / 1_000_000, decoded);
        }
    }

    /** The text of every token, plain and special: the detokenizer's per-type paths. */
    private static void everyPiece(Vocab v) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            for (int t = 0; t < v.size(); t++) {
                for (boolean special : new boolean[] {false, true}) {
                    int n = v.tokenToPiece(t, buf, special);
                    if (n < 0) {
                        v.tokenToPiece(t, arena.allocate(-n), special);
                    }
                }
            }
        }
    }

    /** A context as the server makes one (a KV stream per sequence), a short prompt and one more token. */
    private static String decode(Path file, Model m) {
        Vocab v = m.vocab();
        int[] prompt = v.tokenize("Hello, world. 1 2 3", true, false);
        if (prompt.length == 0) {
            prompt = new int[] {0};
        }
        int n = Math.min(prompt.length, PROMPT_TOKENS);
        int threads = Math.max(1, Math.min(2, CpuTopology.physicalCores()));
        boolean pooled = m.hasPooling();
        ContextParams params = new ContextParams(512, 64, 64, 2, threads, threads, pooled, -1, false);
        try (Context c = m.newContext(params); Batch b = new Batch(64, 1)) {
            for (int i = 0; i < n; i++) {
                b.add(prompt[i], i, 0, i == n - 1);
            }
            requireOk(file, c.decode(b));
            if (pooled) {
                float[] e = c.sequenceEmbedding(0);
                if (e == null) {
                    throw new LlamaException(file + ": llama.cpp returned no pooled embedding although the model declares pooling");
                }
                requireFinite(file, e, "its pooled embedding");
                return "embedding of " + n + " tokens";
            }
            int next = argmaxFinite(file, c.logits(b.size() - 1), v.size());
            b.clear();
            b.add(next, n, 0, true);
            requireOk(file, c.decode(b));
            argmaxFinite(file, c.logits(0), v.size());
            return "decoded " + n + " + 1 tokens";
        }
    }

    private static void requireOk(Path file, DecodeStatus s) {
        if (s != DecodeStatus.OK) {
            throw new LlamaException(file + ": llama_decode of a short prompt answered " + s);
        }
    }

    private static int argmaxFinite(Path file, MemorySegment logits, int n) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = logits.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
            if (!Float.isFinite(x)) {
                throw new LlamaException(file + ": the model computes non-finite logits (token " + i + " is " + x
                        + "); its weights or hyperparameters are broken");
            }
            if (x > max) {
                max = x;
                best = i;
            }
        }
        return best;
    }

    private static void requireFinite(Path file, float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new LlamaException(file + ": " + what + " has a non-finite value (" + values[i] + " at " + i + ")");
            }
        }
    }
}
