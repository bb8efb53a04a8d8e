package io.infernet.node.cli;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code infernet}: the node's command line. */
@Command(name = "infernet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "An Infernet provider node on the JVM: llama.cpp in process, an OpenAI-compatible API, the Infernet protocol.",
        subcommands = {
                NativeCommand.class,
                GpuCommand.class,
                DoctorCommand.class,
                ModelCommand.class,
                GenerateCommand.class,
                TokenizeCommand.class,
                InitCommand.class,
                RegisterCommand.class,
                StartCommand.class,
                StatusCommand.class,
                RemoveCommand.class,
                PayoutCommand.class,
                PaymentsCommand.class,
                PubkeyCommand.class,
                LoginCommand.class,
                DebugCommand.class,
                ServeCommand.class,
                EnginesCommand.class,
                VllmCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main extends CommandGroup {

    /** Builds the command line with every subcommand, including those of {@link CliExtension}s. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (CliExtension ext : ServiceLoader.load(CliExtension.class)) {
            for (Object sub : ext.subcommands()) {
                cl.addSubcommand(sub);
            }
        }
        cl.setExecutionExceptionHandler(Main::handleError);
        return cl;
    }

    /**
     * Errors a user can cause are printed as one line; a stack trace only with
     * {@code INFERNET_DEBUG=1}, since an exception message never carries a secret but a trace
     * of a bug should stay readable.
     */
    static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        err.println("error: " + msg);
        if ("1".equals(System.getenv("INFERNET_DEBUG"))) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof UsageError ? 2 : 1;
    }

    public static void main(String[] args) {
        Logging.configure();
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** A command that could not do its work for a reason the user can act on (exit code 1, the message only). */
    public static final class CommandFailure extends RuntimeException {
        public CommandFailure(String message) {
            super(message);
        }
    }

    /** A mistake in how a command was called (exit code 2). */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"infernet " + (v == null ? "dev" : v) + " (llama.cpp pin " + io.infernet.natives.NativePin.ID + ")"};
        }
    }
}
