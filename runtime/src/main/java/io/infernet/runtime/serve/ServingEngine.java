package io.infernet.runtime.serve;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.ContextOverflowException;
import io.infernet.runtime.Model;
import io.infernet.runtime.TokenSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Continuous batching over one model: requests join and leave between steps, and each step is
 * one {@code llama_decode} for every active sequence. One platform thread (the engine thread)
 * owns the {@code llama_context}; callers only post requests and cancellations, and receive
 * events through their {@link SequenceListener}.
 *
 * <p>A failure of one request ends that request ({@link SequenceFailure}). A fatal one (a fatal
 * {@code llama_decode} status poisons the context) ends every request in the engine with
 * {@link SequenceFailure.Cause#UNAVAILABLE}; the engine thread then frees the context and makes
 * a new one on the same model, logging both, and serves again. Meanwhile {@link #healthy()} is
 * false, {@link #brokenReason()} says why, and new requests are refused.
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

    /** A request this engine cannot take as asked; {@link #param()} names the request field at fault. */
    public static final class InvalidRequestException extends IllegalArgumentException {
        private final String param;

        InvalidRequestException(String param, String message) {
            super(message);
            this.param = param;
        }

        /** The field of the API request, e.g. {@code logit_bias}. */
        public String param() {
            return param;
        }
    }

    private static final System.Logger LOG = System.getLogger(ServingEngine.class.getName());

    private final Model model;
    private final ServeConfig config;
    private final BiFunction<SamplingParams, Integer, TokenSampler> samplers;
    private final LinkedBlockingQueue<Sequence> inbox = new LinkedBlockingQueue<>();
    /** Requests submitted and not yet finished (waiting or running). */
    private final AtomicInteger inSystem = new AtomicInteger();
    private final AtomicLong arrivals = new AtomicLong();
    private final Decoder decoder;
    /** The loop running now; replaced by the engine thread after a fatal failure. */
    private volatile EngineLoop loop;
    /** Set while a new loop is being made after a fatal failure: why. */
    private volatile String restarting;
    /** Set when no new loop could be made: the engine is down for good, and why. */
    private volatile String down;
    private final AtomicInteger restarts = new AtomicInteger();
    private final Thread thread;
    /**
     * Platform threads for the native calls a request makes before it is queued (tokenizing,
     * the chat template): a virtual thread inside a native call would pin its carrier, and the
     * model must outlive every such call (see {@link #close()}).
     */
    private final ExecutorService prep;
    private volatile boolean closing;

    /**
     * Creates the context and starts the engine thread.
     *
     * @param samplers makes the sampler of each request from its parameters and the vocabulary size
     */
    public ServingEngine(Model model, ServeConfig config, BiFunction<SamplingParams, Integer, TokenSampler> samplers) {
        this(model, config, samplers, Decoder.LLAMA);
    }

    /** With {@code decoder} in place of {@code llama_decode} (tests of the fatal path). */
    ServingEngine(Model model, ServeConfig config, BiFunction<SamplingParams, Integer, TokenSampler> samplers, Decoder decoder) {
        this.model = model;
        this.config = config;
        this.samplers = samplers;
        this.decoder = decoder;
        this.loop = new EngineLoop(model, config, inbox, inSystem, decoder);
        this.thread = Thread.ofPlatform().name("infernet-engine").daemon(true).unstarted(this::runLoops);
        this.prep = Executors.newFixedThreadPool(PREP_THREADS, Thread.ofPlatform().name("infernet-prep-", 0).daemon(true).factory());
        thread.start();
    }

    /** Threads for per-request native work: tokenizing is fast; two keep one long prompt from holding up the rest. */
    private static final int PREP_THREADS = 2;

    /** The engine thread: runs the loop; after a fatal failure, replaces it with a new one on a new context. */
    private void runLoops() {
        while (true) {
            EngineLoop current = loop;
            current.run(); // returns once stopped or failed, its context freed
            if (closing || !current.failed()) {
                return;
            }
            restarting = current.brokenReason();
            LOG.log(System.Logger.Level.WARNING, "restarting the engine with a new context after " + restarting);
            EngineLoop next;
            try {
                next = new EngineLoop(model, config, inbox, inSystem, decoder);
            } catch (RuntimeException e) {
                down = "the engine stopped after " + restarting + ", and a new context could not be made: " + e.getMessage();
                LOG.log(System.Logger.Level.ERROR, down, e);
                failQueued(down);
                return;
            }
            loop = next;
            if (closing) {
                next.stop();
            }
            restarts.incrementAndGet();
            restarting = null;
            LOG.log(System.Logger.Level.WARNING, "the engine restarted with a new context and serves again (restart "
                    + restarts.get() + " since start)");
        }
    }

    /** Requests that reached the inbox of an engine that is down for good. */
    private void failQueued(String why) {
        SequenceFailure f = new SequenceFailure(SequenceFailure.Cause.UNAVAILABLE, null, "The engine is down: " + why);
        Sequence queued;
        while ((queued = inbox.poll()) != null) {
            for (Sequence s : queued.choices()) { // only a request's first choice is queued; the others end with it
                inSystem.decrementAndGet();
                try {
                    s.listener.onFailure(f);
                } catch (RuntimeException ignored) {
                    // nothing more can be done for it
                }
            }
        }
    }

    /** Times the engine made a new context after a fatal failure. */
    public int restarts() {
        return restarts.get();
    }

    /**
     * Runs a request's native work (tokenizing, applying a chat template) on one of the engine's
     * platform threads and waits for it; the caller may be a virtual thread.
     *
     * @throws EngineStoppedException if the engine is closing (the work did not run)
     * @throws RuntimeException       what the work threw
     */
    public <T> T callNative(Callable<T> work) {
        Future<T> f;
        try {
            f = prep.submit(() -> {
                if (closing) {
                    throw new EngineStoppedException("the engine is shutting down");
                }
                return work.call();
            });
        } catch (RejectedExecutionException e) {
            throw new EngineStoppedException("the engine is shutting down");
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new EngineStoppedException("interrupted while preparing the request");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    public Model model() {
        return model;
    }

    public ServeConfig config() {
        return config;
    }

    /** Tokens one sequence may hold in all (prompt and output). */
    public int maxSequenceTokens() {
        return loop.maxSequenceTokens();
    }

    /**
     * Queues a request of one choice.
     *
     * @throws IllegalArgumentException if the request asks for several choices (use {@link #submit(ServeRequest, IntFunction)}),
     *                                  or as there
     * @see #submit(ServeRequest, IntFunction)
     */
    public Handle submit(ServeRequest request, SequenceListener listener) {
        if (request.decoding().n() > 1) {
            throw new IllegalArgumentException("a request for " + request.decoding().n() + " choices needs a listener per choice");
        }
        return submit(request, choice -> listener);
    }

    /**
     * Queues a request; each of its {@code n} choices reports to its own listener.
     *
     * Everything the request sizes is bounded here, before its samplers (whose penalty window is an
     * array) are made: the penalty window by the tokens a sequence may hold, logit_bias by the
     * vocabulary.
     *
     * @param listeners the listener of choice {@code i} ({@code 0 <= i < n}), asked once per choice, now
     * @throws ContextOverflowException if the prompt leaves no room to generate
     * @throws InvalidRequestException  if a parameter is outside what this model takes (a token id outside the
     *                                  vocabulary, a penalty window beyond the context, a budget the output
     *                                  constraint cannot complete within)
     * @throws IllegalArgumentException if the output constraint was compiled for another vocabulary
     * @throws QueueFullException       if {@code maxQueue} requests are already waiting
     * @throws EngineStoppedException   if the engine is closed, restarting or down
     */
    public Handle submit(ServeRequest request, IntFunction<? extends SequenceListener> listeners) {
        String broken = brokenReason();
        if (broken != null) {
            throw new EngineStoppedException(broken);
        }
        int room = loop.maxSequenceTokens();
        if (request.promptTokens().length + 1 > room) {
            throw new ContextOverflowException(request.promptTokens().length, room);
        }
        int vocab = model.vocab().size();
        for (int t : request.promptTokens()) {
            model.vocab().checkToken(t);
        }
        for (int t : request.sampling().logitBias().keySet()) {
            if (t >= vocab) {
                throw new InvalidRequestException("logit_bias", "logit_bias names token id " + t + ", but this model's vocabulary has ids 0.."
                        + (vocab - 1) + "; remove it or use an id below " + vocab + ".");
            }
        }
        int window = request.sampling().penaltyLastN();
        if (window > room) {
            throw new InvalidRequestException("repeat_last_n", "repeat_last_n must be at most the context of " + room
                    + " tokens (or -1 for all of it), got " + window + ".");
        }
        checkConstraint(request, room, vocab);
        int n = request.decoding().n();
        int before = inSystem.getAndAdd(n);
        if (before + 1 > config.maxQueue() + config.parallel()) {
            inSystem.addAndGet(-n);
            throw new QueueFullException(before, Duration.ofSeconds(Math.max(1, (before + 1) / Math.max(1, config.parallel()))));
        }
        long first = arrivals.getAndAdd(n) + 1;
        Sequence.Group group = n > 1 ? new Sequence.Group(n) : null;
        List<Sequence> choices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SamplingParams sampling = i == 0 ? request.sampling() : request.sampling().withSeed(request.sampling().seed() + i);
            choices.add(new Sequence(first + i, request, listeners.apply(i), samplers.apply(sampling, vocab), i, group));
        }
        if (group != null) {
            group.leader = choices.getFirst();
            group.followers.addAll(choices.subList(1, n));
        }
        inbox.add(choices.getFirst());
        loop.wake();
        return () -> {
            choices.forEach(Sequence::cancel);
            loop.wake();
        };
    }

    private static void checkConstraint(ServeRequest request, int room, int vocab) {
        OutputConstraint c = request.decoding().constraint();
        if (c == null) {
            return;
        }
        if (c.vocabSize() != vocab) {
            throw new IllegalArgumentException("the output constraint was compiled for a vocabulary of " + c.vocabSize()
                    + " tokens, but the model has " + vocab);
        }
        int left = room - request.promptTokens().length;
        if (request.maxTokens() < c.minTokens() && request.maxTokens() <= left) {
            throw new InvalidRequestException("max_tokens", "max_tokens is " + request.maxTokens()
                    + ", but the shortest output the requested format allows may need " + c.minTokens()
                    + " tokens; raise max_tokens to at least " + c.minTokens());
        }
        if (left < c.minTokens()) {
            throw new IllegalArgumentException("the prompt leaves room for " + left
                    + " tokens, but the shortest output the requested format allows may need " + c.minTokens() + "; shorten the prompt");
        }
    }

    /** Counters now; safe from any thread. */
    public ServeStats stats() {
        return loop.stats();
    }

    /** Whether the engine thread is alive, its context usable, and it is neither restarting nor closing. */
    public boolean healthy() {
        return brokenReason() == null && thread.isAlive();
    }

    /** Why the engine cannot serve now, or null. */
    public String brokenReason() {
        if (closing) {
            return "the engine is shutting down";
        }
        if (down != null) {
            return down;
        }
        String r = restarting;
        if (r != null) {
            return "the engine is restarting with a new context after " + r + "; retry in a few seconds";
        }
        EngineLoop current = loop;
        return current.failed() ? "the engine is restarting with a new context after " + current.brokenReason()
                + "; retry in a few seconds" : current.brokenReason();
    }

    /**
     * Stops the engine: native work in progress finishes and queued work is refused
     * ({@link EngineStoppedException}); running and queued sequences end as cancelled; the
     * context is freed. After this returns no thread of the engine touches the model, which the
     * caller may then free.
     */
    @Override
    public void close() {
        closing = true;
        prep.shutdown();
        try {
            if (!prep.awaitTermination(30, TimeUnit.SECONDS)) {
                System.getLogger(ServingEngine.class.getName()).log(System.Logger.Level.WARNING,
                        "a request's native work is still running 30 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.stop();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
