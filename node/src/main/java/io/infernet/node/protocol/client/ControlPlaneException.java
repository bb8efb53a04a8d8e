package io.infernet.node.protocol.client;

/**
 * A node call that failed: the control plane answered with an error ({@link #status()} is the
 * HTTP status, {@link #serverMessage()} its {@code {"error": msg}}), or it could not be reached
 * ({@link #status()} is {@link #NETWORK}). {@link #mayHaveLanded()} says whether the server may
 * have carried the request out although the node saw a failure, which decides whether a write
 * may be sent again (see {@link ControlPlaneClient#send}).
 */
public final class ControlPlaneException extends RuntimeException {

    /** The status of a failure without an HTTP answer (refused, reset, timed out, DNS). */
    public static final int NETWORK = 0;

    private final int status;
    private final String route;
    private final String serverMessage;
    private final boolean mayHaveLanded;

    /**
     * @param mayHaveLanded true when the request was sent but its fate is unknown: the connection
     *                      broke or timed out after it was written, or a gateway (502, 504)
     *                      answered for a server that may have done the work
     */
    public ControlPlaneException(int status, String route, String serverMessage, boolean mayHaveLanded, Throwable cause) {
        super(describe(status, route, serverMessage), cause);
        this.status = status;
        this.route = route;
        this.serverMessage = serverMessage;
        this.mayHaveLanded = mayHaveLanded;
    }

    /** An HTTP error answer: only a gateway's 502 or 504 leaves open whether the server did the work. */
    public ControlPlaneException(int status, String route, String serverMessage, Throwable cause) {
        this(status, route, serverMessage, status == 502 || status == 504, cause);
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

    /**
     * Whether the control plane may have carried the request out: false when it surely did not
     * (the connection was never made, or the server itself answered with an error: its routes
     * do their work in one step that an error undoes or never reached), true when the request
     * went out and no answer from the server itself came back.
     */
    public boolean mayHaveLanded() {
        return mayHaveLanded;
    }

    private static String describe(int status, String route, String message) {
        if (status == NETWORK) {
            return "cannot reach the control plane (" + route + "): " + message;
        }
        return "control plane answered " + status + " to " + route + ": " + message;
    }
}
