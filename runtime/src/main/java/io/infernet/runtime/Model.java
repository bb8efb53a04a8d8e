package io.infernet.runtime;

import io.infernet.bindings.llama_h;
import io.infernet.bindings.llama_model_params;
import io.infernet.natives.Progress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loaded GGUF model. Owns its {@code llama_model}; closing it first closes every
 * {@link Context} made from it that is still open (contexts before their model), then frees the
 * model. Thread safety: the read-only accessors may be called from any thread; close once.
 */
public final class Model implements AutoCloseable {
    private final Path path;
    private final MemorySegment handle;
    private final Vocab vocab;
    private final int poolingType;
    private final Set<Context> contexts = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Model(Path path, MemorySegment handle, int poolingType) {
        this.path = path;
        this.handle = handle;
        this.poolingType = poolingType;
        this.vocab = new Vocab(this, llama_h.llama_model_get_vocab(handle));
    }

    /**
     * Loads a model. The file is validated in Java first (see {@link ModelFileCheck}), so a
     * missing, truncated or malformed file is a clear {@link LlamaException}, never a native
     * crash.
     */
    public static Model load(Path path, ModelParams params) {
        io.infernet.runtime.gguf.GgufFile gguf = ModelFileCheck.check(path, params.vocabOnly());
        int pooling = (int) gguf.findLong(io.infernet.runtime.gguf.GgufKeys.arch(gguf.architecture(), io.infernet.runtime.gguf.GgufKeys.POOLING_TYPE))
                .orElse(-1);
        LlamaRuntime.load(Progress.STDERR);
        long mark = NativeLog.mark();
        MemorySegment handle;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = llama_h.llama_model_default_params(arena);
            llama_model_params.n_gpu_layers(p, params.gpuLayers());
            llama_model_params.load_mode(p, params.useMmap() ? 1 : 0); // LLAMA_LOAD_MODE_MMAP : NONE
            llama_model_params.vocab_only(p, params.vocabOnly());
            llama_model_params.check_tensors(p, params.checkTensors());
            handle = llama_h.llama_model_load_from_file(arena.allocateFrom(path.toString()), p);
        }
        if (handle.equals(MemorySegment.NULL)) {
            List<String> why = NativeLog.problemsSince(mark);
            throw new LlamaException("llama.cpp could not load " + path
                    + (why.isEmpty() ? "" : ": " + String.join("; ", why)));
        }
        return new Model(path.toAbsolutePath(), handle, pooling);
    }

    public static Model load(Path path) {
        return load(path, ModelParams.defaults());
    }

    public Path path() {
        return path;
    }

    /** The file name without {@code .gguf}: the name the model is served under by default. */
    public String name() {
        String f = path.getFileName().toString();
        return f.endsWith(".gguf") ? f.substring(0, f.length() - 5) : f;
    }

    public Vocab vocab() {
        return vocab;
    }

    public int contextLengthTrained() {
        return llama_h.llama_model_n_ctx_train(handle());
    }

    public int embeddingLength() {
        return llama_h.llama_model_n_embd(handle());
    }

    public int layers() {
        return llama_h.llama_model_n_layer(handle());
    }

    public int heads() {
        return llama_h.llama_model_n_head(handle());
    }

    public int headsKv() {
        return llama_h.llama_model_n_head_kv(handle());
    }

    /** Bytes of all weights. */
    public long sizeBytes() {
        return llama_h.llama_model_size(handle());
    }

    public long parameterCount() {
        return llama_h.llama_model_n_params(handle());
    }

    /**
     * The pooling the model declares ({@code <arch>.pooling_type}): 1 mean, 2 cls, 3 last, 4 rank;
     * 0 or -1 (absent) means none, so the model makes no sequence embeddings.
     */
    public int poolingType() {
        return poolingType;
    }

    /** Whether the model pools token states into one embedding per sequence. */
    public boolean hasPooling() {
        return poolingType >= 1 && poolingType <= 3;
    }

    public boolean hasEncoder() {
        return llama_h.llama_model_has_encoder(handle());
    }

    /** llama.cpp's one-line description ("llama 7B Q4_0"). */
    public String description() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = llama_h.llama_model_desc(handle(), buf, 256);
            return n <= 0 ? "" : buf.getString(0, StandardCharsets.UTF_8);
        }
    }

    /** The model's chat template ({@code tokenizer.chat_template}), or null if it has none. */
    public String chatTemplate() {
        MemorySegment t = llama_h.llama_model_chat_template(handle(), MemorySegment.NULL);
        return t.equals(MemorySegment.NULL) ? null : LlamaRuntime.cString(t);
    }

    /** A named variant of the chat template ({@code tokenizer.chat_template.<name>}, e.g. {@code tool_use}), or null. */
    public String chatTemplate(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = llama_h.llama_model_chat_template(handle(), arena.allocateFrom(name));
            return t.equals(MemorySegment.NULL) ? null : LlamaRuntime.cString(t);
        }
    }

    /** All GGUF metadata as strings (arrays are summarized by llama.cpp). */
    public Map<String, String> metadata() {
        Map<String, String> out = new LinkedHashMap<>();
        int n = llama_h.llama_model_meta_count(handle());
        try (Arena arena = Arena.ofConfined()) {
            int cap = 1 << 16;
            MemorySegment key = arena.allocate(512);
            MemorySegment val = arena.allocate(cap);
            for (int i = 0; i < n; i++) {
                if (llama_h.llama_model_meta_key_by_index(handle(), i, key, 512) < 0) {
                    continue;
                }
                int len = llama_h.llama_model_meta_val_str_by_index(handle(), i, val, cap);
                out.put(key.getString(0, StandardCharsets.UTF_8), len < 0 ? "" : val.getString(0, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Creates a context on this model; see {@link Context}. */
    public Context newContext(ContextParams params) {
        Context c = Context.create(this, params);
        contexts.add(c);
        return c;
    }

    void contextClosed(Context c) {
        contexts.remove(c);
    }

    MemorySegment handle() {
        ensureOpen();
        return handle;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model " + name() + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (Context c : new ArrayList<>(contexts)) {
            c.close();
        }
        closed = true;
        llama_h.llama_model_free(handle);
    }
}
