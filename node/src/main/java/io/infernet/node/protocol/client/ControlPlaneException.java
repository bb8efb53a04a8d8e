package io.infernet.node.protocol.client;

/**
 * A node call that failed: the control plane answered with an error ({@link #status()} is the
 * HTTP status, {@link #serverMessage()} its {@code {"error": msg}}), or it could not be reached
 * ({@link #status()} is {@link #NETWORK}).
 */
public final class ControlPlaneException extends RuntimeException {

    /** The status of a failure without an HTTP answer (refused, reset, timed out, DNS). */
    public static final int NETWORK = 0;

    private final int status;
    private final String route;
    private final String serverMessage;

    public ControlPlaneException(int status, String route, String serverMessage, Throwable cause) {
        super(describe(status, route, serverMessage), cause);
        this.status = status;
        this.route = route;
        this.serverMessage = serverMessage;
    }

    /** HTTP status, or {@link #NETWORK}. */
    public int status() {
        return status;
    }

    /** The node route called, e.g. {@code jobs/poll}. */
    public String route() {
        return route;
    }

    /** What the server said (its {@code error} field), or a description of the network failure. */
    public String serverMessage() {
        return serverMessage;
    }

    /**
     * True for failures worth trying again: network errors, 5xx, 408 and 429. Other 4xx answers
     * mean the request itself is refused and would be refused again.
     */
    public boolean retryable() {
        return status == NETWORK || status >= 500 || status == 408 || status == 429;
    }

    private static String describe(int status, String route, String message) {
        if (status == NETWORK) {
            return "cannot reach the control plane (" + route + "): " + message;
        }
        return "control plane answered " + status + " to " + route + ": " + message;
    }
}
