package io.infernet.node.protocol.outbox;

/** Where jobs and commands hand their event batches and completions ({@link DeliveryService} in production). */
@FunctionalInterface
public interface Deliverer {
    /** Sends or queues {@code d}; calls for one key come from one thread at a time. */
    DeliveryService.Outcome submit(Delivery d);
}
