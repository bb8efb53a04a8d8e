package io.infernet.bench.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.bench.inproc.ChildJvm;
import io.infernet.bench.stats.Summary;
import io.infernet.natives.Progress;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --serving}: aggregate tokens/s and time-to-first-token percentiles at several numbers of
 * concurrent streams, through the OpenAI-compatible HTTP API, for llama.cpp's {@code llama-server}
 * and for our node ({@code infernet serve}), each started as a child process with the same model,
 * threads and parallel slots. On the CPU both run side by side and are measured in turn (idle, a
 * server costs the other nothing; interleaved, the machine's noise weighs on both alike); with the
 * model in VRAM, one after the other, so that two copies never have to fit. Each server is warmed
 * up first, untimed: one request, then the largest level twice.
 */
public final class ServingBench {

    /**
     * @param levels            concurrent streams to measure (e.g. 1, 4, 8, 16); the servers get as many slots as the largest
     * @param maxTokens         {@code max_tokens} per request
     * @param requestsPerStream requests each stream sends in turn
     * @param threads           CPU threads of both servers
     * @param contextPerSlot    KV tokens per slot
     * @param gpuLayers         layers to offload (0 on CPU)
     * @param startTimeout      how long a server may take to become ready
     * @param requestTimeout    how long one request may take
     * @param rounds            timed rounds per level and server, interleaved between the servers
     * @param sideBySide        both servers up at once, measured in turn; false: one after the other (GPU: VRAM for one model)
     * @param sampling          how the load's requests sample (clients send temperature, top-p and a seed)
     * @param independentClient also measure every timed level with the independent (Python) client
     * @param prompts           which prompts the streams send
     */
    public record Settings(List<Integer> levels, int maxTokens, int requestsPerStream, int threads, int contextPerSlot, int gpuLayers,
                           Duration startTimeout, Duration requestTimeout, int rounds, boolean sideBySide, ChatStream.Sampling sampling,
                           boolean independentClient, PromptMix prompts) {
        public Settings {
            java.util.Objects.requireNonNull(sampling, "sampling");
            java.util.Objects.requireNonNull(prompts, "prompts");
            levels = List.copyOf(levels);
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
            }
            if (levels.isEmpty() || levels.stream().anyMatch(l -> l < 1)) {
                throw new IllegalArgumentException("concurrency levels must be >= 1, got " + levels);
            }
            if (maxTokens < 1 || requestsPerStream < 1 || threads < 1 || contextPerSlot < maxTokens) {
                throw new IllegalArgumentException("maxTokens, requestsPerStream, threads >= 1 and contextPerSlot >= maxTokens");
            }
        }

        /** Greedy load, our client only (as before sampling was a setting). */
        public Settings(List<Integer> levels, int maxTokens, int requestsPerStream, int threads, int contextPerSlot, int gpuLayers,
                        Duration startTimeout, Duration requestTimeout, int rounds, boolean sideBySide) {
            this(levels, maxTokens, requestsPerStream, threads, contextPerSlot, gpuLayers, startTimeout, requestTimeout, rounds, sideBySide,
                    ChatStream.Sampling.GREEDY, false, PromptMix.SHARED);
        }

        public int maxLevel() {
            return levels.stream().mapToInt(Integer::intValue).max().orElseThrow();
        }

        public Settings withThreads(int t) {
            return new Settings(levels, maxTokens, requestsPerStream, t, contextPerSlot, gpuLayers, startTimeout, requestTimeout, rounds, sideBySide,
                    sampling, independentClient, prompts);
        }
    }

    /**
     * The prompts of a load. Both clients give request {@code i} of stream {@code s} prompt
     * {@code (s * requestsPerStream + i) mod n}.
     */
    public enum PromptMix {
        /** {@link #PROMPTS}: with 4 requests per stream, every stream of a round sends the same prompt (as with one system prompt). */
        SHARED("the streams of a round send the same prompt (4 prompts, one per round): a server may compute it once"),
        /** Seven prompts: the streams of a round send different ones (7 of 8), each seen again in later rounds. */
        DISTINCT("the streams of a round send different prompts (7 prompts over 8 streams), each coming back in later rounds");

        private final String description;

        PromptMix(String description) {
            this.description = description;
        }

        public List<String> prompts() {
            return this == SHARED ? PROMPTS : DISTINCT_PROMPTS;
        }

        public String description() {
            return description;
        }
    }

    /** Short prompts, chat-like; rotated over the requests. */
    public static final List<String> PROMPTS = List.of(
            "Write a short story about a lighthouse keeper who finds a message in a bottle.",
            "Explain how a hash map works to a new programmer.",
            "List ten ideas for a weekend trip in the mountains and say why each is fun.",
            "Describe the water cycle step by step.");

    /** {@link #PROMPTS} and three more: seven, so that {@code (s * 4 + i) mod 7} differs over a round's streams. */
    public static final List<String> DISTINCT_PROMPTS = java.util.stream.Stream.concat(PROMPTS.stream(), java.util.stream.Stream.of(
            "Give three tips for writing clear commit messages.",
            "Summarize the plot of a heist movie you invent.",
            "Explain why the sky is blue to a child.")).toList();

    private final Settings settings;
    private final Progress progress;

    public ServingBench(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** llama-server's command line as a value. */
    public static List<String> llamaServerCommand(Path bin, Path model, int port, Settings s) {
        int parallel = s.maxLevel();
        return List.of(bin.toString(), "-m", model.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "-np", Integer.toString(parallel), "-t", Integer.toString(s.threads()), "-tb", Integer.toString(s.threads()),
                "-c", Integer.toString(parallel * s.contextPerSlot()), "-ngl", Integer.toString(s.gpuLayers()));
    }

    /**
     * Our server's command line: the CLI's {@code serve} in a child JVM on the given libraries, with
     * the same slots and context per slot as llama-server gets.
     */
    public static List<String> oursCommand(Path model, int port, Settings s, Optional<Path> libraryDir) {
        return ChildJvm.ofCurrent(libraryDir, "io.infernet.node.cli.Main", List.of("serve", "--model", model.toString(),
                "--port", Integer.toString(port), "--parallel", Integer.toString(s.maxLevel()), "--threads", Integer.toString(s.threads()),
                "--ctx", Integer.toString(s.contextPerSlot())))
                .command();
    }

    /**
     * Measures both servers, side by side: both are started, then every step runs against one and
     * then the other, so that what the machine does meanwhile weighs on both alike. Each level runs
     * {@link Settings#rounds()} timed rounds per server, alternating which goes first; a level's
     * figures are its median round, and the report takes the ratio per round.
     *
     * @param llamaServer  the llama-server binary, or empty when it could not be built (then noted)
     * @param batchedBench llama-batched-bench of the same build, or empty: then no ceiling is measured
     * @param libraryDir   libraries for our server (the same build as llama-server's, for fairness)
     * @param logDir       where the servers' logs go
     */
    public ServingReport run(String tier, Path model, Optional<Path> llamaServer, Optional<Path> batchedBench, Optional<Path> libraryDir, Path logDir,
                             List<String> notes) {
        List<String> allNotes = new ArrayList<>(notes);
        allNotes.add("prompts: " + settings.prompts().description());
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + logDir + ": " + e.getMessage(), e);
        }
        List<Contender> all = new ArrayList<>();
        if (llamaServer.isPresent()) {
            int port = freePort();
            all.add(new Contender("llama-server", "llama.cpp llama-server", llamaServerCommand(llamaServer.get(), model, port, settings), port,
                    logDir.resolve("llama-server.log")));
        }
        int port = freePort();
        all.add(new Contender("infernet", "infernet serve (ours)", oursCommand(model, port, settings, libraryDir), port,
                logDir.resolve("infernet-serve.log")));
        List<List<Contender>> groups = settings.sideBySide() ? List.of(all) : all.stream().map(List::of).toList();
        // Side by side, the ceiling runs in the servers' rounds; one after the other (the model in
        // VRAM), in rounds of its own once the servers are down, so that two copies never have to fit.
        BatchedDecode.Rounds ceiling = batchedBench.map(bin -> new BatchedDecode.Rounds(bin, model, settings, progress)).orElse(null);
        for (List<Contender> group : groups) {
            measure(group, logDir, settings.sideBySide() ? ceiling : null);
        }
        if (ceiling != null && !settings.sideBySide()) {
            for (int level : settings.levels()) {
                for (int r = 0; r < settings.rounds(); r++) {
                    ceiling.round(level, r);
                }
            }
        }
        if (settings.sideBySide()) {
            // Two copies of the model fit in RAM; with the model in VRAM the probe would need a second one.
            // A failure here is noted; it does not take the levels already measured with it.
            all.stream().filter(c -> c.id.equals("infernet") && c.error == null).findFirst().ifPresent(c -> {
                try {
                    c.overhead.addAll(overhead(model, llamaServer, libraryDir, logDir));
                } catch (IllegalStateException e) {
                    allNotes.add("HTTP streaming overhead not measured: " + e.getMessage());
                }
            });
        } else {
            allNotes.add("HTTP streaming overhead not measured: with the model in VRAM its in-process reference would need a second copy");
        }
        allNotes.add((settings.sideBySide() ? "servers run side by side, both started and measured in turn"
                : "servers run one after the other (the model is in VRAM)") + ", each with " + settings.maxLevel() + " slots: "
                + settings.rounds() + " timed rounds per level and server" + (settings.sideBySide() ? ", alternating which goes first" : "")
                + "; a level's figures are its median round; levels use streams opened at once, each sending its requests in turn "
                + "(closed loop)");
        if (ceiling != null) {
            ceiling.error().ifPresent(e -> allNotes.add("ggml's batched decode (llama-batched-bench) not measured: " + e));
            if (ceiling.error().isEmpty()) {
                allNotes.add("the ceiling is llama.cpp's llama-batched-bench on the same libraries, threads, context per slot and KV layout: "
                        + "as many sequences as streams generating at once after a " + BatchedDecode.PROMPT_TOKENS
                        + "-token prompt each, its generation tokens/s; no server, HTTP, sampling or prompts between answers; run once per round");
            }
        }
        List<ServingServer> servers = all.stream().map(Contender::result).toList();
        return new ServingReport(tier, model.toString(), settings.maxTokens(), settings.requestsPerStream(), servers, allNotes)
                .withCeilings(ceiling == null || ceiling.error().isPresent() ? List.of() : ceiling.levels());
    }

    /** Starts the servers of a group, measures them in turn (with the ceiling, when given, in every round), stops them. */
    private void measure(List<Contender> all, Path logDir, BatchedDecode.Rounds ceiling) {
        IndependentClient independent = settings.independentClient() ? IndependentClient.find(logDir).orElse(null) : null;
        if (settings.independentClient() && independent == null) {
            progress.step("serving: python3 is not on the PATH: the independent client is left out");
        }
        try {
            for (Contender c : all) {
                c.attempt(() -> start(c));
            }
            // The largest level twice, untimed, for both servers alike: the timed levels then see
            // steady state. On a 2-core machine a JVM's compiler threads, busy on the first heavy
            // load, take a core from ggml (seen here: the first 16-stream load ran at 0.6x of the next).
            for (Contender c : all) {
                c.attempt(() -> {
                    for (int w = 0; w < 2; w++) {
                        LoadGenerator.run(c.client, c.model, settings.prompts().prompts(), settings.maxTokens(), settings.maxLevel(), 2);
                    }
                });
            }
            for (int level : settings.levels()) {
                // One untimed pass at this level first (both servers alike): a JVM compiles the
                // paths a new load pattern takes, and on two cores that steals from ggml.
                for (Contender c : all) {
                    c.attempt(() -> LoadGenerator.run(c.client, c.model, settings.prompts().prompts(), settings.maxTokens(), level, 1));
                }
                List<List<ServingLevel>> rounds = new ArrayList<>();
                List<List<ServingLevel>> independentRounds = new ArrayList<>();
                all.forEach(c -> {
                    rounds.add(new ArrayList<>());
                    independentRounds.add(new ArrayList<>());
                });
                for (int r = 0; r < settings.rounds(); r++) {
                    // The ceiling before the servers in odd rounds, after them in even ones.
                    if (ceiling != null && r % 2 == 1) {
                        ceiling.round(level, r);
                    }
                    for (int k = 0; k < all.size(); k++) {
                        int i = r % 2 == 0 ? k : all.size() - 1 - k;
                        Contender c = all.get(i);
                        int round = r;
                        c.attempt(() -> {
                            // At least 16 requests per level, so one slow request does not decide a low level.
                            int requests = Math.max(settings.requestsPerStream(), (16 + level - 1) / level);
                            ServingLevel l = LoadGenerator.run(c.client, c.model, settings.prompts().prompts(), settings.maxTokens(), level, requests, settings.sampling());
                            rounds.get(i).add(l);
                            progress.step(String.format(Locale.ROOT, "serving: %s, %d streams, round %d/%d: %.1f tokens/s, TTFT p50 %.0f ms, %d failed",
                                    c.label, level, round + 1, settings.rounds(), l.aggregateTokensPerSecond(), l.ttftP50Ms(), l.failed()));
                            if (independent != null) {
                                ServingLevel p = independent.run(c.base, c.model, settings.prompts().prompts(), settings.maxTokens(), level, requests, settings.sampling(),
                                        settings.requestTimeout().multipliedBy(requests));
                                independentRounds.get(i).add(p);
                                progress.step(String.format(Locale.ROOT, "serving: %s, %d streams, round %d/%d, Python client: %.1f tokens/s, TTFT p50 %.0f ms, %d failed",
                                        c.label, level, round + 1, settings.rounds(), p.aggregateTokensPerSecond(), p.ttftP50Ms(), p.failed()));
                            }
                        });
                    }
                    if (ceiling != null && r % 2 == 0) {
                        ceiling.round(level, r);
                    }
                }
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).error == null) {
                        all.get(i).levels.add(ServingLevel.ofRounds(rounds.get(i)));
                        if (!independentRounds.get(i).isEmpty()) {
                            all.get(i).independentLevels.add(ServingLevel.ofRounds(independentRounds.get(i)));
                        }
                    }
                }
            }
            for (Contender c : all) {
                c.attempt(() -> {
                    progress.step("serving: " + c.label + ", prefix cache (cold vs cached time to first token)");
                    c.prefix = prefixProbe(c.client, c.model, 3);
                    progress.step(String.format(Locale.ROOT, "serving: %s, %d-token prompt: TTFT cold %.0f ms, cached %.0f ms (%.2fx)",
                            c.label, c.prefix.promptTokens(), c.prefix.coldTtftMs(), c.prefix.cachedTtftMs(), c.prefix.ratio()));
                    c.stream = streamProbe(c.client, c.model, settings.maxTokens(), 3);
                    progress.step(String.format(Locale.ROOT, "serving: %s, one stream: %.2f ms per token", c.label, c.stream.perTokenMs()));
                });
            }
        } finally {
            for (Contender c : all) {
                if (c.process != null) {
                    c.process.close();
                }
            }
        }
    }

    /**
     * HTTP streaming against the same engine in process, at the servers' threads and, when those
     * take every core (HTTP and the client then preempt ggml's threads), with one core left free.
     * Each setting gets its own server and engine probe (and llama-server, when given, measured the
     * same way against the same probe), all up at once, trials interleaved.
     */
    private List<ServingServer.OverheadProbe> overhead(Path model, Optional<Path> llamaServer, Optional<Path> libraryDir, Path logDir) {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> threads = new ArrayList<>(List.of(settings.threads()));
        if (settings.threads() >= cores && cores >= 2) {
            threads.add(cores - 1);
        }
        List<ServingServer.OverheadProbe> out = new ArrayList<>();
        for (int t : threads) {
            Settings s = settings.withThreads(t);
            int port = freePort();
            progress.step("serving: HTTP streaming overhead, " + t + " thread(s): starting our server, the engine in process"
                    + (llamaServer.isPresent() ? " and llama-server" : ""));
            URI base = URI.create("http://127.0.0.1:" + port);
            try (ServerProcess server = ServerProcess.start(oursCommand(model, port, s, libraryDir), base,
                    logDir.resolve("infernet-serve-overhead-t" + t + ".log"), settings.startTimeout());
                 EngineProbe engine = EngineProbe.start(EngineProbe.command(model, s.maxLevel(), t, s.contextPerSlot(), libraryDir),
                         logDir.resolve("engine-probe-t" + t + ".log"), settings.startTimeout());
                 ServerProcess theirs = llamaServer.map(bin -> startLlamaServer(bin, model, s, logDir.resolve("llama-server-overhead-t" + t + ".log")))
                         .orElse(null)) {
                ChatStream client = new ChatStream(base, settings.requestTimeout());
                String id = modelId(base).orElse("default");
                Optional<ChatStream> other = Optional.ofNullable(theirs).map(p -> new ChatStream(p.base(), settings.requestTimeout()));
                String otherId = theirs == null ? null : modelId(theirs.base()).orElse("default");
                ServingServer.OverheadProbe p = overheadRounds(client, id, other, otherId, engine, t, Math.max(0, cores - t));
                progress.step(String.format(Locale.ROOT, "serving: %d thread(s), %d core(s) free: %.3f ms per token over HTTP, %.3f in process: %+.1f%%%s",
                        t, p.freeCores(), p.httpPerTokenMs(), p.enginePerTokenMs(), (p.ratios().median() - 1) * 100,
                        p.llamaServerRatios().map(r -> String.format(Locale.ROOT, "; llama-server %.3f ms per token: %+.1f%%",
                                p.llamaServerHttpPerTokenMs(), (r.median() - 1) * 100)).orElse("")));
                out.add(p);
            }
        }
        return out;
    }

    private ServerProcess startLlamaServer(Path bin, Path model, Settings s, Path log) {
        int port = freePort();
        return ServerProcess.start(llamaServerCommand(bin, model, port, s), URI.create("http://127.0.0.1:" + port), log, settings.startTimeout());
    }

    /**
     * Untimed warm-up on every side, then rounds of one HTTP trial per server and one in-process
     * trial, in an order that rotates from round to round. llama-server (when given) is measured
     * against the same in-process trial: the same libraries, request and tokens, so both servers'
     * overheads are taken the same way.
     */
    private ServingServer.OverheadProbe overheadRounds(ChatStream client, String model, Optional<ChatStream> other, String otherModel,
                                                       EngineProbe engine, int threads, int freeCores) {
        String prompt = PROMPTS.getFirst();
        int n = settings.maxTokens();
        for (int w = 0; w < 3; w++) {
            httpTrial(client, model, prompt, n);
            engine.trial(prompt, n, settings.requestTimeout());
            other.ifPresent(o -> httpTrial(o, otherModel, prompt, n));
        }
        // A trial is one 128-token answer (about 0.4 s): 21 rounds resolve a few per cent where 9 left ±15% between rounds.
        int rounds = Math.max(21, 7 * settings.rounds());
        double[] http = new double[rounds];
        double[] inProcess = new double[rounds];
        double[] theirs = new double[rounds];
        int sides = other.isPresent() ? 3 : 2;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < sides; k++) {
                switch ((r + k) % sides) {
                    case 0 -> http[r] = httpTrial(client, model, prompt, n);
                    case 1 -> inProcess[r] = engine.trial(prompt, n, settings.requestTimeout()).perTokenMs();
                    default -> theirs[r] = httpTrial(other.orElseThrow(), otherModel, prompt, n);
                }
            }
        }
        List<Double> ratios = new ArrayList<>();
        List<Double> theirRatios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            ratios.add(http[r] / inProcess[r]);
            if (other.isPresent()) {
                theirRatios.add(theirs[r] / inProcess[r]);
            }
        }
        return new ServingServer.OverheadProbe(threads, freeCores, n, Summary.of(http).median(), Summary.of(inProcess).median(), ratios,
                other.isPresent() ? Summary.of(theirs).median() : Double.NaN, theirRatios);
    }

    private static double httpTrial(ChatStream client, String model, String prompt, int maxTokens) {
        ChatStream.Outcome o = client.send(model, prompt, maxTokens);
        if (!o.ok() || Double.isNaN(o.interTokenMs())) {
            throw new IllegalStateException("a streamed request of the overhead probe failed: " + (o.ok() ? "fewer than two tokens" : o.error()));
        }
        return o.interTokenMs();
    }

    /** Starts a server, finds its model id and sends one request. */
    private void start(Contender c) {
        progress.step("serving: starting " + c.label + " on port " + c.port + " (log: " + c.log + ")");
        URI base = URI.create("http://127.0.0.1:" + c.port);
        c.process = ServerProcess.start(c.command, base, c.log, settings.startTimeout());
        c.base = base;
        c.client = new ChatStream(base, settings.requestTimeout());
        c.model = modelId(base).orElse("default");
        ChatStream.Outcome warm = c.client.send(c.model, PROMPTS.getFirst(), settings.maxTokens());
        if (!warm.ok()) {
            throw new IllegalStateException("the warm-up request failed: " + warm.error());
        }
    }

    /** One server under measurement; once {@link #error} is set it is left out of every later step. */
    private static final class Contender {
        final String id;
        final String label;
        final List<String> command;
        final int port;
        final Path log;
        ServerProcess process;
        ChatStream client;
        URI base;
        final List<ServingLevel> independentLevels = new ArrayList<>();
        String model;
        String error;
        final List<ServingLevel> levels = new ArrayList<>();
        ServingServer.PrefixProbe prefix;
        ServingServer.StreamProbe stream;
        final List<ServingServer.OverheadProbe> overhead = new ArrayList<>();

        Contender(String id, String label, List<String> command, int port, Path log) {
            this.id = id;
            this.label = label;
            this.command = command;
            this.port = port;
            this.log = log;
        }

        /** Runs a step unless an earlier one failed; a failure is recorded, not thrown. */
        void attempt(Runnable step) {
            if (error != null) {
                return;
            }
            try {
                step.run();
            } catch (IllegalStateException e) {
                error = e.getMessage();
            }
        }

        ServingServer result() {
            String display = String.join(" ", command.size() > 12 && command.contains("-cp") ? shorten(command) : command);
            return error != null ? new ServingServer(id, label, display, List.of(), Optional.of(error))
                    : new ServingServer(id, label, display, levels, Optional.empty(), Optional.ofNullable(prefix), Optional.ofNullable(stream),
                    overhead, independentLevels);
        }
    }

    /** Words of the long prompts (each about one token with its leading space). */
    private static final String[] WORDS = ("time year people way day man thing woman life child world school state family student group "
            + "country problem hand part place case week company system program question work government number night point home water "
            + "room mother area money story fact month lot right study book eye job word business issue side kind head house service "
            + "friend father power hour game line end member law car city community name president team minute idea kid body").split(" ");

    /** A long prompt of about {@link #PREFIX_WORDS} words, different for every {@code salt}. */
    static String longPrefix(long salt) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(salt * 7919 + 17);
        StringBuilder b = new StringBuilder("Here are some notes. ");
        for (int i = 0; i < PREFIX_WORDS; i++) {
            b.append(WORDS[r.nextInt(WORDS.length)]).append(i % 12 == 11 ? ". " : " ");
        }
        return b.toString();
    }

    static final int PREFIX_WORDS = 950;

    /** Cold vs cached TTFT with a fresh ~1,000-token prefix per trial; medians. */
    ServingServer.PrefixProbe prefixProbe(ChatStream client, String model, int trials) {
        double[] cold = new double[trials];
        double[] cached = new double[trials];
        long[] tokens = new long[trials];
        long salt = System.nanoTime();
        for (int t = 0; t < trials; t++) {
            String prefix = longPrefix(salt + t);
            ChatStream.Outcome c = client.send(model, prefix + "\nQuestion: what is the first word?", 4);
            ChatStream.Outcome w = client.send(model, prefix + "\nQuestion: what is the last word?", 4);
            if (!c.ok() || !w.ok()) {
                throw new IllegalStateException("a prefix-cache request failed: " + (c.ok() ? w.error() : c.error()));
            }
            cold[t] = c.ttftMs();
            cached[t] = w.ttftMs();
            tokens[t] = c.promptTokens();
        }
        java.util.Arrays.sort(cold);
        java.util.Arrays.sort(cached);
        java.util.Arrays.sort(tokens);
        return new ServingServer.PrefixProbe(tokens[trials / 2], cold[trials / 2], cached[trials / 2], trials);
    }

    /** One stream alone, {@code maxTokens} tokens; median per-token latency after the first token. */
    ServingServer.StreamProbe streamProbe(ChatStream client, String model, int maxTokens, int trials) {
        double[] per = new double[trials];
        for (int t = 0; t < trials; t++) {
            ChatStream.Outcome o = client.send(model, PROMPTS.get(t % PROMPTS.size()), maxTokens);
            if (!o.ok()) {
                throw new IllegalStateException("a streaming request failed: " + o.error());
            }
            per[t] = o.perTokenMs();
        }
        java.util.Arrays.sort(per);
        return new ServingServer.StreamProbe(maxTokens, per[trials / 2], trials);
    }

    /** The first model id of {@code GET /v1/models}. */
    static Optional<String> modelId(URI base) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode data = io.infernet.engines.Json.MAPPER.readTree(r.body()).path("data");
            return data.isArray() && !data.isEmpty() ? Optional.ofNullable(data.get(0).path("id").asText(null)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A command for the report with the (long) class path left out. */
    private static List<String> shorten(List<String> command) {
        List<String> out = new ArrayList<>(command);
        int i = out.indexOf("-cp");
        if (i >= 0 && i + 1 < out.size()) {
            out.set(i + 1, "<class path>");
        }
        return out;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on loopback: " + e.getMessage(), e);
        }
    }
}
