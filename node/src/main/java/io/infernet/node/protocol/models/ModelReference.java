package io.infernet.node.protocol.models;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code model_install} accepts, resolved to a download URL and the file name it gets in
 * the store:
 * <ul>
 *   <li>an {@code http(s)://} URL whose last path segment is a {@code .gguf} file;</li>
 *   <li>a Hugging Face reference {@code org/repo/path/file.gguf}, fetched from
 *       {@code https://huggingface.co/org/repo/resolve/main/path/file.gguf};</li>
 *   <li>the same as {@code org/repo:path/file.gguf}.</li>
 * </ul>
 * Ollama-style names ({@code llama3:8b}) are refused: this node runs GGUF files itself.
 */
public record ModelReference(URI url, String fileName) {

    public static final String HUGGING_FACE = "https://huggingface.co";

    private static final Pattern HF_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public ModelReference {
        Objects.requireNonNull(url, "url");
        ModelStore.checkName(fileName);
    }

    /** @throws IllegalArgumentException naming the input and the accepted forms */
    public static ModelReference parse(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model given: pass an http(s) URL of a .gguf file or a Hugging Face reference org/repo/file.gguf");
        }
        String m = model.trim();
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
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
            return new ModelReference(uri, last);
        }
        return huggingFace(m);
    }

    private static ModelReference huggingFace(String m) {
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
        if (!fileName.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            throw new IllegalArgumentException("'" + m + "' must name a .gguf file");
        }
        URI url = URI.create(HUGGING_FACE + "/" + repo[0] + "/" + repo[1] + "/resolve/main/" + filePart);
        return new ModelReference(url, fileName);
    }

    private static IllegalArgumentException notAReference(String m) {
        return new IllegalArgumentException("'" + m + "' is neither an http(s) URL nor a Hugging Face reference"
                + " (org/repo/file.gguf or org/repo:file.gguf); this node installs GGUF files, not Ollama names");
    }
}
