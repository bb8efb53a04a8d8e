package io.infernet.engines.inprocess;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code serve} reports healthy only once warm: the sampler compiled and two requests through the engine. */
@Tag("native")
class WarmEngineTest {

    @Test
    void healthSaysUpOnlyAfterTheWarmupRequestsRan() {
        InProcessOptions o = new InProcessOptions(null, 2, 512, 1, 0, 8, false);
        try (InProcessEngine e = InProcessEngine.open(o)) {
            long[] generatedWhenUp = {-1};
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(5)).alias("the engine reports healthy").until(() -> {
                if (e.health().up()) {
                    generatedWhenUp[0] = e.serveStats().generatedTokens();
                    return true;
                }
                return false;
            });
            assertTrue(generatedWhenUp[0] > 0, "the warm-up requests had generated tokens before health said up: " + generatedWhenUp[0]);
        }
    }
}
