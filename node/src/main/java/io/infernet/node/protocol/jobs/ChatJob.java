package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.Embeddings;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.kernels.SamplingParams;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.PolledJob;
import io.infernet.node.protocol.outbox.Deliverer;
import io.infernet.node.protocol.outbox.Delivery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs one job on its own thread: a chat job goes to the engine and its events (meta, token,
 * done | error) are posted in batches, then the job is completed; an embed job (batch jobs)
 * embeds its inputs; any other type fails with "unsupported job type: X". Cancelling ends the generation with {@code done(reason=cancel)}
 * and completes the job as failed.
 */
final class ChatJob {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.jobs");
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** How a job ended, for the runner's bookkeeping. */
    record Outcome(boolean completed, int tokens, Duration duration, Instant finishedAt) {}

    private final PolledJob job;
    private final Engine engine;
    private final ProviderInfo provider;
    private final Deliverer deliverer;
    private final BatchPolicy policy;
    private final Clock clock;
    private final String key;
    private volatile Generation generation;
    private volatile String cancelReason;
    /** Token events seen (the token count when the engine reports no usage); job thread only. */
    private int tokenEvents;

    ChatJob(PolledJob job, Engine engine, ProviderInfo provider, Deliverer deliverer, BatchPolicy policy, Clock clock) {
        this.job = job;
        this.engine = engine;
        this.provider = provider;
        this.deliverer = deliverer;
        this.policy = policy;
        this.clock = clock;
        this.key = Delivery.jobKey(job.id());
    }

    String id() {
        return job.id();
    }

    /** Asks the job to stop; the generation ends with done(reason=cancel). Idempotent, any thread. */
    void cancel(String reason) {
        cancelReason = reason;
        Generation g = generation;
        if (g != null) {
            g.cancel();
        }
    }

    Outcome run() {
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        EventBatcher batcher = new EventBatcher(policy, this::postEvents);
        if ("embed".equals(job.type())) {
            return embed(batcher, startedAt, t0);
        }
        if (!"chat".equals(job.type())) {
            // The reference's node completes such a job with a stub result (apps/cli/commands/start.js
            // processJob), and its control plane then records the payment offered for it: being paid
            // for work not done. This node fails it instead, so the client is charged nothing and the
            // job can go to a node that runs it.
            return fail(batcher, "unsupported job type: " + job.type());
        }
        BlockingQueue<GenerationEvent> queue = new LinkedBlockingQueue<>();
        try {
            ChatInput input = ChatInput.parse(job.inputSpec());
            SamplingParams sampling = SamplingParams.defaults().withTemperature(input.temperature());
            generation = engine.generate(GenerationRequest.chat(job.modelName(), input.messages(), sampling, input.maxTokens())
                    .withChat(input.chat()).withDecoding(DecodingOptions.DEFAULT.withFormat(input.format())), queue::add);
        } catch (IllegalArgumentException | EngineException e) {
            return fail(batcher, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "job " + job.id() + ": the engine failed to start the generation", e);
            return fail(batcher, "engine failure: " + e.getClass().getSimpleName());
        }
        if (cancelReason != null) {
            generation.cancel();
        }
        GenerationEvent terminal = pump(queue, batcher, startedAt);
        batcher.flush();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        return finish(terminal, took);
    }

