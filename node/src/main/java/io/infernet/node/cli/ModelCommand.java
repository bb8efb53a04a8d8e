package io.infernet.node.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.infernet.runtime.ModelProbe;
import io.infernet.runtime.gguf.GgmlType;
import io.infernet.runtime.gguf.GgufException;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.GgufTensor;
import io.infernet.runtime.gguf.GgufType;
import io.infernet.runtime.gguf.GgufValue;
import io.infernet.runtime.gguf.GgufWriter;
import io.infernet.runtime.gguf.ModelShape;
import io.infernet.runtime.gguf.ModelValidator;
import io.infernet.runtime.gguf.ModelSynth;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.runtime.gguf.SynthSpec;
import io.infernet.runtime.gguf.SynthVocab;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code infernet model}: make models with random weights, inspect GGUF files. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "GGUF models: synthesize llama-architecture models with random weights, validate and inspect a GGUF file, or check that it loads safely.",
        subcommands = {ModelCommand.Synth.class, ModelCommand.Inspect.class, ModelCommand.Check.class, ModelStoreCommands.Install.class,
                ModelStoreCommands.ListModels.class, ModelStoreCommands.Remove.class})
public final class ModelCommand extends CommandGroup {

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Write a llama-architecture GGUF model with seeded random weights and a real tokenizer.",
                    "The weights are random: the model loads and runs like a real one (same shapes, same speed) but produces meaningless text.",
                    "Presets: tiny (64 dim, 2 layers, f32), demo (512 dim, 8 layers, q8_0), 1b (Llama-3.2-1B shape), 7b, 13b, 70b (Llama-2 shapes), 33b (LLaMA-33B shape); "
                            + "large presets default to q4_0. Parameter counts differ slightly from the real models where their vocabulary differs from the tokenizer's."})
    static final class Synth implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--preset", paramLabel = "NAME", description = "tiny, demo, 1b, 7b, 13b, 33b, 70b; other options override its values")
        String preset;

        @Option(names = "--dim", description = "embedding length (n_embd)")
        Integer dim;

        @Option(names = "--layers", description = "transformer blocks (n_layer)")
        Integer layers;

        @Option(names = "--heads", description = "attention heads (n_head)")
        Integer heads;

        @Option(names = "--kv-heads", description = "key/value heads (n_head_kv; default: --heads)")
        Integer kvHeads;

        @Option(names = "--ff", description = "feed-forward length (n_ff)")
        Integer ff;

        @Option(names = "--ctx", description = "training context length in tokens (default: the preset's, else 4096)")
        Integer ctx;

        @Option(names = "--rope-theta", description = "RoPE frequency base (default 10000)")
        Float ropeTheta;

        @Option(names = "--rms-eps", description = "RMS-norm epsilon (default 1e-5)")
        Float rmsEps;

        @Option(names = "--type", paramLabel = "TYPE", description = "weight type: f32, f16, q8_0, q4_0 (default: the preset's, else q8_0; norms are always f32)")
        String type;

        @Option(names = "--vocab", paramLabel = "NAME|PATH", description = "tokenizer: a vocabulary of the llama.cpp pin (llama-spm, llama-bpe, qwen2, ...) or a GGUF file (default llama-spm)")
        String vocab;

        @Option(names = "--pooling", paramLabel = "KIND",
                description = "none (a generative model, the default), or mean, cls, last: declare a pooling layer, making an embedding model for /v1/embeddings")
        String pooling;

        @Option(names = "--seed", description = "random seed (default 42); the same options and seed give a byte-identical file")
        Long seed;

        @Option(names = "--out", paramLabel = "PATH", description = "file to write")
        Path out;

        @Option(names = "--force", description = "replace --out if it exists")
        boolean force;

        @Option(names = "--plan", description = "print what would be written (shape, size) and write nothing")
        boolean plan;

        @Override
        public Integer call() {
            SynthSpec s = buildSpec();
            PrintWriter stdout = spec.commandLine().getOut();
            if (plan) {
                Path target = out != null ? out : Path.of(s.name() + ".gguf");
                printSummary(stdout, ModelSynth.plan(s, target), s, "would write");
                return 0;
            }
            if (out == null) {
                throw new Main.UsageError("--out PATH is required (or --plan to only print the plan)");
            }
            if (Files.exists(out) && !force) {
                throw new Main.UsageError(out + " exists; pass --force to replace it");
            }
            GgufFile layout = ModelSynth.plan(s, out);
            checkFreeSpace(layout);
            PrintWriter err = spec.commandLine().getErr();
            err.printf("[model] writing %s (%s, random weights) to %s%n", s.name(), human(layout.fileSize()), out);
            err.flush();
            GgufFile written = ModelSynth.write(s, out, new StderrProgress(err));
            printSummary(stdout, written, s, "wrote");
            return 0;
        }

        private int poolingType() {
            return switch (pooling == null ? "none" : pooling.toLowerCase(java.util.Locale.ROOT)) {
                case "none" -> 0;
                case "mean" -> 1;
                case "cls" -> 2;
                case "last" -> 3;
                default -> throw new Main.UsageError("unknown --pooling '" + pooling + "'; use none, mean, cls or last");
            };
        }

        private SynthSpec buildSpec() {
            SynthSpec base;
            if (preset != null) {
                base = SynthPreset.fromId(preset).orElseThrow(() -> new Main.UsageError(
                        "unknown preset '" + preset + "'; choose one of " + SynthPreset.ids())).spec();
            } else {
                if (dim == null || layers == null || heads == null || ff == null) {
                    throw new Main.UsageError("pass --preset NAME (" + SynthPreset.ids() + "), or all of --dim, --layers, --heads and --ff");
                }
                base = SynthPreset.DEMO.spec(); // the shape is all given; ctx, rope, eps, type, seed and vocab default to demo's
            }
            boolean shapeChanged = preset != null && (dim != null || layers != null || heads != null || kvHeads != null || ff != null);
            String name = preset == null ? "custom" : shapeChanged ? base.name() + "-custom" : base.name();
            int h = heads != null ? heads : base.heads();
            int kv = kvHeads != null ? kvHeads : heads != null ? heads : base.headsKv();
            GgmlType t = base.weightType();
            if (type != null) {
                t = GgmlType.fromName(type).orElseThrow(() -> new Main.UsageError("unknown --type '" + type + "'; use f32, f16, q8_0 or q4_0"));
            }
            try {
                return new SynthSpec(name,
                        dim != null ? dim : base.embeddingLength(), layers != null ? layers : base.layers(), h, kv,
                        ff != null ? ff : base.feedForwardLength(), ctx != null ? ctx : base.contextLength(),
                        ropeTheta != null ? ropeTheta : base.ropeTheta(), rmsEps != null ? rmsEps : base.rmsEps(), t,
                        seed != null ? seed : base.seed(), vocab != null ? vocab : base.vocab(), poolingType());
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(e.getMessage());
            }
        }

        private void checkFreeSpace(GgufFile layout) {
            try {
                Path dir = out.toAbsolutePath().getParent();
                while (dir != null && !Files.exists(dir)) {
                    dir = dir.getParent();
                }
                if (dir != null) {
                    long free = Files.getFileStore(dir).getUsableSpace();
                    if (free < layout.fileSize()) {
                        throw new GgufException(out + ": needs " + human(layout.fileSize()) + " but only " + human(free) + " is free in " + dir);
                    }
                }
            } catch (IOException e) {
                // cannot tell; the write itself will fail with a clear message if space runs out
            }
        }

        private static void printSummary(PrintWriter o, GgufFile f, SynthSpec s, String verb) {
            ModelShape shape = f.shape();
            o.printf("%s %s (%s, %,d bytes, %s weights)%n", verb, f.path(), human(f.fileSize()), f.fileSize(), s.weightType().ggmlName());
            o.printf("shape:     %s parameters, n_layer %d, n_embd %d, n_head %d, n_head_kv %d, head_dim %d, n_ff %d, n_ctx_train %d%n",
                    humanCount(shape.parameterCount()), shape.layers(), shape.embeddingLength(), shape.heads(), shape.headsKv(),
                    shape.headDim(), shape.feedForwardLength(), shape.contextLength());
            String template = f.chatTemplate().map(t -> t.equals(SynthVocab.LLAMA2_TEMPLATE) ? "llama-2 (added)"
                    : t.equals(SynthVocab.CHATML_TEMPLATE) ? "chatml (added)" : "from the vocabulary").orElse("none");
            o.printf("tokenizer: %s, %d tokens, chat template %s%n", s.vocab(), shape.vocabSize(), template);
            o.printf("The weights are random (seed %d): the model runs like a real one but produces meaningless text. For tests and benchmarks only.%n", s.seed());
            o.flush();
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Validate a GGUF file without loading its weights and print its header, metadata and shape; exit code 1 with the problem if it is broken.")
    static final class Inspect implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the .gguf file")
        Path path;

        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @Option(names = "--tensors", description = "also list every tensor (always included with --json)")
        boolean tensors;

        @Override
        public Integer call() {
            GgufFile f = GgufReader.read(path);
            // a file without tensors is a vocabulary: only its tokenizer is checked
            List<String> problems = ModelValidator.problems(f, f.tensors().isEmpty());
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                try {
                    o.println(io.infernet.engines.Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(f, problems)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                printText(o, f, problems);
            }
            o.flush();
            if (!problems.isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("error: " + f.path() + ": llama.cpp would refuse or crash on this file: " + String.join("; ", problems));
                err.flush();
                return 1;
            }
            return 0;
        }

        private void printText(PrintWriter o, GgufFile f, List<String> problems) {
            o.printf("file:        %s%n", f.path());
            o.printf("size:        %s (%,d bytes)%n", human(f.fileSize()), f.fileSize());
            o.printf("format:      GGUF v%d, alignment %d, data at byte %,d%n", f.version(), f.alignment(), f.dataOffset());
            o.printf("contents:    %d metadata keys, %d tensors, %s of tensor data%n", f.metadata().size(), f.tensors().size(), human(f.tensorBytes()));
            f.find("general.architecture").ifPresent(v -> o.printf("architecture: %s%n", v.display()));
            f.find("general.name").ifPresent(v -> o.printf("name:        %s%n", v.display()));
            if (!f.tensors().isEmpty()) {
                try {
                    ModelShape s = f.shape();
                    o.printf("shape:       %s parameters, n_layer %d, n_embd %d, n_head %d, n_head_kv %d, head_dim %d, n_ff %d, n_ctx_train %d, n_vocab %d%n",
                            humanCount(s.parameterCount()), s.layers(), s.embeddingLength(), s.heads(), s.headsKv(), s.headDim(),
                            s.feedForwardLength(), s.contextLength(), s.vocabSize());
                    o.printf("kv cache:    %s per token of context (f16)%n", human(s.kvCacheBytesPerToken(2)));
                } catch (GgufException e) {
                    o.printf("shape:       unknown (%s)%n", e.getMessage());
                }
                Map<GgmlType, long[]> byType = new TreeMap<>();
                for (GgufTensor t : f.tensors()) {
                    long[] agg = byType.computeIfAbsent(t.type(), k -> new long[2]);
                    agg[0]++;
                    agg[1] += t.byteSize();
                }
                List<String> parts = new ArrayList<>();
                byType.forEach((t, agg) -> parts.add("%s × %d (%s)".formatted(t.ggmlName(), agg[0], human(agg[1]))));
                o.printf("types:       %s%n", String.join(", ", parts));
            }
            o.printf("chat template: %s%n", f.chatTemplate().map(t -> t.length() + " characters").orElse("none"));
            o.printf("llama.cpp:   %s%n", problems.isEmpty() ? "structure OK; hyperparameters, tensors and tokenizer OK"
                    : "will refuse or crash on this file: " + String.join("; ", problems));
            o.println("metadata:");
            f.metadata().forEach((k, v) -> o.printf("  %-44s %-4s %s%n", k, v.type().shortName(), v.display()));
            if (tensors) {
                o.println("tensors:");
                for (GgufTensor t : f.tensors()) {
                    o.printf("  %-40s %-7s %-24s %12s at %,d%n", t.name(), t.type().ggmlName(), t.shape(), human(t.byteSize()), t.offset());
                }
            }
        }

        private static Map<String, Object> toJson(GgufFile f, List<String> problems) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("path", f.path().toString());
            j.put("sizeBytes", f.fileSize());
            j.put("version", f.version());
            j.put("alignment", f.alignment());
            j.put("dataOffset", f.dataOffset());
            j.put("tensorBytes", f.tensorBytes());
            Object shape = null;
            if (!f.tensors().isEmpty()) {
                try {
                    shape = f.shape();
                } catch (GgufException e) {
                    shape = Map.of("error", e.getMessage());
                }
            }
            j.put("shape", shape);
            j.put("llamaCppIssues", problems);
            Map<String, Object> meta = new LinkedHashMap<>();
            f.metadata().forEach((k, v) -> meta.put(k, jsonValue(v)));
            j.put("metadata", meta);
            List<Map<String, Object>> ts = new ArrayList<>();
            for (GgufTensor t : f.tensors()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("type", t.type().ggmlName());
                m.put("dims", t.dims());
                m.put("offset", t.offset());
                m.put("bytes", t.byteSize());
                ts.add(m);
            }
            j.put("tensors", ts);
            return j;
        }

        /** Scalars as JSON values; arrays of up to 16 elements in full, longer ones as a summary. */
        private static Object jsonValue(GgufValue v) {
            return switch (v) {
                case GgufValue.Int i when i.type() == GgufType.UINT64 && i.value() < 0 -> new BigInteger(Long.toUnsignedString(i.value()));
                case GgufValue.Int i -> i.value();
                case GgufValue.Real r -> Double.isFinite(r.value()) ? r.value() : String.valueOf(r.value());
                case GgufValue.Bool b -> b.value();
                case GgufValue.Str s -> s.value();
                case GgufValue.Array a when a.size() > 16 -> Map.of("array", a.elementType().shortName(), "length", a.size());
                case GgufValue.NumArray a -> {
                    List<Object> out = new ArrayList<>();
                    for (int i = 0; i < a.size(); i++) {
                        out.add(a.elementType().isFloat() ? a.getDouble(i) : a.elementType() == GgufType.BOOL ? a.getLong(i) != 0 : a.getLong(i));
                    }
                    yield out;
                }
                case GgufValue.StrArray a -> a.values();
                case GgufValue.NestedArray a -> a.values().stream().map(Inspect::jsonValue).toList();
            };
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Check that model files load safely: the checks of 'inspect', then a load and a short run (every token's text, "
                    + "tokenizing tricky strings, one decode) in a separate process, so that a file llama.cpp would crash on cannot take "
                    + "a node down. serve, start, generate and model installs run the same check before loading a model.",
                    "An accepted file is remembered by a digest of its header in <cache>/probe, so it is not checked again. "
                            + "Exit code 0 if every file is accepted, 1 otherwise."})
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", arity = "1..*", description = "the .gguf files")
        List<Path> paths;

        @Option(names = "--no-cache", description = "run the check process even for files accepted before, and remember nothing")
        boolean noCache;

        @Override
        public Integer call() {
            ModelProbe probe = noCache ? ModelProbe.standard(null) : ModelProbe.standard();
            PrintWriter o = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<ModelProbe.Verdict> verdicts = probe.check(paths, line -> {
                err.println("[model] " + line);
                err.flush();
            });
            boolean all = true;
            for (ModelProbe.Verdict v : verdicts) {
                if (v.accepted()) {
                    o.printf("OK       %s (%s)%n", v.file(), v.cached() ? "accepted before" : v.message() + "; check " + v.millis() + " ms");
                } else {
                    all = false;
                    o.printf("REFUSED  %s%n", v.message());
                }
            }
            o.flush();
            return all ? 0 : 1;
        }
    }

    /** One stderr line per 5 percent of a long write. */
    private static final class StderrProgress implements GgufWriter.WriteProgress {
        private final PrintWriter err;
        private int last = -1;

        StderrProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void written(long bytes, long total) {
            int step = total == 0 ? 20 : (int) (bytes * 20 / total);
            if (step != last) {
                last = step;
                err.printf("[model] %3d%%  %s of %s%n", step * 5, human(bytes), human(total));
                err.flush();
            }
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String humanCount(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%,d", n);
    }
}
