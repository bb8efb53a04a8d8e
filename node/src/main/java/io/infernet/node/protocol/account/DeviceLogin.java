package io.infernet.node.protocol.account;

import io.infernet.node.protocol.config.NodeConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The device-code login loop of the reference's {@code infernet login}
 * (apps/cli/commands/login.js deviceCodeFlow): start a session, show its link, poll every
 * {@code every} until it is authorized (the token is returned), expired, consumed or unknown,
 * or {@code timeout} passes. Error answers and network failures while polling are tried again
 * on the next poll. Runs on the caller's thread.
 */
public final class DeviceLogin {

    /** The reference's cadence and limit: a poll every 2 s for at most 10 minutes. */
    public static final Duration EVERY = Duration.ofSeconds(2);
    public static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** A login that did not end with a token; the message says what to do. */
    public static final class LoginFailed extends Exception {
        public LoginFailed(String message) {
            super(message);
        }
    }

    private final AccountClient client;
    private final Duration every;
    private final Duration timeout;
    private final Clock clock;

    public DeviceLogin(AccountClient client, Duration every, Duration timeout, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.every = Objects.requireNonNull(every, "every");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param started told the session once it exists (to print and open its link)
     * @param waiting told after each poll still pending (to show progress)
     */
    public NodeConfig.Auth run(Consumer<AccountClient.LoginStart> started, Runnable waiting) throws LoginFailed, InterruptedException {
        AccountClient.LoginStart s;
        try {
            s = client.startLogin();
        } catch (AccountClient.AccountException e) {
            throw new LoginFailed(e.getMessage());
        }
        started.accept(s);
        Instant end = clock.instant().plus(timeout);
        while (clock.instant().isBefore(end)) {
            Thread.sleep(every);
            AccountClient.Poll p;
            try {
                p = client.poll(s.pollPath());
            } catch (AccountClient.AccountException transientFailure) {
                continue;
            }
            switch (p.status()) {
                case "authorized" -> {
                    if (p.token() == null || p.token().isBlank()) {
                        throw new LoginFailed("the control plane authorized the login but sent no token; run 'infernet login' again");
                    }
                    return new NodeConfig.Auth(p.userId(), p.email(), p.token(), io.infernet.engines.Json.timestamp(clock.instant()), p.expiresAt());
                }
                case "expired" -> throw new LoginFailed("the login link expired; run 'infernet login' again");
                case "consumed" -> throw new LoginFailed("this login session was already used; run 'infernet login' again");
                case "not_found" -> throw new LoginFailed("the control plane does not know this login session; run 'infernet login' again");
                default -> waiting.run();
            }
        }
        throw new LoginFailed("the login timed out after " + timeout.toMinutes() + " minutes; run 'infernet login' again");
    }
}
