package io.infernet.bindings.gen;

import io.infernet.bindings.gen.CHeader.CType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates the FFM binding classes in jextract's shape from the pinned headers: one class per
 * header ({@code llama_h}, {@code ggml_backend_h}) with each function in a lazy holder, and one
 * class per struct with its layout and accessors. The list of what is bound is below; the
 * signatures and layouts come from the headers. {@code BindingsUpToDateTest} fails when the
 * committed sources differ from what this produces, so the bindings can never drift from the
 * pin unnoticed. To regenerate after moving the pin or extending the lists:
 *
 * <pre>./mvnw -q -pl bindings -am test-compile &&
 * java -cp bindings/target/test-classes:bindings/target/classes:native/target/classes \
 *     io.infernet.bindings.gen.BindingsGenerator bindings/src/main/java</pre>
 */
public final class BindingsGenerator {

    static final String PACKAGE = "io.infernet.bindings";

    /** Functions of llama.h the runtime uses. */
    public static final List<String> LLAMA_FUNCTIONS = List.of(
            "llama_version", "llama_print_system_info", "llama_time_us",
            "llama_backend_init", "llama_backend_free", "llama_log_set",
            "llama_supports_gpu_offload", "llama_supports_mmap", "llama_max_devices", "llama_max_parallel_sequences",
            "llama_model_default_params", "llama_context_default_params", "llama_sampler_chain_default_params",
            "llama_model_load_from_file", "llama_model_free", "llama_init_from_model", "llama_free",
            "llama_model_get_vocab", "llama_model_n_ctx_train", "llama_model_n_embd", "llama_model_n_layer",
            "llama_model_n_head", "llama_model_n_head_kv", "llama_model_desc", "llama_model_size", "llama_model_n_params",
            "llama_model_chat_template", "llama_model_meta_val_str", "llama_model_meta_count",
            "llama_model_meta_key_by_index", "llama_model_meta_val_str_by_index",
            "llama_model_has_encoder", "llama_model_has_decoder", "llama_model_is_recurrent",
            "llama_n_ctx", "llama_n_ctx_seq", "llama_n_batch", "llama_n_ubatch", "llama_n_seq_max",
            "llama_get_model", "llama_get_memory", "llama_pooling_type",
            "llama_vocab_type", "llama_vocab_n_tokens", "llama_vocab_get_text", "llama_vocab_get_attr",
            "llama_vocab_is_eog", "llama_vocab_is_control",
            "llama_vocab_bos", "llama_vocab_eos", "llama_vocab_eot", "llama_vocab_nl",
            "llama_vocab_get_add_bos", "llama_vocab_get_add_eos",
            "llama_tokenize", "llama_token_to_piece", "llama_detokenize",
            "llama_chat_apply_template", "llama_chat_builtin_templates",
            "llama_batch_init", "llama_batch_free", "llama_batch_get_one", "llama_encode", "llama_decode",
            "llama_set_n_threads", "llama_n_threads", "llama_n_threads_batch", "llama_attach_threadpool", "llama_detach_threadpool",
            "llama_set_embeddings", "llama_set_causal_attn", "llama_set_abort_callback", "llama_synchronize",
            "llama_get_logits", "llama_get_logits_ith", "llama_get_embeddings", "llama_get_embeddings_ith",
            "llama_get_embeddings_seq",
            "llama_memory_clear", "llama_memory_seq_rm", "llama_memory_seq_cp", "llama_memory_seq_keep",
            "llama_memory_seq_add", "llama_memory_seq_pos_min", "llama_memory_seq_pos_max", "llama_memory_can_shift",
            "llama_state_seq_get_size", "llama_state_seq_get_data", "llama_state_seq_set_data",
            "llama_state_seq_get_size_ext", "llama_state_seq_get_data_ext", "llama_state_seq_set_data_ext",
            "llama_sampler_chain_init", "llama_sampler_chain_add", "llama_sampler_init_greedy", "llama_sampler_init_dist",
            "llama_sampler_init_top_k", "llama_sampler_init_top_p", "llama_sampler_init_min_p", "llama_sampler_init_temp",
            "llama_sampler_init_penalties", "llama_sampler_init_logit_bias",
            "llama_sampler_sample", "llama_sampler_accept", "llama_sampler_apply", "llama_sampler_reset", "llama_sampler_free",
            "llama_perf_context", "llama_perf_context_reset");

