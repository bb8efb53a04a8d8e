package io.infernet.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The API's side of JSON: the project's mapper ({@link io.infernet.engines.Json}) and request bodies parsed into OpenAI-style errors. */
final class Json {

    static final ObjectMapper MAPPER = io.infernet.engines.Json.MAPPER;

    /** Deepest nesting of arrays and objects a request body may have. */
    static final int MAX_REQUEST_DEPTH = 64;

    /** The project's mapper, for request bodies nested at most {@link #MAX_REQUEST_DEPTH} deep. */
    private static final ObjectMapper REQUESTS = MAPPER.copyWith(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(MAX_REQUEST_DEPTH).build())
            .build());

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree we built always serializes
        }
    }

    /**
     * Parses a request body that must be one JSON object.
     *
     * @throws ApiException 400 when it is empty, malformed or not an object
     */
    static ObjectNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, ApiException.INVALID_REQUEST, null, null,
                    "The request body is empty; send a JSON object (Content-Type: application/json).");
        }
        JsonNode node;
        try {
            node = REQUESTS.readTree(body);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new ApiException(400, ApiException.INVALID_REQUEST, null, "invalid_json",
                    "The JSON body nests arrays and objects deeper than " + MAX_REQUEST_DEPTH + " levels; this server reads no deeper.");
        } catch (IOException e) {
            throw new ApiException(400, ApiException.INVALID_REQUEST, null, null,
                    "We could not parse the JSON body of your request: " + firstLine(e.getMessage())
                            + ". Send a valid JSON object (Content-Type: application/json).");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new ApiException(400, ApiException.INVALID_REQUEST, null, null,
                    "The request body must be a JSON object, got " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + ".");
        }
        return obj;
    }

    /** Jackson's messages carry a source excerpt after the first line; the first line says what is wrong. */
    private static String firstLine(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
