package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.EngineException;
import io.infernet.engines.Health;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A fresh server warms its HTTP streaming path with streamed requests to itself, after the
 * engine's own warm-up, before /health says ok; a failed warm-up still ends in ok.
 */
class StreamingWarmupTest {

    @Test
    void healthSaysWarmingUpUntilTheStreamedRequestsToItselfEnd() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.health = Health.down("loading the model", Duration.ZERO);
        Semaphore tokens = engine.gated(8);
        ApiHarness h = new ApiHarness(engine, ServerConfig.defaults().withPort(0).withApiKey("sk-warm"));
        try {
            CompletableFuture<Integer> warm = h.server.warmUpStreaming(2, 8, 30);
            assertEquals(503, h.get("/health").statusCode());
            assertTrue(h.get("/health").body().contains("loading the model"), "the engine's own reason comes first");
            assertTrue(engine.requests.isEmpty(), "nothing is sent before the engine is up");

            engine.health = Health.up("ready", Duration.ZERO);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> engine.requests.size() == 2);
            var health = h.get("/health");
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("warming up: the HTTP streaming path"), health.body());
            assertEquals(8, engine.requests.getFirst().maxTokens());
            assertFalse(warm.isDone());

            tokens.release(1_000);
            // a request's stream: the role chunk, 8 tokens, the finish chunk and the usage chunk: 11; two rounds of two reach 30
            assertEquals(44, warm.get(30, TimeUnit.SECONDS));
            assertEquals(4, engine.requests.size());
            assertEquals(200, h.get("/health").statusCode());
            assertThrows(IllegalStateException.class, () -> h.server.warmUpStreaming(1, 1, 1), "one warm-up per server");
        } finally {
            h.server.close();
        }
    }

    @Test
    void aWarmUpThatFailsEndsAndHealthSaysOk() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.refuseWith = new EngineException(EngineException.Kind.UNSUPPORTED, "embeddings only");
        ApiHarness h = new ApiHarness(engine, ServerConfig.defaults().withPort(0));
        try {
            assertEquals(0, h.server.warmUpStreaming(4, 64, 512).get(30, TimeUnit.SECONDS));
            assertEquals(4, engine.requests.size(), "the first round's refusals end it: no retries");
            assertEquals(200, h.get("/health").statusCode());
        } finally {
            h.server.close();
        }
    }
}
