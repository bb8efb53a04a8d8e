package io.infernet.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.RetryPolicy;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import io.infernet.node.protocol.identity.NodeKey;
import java.security.SecureRandom;
import java.time.Duration;

/** A provider driven by hand through the node's own client: every call signed, no retries. */
public final class TestNode {

    public final NodeKey key;
    public final ControlPlaneClient client;
    public final String nodeId;
    public final String name;

    public TestNode(String baseUrl, String name) {
        this(baseUrl, name, NodeKey.generate(new SecureRandom()));
    }

    private TestNode(String baseUrl, String name, NodeKey key) {
        this.key = key;
        this.client = new ControlPlaneClient(baseUrl, new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                RetryPolicy.NONE, Duration.ofSeconds(30));
        this.nodeId = "provider-" + key.publicKeyHex().substring(0, 8);
        this.name = name;
    }

    /** The same identity talking to another control plane. */
    public TestNode via(String baseUrl) {
        return new TestNode(baseUrl, name, key);
    }

    public String pubkey() {
        return key.publicKeyHex();
    }

    public JsonNode register() {
        ObjectNode b = Json.object().put("role", "provider").put("node_id", nodeId).put("name", name);
        return client.call("register", b);
    }

    /** A heartbeat advertising {@code models} with a cap of {@code cap} and {@code active} jobs. */
    public JsonNode heartbeat(int cap, int active, String... models) {
        ObjectNode b = Json.object().put("role", "provider").put("status", "available");
        ObjectNode specs = b.putObject("specs");
        ArrayNode served = specs.putArray("served_models");
        for (String m : models) {
            served.add(m);
        }
        specs.putObject("load").put("active_jobs", active).put("concurrency_cap", cap);
        specs.putArray("job_types").add("chat").add("embed");
        return client.call("heartbeat", b);
    }

    public TestNode online(String... models) {
        register();
        heartbeat(4, 0, models);
        return this;
    }

    public JsonNode poll() {
        return client.call("jobs/poll", Json.object().put("limit", 25));
    }

    public JsonNode events(String jobId, ObjectNode... events) {
        ArrayNode a = Json.array();
        for (ObjectNode e : events) {
            a.add(e);
        }
        return client.call(ControlPlaneClient.jobEventsRoute(jobId), ControlPlaneClient.jobEventsBody(a));
    }

    public JsonNode complete(String jobId, String text, int tokens) {
        ObjectNode b = Json.object().put("status", "completed");
        b.putObject("result").put("type", "chat").put("text", text).put("token_count", tokens).put("duration_ms", 5).put("completed_by", nodeId);
        return client.call(ControlPlaneClient.jobCompleteRoute(jobId), b);
    }

    public static ObjectNode event(String type, ObjectNode data) {
        ObjectNode e = Json.object().put("event_type", type);
        e.set("data", data);
        return e;
    }

    public static ObjectNode token(String text) {
        return event("token", Json.object().put("text", text));
    }

    public static ObjectNode done(String text, String reason) {
        return event("done", Json.object().put("text", text).put("reason", reason).put("finished_at", "2026-01-01T00:00:00.000Z"));
    }

    public static ObjectNode meta(String model) {
        return event("meta", Json.object().put("provider_node_id", "x").put("model", model));
    }
}
