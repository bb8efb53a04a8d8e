package io.infernet.bench.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the serving load's prompt mixes send: one prompt per round, or different prompts across a round's streams. */
class PromptMixTest {

    /** Distinct prompts over round {@code i}'s {@code streams} streams, each sending 4 requests. */
    private static int distinctInRound(ServingBench.PromptMix mix, int streams, int i) {
        Set<String> seen = new HashSet<>();
        for (int s = 0; s < streams; s++) {
            seen.add(mix.prompts().get(LoadGenerator.promptIndex(s, 4, i, mix.prompts().size())));
        }
        return seen.size();
    }

    @Test
    void sharedSendsOnePromptPerRoundAndDistinctSevenOfEight() {
        for (int round = 0; round < 4; round++) {
            assertEquals(1, distinctInRound(ServingBench.PromptMix.SHARED, 8, round), "round " + round);
            assertEquals(7, distinctInRound(ServingBench.PromptMix.DISTINCT, 8, round), "round " + round);
            assertEquals(4, distinctInRound(ServingBench.PromptMix.DISTINCT, 4, round), "round " + round);
        }
    }
}
