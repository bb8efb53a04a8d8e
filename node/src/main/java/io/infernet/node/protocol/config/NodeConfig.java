package io.infernet.node.protocol.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.identity.NodeKey;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The node's config file as a JSON tree with typed accessors for the fields the protocol
 * defines ({@code controlPlane.url}, {@code node.*}, {@code engine.*}, {@code models.dir}).
 * Every other field, known or not, is kept as loaded and written back unchanged.
 *
 * <p>Secrets: {@link #toString()} and {@link #redacted()} replace the private key and any
 * field that looks like a credential with {@code "<redacted>"}. Not thread-safe: one owner
 * (a CLI command) loads, edits and saves it.
 */
public final class NodeConfig {

    public static final int DEFAULT_PORT = 46337;
    public static final String REDACTED = "<redacted>";

    private final ObjectNode root;

    NodeConfig(ObjectNode root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    public static NodeConfig empty() {
        return new NodeConfig(Json.object());
    }

    /** The tree to write to disk (holds the private key; only {@link ConfigStore} uses it). */
    ObjectNode tree() {
        return root;
    }

    public Optional<String> controlPlaneUrl() {
        return text(section("controlPlane"), "url");
    }

    public void setControlPlaneUrl(String url) {
        ensure("controlPlane").put("url", url);
    }

    /**
     * {@code controlPlane.idempotencyKeys}: true when the control plane is known to honour
     * {@code Idempotency-Key} (a write whose answer was lost may then be resent), false when it
     * is known not to; absent means the node learns it from the control plane's answers.
     */
    public Optional<Boolean> idempotencyKeys() {
        JsonNode v = section("controlPlane") == null ? null : section("controlPlane").get("idempotencyKeys");
        return v != null && v.isBoolean() ? Optional.of(v.booleanValue()) : Optional.empty();
    }

    /** {@code node.price}: the price offer sent with register (providers), if set. */
    public Optional<Double> price() {
        JsonNode v = section("node") == null ? null : section("node").get("price");
        return v != null && v.isNumber() ? Optional.of(v.doubleValue()) : Optional.empty();
    }

    /** {@code node.gpuModel}: the GPU model sent with register instead of the detected one, if set. */
    public Optional<String> gpuModel() {
        return text(section("node"), "gpuModel");
    }

    /**
     * What {@code infernet login} saved ({@code auth.{userId, email, bearerToken, issuedAt,
     * expiresAt}}), or empty when signed out.
     */
    public Optional<Auth> auth() {
        ObjectNode a = section("auth");
        return text(a, "bearerToken").map(t -> new Auth(text(a, "userId").orElse(null), text(a, "email").orElse(null), t,
                text(a, "issuedAt").orElse(null), text(a, "expiresAt").orElse(null)));
    }

    /** The signed-in owner: the bearer token is a secret (never logged; {@link #redacted()} hides it). */
    public record Auth(String userId, String email, String bearerToken, String issuedAt, String expiresAt) {
        public Auth {
            Objects.requireNonNull(bearerToken, "bearerToken");
        }

        @Override
        public String toString() {
            return "Auth[userId=" + userId + ", email=" + email + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** Saves {@code auth}, or removes the section when null (sign out). */
    public void setAuth(Auth auth) {
        if (auth == null) {
            root.remove("auth");
            return;
        }
        ObjectNode a = root.putObject("auth");
        a.put("userId", auth.userId()).put("email", auth.email()).put("bearerToken", auth.bearerToken())
                .put("issuedAt", auth.issuedAt()).put("expiresAt", auth.expiresAt());
    }

    /** {@code node.id}: the control plane's row id after registration (kept as sent: string or number). */
    public Optional<JsonNode> serverId() {
        JsonNode v = section("node") == null ? null : section("node").get("id");
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    public void setServerId(JsonNode id) {
        ensure("node").set("id", id == null ? NullNode.getInstance() : id);
    }

    /** {@code node.nodeId}: {@code <role>-<8 hex>}. */
    public Optional<String> nodeId() {
        return text(section("node"), "nodeId");
    }

    public void setNodeId(String nodeId) {
        ensure("node").put("nodeId", nodeId);
    }

    public Optional<String> role() {
        return text(section("node"), "role");
    }

    public void setRole(String role) {
        ensure("node").put("role", role);
    }

    public Optional<String> name() {
        return text(section("node"), "name");
    }

    public void setName(String name) {
        ensure("node").put("name", name);
    }

    public Optional<String> publicKey() {
        return text(section("node"), "publicKey");
    }

    /** True when the config holds a private key. */
    public boolean hasKey() {
        return text(section("node"), "privateKey").isPresent();
    }

    /**
     * The node key from {@code node.privateKey}, checked against {@code node.publicKey}.
     *
     * @param where names the config file in error messages
     * @throws IllegalStateException when missing, malformed or mismatched (no key material in the message)
     */
    public NodeKey key(Path where) {
        String hex = text(section("node"), "privateKey")
                .orElseThrow(() -> new IllegalStateException("no node key in " + where + ": run 'infernet init' first"));
        NodeKey key;
        try {
            key = NodeKey.fromHex(hex, "node.privateKey in " + where);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage());
        }
        Optional<String> pub = publicKey();
        if (pub.isPresent() && !pub.get().equalsIgnoreCase(key.publicKeyHex())) {
            throw new IllegalStateException("node.publicKey in " + where + " does not match node.privateKey; fix the file or run 'infernet init --force'");
        }
        return key;
    }

    public void setKey(NodeKey key) {
        ObjectNode node = ensure("node");
        node.put("publicKey", key.publicKeyHex());
        node.put("privateKey", key.privateKeyHex());
    }

    /** {@code node.address}; empty with --no-advertise. */
    public Optional<String> address() {
        return text(section("node"), "address");
    }

    /** {@code node.port}; empty with --no-advertise. */
    public Optional<Integer> port() {
        JsonNode v = section("node") == null ? null : section("node").get("port");
        return v != null && v.canConvertToInt() && v.isIntegralNumber() ? Optional.of(v.intValue()) : Optional.empty();
    }

    /** Sets address and port; both null means "do not advertise". */
    public void setAdvertised(String address, Integer port) {
        ObjectNode node = ensure("node");
        if (address == null) {
            node.putNull("address");
        } else {
            node.put("address", address);
        }
        if (port == null) {
            node.putNull("port");
        } else {
            node.put("port", port);
        }
    }

    /** {@code engine.model}: the model the node serves by default (a path or a name). */
    public Optional<String> engineModel() {
        return text(section("engine"), "model");
    }

    public void setEngineModel(String model) {
        ensure("engine").put("model", model);
    }

    /** {@code engine.backend}: in-process, vllm, llamacpp or ollama; absent means auto-select. */
    public Optional<String> engineBackend() {
        return text(section("engine"), "backend");
    }

    /** {@code engine.url}: where a remote engine listens; absent means its environment variable or default port. */
    public Optional<String> engineUrl() {
        return text(section("engine"), "url");
    }

    /** {@code models.dir}: where model_install puts GGUF files. */
    public Optional<Path> modelsDir() {
        return text(section("models"), "dir").map(Path::of);
    }

    /** A deep copy with the private key and anything that looks like a credential replaced by {@code "<redacted>"}. */
    public ObjectNode redacted() {
        ObjectNode copy = root.deepCopy();
        redact(copy);
        return copy;
    }

    @Override
    public String toString() {
        return "NodeConfig" + Json.compact(redacted());
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            for (Map.Entry<String, JsonNode> f : obj.properties()) {
                if (isSecretName(f.getKey()) && !f.getValue().isNull() && !f.getValue().isContainerNode()) {
                    f.setValue(Json.MAPPER.getNodeFactory().textNode(REDACTED));
                } else {
                    redact(f.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(NodeConfig::redact);
        }
    }

    static boolean isSecretName(String field) {
        String f = field.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        return f.contains("privatekey") || f.contains("secret") || f.contains("token") || f.contains("password")
                || f.contains("apikey") || f.contains("servicerole") || f.equals("key") || f.endsWith("privkey");
    }

    private ObjectNode section(String name) {
        JsonNode v = root.get(name);
        return v instanceof ObjectNode o ? o : null;
    }

    private ObjectNode ensure(String name) {
        JsonNode v = root.get(name);
        if (v instanceof ObjectNode o) {
            return o;
        }
        ObjectNode o = root.putObject(name);
        return o;
    }

    private static Optional<String> text(ObjectNode section, String field) {
        String v = Json.text(section, field);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }
}
