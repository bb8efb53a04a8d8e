package io.infernet.server;

import static io.infernet.server.ApiHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.EngineException;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error answer: its status and OpenAI's exact shape. */
class ErrorsTest {

    private static final long LIMIT = 4096;
    @AutoClose
    private static final ApiHarness api = new ApiHarness(ServerConfig.defaults().withPort(0).withMaxBodyBytes(LIMIT));

    @AfterEach
    void reset() {
        api.engine.refuseWith = null;
        api.engine.crashWith = null;
        api.engine.failAfterTokens = -1;
        api.engine.contextLimit = 4096;
    }

    /** Checks status and shape ({"error": {message, type, param, code}} and nothing else); returns the error object. */
    static JsonNode assertError(HttpResponse<String> res, int status, String type, String param, String code) {
        assertEquals(status, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "content type");
        return assertErrorBody(json(res.body()), type, param, code);
    }

    static JsonNode assertErrorBody(JsonNode root, String type, String param, String code) {
        assertEquals(Set.of("error"), fieldNames(root), root.toString());
        JsonNode err = root.get("error");
        assertEquals(Set.of("message", "type", "param", "code"), fieldNames(err), err.toString());
        assertTrue(err.get("message").isTextual() && !err.get("message").asText().isBlank(), err.toString());
        assertEquals(type, err.get("type").asText(), err.toString());
        if (param == null) {
            assertTrue(err.get("param").isNull(), err.toString());
        } else {
            assertEquals(param, err.get("param").asText(), err.toString());
        }
        if (code == null) {
            assertTrue(err.get("code").isNull(), err.toString());
        } else {
            assertEquals(code, err.get("code").asText(), err.toString());
        }
        assertFalse(err.get("message").asText().contains("\tat "), "no stack trace");
        return err;
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    private static HttpResponse<String> chat(String json) {
        return api.post("/v1/chat/completions", json);
    }

    private static final String MSGS = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

    @Test
    void malformedJson() {
        JsonNode err = assertError(chat("{\"messages\": [}"), 400, "invalid_request_error", null, null);
        assertTrue(err.get("message").asText().contains("could not parse the JSON body"), err.toString());
        assertError(chat("{} trailing"), 400, "invalid_request_error", null, null);
        assertError(chat(""), 400, "invalid_request_error", null, null);
        assertError(chat("[1, 2]"), 400, "invalid_request_error", null, null);
    }

    @Test
    void missingAndEmptyMessages() {
        JsonNode err = assertError(chat("{}"), 400, "invalid_request_error", "messages", "missing_required_parameter");
        assertEquals("Missing required parameter: 'messages'.", err.get("message").asText());
        assertError(chat("{\"messages\": []}"), 400, "invalid_request_error", "messages", "invalid_value");
        assertError(chat("{\"messages\": \"hi\"}"), 400, "invalid_request_error", "messages", "invalid_type");
        assertError(chat("{\"messages\": [\"hi\"]}"), 400, "invalid_request_error", "messages[0]", "invalid_type");
    }

    @Test
    void badRolesAndContent() {
        JsonNode err = assertError(chat("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"bot\", \"content\": \"b\"}]}"),
                400, "invalid_request_error", "messages[1].role", "invalid_value");
        assertTrue(err.get("message").asText().contains("'bot'"), err.toString());
        assertError(chat("{\"messages\": [{\"content\": \"b\"}]}"), 400, "invalid_request_error", "messages[0].role", "missing_required_parameter");
        assertError(chat("{\"messages\": [{\"role\": 7, \"content\": \"b\"}]}"), 400, "invalid_request_error", "messages[0].role", "invalid_type");
        assertError(chat("{\"messages\": [{\"role\": \"user\"}]}"), 400, "invalid_request_error", "messages[0].content", "missing_required_parameter");
        assertError(chat("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}"), 400, "invalid_request_error", "messages[0].content", "invalid_type");
        assertError(chat("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}"),
                400, "invalid_request_error", "messages[0].content[0].type", "unsupported_parameter");
        assertError(chat("{\"messages\": [{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"1\"}]}]}"),
                400, "invalid_request_error", "messages[0].tool_calls[0].function", "missing_required_parameter");
        assertError(chat("{\"messages\": [{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": [{\"id\": \"1\"}]}]}"),
                400, "invalid_request_error", "messages[0].tool_calls", "invalid_value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "temperature": 3                 | temperature       | invalid_value | temperature must be in [0, 2], got 3.
            "temperature": -0.5              | temperature       | invalid_value | temperature must be in [0, 2], got -0.5.
            "temperature": "hot"             | temperature       | invalid_type  | temperature must be a number, got a string.
            "top_p": 1.5                     | top_p             | invalid_value | top_p must be in [0, 1], got 1.5.
            "top_k": -1                      | top_k             | invalid_value | top_k must be in [0, 2147483647], got -1.
            "top_k": 2.5                     | top_k             | invalid_type  | top_k must be an integer, got 2.5.
            "min_p": 2                       | min_p             | invalid_value | min_p must be in [0, 1], got 2.
            "presence_penalty": 2.5          | presence_penalty  | invalid_value | presence_penalty must be in [-2, 2], got 2.5.
            "frequency_penalty": -3          | frequency_penalty | invalid_value | frequency_penalty must be in [-2, 2], got -3.
            "repeat_penalty": 0              | repeat_penalty    | invalid_value | repeat_penalty must be > 0 (1 = off), got 0.
            "max_tokens": 0                  | max_tokens        | invalid_value | max_tokens must be in [1, 2147483647], got 0.
            "max_completion_tokens": -5      | max_completion_tokens | invalid_value | max_completion_tokens must be in [1, 2147483647], got -5.
            "max_tokens": "many"             | max_tokens        | invalid_type  | max_tokens must be an integer, got a string.
            "seed": "x"                      | seed              | invalid_type  | seed must be an integer, got a string.
            "seed": 1e30                     | seed              | invalid_value | seed must be in [-9223372036854775808, 9223372036854775807], got 1.0E30.
            "seed": 1.5                      | seed              | invalid_type  | seed must be an integer, got 1.5.
            "stop": ["a","b","c","d","e"]    | stop              | invalid_value | stop may hold at most 4 strings, got 5.
            "stop": 42                       | stop              | invalid_type  | stop must be a string or an array of strings, got a number.
            "stop": [""]                     | stop              | invalid_value | stop strings must not be empty.
            "logit_bias": {"abc": 1}         | logit_bias        | invalid_value | logit_bias keys must be token ids (non-negative integers as strings), got 'abc'.
            "logit_bias": {"5": 101}         | logit_bias        | invalid_value | logit_bias must be in [-100, 100], got 101.
            "logit_bias": [1]                | logit_bias        | invalid_type  | logit_bias must be an object, got an array.
            "n": 0                           | n                 | invalid_value | n must be in [1, 128], got 0.
            "stream": "yes"                  | stream            | invalid_type  | stream must be a boolean, got a string.
            "stream_options": {"include_usage": true} | stream_options | invalid_value | stream_options is only allowed when stream is true.
            "tools": [{"type": "function"}]  | tools[0].function | missing_required_parameter | Missing required parameter: 'tools[0].function'.
            "tools": [{"type": "web_search"}] | tools[0].type    | unsupported_parameter | tools[0].type must be 'function'; this server offers function tools only.
            "tool_choice": "required"        | tool_choice       | invalid_value | tool_choice 'required' needs tools; send tools or leave tool_choice out.
            "functions": []                  | functions         | unsupported_parameter | functions is the deprecated form of function calling; send tools and tool_choice instead.
            "response_format": {"type": "xml"} | response_format | invalid_value | response_format.type must be 'text', 'json_object' or 'json_schema', got 'xml'.
            "response_format": {"type": "json_schema"} | response_format | invalid_value | response_format.json_schema must be an object with name and schema.
            "top_logprobs": 3                | top_logprobs      | invalid_value | top_logprobs needs logprobs set to true.
            "logprobs": true, "top_logprobs": 21 | top_logprobs  | invalid_value | top_logprobs must be in [0, 20], got 21.
            "logprobs": 1                    | logprobs          | invalid_type  | logprobs must be a boolean, got a number.
            "user": 5                        | user              | invalid_type  | user must be a string, got a number.
            "model": 5                       | model             | invalid_type  | model must be a string, got a number.
            """)
    void parameterOutOfRangeOrWrongType(String field, String param, String code, String message) {
        JsonNode err = assertError(chat("{" + MSGS + ", " + field + "}"), 400, "invalid_request_error", param, code);
        assertEquals(message, err.get("message").asText());
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertEquals(200, chat("{" + MSGS + ", \"frobnicate\": {\"x\": 1}, \"store\": true}").statusCode());
    }

    @Test
    void unknownModel() {
        JsonNode err = assertError(chat("{\"model\": \"gpt-9\", " + MSGS + "}"), 404, "invalid_request_error", "model", "model_not_found");
        assertTrue(err.get("message").asText().contains("gpt-9"));
    }

    @Test
    void promptOverTheContext() {
        api.engine.contextLimit = 3;
        JsonNode err = assertError(chat("{\"messages\": [{\"role\": \"user\", \"content\": \"one two three four\"}]}"),
                400, "invalid_request_error", "messages", "context_length_exceeded");
        assertTrue(err.get("message").asText().contains("maximum context length is 3"), err.toString());
    }

    @Test
    void fullQueueIs429WithRetryAfter() {
        api.engine.refuseWith = new EngineException(EngineException.Kind.OVERLOADED, "the queue is full (64 waiting)", null, Duration.ofMillis(2500), null);
        HttpResponse<String> res = chat("{" + MSGS + "}");
        assertError(res, 429, "rate_limit_error", null, "overloaded");
        assertEquals("3", res.headers().firstValue("Retry-After").orElse(null), "seconds, rounded up");
    }

    @Test
    void engineUnavailableIs503() {
        api.engine.refuseWith = new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is loading the model");
        JsonNode err = assertError(chat("{" + MSGS + "}"), 503, "server_error", null, "engine_unavailable");
        assertEquals("the engine is loading the model", err.get("message").asText());
    }

    @Test
    void engineRefusalsMapByKind() {
        api.engine.refuseWith = new EngineException(EngineException.Kind.INVALID_REQUEST, "grammar is invalid", "grammar");
        assertError(chat("{" + MSGS + "}"), 400, "invalid_request_error", "grammar", "invalid_value");
        api.engine.refuseWith = new EngineException(EngineException.Kind.INTERNAL, "decode failed");
        assertError(chat("{" + MSGS + "}"), 500, "server_error", null, null);
    }

    @Test
    void internalErrorsAre500WithoutDetails() {
        api.engine.crashWith = new IllegalStateException("secret internal detail at line 42");
        HttpResponse<String> res = chat("{" + MSGS + "}");
        JsonNode err = assertError(res, 500, "server_error", null, null);
        assertFalse(res.body().contains("secret internal detail"), res.body());
        assertFalse(res.body().contains("IllegalStateException"), res.body());
        assertTrue(err.get("message").asText().contains("(ref "), err.toString());
    }

    @Test
    void engineErrorMidGeneration() {
        api.engine.failAfterTokens = 2;
        JsonNode err = assertError(chat("{" + MSGS + "}"), 500, "server_error", null, "generation_failed");
        assertEquals("the fake engine failed on purpose", err.get("message").asText());

        HttpResponse<String> res = chat("{\"stream\": true, " + MSGS + "}");
        assertEquals(200, res.statusCode());
        List<String> payloads = ApiHarness.ssePayloads(res.body());
        assertFalse(payloads.contains("[DONE]"), "an aborted stream has no [DONE]");
        assertErrorBody(json(payloads.getLast()), "server_error", null, "generation_failed");
        assertEquals(2, payloads.size() - 2, "role chunk, two tokens, then the error: " + payloads);
    }

    @Test
    void wrongMethodIs405() {
        HttpResponse<String> res = api.get("/v1/chat/completions");
        JsonNode err = assertError(res, 405, "invalid_request_error", null, "method_not_allowed");
        assertEquals("Invalid method for URL (GET /v1/chat/completions)", err.get("message").asText());
        assertEquals("POST", res.headers().firstValue("Allow").orElse(null));
        res = api.post("/v1/models", "{}");
        assertError(res, 405, "invalid_request_error", null, "method_not_allowed");
        assertEquals("GET", res.headers().firstValue("Allow").orElse(null));
        assertError(api.send("DELETE", "/health", null), 405, "invalid_request_error", null, "method_not_allowed");
    }

    @Test
    void unknownRouteIs404() {
        JsonNode err = assertError(api.post("/v1/nothing", "{}"), 404, "invalid_request_error", null, null);
        assertEquals("Invalid URL (POST /v1/nothing)", err.get("message").asText());
        assertError(api.get("/"), 404, "invalid_request_error", null, null);
    }

    @Test
    void bodyOverTheLimitIs413() throws IOException {
        String big = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat((int) LIMIT) + "\"}]}";
        JsonNode err = assertError(chat(big), 413, "invalid_request_error", null, "request_too_large");
        assertTrue(err.get("message").asText().contains(Long.toString(LIMIT)));

        // Chunked, with no Content-Length: found while reading.
        try (Socket s = new Socket("127.0.0.1", api.server.port())) {
            s.setSoTimeout((int) ApiHarness.TIMEOUT.toMillis());
            String chunk = "x".repeat(1000);
            StringBuilder req = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            for (int i = 0; i < 6; i++) {
                req.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            req.append("0\r\n\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", head);
        }
    }

    @Test
    void malformedHttpGetsAJsonError() throws IOException {
        try (Socket s = new Socket("127.0.0.1", api.server.port())) {
            s.setSoTimeout((int) ApiHarness.TIMEOUT.toMillis());
            s.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = readResponse(s);
            assertTrue(response.startsWith("HTTP/1.1 400"), response);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertErrorBody(json(body), "invalid_request_error", null, null);
        }
    }

    /** Status, headers and a Content-Length body. */
    private static String readResponse(Socket s) throws IOException {
        var in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            sb.append((char) c);
            if (sb.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        var m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(sb);
        if (m.find()) {
            sb.append(new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
