package io.infernet.engines.remote;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One streamed generation of a remote engine. A virtual thread reads the response body line
 * by line, decodes each line and reports events in order: {@code Meta}, {@code Token}s, then
 * exactly one {@code Done} or {@code Error}.
 *
 * <p>Endings: the stream's end marker gives {@code Done} with the server's reason; a cancel
 * closes the body (the HTTP client then drops the connection, which tells the server to stop)
 * and always gives {@code Done(CANCEL)}; a connection lost, a stream cut short, an error line or
 * no byte for {@code idleTimeout} give {@code Error} naming the server. Usage is the server's
 * when it reports one; otherwise completion tokens are counted one per text chunk (vLLM,
 * llama-server and Ollama send one token per chunk) and prompt tokens are 0. Several choices
 * ({@code n > 1}) keep their own text and finish reason, by the index the server gives them.
 */
public final class RemoteGeneration implements Generation {

    /** Checks idle streams; one daemon thread for the whole process. */
    private static final class Watch {
        static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "infernet-remote-idle-watch");
            t.setDaemon(true);
            return t;
        });
    }

    private final String engine;
    private final String model;
    private final String server;
    private final InputStream body;
    private final StreamDecoder decoder;
    private final GenerationListener listener;
    private final Duration idleTimeout;
    private final Runnable onEnd;
    private final CompletableFuture<GenerationEvent> completion = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean idle = new AtomicBoolean();
    private volatile long lastByteNanos = System.nanoTime();

    /**
     * @param engine      the engine kind, for {@code Meta}
     * @param model       the model as asked, for {@code Meta}
     * @param server      who streams, for messages
     * @param body        the open response body; this generation closes it
     * @param listener    receives the events on this generation's reader thread
     * @param onEnd       runs once after the terminal event (the engine forgets the generation)
     */
    public RemoteGeneration(String engine, String model, String server, InputStream body, StreamDecoder decoder,
                            GenerationListener listener, Duration idleTimeout, Runnable onEnd) {
        this.engine = engine;
        this.model = model;
        this.server = server;
        this.body = body;
        this.decoder = decoder;
        this.listener = listener;
        this.idleTimeout = idleTimeout;
        this.onEnd = onEnd;
    }

    /** Starts the reader thread; events follow on it. */
    public RemoteGeneration start() {
        long period = Math.clamp(idleTimeout.toMillis() / 4, 20, 1000);
        ScheduledFuture<?> watch = Watch.TIMER.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
        Thread.ofVirtual().name("infernet-" + engine + "-stream").start(() -> {
            try {
                run();
            } finally {
                watch.cancel(false);
                onEnd.run();
            }
        });
        return this;
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            closeBody();
        }
    }

    @Override
    public CompletableFuture<GenerationEvent> completion() {
        return completion;
    }

    private void checkIdle() {
        if (!completion.isDone() && System.nanoTime() - lastByteNanos > idleTimeout.toNanos() && idle.compareAndSet(false, true)) {
            closeBody();
        }
    }

    private void closeBody() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is best effort; the reader sees the stream end either way
        }
    }

    /** Per choice index, as the stream reports them: its text, its chat deltas and its finish reason. */
    private final class Outputs {
        private final List<Output> choices = new ArrayList<>();
        int chunks;

        /** One choice's output so far. */
        private static final class Output {
            final StringBuilder text = new StringBuilder();
            final ChatAssembler chat = new ChatAssembler();
            FinishReason reason;
        }

        Output choice(int index) {
            while (choices.size() <= index) {
                choices.add(new Output());
            }
            return choices.get(index);
        }

        boolean anyFinished() {
            return choices.stream().anyMatch(o -> o.reason != null);
        }

        /**
         * The end: each choice's last deltas (its last call's end) are emitted unless cancelled, its
         * message folded from its deltas, and its reason the server's ({@code fallback} where the
         * server gave none, and for every choice of a cancelled stream); a "stop" after calls is
         * {@link FinishReason#TOOL_CALLS} (Ollama says stop).
         */
        GenerationEvent.Done done(FinishReason fallback, Usage usage) {
            choice(0);
            List<GenerationEvent.Choice> out = new ArrayList<>();
            for (int i = 0; i < choices.size(); i++) {
                Output o = choices.get(i);
                List<ChatDelta> rest = o.chat.finish();
                if (!rest.isEmpty() && fallback != FinishReason.CANCEL) {
                    emit(new GenerationEvent.Token("", -1, rest, i, null));
                }
                ParsedMessage message = o.chat.message();
                FinishReason r = fallback == FinishReason.CANCEL || o.reason == null ? fallback : o.reason;
                if (r == FinishReason.STOP && message.hasToolCalls()) {
                    r = FinishReason.TOOL_CALLS;
                }
                out.add(new GenerationEvent.Choice(i, r, o.text.toString(), message));
            }
            return new GenerationEvent.Done(usage != null ? usage : new Usage(0, chunks), Instant.now(), out);
        }
    }

    private void run() {
        Outputs out = new Outputs();
        Usage usage = null;
        if (!emit(new GenerationEvent.Meta(engine, model, Instant.now(), -1))) {
            finishCancelled(out, usage);
            return;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lastByteNanos = System.nanoTime();
                List<StreamChunk> decoded;
                try {
                    decoded = decoder.decode(line);
                } catch (RuntimeException e) {
                    finish(error("the " + server + " sent a line that is not what its protocol allows (" + e.getMessage() + "): "
                            + abbreviate(line)));
                    return;
                }
                for (StreamChunk c : decoded) {
                    if (cancelled.get()) {
                        finishCancelled(out, usage);
                        return;
                    }
                    switch (c) {
                        case StreamChunk.Text t -> {
                            if (!t.text().isEmpty() || t.logprob() != null) {
                                Outputs.Output o = out.choice(t.index());
                                o.text.append(t.text());
                                out.chunks++;
                                if (!emit(new GenerationEvent.Token(t.text(), -1, o.chat.deltas(t), t.index(), t.logprob()))) {
                                    finishCancelled(out, usage);
                                    return;
                                }
                            }
                        }
                        case StreamChunk.Reasoning r -> {
                            out.chunks++;
                            if (!emit(new GenerationEvent.Token("", -1, out.choice(r.index()).chat.deltas(r), r.index(), null))) {
                                finishCancelled(out, usage);
                                return;
                            }
                        }
                        case StreamChunk.ToolCallPiece p -> {
                            out.chunks++;
                            if (!emit(new GenerationEvent.Token("", -1, out.choice(p.choice()).chat.deltas(p), p.choice(), null))) {
                                finishCancelled(out, usage);
                                return;
                            }
                        }
                        case StreamChunk.Finish f -> out.choice(f.index()).reason = f.reason();
                        case StreamChunk.Counts u -> usage = u.usage();
                        case StreamChunk.Failed f -> {
                            finish(error("the " + server + " reported an error mid-stream: " + f.message()));
                            return;
                        }
                        case StreamChunk.End e -> {
                            finish(out.done(FinishReason.STOP, usage));
                            return;
                        }
                    }
                }
            }
            if (cancelled.get()) {
                finishCancelled(out, usage);
            } else if (idle.get()) {
                finish(idleError());
            } else if (out.anyFinished()) {
                finish(out.done(FinishReason.STOP, usage)); // finished, only the end marker is missing
            } else {
                finish(error("the " + server + " closed the stream before the generation finished (after " + out.chunks
                        + " chunks); it may have crashed or been stopped"));
            }
        } catch (IOException e) {
            if (cancelled.get()) {
                finishCancelled(out, usage);
            } else if (idle.get()) {
                finish(idleError());
            } else {
                finish(error("lost the connection to the " + server + " mid-stream (after " + out.chunks + " chunks): "
                        + HttpFailures.describe(e, RemoteOptions.DEFAULTS)));
            }
        }
    }

    private GenerationEvent.Error idleError() {
        return error("the " + server + " sent nothing for " + idleTimeout.toSeconds() + " s; gave up on the generation");
    }

    private static GenerationEvent.Error error(String message) {
        return new GenerationEvent.Error(message, Instant.now());
    }

    private void finishCancelled(Outputs out, Usage usage) {
        closeBody();
        finish(out.done(FinishReason.CANCEL, usage));
    }

    /** Delivers a non-terminal event; false when the listener threw, which cancels the generation. */
    private boolean emit(GenerationEvent e) {
        try {
            listener.onEvent(e);
            return true;
        } catch (RuntimeException thrown) {
            cancelled.set(true);
            return false;
        }
    }

    private void finish(GenerationEvent terminal) {
        try {
            listener.onEvent(terminal);
        } catch (RuntimeException ignored) {
            // the generation is over; a listener that fails on its last event changes nothing
        } finally {
            completion.complete(terminal);
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
