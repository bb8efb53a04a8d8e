package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.TokenLogprob;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one parsed generation request and writes its answer, streamed (SSE) or whole, in the
 * shape of a {@link ResponseFormat}. Shared by the chat and text completion endpoints.
 *
 * <p>Runs on the request's virtual thread and blocks on the engine's events. A client that
 * goes away mid-stream is noticed at the next write (a token or a keep-alive) and its
 * generation is cancelled. A non-streamed request whose client goes away runs to its end:
 * nothing is written to it before then.
 */
final class GenerationResponder {

    private static final SecureRandom IDS = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final Generations generations;
    private final Duration keepAlive;

    GenerationResponder(Generations generations, ServerConfig cfg) {
        this.generations = generations;
        this.keepAlive = cfg.streamKeepAlive();
    }

    void respond(ServerResponse res, RequestParser.ParsedGeneration parsed, ResponseFormat format) {
        GenerationRequest request = parsed.request();
        GenerationStream stream = generations.start(request);
        String id = format.idPrefix() + randomId();
        long created = Instant.now().getEpochSecond();
        String fallbackModel = request.model() == null ? "" : request.model();
        try {
            if (parsed.stream()) {
                stream(res, stream, format, id, created, fallbackModel, parsed.includeUsage(), request.decoding().n());
            } else {
                whole(res, stream, format, new ResponseFormat.Ids(id, created, fallbackModel, false), request.decoding().logprobs());
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

    private static void whole(ServerResponse res, GenerationStream stream, ResponseFormat format, ResponseFormat.Ids ids, boolean logprobs)
            throws InterruptedException {
        List<List<TokenLogprob>> perChoice = new ArrayList<>();
        while (true) {
            switch (stream.next(Duration.ZERO)) {
                case GenerationEvent.Meta m -> ids = new ResponseFormat.Ids(ids.id(), ids.created(), m.model(), false);
                case GenerationEvent.Token t -> {
                    if (t.logprob() != null) {
                        slot(perChoice, t.index()).add(t.logprob());
                    }
                }
                case GenerationEvent.Done d -> {
                    if (d.reason() == FinishReason.CANCEL) {
                        throw OpenAiErrors.shuttingDown();
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
     * Streams the answer. Each choice opens with its own chunk (chat); its output goes out as it
     * comes (text, or for a chat the content, reasoning and tool-call deltas), and a token's
     * log-probabilities go with the first chunk at or after it (a token whose output is held back, an
     * incomplete character, a possible stop string or a possible tool call, waits for the next);
     * what is still held at the end goes in a chunk of its own before the choice's finish chunk.
     */
    private void stream(ServerResponse res, GenerationStream stream, ResponseFormat format, String id, long created,
                        String fallbackModel, boolean includeUsage, int n) throws InterruptedException {
        SseWriter sse = new SseWriter(res);
        ResponseFormat.Ids ids = new ResponseFormat.Ids(id, created, fallbackModel, includeUsage);
        List<List<TokenLogprob>> pending = new ArrayList<>();
        int[] offsets = new int[n];
        try {
            while (true) {
                GenerationEvent event = stream.next(keepAlive);
                if (event == null) {
                    sse.keepAlive();
                    continue;
                }
                switch (event) {
                    case GenerationEvent.Meta m -> {
                        ids = new ResponseFormat.Ids(id, created, m.model(), includeUsage);
                        for (int i = 0; i < n; i++) {
                            ObjectNode opening = format.opening(ids, i);
                            if (opening != null) {
                                sse.data(Json.bytes(opening));
                            }
                        }
                    }
                    case GenerationEvent.Token t -> {
                        List<TokenLogprob> due = slot(pending, t.index());
                        if (t.logprob() != null) {
                            due.add(t.logprob());
                        }
                        List<ObjectNode> chunks = format.chunks(ids, t, due.isEmpty() ? null : List.copyOf(due), offsets[t.index()]);
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
                        for (GenerationEvent.Choice c : d.choices()) {
                            List<TokenLogprob> held = slot(pending, c.index());
                            if (!held.isEmpty()) {
                                sse.data(Json.bytes(format.delta(ids, c.index(), "", List.copyOf(held), offsets[c.index()])));
                            }
                            sse.data(Json.bytes(format.finish(ids, c.index(), c.reason())));
                        }
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

    /** Before the stream started: a plain HTTP error. After: an error event, then the end (no [DONE]). */
    private static void fail(SseWriter sse, ApiException e) {
        if (!sse.started()) {
            throw e;
        }
        sse.data(Json.bytes(OpenAiErrors.body(e)));
        sse.close();
    }

    private static ApiException generationFailed(GenerationEvent.Error e) {
        return new ApiException(500, ApiException.SERVER_ERROR, null, "generation_failed", e.message());
    }

    static String randomId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[IDS.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }
}