    /**
     * An {@code embed} job (this project's addition, for batch jobs; advertised in
     * {@code specs.job_types}): {@code input_spec.input} is an array of strings; the result is
     * {@code {type: "embed", embeddings: [[...]], prompt_tokens, duration_ms, completed_by}}.
     */
    private Outcome embed(EventBatcher batcher, Instant startedAt, long t0) {
        JsonNode input = job.inputSpec() == null ? null : job.inputSpec().get("input");
        if (input == null || !input.isArray() || input.isEmpty()) {
            return fail(batcher, "invalid input_spec: input must be a non-empty array of strings");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode t : input) {
            if (!t.isTextual()) {
                return fail(batcher, "invalid input_spec: input must be a non-empty array of strings");
            }
            texts.add(t.asText());
        }
        batcher.add(JobEvents.meta(provider.nodeId(), provider.name(), job.modelName(), startedAt, engine.kind()), System.nanoTime());
        batcher.flush();
        Embeddings e;
        try {
            e = engine.embed(job.modelName(), texts);
        } catch (EngineException | IllegalArgumentException ex) {
            return fail(batcher, ex.getMessage());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        ObjectNode body = Json.object().put("status", "completed");
        ObjectNode result = body.putObject("result").put("type", "embed");
        ArrayNode vectors = result.putArray("embeddings");
        for (float[] v : e.vectors()) {
            ArrayNode a = vectors.addArray();
            for (float f : v) {
                a.add(f);
            }
        }
        result.put("prompt_tokens", e.promptTokens()).put("duration_ms", took.toMillis()).put("completed_by", provider.nodeId());
        complete(body);
        return new Outcome(true, 0, took, clock.instant());
    }

    /** Moves engine events into the batcher until the terminal one; returns it. */
    private GenerationEvent pump(BlockingQueue<GenerationEvent> queue, EventBatcher batcher, Instant startedAt) {
        List<GenerationEvent> drained = new ArrayList<>();
        boolean interrupted = false;
        try {
            while (true) {
                long wait = Math.min(batcher.nanosUntilDue(System.nanoTime()), MAX_WAIT_NANOS);
                GenerationEvent first;
                try {
                    first = queue.poll(wait, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel("interrupted");
                    continue;
                }
                drained.clear();
                if (first != null) {
                    drained.add(first);
                    queue.drainTo(drained);
                } else if (generation.completion().isDone() && queue.isEmpty()) {
                    drained.add(fromCompletion(generation.completion()));
                }
                for (GenerationEvent ev : drained) {
                    ObjectNode wire = toWire(ev, startedAt);
                    if (ev.isTerminal()) {
                        if (wire != null) {
                            batcher.add(wire, System.nanoTime());
                        }
                        return ev;
                    }
                    if (wire != null) {
                        batcher.add(wire, System.nanoTime());
                        batcher.flushIfDue(System.nanoTime());
                    }
                }
                batcher.flushIfDue(System.nanoTime());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ObjectNode toWire(GenerationEvent ev, Instant startedAt) {
        return switch (ev) {
            case GenerationEvent.Meta m -> JobEvents.meta(provider.nodeId(), provider.name(),
                    m.model() != null ? m.model() : job.modelName(), m.startedAt() != null ? m.startedAt() : startedAt, m.engine());
            case GenerationEvent.Token t -> {
                tokenEvents++;
                String content = JobEvents.content(t.deltas());
                yield content.isEmpty() ? null : JobEvents.token(content);
            }
            case GenerationEvent.Done d -> JobEvents.done(d.message(), d.reason().wireName(), finishedAt(d.finishedAt()), d.usage());
            case GenerationEvent.Error e -> JobEvents.error(e.message());
        };
    }

    private Outcome finish(GenerationEvent terminal, Duration took) {
        Instant now = clock.instant();
        if (terminal instanceof GenerationEvent.Done d && d.reason() != FinishReason.CANCEL) {
            int tokens = d.usage() != null ? d.usage().completionTokens() : tokenEvents;
            complete(JobEvents.completed(d.message(), tokens, took.toMillis(), provider.nodeId()));
            return new Outcome(true, tokens, took, finishedAt(d.finishedAt()));
        }
        String error = terminal instanceof GenerationEvent.Error e
                ? e.message()
                : "cancelled: " + (cancelReason != null ? cancelReason : "the engine stopped");
        complete(JobEvents.failed(error));
        return new Outcome(false, 0, took, now);
    }

    private Outcome fail(EventBatcher batcher, String message) {
        batcher.add(JobEvents.error(message), System.nanoTime());
        batcher.flush();
        complete(JobEvents.failed(message));
        return new Outcome(false, 0, Duration.ZERO, clock.instant());
    }

    private Instant finishedAt(Instant t) {
        return t != null ? t : clock.instant();
    }

    private static GenerationEvent fromCompletion(CompletableFuture<GenerationEvent> f) {
        try {
            GenerationEvent e = f.getNow(null);
            if (e != null && e.isTerminal()) {
                return e;
            }
            return new GenerationEvent.Error("the engine ended the generation without a final event", Instant.now());
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new GenerationEvent.Error("engine failure: " + cause.getMessage(), Instant.now());
        }
    }

    private void postEvents(ArrayNode batch) {
        deliverer.submit(new Delivery(key, ControlPlaneClient.jobEventsRoute(job.id()), ControlPlaneClient.jobEventsBody(batch)));
    }

    private void complete(ObjectNode body) {
        deliverer.submit(new Delivery(key, ControlPlaneClient.jobCompleteRoute(job.id()), body));
    }
}
