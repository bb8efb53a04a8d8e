package io.infernet.runtime.serve;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.ContextOverflowException;
import io.infernet.runtime.Model;
import io.infernet.runtime.TokenSampler;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Continuous batching over one model: requests join and leave between steps, and each step is
 * one {@code llama_decode} for every active sequence. One platform thread (the engine thread)
 * owns the {@code llama_context}; callers only post requests and cancellations, and receive
 * events through their {@link SequenceListener}.
 */
public final class ServingEngine implements AutoCloseable {

    /** A submitted request: cancel it from any thread. */
    public interface Handle {
        /** Stops the sequence within one engine step; it then finishes with {@link Finish#CANCEL}. */
        void cancel();
    }

    /** The queue is full. */
    public static final class QueueFullException extends RuntimeException {
        private final Duration retryAfter;

        QueueFullException(int queued, Duration retryAfter) {
            super("the server is busy: " + queued + " requests are already waiting; retry in " + retryAfter.toSeconds() + " s");
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /** The engine stopped (closed, or a fatal native error). */
    public static final class EngineStoppedException extends RuntimeException {
        EngineStoppedException(String message) {
            super(message);
        }
    }

    private final Model model;
    private final ServeConfig config;
    private final BiFunction<SamplingParams, Integer, TokenSampler> samplers;
    private final LinkedBlockingQueue<Sequence> inbox = new LinkedBlockingQueue<>();
    /** Requests submitted and not yet finished (waiting or running). */
    private final AtomicInteger inSystem = new AtomicInteger();
    private final AtomicLong arrivals = new AtomicLong();
    private final EngineLoop loop;
    private final Thread thread;

    /**
     * Creates the context and starts the engine thread.
     *
     * @param samplers makes the sampler of each request from its parameters and the vocabulary size
     */
    public ServingEngine(Model model, ServeConfig config, BiFunction<SamplingParams, Integer, TokenSampler> samplers) {
        this.model = model;
        this.config = config;
        this.samplers = samplers;
        this.loop = new EngineLoop(model, config, inbox, inSystem);
        this.thread = Thread.ofPlatform().name("infernet-engine").daemon(true).unstarted(loop);
        thread.start();
    }

    public Model model() {
        return model;
    }

    public ServeConfig config() {
        return config;
    }

    /** Tokens one sequence may hold in all (prompt and output). */
    public int contextLength() {
        return loop.contextLength();
    }

    /**
     * Queues a request.
     *
     * @throws ContextOverflowException if the prompt leaves no room to generate
     * @throws QueueFullException       if {@code maxQueue} requests are already waiting
     * @throws EngineStoppedException   if the engine is closed or broken
     */
    public Handle submit(ServeRequest request, SequenceListener listener) {
        String broken = loop.brokenReason();
        if (broken != null) {
            throw new EngineStoppedException(broken);
        }
        int room = loop.contextLength();
        if (request.promptTokens().length + 1 > room) {
            throw new ContextOverflowException(request.promptTokens().length, room);
        }
        int vocab = model.vocab().size();
        for (int t : request.promptTokens()) {
            model.vocab().checkToken(t);
        }
        for (int t : request.sampling().logitBias().keySet()) {
            if (t >= vocab) {
                throw new IllegalArgumentException("logit_bias names token " + t + " but the vocabulary has ids 0.." + (vocab - 1));
            }
        }
        int waiting = inSystem.incrementAndGet();
        if (waiting > config.maxQueue() + config.parallel()) {
            inSystem.decrementAndGet();
            throw new QueueFullException(waiting - 1, Duration.ofSeconds(Math.max(1, waiting / Math.max(1, config.parallel()))));
        }
        Sequence s = new Sequence(arrivals.incrementAndGet(), request, listener, samplers.apply(request.sampling(), vocab));
        inbox.add(s);
        loop.wake();
        return () -> {
            s.cancel();
            loop.wake();
        };
    }

    /** Counters now; safe from any thread. */
    public ServeStats stats() {
        return loop.stats();
    }

    /** Whether the engine thread is alive and its context usable. */
    public boolean healthy() {
        return thread.isAlive() && loop.brokenReason() == null;
    }

    /** Why the engine cannot serve, or null. */
    public String brokenReason() {
        return loop.brokenReason();
    }

    /** Stops the engine: running and queued sequences end as cancelled; the context is freed. */
    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
