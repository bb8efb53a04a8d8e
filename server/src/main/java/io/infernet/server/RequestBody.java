package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a request body, bounded, as one JSON object. Only {@code application/json} bodies (and
 * {@code application/*+json}) are parsed: a browser can send a cross-site "simple" request with
 * a text, form or multipart body and no preflight, and such a body must never reach the engine.
 */
final class RequestBody {

    private RequestBody() {}

    /**
     * @param limit  most bytes accepted
     * @param reason why that is the limit, for the 413's message (e.g. "this server's limit")
     * @throws ApiException 415 when the body is not declared JSON, 413 when it is over {@code limit} bytes (by its
     *     Content-Length, before reading anything, or while reading a chunked one), 400 when it is not a JSON object
     * @throws ClientClosedException when the client goes away while sending it, or sends it too slowly
     */
    static ObjectNode readObject(ServerRequest req, long limit, String reason) {
        requireJson(req);
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > limit) {
            throw OpenAiErrors.tooLarge(declared, limit, reason);
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        } catch (io.helidon.http.RequestException e) {
            throw e; // Helidon's own answer: a chunked body over the limit (413), broken chunk framing (400)
        } catch (IOException | java.io.UncheckedIOException
                 | io.helidon.webserver.CloseConnectionException | io.helidon.common.buffers.DataReader.InsufficientDataAvailableException e) {
            // The connection failed: the client left, or was too slow and was closed.
            String timedOut = EdgeConnection.current().map(EdgeConnection::timedOut).orElse(null);
            throw new ClientClosedException(timedOut != null ? timedOut : "the client closed the connection while sending the body ("
                    + e.getClass().getSimpleName() + ")", timedOut != null);
        }
        if (bytes.length > limit) {
            throw OpenAiErrors.tooLarge(-1, limit, reason);
        }
        return Json.parseObject(bytes);
    }

    static ObjectNode readObject(ServerRequest req, long limit) {
        return readObject(req, limit, "this server's limit");
    }

    /** @throws ApiException 415 unless the Content-Type is application/json or application/*+json */
    static void requireJson(ServerRequest req) {
        String declared = req.headers().first(io.helidon.http.HeaderNames.CONTENT_TYPE).orElse(null);
        Optional<HttpMediaType> type;
        try {
            type = req.headers().contentType();
        } catch (RuntimeException e) {
            type = Optional.empty(); // malformed: refused below, naming what was sent
        }
        boolean json = type.map(t -> t.mediaType().type().toLowerCase(Locale.ROOT).equals("application")
                && (t.mediaType().subtype().equalsIgnoreCase("json") || t.mediaType().subtype().toLowerCase(Locale.ROOT).endsWith("+json")))
                .orElse(false);
        if (!json) {
            throw new ApiException(415, ApiException.INVALID_REQUEST, null, "unsupported_media_type",
                    "The request body must be JSON sent with 'Content-Type: application/json'; got "
                            + (declared == null ? "no Content-Type" : "'" + declared + "'") + ".");
        }
    }
}
