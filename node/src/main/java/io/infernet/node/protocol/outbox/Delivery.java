package io.infernet.node.protocol.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One node POST that must reach the control plane, in order with the other deliveries of the
 * same {@code key} (e.g. {@code job:<id>}: its event batches, then its completion). The body is
 * not changed after it is handed over.
 *
 * @param key   ordering group
 * @param route node route relative to {@code /api/v1/node/}
 * @param body  the JSON body
 */
public record Delivery(String key, String route, ObjectNode body) {
    public Delivery {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(body, "body");
    }

    public static String jobKey(String jobId) {
        return "job:" + jobId;
    }

    public static String commandKey(String commandId) {
        return "command:" + commandId;
    }
}
