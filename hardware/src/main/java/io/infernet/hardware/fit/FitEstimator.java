package io.infernet.hardware.fit;

import io.infernet.hardware.Units;
import java.util.ArrayList;
import java.util.List;

/**
 * Estimates what a model needs: {@code weights + KV cache + overhead}, where
 * <ul>
 * <li>weights are the footprint's bytes (a GGUF's real tensor bytes, or a catalogue estimate);</li>
 * <li>KV cache is {@code 2 * n_layer * n_ctx * n_head_kv * head_dim * 2} bytes (F16 K and V);</li>
 * <li>overhead is {@code 256 MiB + 2% of the weights}: compute buffers (for a batch of 512, about
 *     a quarter GiB on llama.cpp with flash attention, dominated by the output logits) and the
 *     backend's own context, growing a little with the model. It is an estimate, not a measurement.</li>
 * </ul>
 * Pure arithmetic, no I/O.
 */
public final class FitEstimator {
    private FitEstimator() {}

    public static final long OVERHEAD_FIXED_BYTES = 256L * Units.MIB;
    public static final double OVERHEAD_WEIGHT_FRACTION = 0.02;

    /** The overhead for {@code weightBytes} of weights (see the class comment). */
    public static long overheadBytes(long weightBytes) {
        return OVERHEAD_FIXED_BYTES + Math.round(weightBytes * OVERHEAD_WEIGHT_FRACTION);
    }

    /** The estimate for {@code model} at {@code nCtx} tokens, compared with {@code budget}. */
    public static FitEstimate estimate(ModelFootprint model, int nCtx, MemoryBudget budget) {
        return new FitEstimate(model, nCtx, model.weightBytes(), model.kvCacheBytes(nCtx), overheadBytes(model.weightBytes()), budget);
    }

    /** One estimate per catalogue model and quantization, models smallest first, quantizations largest first. */
    public static List<FitEstimate> catalogue(int nCtx, MemoryBudget budget) {
        List<FitEstimate> out = new ArrayList<>();
        for (ModelCatalog.Entry e : ModelCatalog.MODELS) {
            for (Quant q : Quant.values()) {
                out.add(estimate(e.footprint(q), nCtx, budget));
            }
        }
        return out;
    }
}
