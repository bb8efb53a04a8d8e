package io.infernet.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** One CLI run against a config folder, as the protocol commands' tests make them: exit code, stdout, stderr. */
record CliRun(int code, String out, String err) {

    String all() {
        return out + err;
    }

    /** Runs {@code args} on {@code cl} with {@code --config-dir dir} appended. */
    static CliRun run(CommandLine cl, Path dir, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--config-dir";
        full[args.length + 1] = dir.toString();
        return new CliRun(cl.execute(full), out.toString(), err.toString());
    }
}
