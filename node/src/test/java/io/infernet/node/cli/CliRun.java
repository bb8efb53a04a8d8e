package io.infernet.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** One CLI run in a test: exit code, stdout, stderr. */
record CliRun(int code, String out, String err) {

    String all() {
        return out + err;
    }

    /** Runs {@code args} on {@code cl} with {@code --config-dir dir} appended, as the protocol commands' tests make them. */
    static CliRun run(CommandLine cl, Path dir, String... args) {
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--config-dir";
        full[args.length + 1] = dir.toString();
        return execute(cl, full);
    }

    /** Runs {@code args} on {@code command} with the error handler {@link Main} installs. */
    static CliRun command(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler(Main::handleError);
        return execute(cl, args);
    }

    /** Runs {@code args} on {@code cl} as it is set up, capturing its stdout and stderr. */
    static CliRun execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new CliRun(cl.execute(args), out.toString(), err.toString());
    }
}
