package io.infernet.node.protocol.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An Ollama-style registry on loopback, in the formats Ollama pulls: a manifest at
 * {@code /v2/<repository>/manifests/<tag>} (schemaVersion 2, a config and layers by media type:
 * the GGUF model layer, a template, parameters, license) and blobs at
 * {@code /v2/<repository>/blobs/sha256:<hex>}, which answer 307 to a "CDN" on another host name
 * ({@code localhost}) with Range support, as registry.ollama.ai redirects to its storage.
 */
public final class FakeRegistry implements AutoCloseable {

    public final FileServer files;

    public FakeRegistry() throws IOException {
        files = new FileServer();
    }

    /** The registry root (scheme, host and port). */
    public String root() {
        return files.url("");
    }

    /**
     * Publishes {@code gguf} as {@code repository:tag} with a template and a params layer, plus
     * a layer of each of {@code moreLayerTypes}.
     *
     * @return the model layer's digest ({@code sha256:<hex>})
     */
    public String publish(String repository, String tag, byte[] gguf, String... moreLayerTypes) {
        String digest = put(repository, gguf);
        ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
        byte[] config = "{\"model_format\":\"gguf\",\"model_family\":\"qwen2\"}".getBytes(StandardCharsets.UTF_8);
        m.putObject("config").put("mediaType", "application/vnd.docker.container.image.v1+json").put("digest", put(repository, config))
                .put("size", config.length);
        ArrayNode layers = m.putArray("layers");
        layers.addObject().put("mediaType", "application/vnd.ollama.image.model").put("digest", digest).put("size", gguf.length);
        byte[] template = "{{ .Prompt }}".getBytes(StandardCharsets.UTF_8);
        layers.addObject().put("mediaType", "application/vnd.ollama.image.template").put("digest", put(repository, template)).put("size", template.length);
        byte[] params = "{\"stop\":[\"<|im_end|>\"]}".getBytes(StandardCharsets.UTF_8);
        layers.addObject().put("mediaType", "application/vnd.ollama.image.params").put("digest", put(repository, params)).put("size", params.length);
        for (String type : moreLayerTypes) {
            byte[] extra = type.getBytes(StandardCharsets.UTF_8);
            layers.addObject().put("mediaType", type).put("digest", put(repository, extra)).put("size", extra.length);
        }
        files.put("/v2/" + repository + "/manifests/" + tag, Json.compactBytes(m));
        return digest;
    }

    /** Serves other bytes than the digest says for {@code digest} (a corrupt blob). */
    public void corrupt(String digest, byte[] bytes) {
        files.put("/cdn/" + digest.substring("sha256:".length()), bytes);
    }

    private String put(String repository, byte[] blob) {
        String hex = sha256(blob);
        files.put("/cdn/" + hex, blob);
        files.redirect("/v2/" + repository + "/blobs/sha256:" + hex, 307, files.urlOnLocalhost("/cdn/" + hex));
        return "sha256:" + hex;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
