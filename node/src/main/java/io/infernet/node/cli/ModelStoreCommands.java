package io.infernet.node.cli;

import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.models.GgufFullCheck;
import io.infernet.node.protocol.models.ModelDownloader;
import io.infernet.node.protocol.models.ModelHost;
import io.infernet.node.protocol.models.ModelReference;
import io.infernet.node.protocol.models.ModelStore;
import io.infernet.node.protocol.models.OllamaRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code infernet model install|list|remove}: the node's model store by hand, as
 * {@code model_install} and {@code model_remove} fill it from the dashboard. A running
 * {@code infernet start} serves what the dashboard installs at once; what is installed here is
 * served from its next start.
 */
final class ModelStoreCommands {
    private ModelStoreCommands() {}

    /** What the three commands share: the config folder, the store and a host over it. */
    static final class StoreOptions {
        @Mixin
        NodeContext ctx;

        @Option(names = "--models-dir", paramLabel = "DIR",
                description = "The store (default: $INFERNET_MODELS_DIR, models.dir of the config, else the data folder's models/)")
        Path modelsDir;

        /** The store: {@code --models-dir}, else $INFERNET_MODELS_DIR, the config's models.dir, or the default. */
        ModelStore store() {
            if (modelsDir != null) {
                return new ModelStore(modelsDir);
            }
            return ctx.modelStore(ctx.store().load().orElse(NodeConfig.empty()));
        }

        /** Installs into the store (served from the next start: no engine runs here). */
        ModelHost host() {
            ModelDownloader downloader = ModelDownloader.standard(new GgufFullCheck());
            return new ModelHost.InStore(store(), downloader, OllamaRegistry.standard(downloader, System.getenv()), null);
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Download a model into the node's store: an Ollama name (qwen2.5:7b, from registry.ollama.ai or $INFERNET_OLLAMA_REGISTRY), "
                    + "a Hugging Face file (org/repo/file.gguf; HF_TOKEN for gated ones) or an http(s) URL of a .gguf file. "
                    + "It is checked (digest, then the full model check) and resumes if interrupted.")
    static final class Install implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions opts;

        @Option(names = "--sha256", paramLabel = "HEX", description = "The file's expected SHA-256")
        String sha256;

        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Override
        public Integer call() {
            ModelStore store = opts.store();
            ModelHost host = opts.host();
            PrintWriter err = spec.commandLine().getErr();
            List<String> out;
            try {
                out = host.install(model, sha256, p -> {
                    err.println(p.line());
                    err.flush();
                });
            } catch (ModelHost.Refused e) {
                throw new Main.CommandFailure(e.getMessage());
            }
            PrintWriter o = spec.commandLine().getOut();
            o.println(out.getLast());
            o.println("served as " + ModelReference.parse(model).servedName() + " from the next 'infernet start' or 'infernet serve --models-dir "
                    + store.dir() + "'");
            o.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The models in the node's store and the names they are served under.")
    static final class ListModels implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions opts;

        @Override
        public Integer call() {
            ModelStore store = opts.store();
            PrintWriter o = spec.commandLine().getOut();
            List<ModelStore.Entry> all = store.entries();
            if (all.isEmpty()) {
                o.println("no models in " + store.dir() + " (infernet model install qwen2.5:0.5b)");
            }
            for (ModelStore.Entry e : all) {
                o.println(e.name() + "  " + e.file().getFileName() + (e.source() == null ? "" : "  (" + e.source() + ")"));
            }
            o.flush();
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Delete a model from the node's store (by served name or file name).")
    static final class Remove implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions opts;

        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Override
        public Integer call() {
            try {
                opts.host().remove(model).forEach(spec.commandLine().getOut()::println);
            } catch (ModelHost.Refused e) {
                throw new Main.CommandFailure(e.getMessage());
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
