package io.infernet.server;

import io.helidon.webserver.CloseConnectionException;

/**
 * The client went away (closed the connection mid-upload, or while a non-streamed answer was
 * being generated), or was too slow and the server closed it. Not a server fault: the request
 * counter records it as {@code client_closed} or {@code client_timeout}, it is logged at DEBUG
 * without a stack trace, and the connection is closed with no response: as a
 * {@link CloseConnectionException} it passes Helidon's error handlers by (they would answer 500)
 * and ends the connection.
 */
final class ClientClosedException extends CloseConnectionException {

    private final boolean timedOut;

    /** @param timedOut true when the server closed the connection because the client was too slow */
    ClientClosedException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    /** The status label of {@code infernet_http_requests_total}. */
    String statusLabel() {
        return timedOut ? "client_timeout" : "client_closed";
    }
}
