package io.infernet.runtime.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The core tensors of the families {@link ModelValidator} knows in detail: the llama-like decoders
 * ({@link Architectures#LLAMA_LAYOUT}) and the BERT encoders ({@link Architectures#BERT_LAYOUT}),
 * as their {@code load_arch_tensors} in {@code src/models/*.cpp} create them, with each layer's own
 * head counts and feed-forward width. llama.cpp checks Q/K/V widths against layer 0's head counts
 * only and fails later, in the graph, with an assert, when another layer differs; here every layer
 * is checked. Optional extras (biases, rope factors) are left to llama.cpp, which refuses
 * unexpected or misshapen ones cleanly.
 */
final class TensorLayouts {
    private TensorLayouts() {}

    static void check(GgufFile file, ModelValidator.Hparams hp, int nVocab, List<String> out) {
        if (Architectures.BERT_LAYOUT.contains(hp.arch())) {
            checkBert(file, hp, nVocab, out);
            return;
        }
        String a = hp.arch();
        long embd = hp.embd();
        if (nVocab > 0) {
            expect(file, "token_embd.weight", true, out, embd, nVocab);
            expect(file, "output.weight", false, out, embd, nVocab);
        }
        expect(file, "output_norm.weight", true, out, embd);
        for (int il = 0; il < hp.layers(); il++) {
            String b = "blk." + il + ".";
            long q = Architectures.EMBD_WIDE_Q.contains(a) ? embd : hp.headK() * hp.heads()[il];
            expect(file, b + "attn_norm.weight", true, out, embd);
            attention(file, hp, il, q, out);
            if (Architectures.QK_NORM.contains(a)) {
                expect(file, b + "attn_q_norm.weight", true, out, hp.headK());
                expect(file, b + "attn_k_norm.weight", true, out, hp.headK());
            }
            if (Architectures.POST_NORMS.contains(a)) {
                expect(file, b + "post_attention_norm.weight", true, out, embd);
                expect(file, b + "post_ffw_norm.weight", true, out, embd);
            }
            expect(file, b + "ffn_norm.weight", true, out, embd);
            long ff = hp.ff()[il];
            if (hp.experts() > 0) {
                expect(file, b + "ffn_gate_inp.weight", true, out, embd, hp.experts());
                expect(file, b + "ffn_down_exps.weight", true, out, ff, embd, hp.experts());
                expect(file, b + "ffn_up_exps.weight", true, out, embd, ff, hp.experts());
            } else if (a.equals("phi3")) {
                expect(file, b + "ffn_up.weight", true, out, embd, 2 * ff);
                expect(file, b + "ffn_down.weight", true, out, ff, embd);
            } else {
                expect(file, b + "ffn_gate.weight", true, out, embd, ff);
                expect(file, b + "ffn_up.weight", true, out, embd, ff);
                expect(file, b + "ffn_down.weight", true, out, ff, embd);
            }
            if (out.size() > 8) {
                return; // one broken hyperparameter breaks every layer alike: enough said
            }
        }
    }

    /** BERT and nomic-bert: learned positions or rotary, post-norms around attention and feed-forward. */
    private static void checkBert(GgufFile file, ModelValidator.Hparams hp, int nVocab, List<String> out) {
        long embd = hp.embd();
        if (nVocab > 0) {
            expect(file, "token_embd.weight", true, out, embd, nVocab);
        }
        expect(file, "token_embd_norm.weight", true, out, embd);
        for (int il = 0; il < hp.layers(); il++) {
            String b = "blk." + il + ".";
            attention(file, hp, il, embd, out);
            expect(file, b + "attn_output_norm.weight", true, out, embd);
            long ff = hp.ff()[il];
            expect(file, b + "ffn_up.weight", true, out, embd, ff);
            expect(file, b + "ffn_down.weight", true, out, ff, embd);
            if (hp.arch().equals("nomic-bert")) {
                expect(file, b + "ffn_gate.weight", true, out, embd, ff);
            }
            expect(file, b + "layer_output_norm.weight", true, out, embd);
            if (out.size() > 8) {
                return;
            }
        }
    }

    /** Q, K and V of layer {@code il}, fused ({@code attn_qkv}) or apart, and the output projection. */
    private static void attention(GgufFile file, ModelValidator.Hparams hp, int il, long q, List<String> out) {
        String b = "blk." + il + ".";
        long embd = hp.embd();
        long k = hp.headK() * hp.headsKv()[il];
        long v = hp.headV() * hp.headsKv()[il];
        if (file.tensor(b + "attn_qkv.weight").isPresent()) {
            expect(file, b + "attn_qkv.weight", true, out, embd, q + k + v);
        } else {
            expect(file, b + "attn_q.weight", true, out, embd, q);
            expect(file, b + "attn_k.weight", true, out, embd, k);
            expect(file, b + "attn_v.weight", true, out, embd, v);
        }
        expect(file, b + "attn_output.weight", true, out, q, embd);
    }

    /** Adds a problem unless {@code name} has exactly {@code dims} (ggml order, trailing 1s ignored). */
    private static void expect(GgufFile file, String name, boolean required, List<String> out, long... dims) {
        Optional<GgufTensor> t = file.tensor(name);
        if (t.isEmpty()) {
            if (required) {
                out.add("tensor '" + name + "' is missing; a " + ((GgufValue.Str) file.metadata().get(GgufKeys.ARCHITECTURE)).value()
                        + " model needs it with shape " + shape(dims));
            }
            return;
        }
        List<Long> have = new ArrayList<>(t.get().dims());
        while (have.size() > 1 && have.getLast() == 1) {
            have.removeLast();
        }
        List<Long> want = new ArrayList<>();
        for (long d : dims) {
            want.add(d);
        }
        while (want.size() > 1 && want.getLast() == 1) {
            want.removeLast();
        }
        if (!have.equals(want)) {
            out.add("tensor '" + name + "' has shape " + t.get().shape() + " but the hyperparameters and the vocabulary make it " + shape(dims));
        }
    }

    private static String shape(long... dims) {
        StringBuilder s = new StringBuilder("[");
        for (long d : dims) {
            s.append(s.length() > 1 ? ", " : "").append(d);
        }
        return s.append(']').toString();
    }
}
