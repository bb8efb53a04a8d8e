package io.infernet.server;

/**
 * A request answered with an error in OpenAI's shape
 * {@code {"error": {"message", "type", "param", "code"}}}. Thrown by parsing and handlers,
 * turned into a response at one place ({@link OpenAiErrors}).
 *
 * <p>Messages are shown to clients: they name the input at fault and what to do, and never
 * carry a secret or a stack trace.
 */
final class ApiException extends RuntimeException {

    static final String INVALID_REQUEST = "invalid_request_error";
    static final String SERVER_ERROR = "server_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    /**
     * @param retryAfterSeconds value of the {@code Retry-After} header; 0 for none
     */
    ApiException(int status, String type, String param, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ApiException(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, 0);
    }

    /** 400: a parameter has a value outside what it accepts. */
    static ApiException invalidValue(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "invalid_value", message);
    }

    /** 400: a parameter has the wrong JSON type. */
    static ApiException invalidType(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "invalid_type", message);
    }

    /** 400: a required parameter is absent. */
    static ApiException missing(String param) {
        return new ApiException(400, INVALID_REQUEST, param, "missing_required_parameter",
                "Missing required parameter: '" + param + "'.");
    }

    /** 400: a parameter this server does not implement was set to something other than its neutral value. */
    static ApiException unsupported(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "unsupported_parameter", message);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
