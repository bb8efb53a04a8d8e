package io.infernet.engines.remote;

import io.infernet.engines.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The message of an error response, whichever server wrote it:
 * OpenAI and llama-server {@code {"error": {"message", "type", "code"}}}, vLLM
 * {@code {"object": "error", "message", "type", "code"}}, Ollama {@code {"error": "..."}},
 * FastAPI {@code {"detail": "..."}}, or plain text (cut to 300 characters).
 *
 * @param message what the server said, never null
 * @param type    the server's error type ({@code invalid_request_error}, {@code BadRequestError},
 *                {@code exceed_context_size_error}, ...) or null
 */
public record ErrorBody(String message, String type) {

    private static final int MAX_TEXT = 300;

    public static ErrorBody parse(String body) {
        Optional<JsonNode> tree = Json.tryParse(body);
        if (tree.isPresent() && tree.get().isObject()) {
            JsonNode n = tree.get();
            JsonNode err = n.get("error");
            if (err != null && err.isObject()) {
                return new ErrorBody(orEmpty(Json.text(err, "message"), body), Json.text(err, "type"));
            }
            if (err != null && err.isTextual()) {
                return new ErrorBody(err.asText(), null);
            }
            if (n.hasNonNull("message")) {
                return new ErrorBody(n.get("message").asText(), Json.text(n, "type"));
            }
            if (n.hasNonNull("detail")) {
                JsonNode d = n.get("detail");
                return new ErrorBody(d.isTextual() ? d.asText() : Json.write(d), null);
            }
        }
        String text = body == null ? "" : body.strip();
        return new ErrorBody(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text, null);
    }

    private static String orEmpty(String s, String fallback) {
        return s != null ? s : fallback == null ? "" : fallback.strip();
    }
}
