package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    private static final SamplingParams G = SamplingParams.greedy();

    @Test
    void everyOutOfRangeValueIsRejectedWithItsName() {
        rejects("temperature", () -> G.withTemperature(-0.1f));
        rejects("temperature", () -> G.withTemperature(Float.NaN));
        rejects("temperature", () -> G.withTemperature(Float.POSITIVE_INFINITY));
        rejects("top_k", () -> G.withTopK(-1));
        rejects("top_p", () -> G.withTopP(0f));
        rejects("top_p", () -> G.withTopP(1.01f));
        rejects("top_p", () -> G.withTopP(Float.NaN));
        rejects("min_p", () -> G.withMinP(-0.01f));
        rejects("min_p", () -> G.withMinP(1.5f));
        rejects("min_p", () -> G.withMinP(Float.NaN));
        rejects("repeat_penalty", () -> G.withRepeatPenalty(0f, 64));
        rejects("repeat_penalty", () -> G.withRepeatPenalty(-1f, 64));
        rejects("repeat_penalty", () -> G.withRepeatPenalty(Float.POSITIVE_INFINITY, 64));
        rejects("penalty_last_n", () -> G.withRepeatPenalty(1.1f, -2));
        rejects("frequency_penalty", () -> G.withFrequencyPenalty(2.5f));
        rejects("frequency_penalty", () -> G.withFrequencyPenalty(Float.NaN));
        rejects("presence_penalty", () -> G.withPresencePenalty(-2.5f));
        rejects("logit_bias token id", () -> G.withLogitBias(Map.of(-1, 1f)));
        rejects("logit_bias for token 3", () -> G.withLogitBias(Map.of(3, Float.NaN)));
        rejects("logit_bias for token 3", () -> G.withLogitBias(Map.of(3, Float.POSITIVE_INFINITY)));
        assertThrows(NullPointerException.class, () -> G.withLogitBias(null));
    }

    @Test
    void edgesAndOffValuesAreAccepted() {
        var p = G.withTemperature(0f).withTopK(0).withTopP(1f).withMinP(0f).withRepeatPenalty(1f, -1)
                .withFrequencyPenalty(-2f).withPresencePenalty(2f).withLogitBias(Map.of(0, Float.NEGATIVE_INFINITY));
        assertTrue(p.isGreedy());
        assertTrue(p.hasPenalties());
        assertFalse(G.hasPenalties());
        assertFalse(SamplingParams.defaults().isGreedy());
        assertEquals(1f, G.withMinP(1f).minP());
    }

    @Test
    void theBiasMapIsCopied() {
        var bias = new HashMap<Integer, Float>();
        bias.put(1, 2f);
        var p = G.withLogitBias(bias);
        bias.put(2, 3f);
        assertEquals(Map.of(1, 2f), p.logitBias());
        assertThrows(UnsupportedOperationException.class, () -> p.logitBias().put(5, 1f));
    }

    @Test
    void withMethodsChangeOnlyTheirField() {
        var p = G.withTemperature(0.7f).withTopK(40).withTopP(0.9f).withMinP(0.05f).withRepeatPenalty(1.1f, 32)
                .withFrequencyPenalty(0.1f).withPresencePenalty(0.2f).withLogitBias(Map.of(7, -1f)).withSeed(9);
        assertEquals(new SamplingParams(0.7f, 40, 0.9f, 0.05f, 1.1f, 32, 0.1f, 0.2f, Map.of(7, -1f), 9), p);
    }

    private static void rejects(String name, Supplier<SamplingParams> make) {
        var e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }
}
