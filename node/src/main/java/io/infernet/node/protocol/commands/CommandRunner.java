package io.infernet.node.protocol.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.PolledCommand;
import io.infernet.node.protocol.models.GgufValidator;
import io.infernet.node.protocol.models.ModelDownloader;
import io.infernet.node.protocol.models.ModelReference;
import io.infernet.node.protocol.models.ModelStore;
import io.infernet.node.protocol.outbox.Deliverer;
import io.infernet.node.protocol.outbox.Delivery;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs owner-issued commands one at a time on one thread, each at most once, and completes
 * them through the {@link Deliverer}: {@code model_install {model, sha256?}} downloads a GGUF
 * into the {@link ModelStore}; {@code model_remove {model}} deletes one. Success is
 * {@code {status: completed, result: {stdout, stderr, code: 0}}}; failure is
 * {@code {status: failed, error}}. Any other command fails with "unknown command: X".
 */
public final class CommandRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.commands");

    private final ModelStore store;
    private final ModelDownloader downloader;
    private final Deliverer deliverer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("infernet-commands").daemon(true).factory());
    private final java.util.Set<String> seen = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    private final AtomicInteger pending = new AtomicInteger();

    public CommandRunner(ModelStore store, ModelDownloader downloader, Deliverer deliverer) {
        this.store = Objects.requireNonNull(store, "store");
        this.downloader = Objects.requireNonNull(downloader, "downloader");
        this.deliverer = Objects.requireNonNull(deliverer, "deliverer");
    }

    /** Queues {@code c} unless it was seen before; returns whether it was queued. */
    public boolean offer(PolledCommand c) {
        synchronized (seen) {
            if (!seen.add(c.id())) {
                return false;
            }
            if (seen.size() > 10_000) {
                seen.remove(seen.iterator().next());
            }
        }
        pending.incrementAndGet();
        worker.execute(() -> {
            try {
                run(c);
            } finally {
                pending.decrementAndGet();
            }
        });
        return true;
    }

    /** Commands queued or running. */
    public int pending() {
        return pending.get();
    }

    /** Waits until no command is queued or running; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(PolledCommand c) {
        LOG.log(System.Logger.Level.INFO, "command {0}: {1} {2}", c.id(), c.command(), Json.compact(c.args()));
        ObjectNode body;
        try {
            List<String> out = switch (c.command() == null ? "" : c.command()) {
                case "model_install" -> install(c);
                case "model_remove" -> remove(c);
                default -> throw new CommandFailure("unknown command: " + c.command() + " (this node runs model_install and model_remove)");
            };
            body = Json.object().put("status", "completed");
            body.putObject("result").put("stdout", String.join("\n", out)).put("stderr", "").put("code", 0);
            LOG.log(System.Logger.Level.INFO, "command {0}: completed", c.id());
        } catch (CommandFailure e) {
            body = failed(e.getMessage());
            LOG.log(System.Logger.Level.WARNING, "command {0}: failed: {1}", c.id(), e.getMessage());
        } catch (RuntimeException e) {
            body = failed("internal error: " + e);
            LOG.log(System.Logger.Level.ERROR, "command " + c.id() + " crashed", e);
        }
        deliverer.submit(new Delivery(Delivery.commandKey(c.id()), ControlPlaneClient.commandCompleteRoute(c.id()), body));
    }

    private List<String> install(PolledCommand c) {
        ModelReference ref;
        try {
            ref = ModelReference.parse(requireModel(c));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage());
        }
        List<String> lines = new ArrayList<>();
        try {
            downloader.install(ref, store, Json.text(c.args(), "sha256"), line -> {
                LOG.log(System.Logger.Level.INFO, line);
                lines.add(line);
            });
        } catch (IOException | GgufValidator.InvalidModelException | IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage());
        }
        // stdout keeps the first and the last lines of progress, not every tick
        return lines.size() <= 6 ? lines : List.of(lines.getFirst(), "...", lines.get(lines.size() - 2), lines.getLast());
    }

    private List<String> remove(PolledCommand c) {
        String model = requireModel(c);
        String name;
        try {
            name = model.endsWith(".gguf") && !model.contains("/") && !model.contains(":")
                    ? ModelStore.checkName(model)
                    : ModelReference.parse(model).fileName();
            if (!store.remove(name)) {
                throw new CommandFailure("model " + name + " is not installed in " + store.dir());
            }
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage());
        } catch (IOException e) {
            throw new CommandFailure("cannot remove " + model + ": " + e.getMessage());
        }
        return List.of("removed " + store.pathOf(name));
    }

    private static String requireModel(PolledCommand c) {
        String model = Json.text(c.args(), "model");
        if (model == null || model.isBlank()) {
            throw new CommandFailure(c.command() + " needs args.model");
        }
        return model;
    }

    private static ObjectNode failed(String error) {
        return Json.object().put("status", "failed").put("error", error);
    }

    /** A command that cannot be done; its message goes to the owner. */
    private static final class CommandFailure extends RuntimeException {
        CommandFailure(String message) {
            super(message);
        }
    }
}
