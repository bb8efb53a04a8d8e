package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads a request body, bounded, as one JSON object. */
final class RequestBody {

    private RequestBody() {}

    /**
     * @throws ApiException 413 when the body is over {@code limit} bytes (by its Content-Length,
     *     or while reading a chunked one), 400 when it is not a JSON object
     */
    static ObjectNode readObject(ServerRequest req, long limit) {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > limit) {
            throw OpenAiErrors.tooLarge(limit);
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > limit) {
            throw OpenAiErrors.tooLarge(limit);
        }
        return Json.parseObject(bytes);
    }
}
