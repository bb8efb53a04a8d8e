package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A streamed answer's loop on a platform thread of its own: its result, its failures, and a server stop. */
class StreamThreadTest {

    @Test
    void aVirtualHandlerThreadGetsTheLoopsResultFromAPlatformThread() throws Exception {
        CompletableFuture<String> out = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                out.complete(StreamThread.call("infernet-stream test", () -> {
                    Thread t = Thread.currentThread();
                    return (t.isVirtual() ? "virtual " : "platform ") + t.getName() + (t.isDaemon() ? " daemon" : "");
                }));
            } catch (Throwable t) {
                out.completeExceptionally(t);
            }
        });
        assertEquals("platform infernet-stream test daemon", out.get(10, TimeUnit.SECONDS));
    }

    @Test
    void whatTheLoopThrowsIsThrownToTheCaller() {
        ApiException e = new ApiException(400, ApiException.INVALID_REQUEST, "model", null, "no");
        assertSame(e, assertThrows(ApiException.class, () -> StreamThread.call("t", () -> {
            throw e;
        })));
        assertThrows(InterruptedException.class, () -> StreamThread.call("t", () -> {
            throw new InterruptedException("stopped");
        }));
        assertThrows(StackOverflowError.class, () -> StreamThread.call("t", () -> {
            throw new StackOverflowError();
        }));
    }

    /** The server stops: the handler's interrupt stops the loop at its wait, and the handler returns only after the loop ended. */
    @Test
    void anInterruptedCallerInterruptsTheLoopAndWaitsForItToEnd() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicBoolean loopEnded = new AtomicBoolean();
        CompletableFuture<Boolean> endedBeforeReturn = new CompletableFuture<>();
        Thread handler = Thread.ofVirtual().start(() -> {
            try {
                StreamThread.call("t", () -> {
                    try {
                        waiting.countDown();
                        new CountDownLatch(1).await(); // an event that never comes
                        return null;
                    } finally {
                        loopEnded.set(true);
                    }
                });
                endedBeforeReturn.completeExceptionally(new AssertionError("returned normally"));
            } catch (InterruptedException e) {
                endedBeforeReturn.complete(loopEnded.get());
            } catch (Throwable t) {
                endedBeforeReturn.completeExceptionally(t);
            }
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        handler.interrupt();
        assertTrue(endedBeforeReturn.get(10, TimeUnit.SECONDS), "the loop ended before the handler went on");
        handler.join(10_000);
        assertFalse(handler.isAlive());
    }
}
