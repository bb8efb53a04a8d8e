package io.infernet.engines.remote;

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
 * llama-server and Ollama send one token per chunk) and prompt tokens are 0.
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

    private void run() {
        StringBuilder text = new StringBuilder();
        ChatAssembler chat = new ChatAssembler();
        FinishReason reason = null;
        Usage usage = null;
        int chunks = 0;
        if (!emit(new GenerationEvent.Meta(engine, model, Instant.now(), -1))) {
            finishCancelled(text, chat, usage, chunks);
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
                        finishCancelled(text, chat, usage, chunks);
                        return;
                    }
                    switch (c) {
                        case StreamChunk.Text t -> {
                            if (!t.text().isEmpty()) {
                                text.append(t.text());
                                chunks++;
                                if (!emit(new GenerationEvent.Token(t.text(), -1, chat.deltas(t)))) {
                                    finishCancelled(text, chat, usage, chunks);
                                    return;
                                }
                            }
                        }
                        case StreamChunk.Reasoning r -> {
                            chunks++;
                            if (!emit(new GenerationEvent.Token("", -1, chat.deltas(r)))) {
                                finishCancelled(text, chat, usage, chunks);
                                return;
                            }
                        }
                        case StreamChunk.ToolCallPiece p -> {
                            chunks++;
                            if (!emit(new GenerationEvent.Token("", -1, chat.deltas(p)))) {
                                finishCancelled(text, chat, usage, chunks);
                                return;
                            }
                        }
                        case StreamChunk.Finish f -> reason = f.reason();
                        case StreamChunk.Counts u -> usage = u.usage();
                        case StreamChunk.Failed f -> {
                            finish(error("the " + server + " reported an error mid-stream: " + f.message()));
                            return;
                        }
                        case StreamChunk.End e -> {
                            finishDone(reason == null ? FinishReason.STOP : reason, text, chat, usage, chunks);
                            return;
                        }
                    }
                }
            }
            if (cancelled.get()) {
                finishCancelled(text, chat, usage, chunks);
            } else if (idle.get()) {
                finish(idleError());
            } else if (reason != null) {
                finishDone(reason, text, chat, usage, chunks); // finished, only the end marker is missing
            } else {
                finish(error("the " + server + " closed the stream before the generation finished (after " + chunks
                        + " chunks); it may have crashed or been stopped"));
            }
        } catch (IOException e) {
            if (cancelled.get()) {
                finishCancelled(text, chat, usage, chunks);
            } else if (idle.get()) {
                finish(idleError());
            } else {
                finish(error("lost the connection to the " + server + " mid-stream (after " + chunks + " chunks): "
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

    private void finishDone(FinishReason reason, StringBuilder text, ChatAssembler chat, Usage usage, int chunks) {
        List<io.infernet.chat.parse.ChatDelta> rest = chat.finish();
        if (!rest.isEmpty() && reason != FinishReason.CANCEL) {
            emit(new GenerationEvent.Token("", -1, rest));
        }
        io.infernet.chat.parse.ParsedMessage message = chat.message();
        if (reason == FinishReason.STOP && message.hasToolCalls()) {
            reason = FinishReason.TOOL_CALLS; // a server that says "stop" after calls (Ollama) ended its turn with them
        }
        finish(new GenerationEvent.Done(reason, text.toString(), usage != null ? usage : new Usage(0, chunks), Instant.now(), message));
    }

    private void finishCancelled(StringBuilder text, ChatAssembler chat, Usage usage, int chunks) {
        closeBody();
        finishDone(FinishReason.CANCEL, text, chat, usage, chunks);
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
