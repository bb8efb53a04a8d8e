package io.infernet.node.protocol.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.config.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The node's models: a folder of {@code .gguf} files (downloads in progress are
 * {@code <name>.part} next to them). File names are plain names; anything that could leave the
 * folder (separators, {@code ..}, leading dots, control characters) is refused. Each file is
 * served under a name: the one an install recorded in {@value #INDEX} (an Ollama name such as
 * {@code qwen2.5:7b}), else its file name without {@code .gguf} (a file put there by hand).
 * Not thread-safe across processes; one writer (the command runner) in this one.
 */
public final class ModelStore {

    /** The index of installed models' served names, next to the files. */
    public static final String INDEX = "models.json";

    /** A model in the store: its served name, its file, and its source (null for a file put there by hand). */
    public record Entry(String name, Path file, String source) {}

    private final Path dir;

    public ModelStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** The installed model file names, sorted. */
    public List<String> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".gguf") && !n.startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model store " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every model in the store, with the name it is served under, ordered by name. */
    public synchronized List<Entry> entries() {
        Map<String, Entry> byFile = new TreeMap<>();
        for (String f : list()) {
            byFile.put(f, new Entry(f.substring(0, f.length() - ".gguf".length()), dir.resolve(f), null));
        }
        for (JsonNode e : index().path("models")) {
            String f = e.path("file").asText();
            if (byFile.containsKey(f)) {
                byFile.put(f, new Entry(e.path("name").asText(), dir.resolve(f), Json.text(e, "source")));
            }
        }
        List<Entry> out = new ArrayList<>(byFile.values());
        out.sort(java.util.Comparator.comparing(Entry::name));
        return out;
    }

    /** The model served as {@code name}, or whose file is {@code name} (with or without {@code .gguf}). */
    public Optional<Entry> find(String name) {
        List<Entry> all = entries();
        return all.stream().filter(e -> e.name().equals(name)).findFirst()
                .or(() -> all.stream().filter(e -> e.file().getFileName().toString().equals(name)
                        || e.file().getFileName().toString().equals(name + ".gguf")).findFirst());
    }

    /** Records that {@code fileName} (in the store) is served as {@code name}, installed from {@code source}. */
    public synchronized void record(String name, String fileName, String source, String sha256) throws IOException {
        checkName(fileName);
        ObjectNode idx = index();
        ArrayNode models = idx.withArray("models");
        for (int i = models.size() - 1; i >= 0; i--) {
            if (models.get(i).path("name").asText().equals(name) || models.get(i).path("file").asText().equals(fileName)) {
                models.remove(i);
            }
        }
        models.addObject().put("name", name).put("file", fileName).put("source", source).put("sha256", sha256)
                .put("installed_at", Json.timestamp(java.time.Instant.now()));
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(INDEX), (Json.pretty(idx)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private ObjectNode index() {
        Path f = dir.resolve(INDEX);
        if (!Files.isRegularFile(f)) {
            return Json.object();
        }
        try {
            JsonNode n = Json.parse(Files.readAllBytes(f));
            return n instanceof ObjectNode o ? o : Json.object();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model index " + f + ": " + e.getMessage() + " (fix or delete it)", e);
        }
    }

    /** The path of model {@code name} (which need not exist). */
    public Path pathOf(String name) {
        Path p = dir.resolve(checkName(name)).normalize();
        if (!p.getParent().equals(dir)) {
            throw new IllegalArgumentException("model name '" + name + "' must be a plain file name");
        }
        return p;
    }

    /** Where a download of {@code name} is kept until it is complete and checked. */
    public Path partOf(String name) {
        return dir.resolve(checkName(name) + ".part");
    }

    /**
     * Deletes the model served as {@code name} (or whose file it names), its partial download
     * and its index entry.
     *
     * @return the removed entry, or empty when it is not installed
     */
    public synchronized Optional<Entry> remove(String name) throws IOException {
        Optional<Entry> e = find(name);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        String file = e.get().file().getFileName().toString();
        Files.deleteIfExists(partOf(file));
        try {
            Files.delete(e.get().file());
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        }
        ObjectNode idx = index();
        ArrayNode models = idx.withArray("models");
        for (int i = models.size() - 1; i >= 0; i--) {
            if (models.get(i).path("file").asText().equals(file)) {
                models.remove(i);
            }
        }
        if (Files.isRegularFile(dir.resolve(INDEX))) {
            AtomicFiles.write(dir.resolve(INDEX), Json.pretty(idx).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return e;
    }

    /**
     * Checks a model file name.
     *
     * @throws IllegalArgumentException when it is empty, not a plain {@code .gguf} file name, or
     *     could reach outside the store
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("a model name must be a file name of 1 to 255 characters");
        }
        if (name.contains("/") || name.contains("\\") || name.startsWith(".") || name.contains("..")) {
            throw new IllegalArgumentException("model name '" + name + "' must be a plain file name (no '/', '\\', '..' or leading '.')");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException("model name must not contain control characters");
            }
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            throw new IllegalArgumentException("model name '" + name + "' must end in .gguf");
        }
        return name;
    }
}
