package io.infernet.node.protocol.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The node's models: a folder of {@code .gguf} files (downloads in progress are
 * {@code <name>.part} next to them). Names are plain file names; anything that could leave the
 * folder (separators, {@code ..}, leading dots, control characters) is refused.
 */
public final class ModelStore {

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

    /** Deletes model {@code name}; false when it is not installed. */
    public boolean remove(String name) throws IOException {
        Path p = pathOf(name);
        Files.deleteIfExists(partOf(name));
        try {
            Files.delete(p);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
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
