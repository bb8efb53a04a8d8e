package io.infernet.node.protocol.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.PolledCommand;
import io.infernet.node.protocol.models.InstallProgress;
import io.infernet.node.protocol.models.ModelHost;
import io.infernet.node.protocol.outbox.Deliverer;
import io.infernet.node.protocol.outbox.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs owner-issued commands one at a time on one thread, each at most once, and completes
 * them through the {@link Deliverer}: {@code model_install {model, sha256?}} and
 * {@code model_remove {model}} act where the {@link ModelHost} says (Ollama, the in-process
 * store, or a refusal for remote engines). Success is
 * {@code {status: completed, result: {stdout, stderr, code: 0}}}; failure is
 * {@code {status: failed, error}}, as the reference's node answers (apps/cli/commands/start.js
 * runNodeCommand). Any other command fails with "unknown command: X". While an install runs,
 * its progress goes to the {@link ProgressSink} (on each new status, and at most every
 * {@code progressEvery} in between); after a model was added or removed, {@code modelsChanged}
 * runs (the daemon heartbeats at once, so served_models changes without waiting).
 */
public final class CommandRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.commands");

    /** Where install progress goes ({@code commands/{id}/progress}); best effort, may drop. */
    @FunctionalInterface
    public interface ProgressSink {
        void post(String commandId, ObjectNode progress);
    }

    private final ModelHost host;
    private final Deliverer deliverer;
    private final ProgressSink progress;
    private final Duration progressEvery;
    private final Runnable modelsChanged;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("infernet-commands").daemon(true).factory());
    private final java.util.Set<String> seen = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    private final AtomicInteger pending = new AtomicInteger();

    public CommandRunner(ModelHost host, Deliverer deliverer, ProgressSink progress, Duration progressEvery, Runnable modelsChanged) {
        this.host = Objects.requireNonNull(host, "host");
        this.deliverer = Objects.requireNonNull(deliverer, "deliverer");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.progressEvery = Objects.requireNonNull(progressEvery, "progressEvery");
        this.modelsChanged = Objects.requireNonNull(modelsChanged, "modelsChanged");
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
                case "model_install" -> host.install(requireModel(c), Json.text(c.args(), "sha256"), throttled(c.id(), requireModel(c)));
                case "model_remove" -> host.remove(requireModel(c));
                default -> throw new ModelHost.Refused("unknown command: " + c.command() + " (this node runs model_install and model_remove)");
            };
            changed();
            body = Json.object().put("status", "completed");
            body.putObject("result").put("stdout", String.join("\n", out)).put("stderr", "").put("code", 0);
            LOG.log(System.Logger.Level.INFO, "command {0}: completed", c.id());
        } catch (ModelHost.Refused e) {
            body = failed(e.getMessage());
            LOG.log(System.Logger.Level.WARNING, "command {0}: failed: {1}", c.id(), e.getMessage());
        } catch (RuntimeException e) {
            body = failed("internal error: " + e);
            LOG.log(System.Logger.Level.ERROR, "command " + c.id() + " crashed", e);
        }
        deliverer.submit(new Delivery(Delivery.commandKey(c.id()), ControlPlaneClient.commandCompleteRoute(c.id()), body));
    }

    private void changed() {
        try {
            modelsChanged.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "after a model change: {0}", e.getMessage());
        }
    }

    /** Logs every step; posts a step when its status is new, or {@code progressEvery} after the last post. */
    private Consumer<InstallProgress> throttled(String id, String model) {
        String[] lastStatus = {null};
        long[] lastPost = {0};
        return p -> {
            LOG.log(System.Logger.Level.INFO, "command {0}: {1}", id, p.line());
            long now = System.nanoTime();
            if (!p.status().equals(lastStatus[0]) || now - lastPost[0] >= progressEvery.toNanos()) {
                lastStatus[0] = p.status();
                lastPost[0] = now;
                try {
                    progress.post(id, p.toWire(model));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "command {0}: progress not posted: {1}", id, e.getMessage());
                }
            }
        };
    }

    private static String requireModel(PolledCommand c) throws ModelHost.Refused {
        String model = Json.text(c.args(), "model");
        if (model == null || model.isBlank()) {
            throw new ModelHost.Refused(c.command() + " needs args.model");
        }
        return model.trim();
    }

    private static ObjectNode failed(String error) {
        return Json.object().put("status", "failed").put("error", error);
    }
}
