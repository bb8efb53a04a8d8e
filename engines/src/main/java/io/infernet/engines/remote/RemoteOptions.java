package io.infernet.engines.remote;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts of a remote engine client.
 *
 * @param connectTimeout how long to wait for a TCP connection (a server that is not up fails
 *                       at once with "connection refused"; this bounds unreachable hosts)
 * @param acceptTimeout  how long {@code generate} waits for the server to accept a request
 *                       (response headers); llama-server sends them only after the first token,
 *                       so this covers queueing and prompt processing
 * @param idleTimeout    a stream that delivers no byte for this long is given up with an error
 *                       (a hung server must not hang a generation forever)
 * @param healthTimeout  the budget of a health probe (500 ms by the engine contract)
 */
public record RemoteOptions(Duration connectTimeout, Duration acceptTimeout, Duration idleTimeout, Duration healthTimeout) {

    public static final RemoteOptions DEFAULTS = new RemoteOptions(
            Duration.ofSeconds(3), Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMillis(500));

    public RemoteOptions {
        positive(connectTimeout, "connectTimeout");
        positive(acceptTimeout, "acceptTimeout");
        positive(idleTimeout, "idleTimeout");
        positive(healthTimeout, "healthTimeout");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + d);
        }
    }

    public RemoteOptions withIdleTimeout(Duration d) {
        return new RemoteOptions(connectTimeout, acceptTimeout, d, healthTimeout);
    }

    public RemoteOptions withAcceptTimeout(Duration d) {
        return new RemoteOptions(connectTimeout, d, idleTimeout, healthTimeout);
    }
}