    /** Functions of ggml-backend.h: backend loading and device enumeration. */
    public static final List<String> GGML_BACKEND_FUNCTIONS = List.of(
            "ggml_backend_load_all", "ggml_backend_load_all_from_path", "ggml_backend_load",
            "ggml_backend_reg_count", "ggml_backend_reg_get", "ggml_backend_reg_name", "ggml_backend_reg_dev_count",
            "ggml_backend_dev_count", "ggml_backend_dev_get", "ggml_backend_dev_name", "ggml_backend_dev_description",
            "ggml_backend_dev_memory", "ggml_backend_dev_type", "ggml_backend_dev_get_props", "ggml_backend_dev_backend_reg",
            "ggml_backend_dev_by_type", "ggml_backend_reg_get_proc_address");

    /** Functions of ggml.h: thread pool parameters (the pool itself lives in the CPU backend, reached by proc address). */
    public static final List<String> GGML_FUNCTIONS = List.of(
            "ggml_threadpool_params_default", "ggml_threadpool_params_init");

    /** Structs bound, in an order where each nested struct comes first. */
    public static final List<String> STRUCTS = List.of(
            "llama_model_params", "llama_context_params", "llama_batch", "llama_chat_message",
            "llama_token_data", "llama_token_data_array", "llama_logit_bias", "llama_sampler_chain_params",
            "llama_perf_context_data", "ggml_backend_dev_caps", "ggml_backend_dev_props", "ggml_threadpool_params");

    /**
     * Short calls that never block or call back: linked with {@code Linker.Option.critical},
     * which skips the thread-state transition (they sit on the per-token path).
     */
    static final Set<String> CRITICAL = Set.of(
            "llama_get_logits", "llama_get_logits_ith", "llama_get_embeddings_ith", "llama_get_embeddings_seq",
            "llama_vocab_is_eog", "llama_vocab_n_tokens", "llama_n_ctx", "llama_n_batch", "llama_n_seq_max",
            "llama_memory_seq_pos_max", "llama_memory_seq_pos_min", "llama_token_to_piece");

    public static List<Path> headers(Path llamaSource) {
        return List.of(
                llamaSource.resolve("ggml/include/ggml.h"),
                llamaSource.resolve("ggml/include/ggml-backend.h"),
                llamaSource.resolve("include/llama.h"));
    }

