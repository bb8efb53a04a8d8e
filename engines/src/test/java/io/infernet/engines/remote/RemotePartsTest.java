package io.infernet.engines.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.EngineException;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** Endpoints as people write them, error bodies of each server, status mapping, Retry-After. */
class RemotePartsTest {

    @Test
    void endpointsAsPeopleWriteThem() {
        assertEquals(URI.create("http://127.0.0.1:11434"), Endpoint.parse("0.0.0.0", 11434, null).base());
        assertEquals(URI.create("http://127.0.0.1:11434"), Endpoint.parse("127.0.0.1:11434", 1, null).base());
        assertEquals(URI.create("http://127.0.0.1:9000"), Endpoint.parse(":9000", 8000, null).base());
        assertEquals(URI.create("https://gpu-box.lan:8443/vllm"), Endpoint.parse("https://gpu-box.lan:8443/vllm/", 8000, null).base());
        assertEquals(URI.create("http://gpu-box.lan:8000"), Endpoint.parse("gpu-box.lan", 8000, null).base());
        assertEquals("http://h:1/v1/models", Endpoint.parse("http://h:1", 2, null).resolve("/v1/models").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("ftp://h:1", 2, null));
        assertTrue(e.getMessage().contains("http or https"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(" ", 2, null));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://", 2, null));
        assertNull(Endpoint.parse("h", 1, "  ").apiKey(), "a blank key is no key");
        assertFalse(Endpoint.parse("h", 1, "secret").toString().contains("secret"));
        assertTrue(Endpoint.parse("127.0.0.1", 1, null).isLocal());
        assertTrue(Endpoint.parse("localhost", 1, null).isLocal());
        assertFalse(Endpoint.parse("192.0.2.1", 1, null).isLocal(), "TEST-NET-1 is no address of this machine");
    }

    @Test
    void errorBodiesOfEveryServer() {
        assertEquals(new ErrorBody("Loading model", "unavailable_error"),
                ErrorBody.parse("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}"));
        assertEquals(new ErrorBody("The model `x` does not exist.", "NotFoundError"),
                ErrorBody.parse("{\"object\":\"error\",\"message\":\"The model `x` does not exist.\",\"type\":\"NotFoundError\",\"param\":null,\"code\":404}"));
        assertEquals(new ErrorBody("model 'x' not found", null), ErrorBody.parse("{\"error\":\"model 'x' not found\"}"));
        assertEquals(new ErrorBody("Not Found", null), ErrorBody.parse("{\"detail\":\"Not Found\"}"));
        assertEquals(new ErrorBody("<html>bad gateway</html>", null), ErrorBody.parse("<html>bad gateway</html>\n"));
        assertEquals(303, ErrorBody.parse("x".repeat(1000)).message().length());
        assertEquals("", ErrorBody.parse(null).message());
    }

    @Test
    void statusesMapToKinds() {
        assertEquals(EngineException.Kind.UNSUPPORTED, HttpFailures.fromStatus("s", "/v1/embeddings", 404, "{\"detail\":\"Not Found\"}", null, "m", null).kind());
        assertEquals(EngineException.Kind.UNSUPPORTED, HttpFailures.fromStatus("s", "/v1/embeddings", 501,
                "{\"error\":{\"code\":501,\"message\":\"This server does not support embeddings. Start it with `--embeddings`\",\"type\":\"not_supported_error\"}}", null, "m", null).kind());
        assertEquals(EngineException.Kind.INVALID_REQUEST, HttpFailures.fromStatus("s", "/p", 413, "", null, null, null).kind());
        EngineException busy = HttpFailures.fromStatus("s", "/p", 429, "", null, null, null);
        assertEquals(HttpFailures.DEFAULT_RETRY_AFTER, busy.retryAfter(), "a 429 without Retry-After still says when");
        assertEquals(EngineException.Kind.INTERNAL, HttpFailures.fromStatus("s", "/p", 502, "", null, null, null).kind());
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        assertEquals(Duration.ofSeconds(120), HttpFailures.parseRetryAfter("120", null));
        Duration d = HttpFailures.parseRetryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(60)), null);
        assertTrue(d.toSeconds() > 50 && d.toSeconds() <= 60, d.toString());
        assertEquals(Duration.ZERO, HttpFailures.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", null), "a date in the past: now");
        assertNull(HttpFailures.parseRetryAfter("soon", null));
        assertNull(HttpFailures.parseRetryAfter("-3", null));
    }
}
