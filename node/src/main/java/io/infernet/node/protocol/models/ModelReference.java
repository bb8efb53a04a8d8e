package io.infernet.node.protocol.models;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code model_install} accepts, as the dashboard and owners send it:
 * <ul>
 *   <li>an Ollama name {@code [host/][namespace/]model[:tag]} ({@code qwen2.5:7b},
 *       {@code user/model}, {@code hf.co/org/repo:Q4_K_M}), fetched from an Ollama-style
 *       registry ({@link OllamaTag}), or pulled by Ollama when that is the node's engine;</li>
 *   <li>a Hugging Face file {@code org/repo/path/file.gguf} (or {@code org/repo:path/file.gguf}),
 *       fetched from {@code https://huggingface.co/org/repo/resolve/main/...} with
 *       {@code HF_TOKEN} when set ({@link FileUrl});</li>
 *   <li>an {@code http(s)://} URL of a {@code .gguf} file ({@link FileUrl}).</li>
 * </ul>
 * Each has the file name it gets in the {@link ModelStore} and the name it is served and
 * advertised under ({@code served_models}).
 */
public sealed interface ModelReference permits ModelReference.FileUrl, ModelReference.OllamaTag {

    String HUGGING_FACE = "https://huggingface.co";
    String OLLAMA_REGISTRY = "registry.ollama.ai";

    /** The file name in the store. */
    String fileName();

    /** The name clients and the control plane use for it. */
    String servedName();

    /** A GGUF file at {@code url}; {@code huggingFace} when it is on Hugging Face (HF_TOKEN applies). */
    record FileUrl(URI url, String fileName, boolean huggingFace) implements ModelReference {
        public FileUrl {
            Objects.requireNonNull(url, "url");
            ModelStore.checkName(fileName);
        }

        /** The file name without {@code .gguf}, as the in-process engine names a file it serves. */
        @Override
        public String servedName() {
            return fileName.substring(0, fileName.length() - ".gguf".length());
        }
    }

    /**
     * A model in an Ollama-style registry: {@code host}, {@code repository}
     * ({@code namespace/model}) and {@code tag}.
     */
    record OllamaTag(String host, String repository, String tag) implements ModelReference {
        public OllamaTag {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(tag, "tag");
        }

        /** As Ollama shows it: {@code model:tag} for the library, {@code namespace/model:tag}, or with the host when not the default. */
        @Override
        public String servedName() {
            String repo = host.equals(OLLAMA_REGISTRY) && repository.startsWith("library/") ? repository.substring("library/".length()) : repository;
            return (host.equals(OLLAMA_REGISTRY) ? "" : host + "/") + repo + ":" + tag;
        }

        /** The served name with {@code /} as {@code +} and {@code :} as {@code @} (characters Ollama names never hold), plus {@code .gguf}. */
        @Override
        public String fileName() {
            return ModelStore.checkName(servedName().replace('/', '+').replace(':', '@') + ".gguf");
        }

        /** Where its manifest is, under the registry root {@code registry} ({@code https://host} by default). */
        public URI manifestUrl(URI registry) {
            return URI.create(trim(registry) + "/v2/" + repository + "/manifests/" + tag);
        }

        /** Where a blob of it is. */
        public URI blobUrl(URI registry, String digest) {
            return URI.create(trim(registry) + "/v2/" + repository + "/blobs/" + digest);
        }

        /** True for a Hugging Face host (HF_TOKEN applies). */
        public boolean huggingFace() {
            return host.equals("hf.co") || host.equals("huggingface.co");
        }

        private static String trim(URI u) {
            String s = u.toString();
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
    }

    Pattern HF_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    Pattern OLLAMA_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,79}");
    Pattern OLLAMA_HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    /** @throws IllegalArgumentException naming the input and the accepted forms */
    static ModelReference parse(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model given: pass an Ollama name (qwen2.5:7b), a Hugging Face file (org/repo/file.gguf) or an http(s) URL of a .gguf file");
        }
        String m = model.trim();
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return url(m);
        }
        if (lower.endsWith(".gguf")) {
            return huggingFace(m);
        }
        return ollama(m);
    }

    private static FileUrl url(String m) {
        URI uri;
        try {
            uri = URI.create(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + m + "' is not a valid URL");
        }
        if (uri.getHost() == null || uri.getRawPath() == null) {
            throw new IllegalArgumentException("'" + m + "' is not a valid URL");
        }
        String path = uri.getRawPath();
        String last = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        if (!last.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            throw new IllegalArgumentException("the URL '" + m + "' must end in a .gguf file name");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return new FileUrl(uri, last, host.equals("huggingface.co") || host.equals("hf.co"));
    }

    private static FileUrl huggingFace(String m) {
        String repoPart;
        String filePart;
        int colon = m.indexOf(':');
        if (colon >= 0) {
            repoPart = m.substring(0, colon);
            filePart = m.substring(colon + 1);
        } else {
            String[] parts = m.split("/", 3);
            if (parts.length < 3) {
                throw notAReference(m);
            }
            repoPart = parts[0] + "/" + parts[1];
            filePart = parts[2];
        }
        String[] repo = repoPart.split("/");
        if (repo.length != 2 || !HF_NAME.matcher(repo[0]).matches() || !HF_NAME.matcher(repo[1]).matches()) {
            throw notAReference(m);
        }
        String[] segments = filePart.split("/");
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..") || !HF_NAME.matcher(s).matches()) {
                throw new IllegalArgumentException("'" + m + "': the file path '" + filePart + "' may only hold letters, digits, '.', '_', '-' and '/'");
            }
        }
        String fileName = segments[segments.length - 1];
        URI url = URI.create(HUGGING_FACE + "/" + repo[0] + "/" + repo[1] + "/resolve/main/" + filePart);
        return new FileUrl(url, fileName, true);
    }

    private static OllamaTag ollama(String m) {
        String name = m;
        String tag = "latest";
        int colon = m.lastIndexOf(':');
        if (colon > m.lastIndexOf('/')) {
            name = m.substring(0, colon);
            tag = m.substring(colon + 1);
        }
        String[] parts = name.split("/", -1);
        String host = OLLAMA_REGISTRY;
        String namespace = "library";
        String model;
        switch (parts.length) {
            case 1 -> model = parts[0];
            case 2 -> {
                namespace = parts[0];
                model = parts[1];
            }
            case 3 -> {
                host = parts[0].toLowerCase(Locale.ROOT);
                namespace = parts[1];
                model = parts[2];
            }
            default -> throw notAReference(m);
        }
        if (!OLLAMA_PART.matcher(model).matches() || !OLLAMA_PART.matcher(namespace).matches() || !OLLAMA_PART.matcher(tag).matches()
                || !OLLAMA_HOST.matcher(host).matches() || m.contains("..")) {
            throw notAReference(m);
        }
        return new OllamaTag(host, namespace + "/" + model, tag);
    }

    private static IllegalArgumentException notAReference(String m) {
        return new IllegalArgumentException("'" + m + "' is neither an Ollama name ([host/][namespace/]model[:tag], e.g. qwen2.5:7b),"
                + " a Hugging Face file (org/repo/file.gguf or org/repo:file.gguf) nor an http(s) URL of a .gguf file");
    }
}
