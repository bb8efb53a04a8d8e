package io.infernet.runtime.gguf;

import java.util.List;
import java.util.Optional;

/**
 * Lenient typed reads of a file's metadata for the validators: a value of the wrong kind or a
 * required key that is missing is added to {@code problems} (naming the key and what was
 * expected) and reads as empty, so one pass reports every problem. Not thread-safe.
 */
final class Meta {
    final GgufFile file;
    final List<String> problems;

    Meta(GgufFile file, List<String> problems) {
        this.file = file;
        this.problems = problems;
    }

    boolean has(String key) {
        return file.metadata().containsKey(key);
    }

    Optional<GgufValue> value(String key, boolean required) {
        GgufValue v = file.metadata().get(key);
        if (v == null && required) {
            problems.add(key + " is missing");
        }
        return Optional.ofNullable(v);
    }

    Optional<String> string(String key, boolean required) {
        return value(key, required).flatMap(v -> {
            if (v instanceof GgufValue.Str s) {
                return Optional.of(s.value());
            }
            problems.add(key + " is " + kind(v) + ", expected a string");
            return Optional.empty();
        });
    }

    /** An integer of any integer type (a UINT64 above 2^63 is a problem). */
    Optional<Long> integer(String key, boolean required) {
        return value(key, required).flatMap(v -> {
            if (v instanceof GgufValue.Int i && !(i.type() == GgufType.UINT64 && i.value() < 0)) {
                return Optional.of(i.value());
            }
            problems.add(key + " is " + (v instanceof GgufValue.Int i ? i.display() : kind(v)) + ", expected an integer");
            return Optional.empty();
        });
    }

    /** A float of either width. */
    Optional<Double> real(String key) {
        return value(key, false).flatMap(v -> {
            if (v instanceof GgufValue.Real r) {
                return Optional.of(r.value());
            }
            problems.add(key + " is " + kind(v) + ", expected a float");
            return Optional.empty();
        });
    }

    /**
     * A per-layer value, as llama.cpp's {@code get_key_or_arr} reads it: a scalar for every layer
     * or an integer array of exactly {@code layers} elements; {@code absent} for each layer if missing.
     */
    long[] perLayer(String key, int layers, long absent) {
        long[] out = new long[layers];
        java.util.Arrays.fill(out, absent);
        GgufValue v = file.metadata().get(key);
        if (v instanceof GgufValue.NumArray a && a.elementType().isInteger()) {
            if (a.size() != layers) {
                problems.add(key + " has " + a.size() + " values but the model has " + layers + " layers (block_count)");
                return out;
            }
            for (int i = 0; i < layers; i++) {
                out[i] = a.getLong(i);
                if (out[i] < 0) {
                    problems.add(key + " is " + a.getLong(i) + " for layer " + i + "; it cannot be negative");
                    out[i] = absent;
                }
            }
        } else if (v != null) {
            long x = integer(key, false).orElse(absent);
            if (x < 0) {
                problems.add(key + " is " + x + "; it cannot be negative");
                x = absent;
            }
            java.util.Arrays.fill(out, x);
        }
        return out;
    }

    /** Tokens in the vocabulary, or -1 without a token list. */
    int vocabSize() {
        return file.metadata().get(GgufKeys.TOKENS) instanceof GgufValue.StrArray a ? a.size() : -1;
    }

    static String kind(GgufValue v) {
        return v instanceof GgufValue.Array a ? "an array of " + a.elementType().shortName() : "a " + v.type().shortName() + " (" + v.display() + ")";
    }
}
