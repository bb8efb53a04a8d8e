package io.infernet.node.protocol.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.node.protocol.client.ControlPlaneClient;
import java.util.Objects;

/**
 * One node POST that must reach the control plane, in order with the other deliveries of the
 * same {@code key} (e.g. {@code job:<id>}: its event batches, then its completion). The body is
 * not changed after it is handed over.
 *
 * @param key            ordering group
 * @param route          node route relative to {@code /api/v1/node/}
 * @param body           the JSON body
 * @param idempotencyKey sent with every attempt of this delivery (also after a restart), so that
 *                       a control plane that honours it carries the delivery out once
 */
public record Delivery(String key, String route, ObjectNode body, String idempotencyKey) {
    public Delivery {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    }

    /** A delivery with a fresh idempotency key. */
    public Delivery(String key, String route, ObjectNode body) {
        this(key, route, body, ControlPlaneClient.newIdempotencyKey());
    }

    public static String jobKey(String jobId) {
        return "job:" + jobId;
    }

    public static String commandKey(String commandId) {
        return "command:" + commandId;
    }
}
