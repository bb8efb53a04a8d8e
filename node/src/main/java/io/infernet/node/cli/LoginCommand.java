package io.infernet.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.account.AccountClient;
import io.infernet.node.protocol.account.DeviceLogin;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infernet login}, as the reference's (apps/cli/commands/login.js): the device-code flow
 * (a link to open and approve, then the token saved under {@code auth} in the config, mode
 * 0600), or {@code --token} to paste one, {@code --status}, {@code --logout}, {@code --url} to
 * change the control plane. After a login, this node's pubkey is linked to the account (as
 * {@code infernet pubkey link}), so that the owner's remote commands reach it. The token is
 * never printed.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Sign in to the control plane (device code: open the link it prints), save the token and link this node to your account.")
final class LoginCommand extends ConfiguredCommand {

    @Option(names = "--token", paramLabel = "JWT", description = "Save this token (from the dashboard) instead of the browser flow")
    String token;

    @Option(names = "--status", description = "Show who is signed in")
    boolean status;

    @Option(names = "--logout", description = "Forget the saved token")
    boolean logout;

    @Option(names = "--url", paramLabel = "URL", description = "Set controlPlane.url only (no sign-in)")
    String url;

    @Option(names = "--no-browser", description = "Do not try to open the link in a browser")
    boolean noBrowser;

    @Option(names = "--no-link", description = "Do not link this node's pubkey after signing in")
    boolean noLink;

    @Option(names = "--poll-every", paramLabel = "MS", hidden = true, description = "Poll period in ms (default 2000; tests use less)")
    long pollEveryMs = DeviceLogin.EVERY.toMillis();

    @Override
    void validate() {
        int modes = (token != null ? 1 : 0) + (status ? 1 : 0) + (logout ? 1 : 0) + (url != null ? 1 : 0);
        if (modes > 1) {
            throw new Main.UsageError("use one of --token, --status, --logout and --url at a time");
        }
        if (pollEveryMs < 1) {
            throw new Main.UsageError("--poll-every must be >= 1 ms");
        }
    }

    @Override
    void run(NodeConfig config, PrintWriter out) {
        if (status) {
            NodeConfig.Auth a = config.auth().orElseThrow(() -> new Main.UsageError("not signed in: run 'infernet login'"));
            out.println("signed in as " + (a.email() != null ? a.email() : "(no email)"));
            out.println("  user id: " + a.userId());
            out.println("  issued:  " + a.issuedAt());
            if (a.expiresAt() != null) {
                out.println("  expires: " + a.expiresAt());
            }
            return;
        }
        if (logout) {
            boolean had = config.auth().isPresent();
            config.setAuth(null);
            ctx.store().save(config);
            out.println(had ? "signed out: the token was removed from " + ctx.store().file() : "already signed out");
            return;
        }
        if (url != null) {
            try {
                config.setControlPlaneUrl(ControlPlaneClient.checkBaseUrl(url));
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(e.getMessage());
            }
            ctx.store().save(config);
            out.println("control plane: " + config.controlPlaneUrl().orElseThrow());
            return;
        }
        NodeConfig.Auth auth = token != null ? pasted(token) : deviceCode(config, out);
        config.setAuth(auth);
        ctx.store().save(config);
        out.println("signed in" + (auth.email() != null ? " as " + auth.email() : "") + "; the token is saved in " + ctx.store().file());
        if (!noLink) {
            out.flush();
            PubkeyCommand.link(ctx, config, null, null, out, true);
        }
    }

    private NodeConfig.Auth deviceCode(NodeConfig config, PrintWriter out) {
        AccountClient client = new AccountClient(ctx.client(config));
        DeviceLogin login = new DeviceLogin(client, Duration.ofMillis(pollEveryMs), DeviceLogin.TIMEOUT, Clock.systemUTC());
        int[] polls = {0};
        try {
            return login.run(s -> {
                out.println("Open this link to sign in:");
                out.println("  " + s.verifyUrl());
                if (s.expiresAt() != null) {
                    out.println("(it expires at " + s.expiresAt() + ")");
                }
                out.println("Waiting for the sign-in...");
                out.flush();
                if (!noBrowser) {
                    Browser.open(s.verifyUrl());
                }
            }, () -> {
                if (++polls[0] % 3 == 0) {
                    out.print(".");
                    out.flush();
                }
            });
        } catch (DeviceLogin.LoginFailed e) {
            throw new Main.CommandFailure(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.CommandFailure("the login was interrupted");
        }
    }

    /** A pasted token: its claims say who (sub, email) and until when (exp). */
    private static NodeConfig.Auth pasted(String jwt) {
        JsonNode claims = AccountClient.jwtClaims(jwt);
        if (claims == null || !claims.path("sub").isTextual()) {
            throw new Main.UsageError("--token: that does not look like a CLI token (a JWT with a subject); copy it again from the dashboard");
        }
        String expires = claims.path("exp").isNumber() ? Json.timestamp(Instant.ofEpochSecond(claims.get("exp").asLong())) : null;
        return new NodeConfig.Auth(claims.get("sub").asText(), Json.text(claims, "email"), jwt.trim(), Json.timestamp(Instant.now()), expires);
    }
}
