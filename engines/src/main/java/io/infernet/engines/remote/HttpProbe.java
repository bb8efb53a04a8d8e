package io.infernet.engines.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bounded GET that never throws: health checks and engine discovery. The whole exchange
 * (connect, request, response body) is bounded by the budget measured on the caller's clock,
 * not only by the HTTP client's timeouts.
 */
public final class HttpProbe {
    private HttpProbe() {}

    /** Shared client for probes: HTTP/1.1 (what every engine server speaks), 500 ms connect. */
    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(500))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public static HttpClient sharedClient() {
        return Shared.CLIENT;
    }

    /**
     * The outcome of one probe.
     *
     * @param url     what was asked
     * @param status  the HTTP status, or 0 when none came
     * @param body    the response body, or "" when none came
     * @param latency from sending to the end of the body (or to giving up)
     * @param failure why there is no usable answer (refused, timed out, HTTP 503 ...), or null when
     *                the status is 200
     */
    public record Result(URI url, int status, String body, Duration latency, String failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    public static Result get(Endpoint endpoint, String path, Duration budget) {
        return get(Shared.CLIENT, endpoint, path, budget);
    }

    public static Result get(HttpClient client, Endpoint endpoint, String path, Duration budget) {
        URI url = endpoint.resolve(path);
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> f = null;
        try {
            HttpRequest req = endpoint.authorize(HttpRequest.newBuilder(url).timeout(budget).GET()
                    .header("Accept", "application/json")).build();
            f = client.sendAsync(req, HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> r = f.get(budget.toNanos(), TimeUnit.NANOSECONDS);
            Duration took = since(t0);
            if (r.statusCode() == 200) {
                return new Result(url, 200, r.body(), took, null);
            }
            String said = ErrorBody.parse(r.body()).message();
            return new Result(url, r.statusCode(), r.body(), took, "HTTP " + r.statusCode() + (said.isEmpty() ? "" : ": " + said));
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Result(url, 0, "", since(t0), "no answer within " + budget.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof java.net.http.HttpTimeoutException && !(c instanceof java.net.http.HttpConnectTimeoutException)) {
                // The request's own timeout (the same budget) fired before ours: the same outcome, said the same way.
                return new Result(url, 0, "", since(t0), "no answer within " + budget.toMillis() + " ms");
            }
            String why = c instanceof IOException io ? HttpFailures.describe(io, new RemoteOptions(budget, budget, budget, budget)) : String.valueOf(c);
            return new Result(url, 0, "", since(t0), why);
        } catch (InterruptedException e) {
            if (f != null) {
                f.cancel(true);
            }
            Thread.currentThread().interrupt();
            return new Result(url, 0, "", since(t0), "interrupted");
        } catch (RuntimeException e) { // a bad URL or a client shut down: still an answer, never a throw
            return new Result(url, 0, "", since(t0), String.valueOf(e.getMessage()));
        }
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
