package io.infernet.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Closes the connection once the response is out when the client asked for that
 * ({@code Connection: close}).
 *
 * <p>Helidon 4.5.0 answers such a request with {@code Connection: close} but then keeps the
 * socket open waiting for another request (helidon-io/helidon#12324, fixed after 4.5.3, which our
 * registries do not serve), so a client that reads to the end of the stream hangs until its own
 * timeout. Throwing {@link CloseConnectionException} after the response is complete makes the
 * connection loop close the socket.
 */
public final class ConnectionCloseFilter implements Filter {

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        chain.proceed();
        if (wantsClose(req)) {
            throw new CloseConnectionException("the client asked to close the connection after this response");
        }
    }

    static boolean wantsClose(RoutingRequest req) {
        return wantsClose(req.headers().all(HeaderNames.CONNECTION, java.util.List::of));
    }

    /** @param connection the values of the request's {@code Connection} headers (comma-separated tokens, any case) */
    static boolean wantsClose(java.util.List<String> connection) {
        for (String value : connection) {
            for (String token : value.split(",")) {
                if (token.strip().equalsIgnoreCase("close")) {
                    return true;
                }
            }
        }
        return false;
    }
}
