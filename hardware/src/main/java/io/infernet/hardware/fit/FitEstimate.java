package io.infernet.hardware.fit;

import io.infernet.hardware.Units;
import java.util.Objects;

/**
 * How much memory a model needs at a context length, and whether a budget holds it.
 *
 * @param model         the model
 * @param nCtx          context length, tokens
 * @param weightBytes   the weights
 * @param kvBytes       the KV cache at {@code nCtx} ({@link ModelFootprint#kvCacheBytes})
 * @param overheadBytes compute buffers and backend context ({@link FitEstimator#overheadBytes})
 * @param budget        what it was compared with
 */
public record FitEstimate(ModelFootprint model, int nCtx, long weightBytes, long kvBytes, long overheadBytes, MemoryBudget budget) {

    public enum Verdict {
        /** Needs no more than the capacity, and no more than what is free now when that is known. */
        FITS,
        /** Fits the capacity, but more than what is free now: other processes (or a loaded model) hold the rest. */
        FITS_WHEN_FREED,
        /** Needs more than the capacity. */
        DOES_NOT_FIT
    }

    public FitEstimate {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(budget, "budget");
    }

    /** Weights + KV cache + overhead, bytes. */
    public long totalBytes() {
        return weightBytes + kvBytes + overheadBytes;
    }

    public Verdict verdict() {
        if (totalBytes() > budget.capacityBytes()) {
            return Verdict.DOES_NOT_FIT;
        }
        if (budget.freeBytes().isPresent() && totalBytes() > budget.freeBytes().getAsLong()) {
            return Verdict.FITS_WHEN_FREED;
        }
        return Verdict.FITS;
    }

    /**
     * In plain words: "Llama-3.1-8B Q4_K_M at 8192 context needs about 5.9 GiB (4.5 weights + 1.0
     * KV + 0.3 overhead): fits in 24 GiB with 18 GiB to spare". Parts are rounded each on its own
     * ({@link Units#gib}), so they may not add up to the last digit.
     */
    public String describe() {
        String ctx = nCtx > model.nCtxTrain() ? nCtx + " context (trained for " + model.nCtxTrain() + ")" : nCtx + " context";
        String need = model.name() + " at " + ctx + " needs about " + Units.gib(totalBytes()) + " GiB ("
                + Units.gib(weightBytes) + " weights + " + Units.gib(kvBytes) + " KV + " + Units.gib(overheadBytes) + " overhead): ";
        long cap = budget.capacityBytes();
        return need + switch (verdict()) {
            case FITS -> "fits in " + Units.gib(cap) + " GiB with " + Units.gib(cap - totalBytes()) + " GiB to spare";
            case FITS_WHEN_FREED -> "fits in " + Units.gib(cap) + " GiB with " + Units.gib(cap - totalBytes())
                    + " GiB to spare, but only " + Units.gib(budget.freeBytes().getAsLong()) + " GiB is free now";
            case DOES_NOT_FIT -> "does not fit in " + Units.gib(cap) + " GiB (" + Units.gib(totalBytes() - cap) + " GiB short)";
        };
    }
}
