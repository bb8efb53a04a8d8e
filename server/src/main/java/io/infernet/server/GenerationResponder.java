package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.TokenLogprob;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * Runs one parsed generation request and writes its answer, streamed (SSE) or whole, in the
 * shape of a {@link ResponseFormat}. Shared by the chat and text completion endpoints; the
 * Responses API and {@code /apply-template} use its body reading, model names and disconnect
 * watch ({@link #readBody}, {@link #start}, {@link #watched}).
 *
 * <p>Runs on the request's virtual thread and blocks on the engine's events. A client that
 * goes away mid-stream is noticed at the next write (a token or a keep-alive) and its
 * generation is cancelled. A non-streamed request's connection is watched while it waits
 * ({@link EdgeConnection#watchClose}): a client that goes away has its generation cancelled
 * within one engine step, as llama-server does.
 *
 * <p>A stream's opening chunks go out with its first output (or its end), so a request that fails
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

    /** The served model a client's name stands for (an alias, any name with --accept-any-model). */
    ServedModels.Resolved resolve(String requested) {
        return models.resolve(requested);
    }

    /**
     * A generation started for a client, under the engine's name for the model it asked for.
     *
     * @param model          the client's name resolved
     * @param fallbackModel  the name to report until the engine says which model serves it
     */
    record Started(GenerationStream stream, ServedModels.Resolved model, String fallbackModel) {}

    Started start(GenerationRequest request) {
        ServedModels.Resolved model = models.resolve(request.model());
        GenerationRequest forEngine = request.withModel(model.engineModel());
        GenerationStream stream = generations.start(forEngine);
        return new Started(stream, model, model.report(forEngine.model() == null ? "" : forEngine.model()));
    }

    /** What runs while a non-streamed answer's connection is watched; {@code gone} says whether the client left. */
    @FunctionalInterface
    interface Watched<T> {
        T run(BooleanSupplier gone) throws InterruptedException;
    }

    /**
     * Runs {@code body} (which waits for {@code stream}'s end and writes a whole answer) while the
     * request's connection is watched: a client that leaves has the generation cancelled at once.
     */
    static <T> T watched(GenerationStream stream, Watched<T> body) throws InterruptedException {
        AtomicBoolean gone = new AtomicBoolean();
        Runnable onGone = () -> {
            gone.set(true);
            stream.cancel();
        };
        try (EdgeConnection.Watch watch = EdgeConnection.current().map(c -> c.watchClose(onGone)).orElse(EdgeConnection.Watch.NONE)) {
            return body.run(gone::get);
        }
    }

    /** A whole answer's generation ended cancelled: the client left (no answer at all), or the server is shutting down. */
    static RuntimeException cancelled(BooleanSupplier gone) {
        if (gone.getAsBoolean()) {
            return new ClientClosedException("the client closed the connection while its answer was generated", false);
        }
        return OpenAiErrors.shuttingDown();
    }

    /**
     * The handler of a generation endpoint (chat or text completions): the body read as
     * {@link #readBody} reads it, parsed by {@code parser}, answered in {@code format}.
     */
    Handler handler(BiFunction<ObjectNode, ServerConfig, RequestParser.ParsedGeneration> parser, ResponseFormat format) {
        return (req, res) -> respond(res, parser.apply(readBody(req), cfg), format);
    }

    void respond(ServerResponse res, RequestParser.ParsedGeneration parsed, ResponseFormat format) {
        Started started = start(parsed.request());
        GenerationStream stream = started.stream();
        GenerationRequest request = parsed.request();
        String id = format.idPrefix() + randomId();
        long created = Instant.now().getEpochSecond();
        try {
            if (parsed.stream()) {
                ResponseFormat.Ids ids = new ResponseFormat.Ids(id, created, started.fallbackModel(), parsed.includeUsage());
                int n = request.decoding().n();
                StreamThread.call("infernet-stream " + id, () -> {
                    stream(res, stream, format, started.model(), ids, n);
                    return null;
                });
            } else {
                boolean logprobs = request.decoding().logprobs();
                ResponseFormat.Ids ids = new ResponseFormat.Ids(id, created, started.fallbackModel(), false);
                watched(stream, gone -> {
                    whole(res, stream, format, started.model(), ids, logprobs, gone);
                    return null;
                });
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
                              ResponseFormat.Ids ids, boolean logprobs, BooleanSupplier gone) throws InterruptedException {
        List<List<TokenLogprob>> perChoice = new ArrayList<>();
        while (true) {
            switch (stream.next(Duration.ZERO)) {
                case GenerationEvent.Meta m -> ids = new ResponseFormat.Ids(ids.id(), ids.created(), model.report(m.model()), false);
                case GenerationEvent.Token t -> {
                    if (t.logprob() != null) {
                        slot(perChoice, t.index()).add(t.logprob());
                    }
                }
                case GenerationEvent.Done d -> {
                    if (d.reason() == FinishReason.CANCEL) {
                        throw cancelled(gone);
                    }
                    List<List<TokenLogprob>> lp = new ArrayList<>();
                    for (GenerationEvent.Choice c : d.choices()) {
                        slot(lp, c.index());
                        lp.set(c.index(), logprobs ? new ArrayList<>(slot(perChoice, c.index())) : null);
                    }
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(Json.bytes(format.complete(ids, d, lp)));
                    return;
                }
                case GenerationEvent.Error e -> throw generationFailed(e);
            }
        }
    }

    /** The list at {@code index}, growing the outer list as needed. */
    private static List<TokenLogprob> slot(List<List<TokenLogprob>> lists, int index) {
        while (lists.size() <= index) {
            lists.add(new ArrayList<>());
        }
        if (lists.get(index) == null) {
            lists.set(index, new ArrayList<>());
        }
        return lists.get(index);
    }

    /**
     * Streams the answer. Each choice opens with its own chunk (chat), all of them just before the
     * first chunk of output; its output goes out as it comes (text, or for a chat the content,
     * reasoning and tool-call deltas), and a token's log-probabilities go with the first chunk at or
     * after it (a token whose output is held back, an incomplete character, a possible stop string or
     * a possible tool call, waits for the next); what is still held at the end goes in a chunk of its
     * own before the choice's finish chunk.
     */
    private void stream(ServerResponse res, GenerationStream stream, ResponseFormat format, ServedModels.Resolved model,
                        ResponseFormat.Ids ids, int n) throws InterruptedException {
        SseWriter sse = new SseWriter(res);
        List<List<TokenLogprob>> pending = new ArrayList<>();
        int[] offsets = new int[n];
        ChunkTemplate[] templates = new ChunkTemplate[n]; // per choice, for the current ids
        boolean opened = false;
        try {
            while (true) {
                GenerationEvent event = stream.next(keepAlive);
                if (event == null) {
                    sse.keepAlive();
                    continue;
                }
                switch (event) {
                    case GenerationEvent.Meta m -> {
                        ids = new ResponseFormat.Ids(ids.id(), ids.created(), model.report(m.model()), ids.includeUsage());
                        Arrays.fill(templates, null);
                    }
                    case GenerationEvent.Token t -> {
                        List<TokenLogprob> due = slot(pending, t.index());
                        if (t.logprob() != null) {
                            due.add(t.logprob());
                        }
                        String plain = due.isEmpty() ? format.plainText(t) : null;
                        if (plain != null) { // most tokens: no tree per token
                            opened = open(sse, format, ids, n, opened);
                            if (templates[t.index()] == null) {
                                templates[t.index()] = ChunkTemplate.of(format.delta(ids, t.index(), ChunkTemplate.MARK, null, 0));
                            }
                            sse.data(templates[t.index()].fill(plain));
                            offsets[t.index()] += t.text().length();
                            continue;
                        }
                        List<ObjectNode> chunks = format.chunks(ids, t, due.isEmpty() ? null : List.copyOf(due), offsets[t.index()]);
                        if (!chunks.isEmpty()) {
                            opened = open(sse, format, ids, n, opened);
                        }
                        for (ObjectNode chunk : chunks) {
                            sse.data(Json.bytes(chunk));
                        }
                        if (!chunks.isEmpty()) {
                            due.clear();
                        }
                        offsets[t.index()] += t.text().length();
                    }
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.CANCEL) {
                            // Not this client's doing (it would be gone): shutdown or engine closed.
                            fail(sse, OpenAiErrors.shuttingDown());
                            return;
                        }
                        opened = open(sse, format, ids, n, opened);
                        for (GenerationEvent.Choice c : d.choices()) {
                            List<TokenLogprob> held = slot(pending, c.index());
                            if (!held.isEmpty()) {
                                sse.data(Json.bytes(format.delta(ids, c.index(), "", List.copyOf(held), offsets[c.index()])));
                            }
                            sse.data(Json.bytes(format.finish(ids, c.index(), c.reason())));
                        }
                        if (ids.includeUsage()) {
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

    /** Sends each choice's opening chunk (chat: the assistant role) once, before the first other chunk. */
    private static boolean open(SseWriter sse, ResponseFormat format, ResponseFormat.Ids ids, int n, boolean opened) {
        if (!opened) {
            for (int i = 0; i < n; i++) {
                ObjectNode opening = format.opening(ids, i);
                if (opening != null) {
                    sse.data(Json.bytes(opening));
                }
            }
        }
        return true;
    }

    /** Before the stream started: a plain HTTP error. After: an error event, then the end (no [DONE]). */
    static void fail(SseWriter sse, ApiException e) {
        if (!sse.started()) {
            throw e;
        }
        sse.data(Json.bytes(OpenAiErrors.body(e)));
        sse.close();
    }

    /** A generation that failed after it started: 400 for what the request asked, 503 while the engine restarts, else 500. */
    static ApiException generationFailed(GenerationEvent.Error e) {
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
