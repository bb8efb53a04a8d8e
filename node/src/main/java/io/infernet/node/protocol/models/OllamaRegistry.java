package io.infernet.node.protocol.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads an Ollama-style registry (the OCI distribution API Ollama pulls from): the manifest
 * {@code GET /v2/<repository>/manifests/<tag>} (Accept
 * {@code application/vnd.docker.distribution.manifest.v2+json}) lists layers by media type; the
 * one of type {@value #MODEL_LAYER} is the GGUF file, fetched as {@code /v2/<repository>/blobs/<digest>}
 * (which registries redirect to a CDN) and checked against its {@code sha256:} digest.
 * Ollama's template and parameter layers are not used (the GGUF carries its chat template); a
 * LoRA adapter layer is refused, since only the base model would be served. Hugging Face's
 * Ollama registry ({@code hf.co/org/repo:quant}) gets {@code HF_TOKEN}.
 */
public final class OllamaRegistry {

    public static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String MODEL_LAYER = "application/vnd.ollama.image.model";
    public static final String ADAPTER_LAYER = "application/vnd.ollama.image.adapter";
    public static final String PROJECTOR_LAYER = "application/vnd.ollama.image.projector";
    /** Where the default registry is read from instead of https://registry.ollama.ai (a mirror). */
    public static final String REGISTRY_ENV = "INFERNET_OLLAMA_REGISTRY";

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /**
     * The model layer of a tag.
     *
     * @param digest  {@code sha256:<hex>}
     * @param size    bytes, from the manifest
     * @param blobUrl where to fetch it
     * @param headers credentials for the registry's host (not for where the blob redirects)
     * @param notes   what of the manifest is not used, in words
     */
    public record ModelLayer(String digest, long size, URI blobUrl, Map<String, String> headers, List<String> notes) {
        /** The hex SHA-256 of the blob. */
        public String sha256() {
            return digest.substring("sha256:".length());
        }
    }

    private final HttpClient http;
    private final Function<String, URI> roots;
    private final Map<String, String> huggingFaceHeaders;

    /**
     * @param roots              the registry root for a host ({@code https://host} normally)
     * @param huggingFaceHeaders sent to Hugging Face's registry
     */
    public OllamaRegistry(HttpClient http, Function<String, URI> roots, Map<String, String> huggingFaceHeaders) {
        this.http = Objects.requireNonNull(http, "http");
        this.roots = Objects.requireNonNull(roots, "roots");
        this.huggingFaceHeaders = Map.copyOf(huggingFaceHeaders);
    }

    /** https://host for every host; the default registry from {@value #REGISTRY_ENV} when set. */
    public static OllamaRegistry standard(ModelDownloader downloader, Map<String, String> env) {
        String mirror = env.get(REGISTRY_ENV);
        return new OllamaRegistry(downloader.http(), host -> host.equals(ModelReference.OLLAMA_REGISTRY) && mirror != null && !mirror.isBlank()
                ? URI.create(mirror.trim()) : URI.create("https://" + host), downloader.huggingFaceHeaders());
    }

    /**
     * Reads the tag's manifest and finds its model layer.
     *
     * @throws IOException saying what is wrong (no such model or tag, no GGUF layer, an adapter, unreachable)
     */
    public ModelLayer resolve(ModelReference.OllamaTag tag) throws IOException {
        URI root = roots.apply(tag.host());
        Map<String, String> headers = tag.huggingFace() ? huggingFaceHeaders : Map.of();
        URI manifest = tag.manifestUrl(root);
        HttpRequest.Builder b = HttpRequest.newBuilder(manifest).timeout(Duration.ofSeconds(30)).header("Accept", MANIFEST_TYPE).GET();
        headers.forEach(b::header);
        HttpResponse<byte[]> resp;
        try {
            resp = send(b.build(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("reading the manifest of " + tag.servedName() + " was interrupted", e);
        } catch (IOException e) {
            throw new IOException("cannot reach " + root.getHost() + " for the manifest of " + tag.servedName() + ": " + e.getMessage(), e);
        }
        if (resp.statusCode() == 404) {
            throw new IOException("the registry " + root.getHost() + " has no model " + tag.servedName() + " (check the name and tag)");
        }
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            throw new IOException("the registry " + root.getHost() + " refused the manifest of " + tag.servedName() + " (HTTP " + resp.statusCode()
                    + (tag.huggingFace() ? "; a gated or private repository needs HF_TOKEN" : "") + ")");
        }
        if (resp.statusCode() != 200) {
            throw new IOException("the registry " + root.getHost() + " answered HTTP " + resp.statusCode() + " for the manifest of " + tag.servedName());
        }
        JsonNode m;
        try {
            m = Json.parse(resp.body());
        } catch (IOException e) {
            throw new IOException("the manifest of " + tag.servedName() + " is not JSON", e);
        }
        JsonNode model = null;
        List<String> notes = new ArrayList<>();
        for (JsonNode layer : m.path("layers")) {
            String type = layer.path("mediaType").asText();
            switch (type) {
                case MODEL_LAYER -> {
                    if (model != null) {
                        throw new IOException("the manifest of " + tag.servedName() + " has several model layers; only one GGUF file can be served");
                    }
                    model = layer;
                }
                case ADAPTER_LAYER -> throw new IOException(tag.servedName() + " carries a LoRA adapter, which this node cannot apply; install its base model");
                case PROJECTOR_LAYER -> notes.add("its vision projector is not used (text only)");
                default -> { } // template, params, license, system: the GGUF carries its own chat template
            }
        }
        if (model == null) {
            throw new IOException("the manifest of " + tag.servedName() + " has no model layer (" + MODEL_LAYER + ")");
        }
        String digest = model.path("digest").asText();
        if (!DIGEST.matcher(digest).matches()) {
            throw new IOException("the model layer of " + tag.servedName() + " has no sha256 digest ('" + digest + "')");
        }
        return new ModelLayer(digest, Math.max(0, model.path("size").asLong(0)), tag.blobUrl(root, digest), headers, notes);
    }

    /** Sends, following redirects within the registry's host. */
    private HttpResponse<byte[]> send(HttpRequest req, int hop) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        int s = r.statusCode();
        if ((s == 301 || s == 302 || s == 307 || s == 308) && hop < ModelDownloader.MAX_REDIRECTS) {
            String loc = r.headers().firstValue("location").orElse(null);
            if (loc != null) {
                URI next = req.uri().resolve(loc);
                HttpRequest.Builder b = HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(30)).header("Accept", MANIFEST_TYPE).GET();
                if (next.getHost() != null && next.getHost().equalsIgnoreCase(req.uri().getHost())) {
                    req.headers().firstValue("Authorization").ifPresent(a -> b.header("Authorization", a));
                }
                return send(b.build(), hop + 1);
            }
        }
        return r;
    }
}
