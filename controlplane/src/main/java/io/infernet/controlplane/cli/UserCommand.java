package io.infernet.controlplane.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.users.CliAuthRoutes;
import io.infernet.controlplane.users.Users;
import io.infernet.node.cli.CommandGroup;
import io.infernet.node.cli.Main;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code infernet control-plane user}: the control plane's users, managed by whoever runs it
 * (there is no sign-up page). Works while the control plane runs (it attaches to its embedded
 * database) and while it does not.
 */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage the control plane's users: add one and print a bearer token, or approve an 'infernet login'.",
        subcommands = {UserCommand.Add.class, UserCommand.Approve.class})
final class UserCommand extends CommandGroup {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user (or take the existing one) and print a new bearer token for it on stdout.",
                    "Use it as 'Authorization: Bearer TOKEN' (remote commands, batch jobs) or 'infernet login --token TOKEN'."})
    static final class Add implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        DatabaseOptions database;

        @Parameters(paramLabel = "EMAIL", description = "The user's e-mail address (their name here; nothing is sent to it)")
        String email;

        @Option(names = "--days", defaultValue = "30", description = "Token lifetime in days (default ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() {
            if (days < 1) {
                throw new Main.UsageError("--days must be >= 1");
            }
            try (DatabaseOptions.Opened o = database.open()) {
                Users users = new Users(o.db(), Clock.systemUTC());
                ObjectNode user;
                try {
                    user = users.ensure(email);
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageError(e.getMessage());
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println(users.token(user, Duration.ofDays(days)));
                out.flush();
                spec.commandLine().getErr().println("user " + user.get("email").asText() + " (" + user.get("id").asText()
                        + "): token above, valid " + days + " days");
                spec.commandLine().getErr().flush();
            }
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve the device-code login of an 'infernet login' (its CODE is the end of the URL it printed).")
    static final class Approve implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        DatabaseOptions database;

        @Parameters(paramLabel = "CODE", description = "The session code")
        String code;

        @Option(names = "--email", required = true, description = "Sign the CLI in as this user (added when missing)")
        String email;

        @Override
        public Integer call() {
            try (DatabaseOptions.Opened o = database.open()) {
                Users users = new Users(o.db(), Clock.systemUTC());
                try {
                    ObjectNode user = users.ensure(email);
                    String done = CliAuthRoutes.approve(o.db(), code, UUID.fromString(user.get("id").asText()));
                    spec.commandLine().getOut().println(done);
                    spec.commandLine().getOut().flush();
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageError(e.getMessage());
                }
            }
            return 0;
        }
    }
}
