package io.infernet.node.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: run without one, it prints its usage to stdout (exit code 0). */
public abstract class CommandGroup implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
