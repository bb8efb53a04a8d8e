package io.infernet.node.protocol.models;

import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.ModelSet;
import io.infernet.engines.ollama.OllamaEngine;
import io.infernet.engines.ollama.PullProgress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where {@code model_install} and {@code model_remove} take effect, chosen by the node's engine:
 * <ul>
 *   <li>Ollama: pulled and removed through Ollama itself, as the reference's node does
 *       ({@code ollama pull} / {@code ollama rm} in apps/cli/commands/start.js);</li>
 *   <li>in process: fetched into the {@link ModelStore} (an Ollama name from its registry, a
 *       Hugging Face file, a URL), checked (digest, then the full model check), recorded under
 *       its served name, and, when the engine is a {@link ModelSet}, loaded and served at once;
 *       a removal unloads it and deletes the file;</li>
 *   <li>a vLLM or llama.cpp server: refused (the node cannot put models into them).</li>
 * </ul>
 */
public interface ModelHost {

    /** What the owner is told when an install or removal cannot be done. */
    final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * @param sha256 an expected SHA-256 of the file (args.sha256), or null
     * @return lines for the command's stdout
     */
    List<String> install(String model, String sha256, Consumer<InstallProgress> progress) throws Refused;

    /** @return lines for the command's stdout */
    List<String> remove(String model) throws Refused;

    /** The host for {@code engine}. */
    static ModelHost of(Engine engine, ModelStore store, ModelDownloader downloader, OllamaRegistry registry) {
        if (engine instanceof OllamaEngine o) {
            return new ThroughOllama(o);
        }
        if (engine == null || engine instanceof ModelSet || engine.kind().equals("in-process")) {
            return new InStore(store, downloader, registry, engine instanceof ModelSet s ? s : null);
        }
        return new Refusing(engine);
    }

    /** Pulls and removes through the node's Ollama. */
    record ThroughOllama(OllamaEngine ollama) implements ModelHost {
        @Override
        public List<String> install(String model, String sha256, Consumer<InstallProgress> progress) throws Refused {
            try {
                ollama.pull(model, p -> progress.accept(progressOf(p)));
            } catch (EngineException e) {
                throw new Refused(e.getMessage());
            }
            return List.of("pulled " + model + " through the " + ollama.server());
        }

        @Override
        public List<String> remove(String model) throws Refused {
            try {
                ollama.delete(model);
            } catch (EngineException e) {
                throw new Refused(e.getMessage());
            }
            return List.of("removed " + model + " from the " + ollama.server());
        }

        static InstallProgress progressOf(PullProgress p) {
            long total = p.total();
            return new InstallProgress(p.status(), p.digest(), Math.min(p.completed(), total > 0 ? total : p.completed()), total, p.describe());
        }
    }

    /** Downloads into the store and, where the engine is a {@link ModelSet}, serves at once. */
    record InStore(ModelStore store, ModelDownloader downloader, OllamaRegistry registry, ModelSet serving) implements ModelHost {
        public InStore {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(downloader, "downloader");
            Objects.requireNonNull(registry, "registry");
        }

        @Override
        public List<String> install(String model, String sha256, Consumer<InstallProgress> progress) throws Refused {
            ModelReference ref;
            try {
                ref = ModelReference.parse(model);
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage());
            }
            List<String> lines = new ArrayList<>();
            Consumer<InstallProgress> both = p -> {
                lines.add(p.line());
                progress.accept(p);
            };
            ModelDownloader.Installed done;
            String source;
            try {
                switch (ref) {
                    case ModelReference.FileUrl f -> {
                        done = downloader.install(f, store, sha256, both);
                        source = f.url().toString();
                    }
                    case ModelReference.OllamaTag t -> {
                        both.accept(InstallProgress.step("pulling manifest", "reading the manifest of " + t.servedName()));
                        OllamaRegistry.ModelLayer layer = registry.resolve(t);
                        layer.notes().forEach(n -> both.accept(InstallProgress.step("pulling manifest", t.servedName() + ": " + n)));
                        if (sha256 != null && !sha256.isBlank() && !sha256.trim().equalsIgnoreCase(layer.sha256())) {
                            throw new Refused("args.sha256 " + sha256 + " is not the registry's digest of " + t.servedName() + " (" + layer.digest() + ")");
                        }
                        done = downloader.fetch(layer.blobUrl(), layer.headers(), t.fileName(), store, layer.sha256(),
                                p -> both.accept(p.digest() == null && p.status().equals("downloading")
                                        ? new InstallProgress(p.status(), layer.digest(), p.completed(), p.total() > 0 ? p.total() : layer.size(), p.line()) : p));
                        source = "ollama://" + t.host() + "/" + t.repository() + ":" + t.tag();
                    }
                }
                store.record(ref.servedName(), ref.fileName(), source, done.sha256());
            } catch (IOException | GgufValidator.InvalidModelException | IllegalArgumentException e) {
                throw new Refused(e.getMessage());
            }
            if (serving != null) {
                try {
                    serving.put(ref.servedName(), done.path(), true);
                } catch (EngineException e) {
                    throw new Refused(ref.servedName() + " was installed in " + store.dir() + " but could not be loaded: " + e.getMessage());
                }
                lines.add("serving " + ref.servedName());
            }
            return summary(lines);
        }

        @Override
        public List<String> remove(String model) throws Refused {
            Optional<ModelStore.Entry> removed;
            try {
                removed = store.remove(model);
            } catch (IOException | IllegalArgumentException e) {
                throw new Refused("cannot remove " + model + ": " + e.getMessage());
            }
            String name = removed.map(ModelStore.Entry::name).orElse(model);
            boolean unloaded = serving != null && serving.remove(name);
            if (removed.isEmpty() && !unloaded) {
                throw new Refused("model " + model + " is not installed in " + store.dir());
            }
            List<String> out = new ArrayList<>();
            removed.map(ModelStore.Entry::file).map(Path::toString).ifPresent(f -> out.add("removed " + f));
            if (unloaded) {
                out.add("stopped serving " + name);
            }
            return out;
        }

        /** The first and the last lines, not every tick. */
        private static List<String> summary(List<String> lines) {
            return lines.size() <= 6 ? lines : List.of(lines.getFirst(), "...", lines.get(lines.size() - 2), lines.getLast());
        }
    }

    /** A remote engine the node cannot put models into. */
    record Refusing(Engine engine) implements ModelHost {
        @Override
        public List<String> install(String model, String sha256, Consumer<InstallProgress> progress) throws Refused {
            throw new Refused(why());
        }

        @Override
        public List<String> remove(String model) throws Refused {
            throw new Refused(why());
        }

        private String why() {
            return "this node serves through a " + engine.kind() + " server, which it cannot install models into or remove them from;"
                    + " manage that server's models there (the node advertises what it serves)";
        }
    }
}
