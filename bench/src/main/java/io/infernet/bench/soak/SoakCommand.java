package io.infernet.bench.soak;

import io.infernet.bench.inproc.ChildJvm;
import io.infernet.bench.process.LoadAverage;
import io.infernet.bench.serving.ServerProcess;
import io.infernet.natives.Progress;
import io.infernet.runtime.CpuTopology;
import io.infernet.runtime.gguf.DemoModel;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infernet bench soak}: the disconnect soak against {@code infernet serve} in a child
 * process (see {@link Soak}), with a report of every round and the floors it checks; exits 1
 * when one is not met.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Disconnect soak: starts infernet serve (in process, the demo model by default) in a child JVM, warms it up, then runs "
                + "--rounds rounds of --streams concurrent streamed chats of which --abort-fraction drop their connection at a random point "
                + "(a quarter before the answer, the rest after a random number of events).",
                "Checks: every other stream ends with a finish_reason and [DONE]; after each round active sequences, KV cells held by "
                        + "running sequences and the queue are back to 0; threads and file descriptors back to the baseline (+2); resident "
                        + "memory besides the prompt cache (which fills up to its budget by design) after the last round within 5% + 32 MiB "
                        + "of after the first. Writes a report (Markdown) to --out."})
public final class SoakCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model to serve (default: the built-in demo model).")
    Path model;

    @Option(names = "--streams", defaultValue = "64", description = "Concurrent streams per round (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--abort-fraction", defaultValue = "0.333", description = "Share of the streams that disconnect (default ${DEFAULT-VALUE}).")
    double abortFraction;

    @Option(names = "--max-tokens", defaultValue = "48", description = "max_tokens of each stream (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--rounds", defaultValue = "2", description = "Rounds on the same server (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--parallel", defaultValue = "8", description = "The server's --parallel (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--ctx", defaultValue = "1024", description = "The server's --ctx (default ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--threads", description = "The server's --threads (default: physical cores).")
    Integer threads;

    @Option(names = "--seed", defaultValue = "1", description = "Which streams drop, and where (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "Report file (default: print only).")
    Path out;

    @Option(names = "--server-jvm-option", paramLabel = "OPTION",
            description = "An option for the server's JVM, e.g. -Xmx512m or -XX:NativeMemoryTracking=summary; repeatable.")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--serve-option", paramLabel = "OPTION", description = "A further option of infernet serve, e.g. --cache-ram=0; repeatable.")
    List<String> serveOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Progress progress = line -> System.err.println("[soak] " + line);
        Path m = model != null ? model : DemoModel.ensure(progress);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        int t = threads != null ? threads : CpuTopology.physicalCores();
        List<String> args = new ArrayList<>(List.of("serve", "--engine", "in-process", "--model", m.toString(), "--port",
                Integer.toString(port), "--parallel", Integer.toString(parallel), "--ctx", Integer.toString(ctx), "--threads", Integer.toString(t)));
        args.addAll(serveOptions);
        ChildJvm jvm = ChildJvm.ofCurrent(Optional.empty(), "io.infernet.node.cli.Main", args);
        List<String> flags = new ArrayList<>(jvm.jvmFlags());
        flags.addAll(serverJvmOptions);
        List<String> command = new ChildJvm(jvm.java(), jvm.classpath(), flags, jvm.libraryDir(), jvm.mainClass(), jvm.args()).command();
        Path log = Files.createTempFile("infernet-soak-", ".log");
        URI base = URI.create("http://127.0.0.1:" + port);
        Soak.Settings settings = new Soak.Settings(streams, abortFraction, maxTokens, rounds, seed, Duration.ofSeconds(120));
        double loadBefore = LoadAverage.oneMinute().orElse(-1);
        Instant started = Instant.now();
        List<Soak.Snapshot> snapshots = new ArrayList<>();
        List<Soak.Round> done = new ArrayList<>();
        progress.step("starting infernet serve on port " + port + " (log " + log + ")");
        try (ServerProcess server = ServerProcess.start(command, base, log, Duration.ofMinutes(5))) {
            Soak soak = new Soak(base, server.pid());
            progress.step("warm-up: " + soak.warmUp(parallel, maxTokens) + " requests answered");
            snapshots.add(soak.settle("baseline (after warm-up)", settings.settleTimeout()));
            for (int r = 1; r <= rounds; r++) {
                progress.step("round " + r + ": " + streams + " streams, " + Math.round(streams * abortFraction) + " dropping");
                Soak.Round round = soak.round(r, settings);
                done.add(round);
                snapshots.add(round.after());
                progress.step("round " + r + ": " + round.outcomes() + " in " + round.took().toSeconds() + " s; after: " + round.after());
            }
        }
        String serverLog = Files.readString(log);
        List<String> soakArgs = new ArrayList<>(List.of("--streams", Integer.toString(streams), "--abort-fraction", Double.toString(abortFraction),
                "--max-tokens", Integer.toString(maxTokens), "--rounds", Integer.toString(rounds), "--parallel", Integer.toString(parallel),
                "--ctx", Integer.toString(ctx), "--seed", Long.toString(seed)));
        serveOptions.forEach(o -> soakArgs.add("--serve-option=" + o));
        serverJvmOptions.forEach(o -> soakArgs.add("--server-jvm-option=" + o));
        SoakReport report = new SoakReport(String.join(" ", soakArgs), String.join(" ", args), settings, snapshots, done, loadBefore, LoadAverage.oneMinute().orElse(-1),
                Duration.between(started, Instant.now()), SoakReport.loudLines(serverLog));
        String text = report.markdown();
        System.out.println(text);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, text);
            progress.step("wrote " + out);
        }
        List<String> failed = report.failedFloors();
        failed.forEach(f -> progress.step("FLOOR NOT MET: " + f));
        return failed.isEmpty() ? 0 : 1;
    }
}
