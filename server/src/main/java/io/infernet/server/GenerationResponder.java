package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one parsed generation request and writes its answer, streamed (SSE) or whole, in the
 * shape of a {@link ResponseFormat}. Shared by the chat and text completion endpoints.
 *
 * <p>Runs on the request's virtual thread and blocks on the engine's events. A client that
 * goes away mid-stream is noticed at the next write (a token or a keep-alive) and its
 * generation is cancelled. A non-streamed request's connection is watched while it waits
 * ({@link EdgeConnection#watchClose}): a client that goes away has its generation cancelled
 * within one engine step, as llama-server does.
 *
 * <p>A stream's first chunk goes out with its first token (or its end), so a request that fails
 * before producing anything (every token banned) still gets a plain HTTP error.
 */
final class GenerationResponder {

    private static final SecureRandom IDS = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final Generations generations;
    private final Duration keepAlive;
    private final ServedModels models;
    private final ServerConfig cfg;
    private final EdgeConfig edge;

    GenerationResponder(Generations generations, ServerConfig cfg, EdgeConfig edge, ServedModels models) {
        this.generations = generations;
        this.keepAlive = cfg.streamKeepAlive();
        this.cfg = cfg;
        this.edge = edge;
        this.models = models;
    }

    /**
     * A generation request's body: no larger than this server's limit, nor than the largest
     * served context could hold ({@link EdgeConfig#bodyBytesPerToken()} bytes per token), checked
     * before anything is parsed or tokenized.
     */
    ObjectNode readBody(ServerRequest req) {
        int context = models.maxContextTokens();
        long byContext = edge.generationBodyBytes(context);
        return byContext < cfg.maxBodyBytes()
                ? RequestBody.readObject(req, byContext, "what a context of " + context + " tokens can hold (" + edge.bodyBytesPerToken()
                        + " bytes per token and " + EdgeConfig.BODY_SLACK_BYTES + " more)")
                : RequestBody.readObject(req, cfg.maxBodyBytes());
    }

    void respond(ServerResponse res, RequestParser.ParsedGeneration parsed, ResponseFormat format) {
        ServedModels.Resolved model = models.resolve(parsed.request().model());
        GenerationRequest request = parsed.request().withModel(model.engineModel());
        GenerationStream stream = generations.start(request);
        String id = format.idPrefix() + randomId();
        long created = Instant.now().getEpochSecond();
        String fallbackModel = model.report(request.model() == null ? "" : request.model());
        try {
            if (parsed.stream()) {
                stream(res, stream, format, id, created, model, fallbackModel, parsed.includeUsage());
            } else {
                whole(res, stream, format, model, new ResponseFormat.Ids(id, created, fallbackModel, false));
            }
        } catch (InterruptedException e) {
            stream.cancel();
            Thread.currentThread().interrupt();
            throw OpenAiErrors.shuttingDown();
        } catch (RuntimeException e) {
            stream.cancel(); // never leave a generation running for an answer no one will write
            throw e;
        }
    }

    private static void whole(ServerResponse res, GenerationStream stream, ResponseFormat format, ServedModels.Resolved model,
                              ResponseFormat.Ids ids) throws InterruptedException {
        AtomicBoolean gone = new AtomicBoolean();
        Runnable onGone = () -> {
            gone.set(true);
            stream.cancel();
        };
        try (EdgeConnection.Watch watch = EdgeConnection.current().map(c -> c.watchClose(onGone)).orElse(EdgeConnection.Watch.NONE)) {
            wholeUntilDone(res, stream, format, model, ids, gone);
        }
    }

    private static void wholeUntilDone(ServerResponse res, GenerationStream stream, ResponseFormat format, ServedModels.Resolved model,
                                       ResponseFormat.Ids ids, AtomicBoolean gone) throws InterruptedException {
        while (true) {
            switch (stream.next(Duration.ZERO)) {
                case GenerationEvent.Meta m -> ids = new ResponseFormat.Ids(ids.id(), ids.created(), model.report(m.model()), false);
                case GenerationEvent.Token t -> { }
                case GenerationEvent.Done d -> {
                    if (d.reason() == FinishReason.CANCEL) {
                        if (gone.get()) {
                            throw new ClientClosedException("the client closed the connection while its answer was generated", false);
                        }
                        throw OpenAiErrors.shuttingDown();
                    }
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(Json.bytes(format.complete(ids, d.text(), d.reason(), d.usage())));
                    return;
                }
                case GenerationEvent.Error e -> throw generationFailed(e);
            }
        }
    }

    private void stream(ServerResponse res, GenerationStream stream, ResponseFormat format, String id, long created,
                        ServedModels.Resolved model, String fallbackModel, boolean includeUsage) throws InterruptedException {
        SseWriter sse = new SseWriter(res);
        ResponseFormat.Ids ids = new ResponseFormat.Ids(id, created, fallbackModel, includeUsage);
        boolean opened = false;
        try {
            while (true) {
                GenerationEvent event = stream.next(keepAlive);
                if (event == null) {
                    sse.keepAlive();
                    continue;
                }
                switch (event) {
                    case GenerationEvent.Meta m -> ids = new ResponseFormat.Ids(id, created, model.report(m.model()), includeUsage);
                    case GenerationEvent.Token t -> {
                        if (!t.text().isEmpty()) {
                            opened = open(sse, format, ids, opened);
                            sse.data(Json.bytes(format.delta(ids, t.text())));
                        }
                    }
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.CANCEL) {
                            // Not this client's doing (it would be gone): shutdown or engine closed.
                            fail(sse, OpenAiErrors.shuttingDown());
                            return;
                        }
                        opened = open(sse, format, ids, opened);
                        sse.data(Json.bytes(format.finish(ids, d.reason())));
                        if (includeUsage) {
                            sse.data(Json.bytes(format.usageChunk(ids, d.usage())));
                        }
                        sse.done();
                        return;
                    }
                    case GenerationEvent.Error e -> {
                        fail(sse, generationFailed(e));
                        return;
                    }
                }
            }
        } catch (SseWriter.ClientGoneException gone) {
            stream.cancel();
        }
    }

    /** Sends the format's opening chunk (chat: the assistant role) once, before the first other chunk. */
    private static boolean open(SseWriter sse, ResponseFormat format, ResponseFormat.Ids ids, boolean opened) {
        if (!opened) {
            ObjectNode opening = format.opening(ids);
            if (opening != null) {
                sse.data(Json.bytes(opening));
            }
        }
        return true;
    }

    /** Before the stream started: a plain HTTP error. After: an error event, then the end (no [DONE]). */
    private static void fail(SseWriter sse, ApiException e) {
        if (!sse.started()) {
            throw e;
        }
        sse.data(Json.bytes(OpenAiErrors.body(e)));
        sse.close();
    }

    /** A generation that failed after it started: 400 for what the request asked, 503 while the engine restarts, else 500. */
    private static ApiException generationFailed(GenerationEvent.Error e) {
        if (e.kind() == EngineException.Kind.INTERNAL) {
            return new ApiException(500, ApiException.SERVER_ERROR, null, "generation_failed", e.message());
        }
        return OpenAiErrors.fromEngine(new EngineException(e.kind(), e.message(), e.param()));
    }

    static String randomId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[IDS.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }
}
