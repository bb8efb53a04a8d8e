package io.infernet.engines.remote;

import io.infernet.engines.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request to a remote engine, answered or refused: a non-2xx status becomes an
 * {@link EngineException} through {@link HttpFailures}, a transport failure becomes
 * UNAVAILABLE. Blocks the calling thread until the response headers (or the body, for
 * {@link #text}); an interrupt abandons the request.
 *
 * @param server      who is asked, for messages: {@code "vllm server at http://127.0.0.1:8000"}
 * @param path        the request path
 * @param model       the model asked for, or null
 * @param promptParam the request field holding the prompt, for context-length errors
 */
public record RemoteCall(String server, String path, String model, String promptParam) {

    /** Most bytes of an error body read (a broken server must not make us buffer without end). */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** Sends {@code request}; returns the open body of a 2xx answer, which the caller closes. */
    public InputStream stream(HttpClient client, HttpRequest request, RemoteOptions options) {
        HttpResponse<InputStream> r = await(client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()), options);
        if (r.statusCode() / 100 == 2) {
            return r.body();
        }
        String body;
        try (InputStream in = r.body()) {
            body = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        throw failure(r.statusCode(), body, r.headers().firstValue("Retry-After").orElse(null));
    }

    /** Sends {@code request}; returns the body of a 2xx answer. */
    public String text(HttpClient client, HttpRequest request, RemoteOptions options) {
        HttpResponse<String> r = await(client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)), options);
        if (r.statusCode() / 100 == 2) {
            return r.body();
        }
        throw failure(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null));
    }

    public EngineException failure(int status, String body, String retryAfter) {
        return HttpFailures.fromStatus(server, path, status, body, retryAfter, model, promptParam);
    }

    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> f, RemoteOptions options) {
        try {
            // The request carries acceptTimeout too; this bound also covers a stuck connect.
            return f.get(options.acceptTimeout().plus(options.connectTimeout()).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the " + server + " did not accept the request within "
                    + options.acceptTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw HttpFailures.unreachable(server, io, options);
            }
            throw new EngineException(EngineException.Kind.INTERNAL, "calling the " + server + " failed: " + c, null, null, c);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "interrupted while waiting for the " + server);
        }
    }
}