    /** File name (relative to the source root) to generated text. */
    public static Map<String, String> generate(CHeader h) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String s : STRUCTS) {
            out.put(file(s), struct(h, h.struct(s)));
        }
        out.put(file("llama_h"), header(h, "llama_h", "include/llama.h", LLAMA_FUNCTIONS));
        out.put(file("ggml_backend_h"), header(h, "ggml_backend_h", "ggml/include/ggml-backend.h", GGML_BACKEND_FUNCTIONS));
        out.put(file("ggml_h"), header(h, "ggml_h", "ggml/include/ggml.h", GGML_FUNCTIONS));
        return out;
    }

    static String file(String cls) {
        return PACKAGE.replace('.', '/') + "/" + cls + ".java";
    }

    // --- layouts --------------------------------------------------------------------------

    /**
     * What the generated code uses for a scalar kind of {@link CType.Scalar}: its size in bytes
     * (x86-64 and arm64 LP64), the {@code CTypes} layout constant and the Java carrier type.
     */
    record ScalarKind(long size, String layout, String javaType) {
        static ScalarKind of(String kind) {
            return switch (kind) {
                case "bool" -> new ScalarKind(1, "C_BOOL", "boolean");
                case "char", "i8" -> new ScalarKind(1, "C_CHAR", "byte");
                case "i16" -> new ScalarKind(2, "C_SHORT", "short");
                case "i32" -> new ScalarKind(4, "C_INT", "int");
                case "i64" -> new ScalarKind(8, "C_LONG_LONG", "long");
                case "f32" -> new ScalarKind(4, "C_FLOAT", "float");
                default -> new ScalarKind(8, "C_DOUBLE", "double");
            };
        }
    }

    static long size(CHeader h, CType t) {
        return switch (t) {
            case CType.Scalar s -> ScalarKind.of(s.kind()).size();
            case CType.Pointer p -> 8;
            case CType.Struct s -> structSize(h, h.struct(s.name()));
            case CType.Array a -> size(h, a.element()) * a.length();
            case CType.Void v -> throw new IllegalArgumentException("void has no size");
        };
    }

    static long align(CHeader h, CType t) {
        if (t instanceof CType.Array a) {
            return align(h, a.element());
        }
        if (t instanceof CType.Struct s) {
            long a = 1;
            for (CHeader.Field f : h.struct(s.name()).fields()) {
                a = Math.max(a, align(h, f.type()));
            }
            return a;
        }
        return size(h, t);
    }

    static long structSize(CHeader h, CHeader.StructDef def) {
        long off = 0;
        long maxAlign = 1;
        for (CHeader.Field f : def.fields()) {
            long a = align(h, f.type());
            maxAlign = Math.max(maxAlign, a);
            off = (off + a - 1) / a * a + size(h, f.type());
        }
        return (off + maxAlign - 1) / maxAlign * maxAlign;
    }

    static String layoutExpr(CType t) {
        return switch (t) {
            case CType.Scalar s -> ScalarKind.of(s.kind()).layout();
            case CType.Pointer p -> "C_POINTER";
            case CType.Struct s -> s.name() + ".layout()";
            case CType.Array a -> "MemoryLayout.sequenceLayout(" + a.length() + ", " + layoutExpr(a.element()) + ")";
            case CType.Void v -> throw new IllegalArgumentException("void has no layout");
        };
    }

    static String javaType(CType t) {
        return switch (t) {
            case CType.Scalar s -> ScalarKind.of(s.kind()).javaType();
            case CType.Void v -> "void";
            default -> "MemorySegment";
        };
    }

    // --- emitters -------------------------------------------------------------------------

    static final String GENERATED = "// Generated by io.infernet.bindings.gen.BindingsGenerator from the pinned headers. Do not edit.\n";

    /** The start of a generated file: the banner, the package, CTypes imported statically, then {@code imports}, then a blank line. */
    static StringBuilder opening(String... imports) {
        StringBuilder b = new StringBuilder();
        b.append(GENERATED);
        b.append("package ").append(PACKAGE).append(";\n\n");
        b.append("import static io.infernet.bindings.CTypes.*;\n\n");
        for (String i : imports) {
            b.append("import ").append(i).append(";\n");
        }
        return b.append("\n");
    }

    static String struct(CHeader h, CHeader.StructDef def) {
        StringBuilder b = opening("java.lang.foreign.GroupLayout", "java.lang.foreign.MemoryLayout", "java.lang.foreign.MemorySegment",
                "java.lang.foreign.SegmentAllocator");
        b.append("/** {@code struct ").append(def.name()).append("}: ").append(structSize(h, def)).append(" bytes. */\n");
        b.append("public final class ").append(def.name()).append(" {\n");
        b.append("    private ").append(def.name()).append("() {}\n\n");
        b.append("    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(\n");
        List<String> members = new ArrayList<>();
        List<long[]> offsets = new ArrayList<>();
        long off = 0;
        long maxAlign = 1;
        for (CHeader.Field f : def.fields()) {
            long a = align(h, f.type());
            maxAlign = Math.max(maxAlign, a);
            long aligned = (off + a - 1) / a * a;
            if (aligned > off) {
                members.add("MemoryLayout.paddingLayout(" + (aligned - off) + ")");
            }
            members.add(layoutExpr(f.type()) + ".withName(\"" + f.name() + "\")");
            offsets.add(new long[] {aligned});
            off = aligned + size(h, f.type());
        }
        long total = (off + maxAlign - 1) / maxAlign * maxAlign;
        if (total > off) {
            members.add("MemoryLayout.paddingLayout(" + (total - off) + ")");
        }
        for (int i = 0; i < members.size(); i++) {
            b.append("            ").append(members.get(i)).append(i + 1 < members.size() ? ",\n" : ")\n");
        }
        b.append("            .withName(\"").append(def.name()).append("\");\n\n");
        b.append("    public static GroupLayout layout() {\n        return LAYOUT;\n    }\n\n");
        b.append("    public static MemorySegment allocate(SegmentAllocator allocator) {\n        return allocator.allocate(LAYOUT);\n    }\n");
        for (int i = 0; i < def.fields().size(); i++) {
            CHeader.Field f = def.fields().get(i);
            long o = offsets.get(i)[0];
            String n = f.name();
            b.append("\n    public static final long ").append(n).append("$OFFSET = ").append(o).append(";\n");
            if (f.type() instanceof CType.Struct s) {
                b.append("\n    public static MemorySegment ").append(n).append("(MemorySegment struct) {\n");
                b.append("        return struct.asSlice(").append(n).append("$OFFSET, ").append(s.name()).append(".layout());\n    }\n");
                continue;
            }
            if (f.type() instanceof CType.Array a) {
                b.append("\n    /** The ").append(a.length()).append("-element array, in place. */\n");
                b.append("    public static MemorySegment ").append(n).append("(MemorySegment struct) {\n");
                b.append("        return struct.asSlice(").append(n).append("$OFFSET, ").append(size(h, a)).append(");\n    }\n");
                continue;
            }
            String jt = javaType(f.type());
            String lay = layoutExpr(f.type());
            b.append("\n    public static ").append(jt).append(' ').append(n).append("(MemorySegment struct) {\n");
            b.append("        return struct.get(").append(lay).append(", ").append(n).append("$OFFSET);\n    }\n");
            b.append("\n    public static void ").append(n).append("(MemorySegment struct, ").append(jt).append(" value) {\n");
            b.append("        struct.set(").append(lay).append(", ").append(n).append("$OFFSET, value);\n    }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    static String header(CHeader h, String cls, String headerPath, List<String> names) {
        StringBuilder b = opening("java.lang.foreign.FunctionDescriptor", "java.lang.foreign.MemorySegment",
                "java.lang.foreign.SegmentAllocator", "java.lang.invoke.MethodHandle");
        b.append("/**\n * Functions of {@code ").append(headerPath).append("}, each linked on first use.\n");
        b.append(" * Functions returning a struct by value take a leading {@link SegmentAllocator}.\n */\n");
        b.append("public final class ").append(cls).append(" {\n");
        b.append("    private ").append(cls).append("() {}\n");
        for (String name : names) {
            CHeader.Function f = h.function(name);
            boolean structRet = f.ret() instanceof CType.Struct;
            StringBuilder desc = new StringBuilder(f.ret() instanceof CType.Void ? "FunctionDescriptor.ofVoid(" : "FunctionDescriptor.of(" + layoutExpr(f.ret()));
            boolean first = f.ret() instanceof CType.Void;
            for (CHeader.Param p : f.params()) {
                desc.append(first ? "" : ", ").append(layoutExpr(p.type()));
                first = false;
            }
            desc.append(")");
            String jret = javaType(f.ret());
            List<String> jparams = new ArrayList<>();
            List<String> args = new ArrayList<>();
            if (structRet) {
                jparams.add("SegmentAllocator allocator");
                args.add("allocator");
            }
            for (CHeader.Param p : f.params()) {
                String pn = safeName(p.name());
                jparams.add(javaType(p.type()) + " " + pn);
                args.add(pn);
            }
            b.append("\n    /** {@code ").append(f.cText().replace("*/", "* /").replace("@", "{@literal @}")).append("} */\n");
            b.append("    public static final FunctionDescriptor ").append(name).append("$DESC = ").append(desc).append(";\n\n");
            b.append("    private static final class ").append(name).append("$ {\n");
            b.append("        static final MethodHandle HANDLE = LlamaLibrary.downcall(\"").append(name).append("\", ")
                    .append(name).append("$DESC, ").append(CRITICAL.contains(name)).append(");\n    }\n\n");
            b.append("    public static ").append(jret).append(' ').append(name).append('(').append(String.join(", ", jparams)).append(") {\n");
            b.append("        try {\n");
            String call = name + "$.HANDLE.invokeExact(" + String.join(", ", args) + ")";
            if (jret.equals("void")) {
                b.append("            ").append(call).append(";\n");
            } else {
                b.append("            return (").append(jret).append(") ").append(call).append(";\n");
            }
            b.append("        } catch (Throwable ex$) {\n");
            b.append("            throw LlamaLibrary.rethrow(\"").append(name).append("\", ex$);\n");
            b.append("        }\n    }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    private static String safeName(String n) {
        return switch (n) {
            case "default", "final", "class", "new", "char", "int", "long", "float", "double", "boolean", "byte", "short" -> n + "_";
            default -> n;
        };
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BindingsGenerator <bindings/src/main/java>");
            return;
        }
        Path root = Path.of(args[0]);
        Path src = io.infernet.natives.NativeBundle.source(io.infernet.natives.Progress.STDERR);
        for (var e : generate(CHeader.parse(headers(src))).entrySet()) {
            Path p = root.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
            System.err.println("wrote " + p);
        }
    }
}
