package io.infernet.node.protocol.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Loads and saves {@code config.json}: folder 0700, file 0600, {@code JSON.stringify(x, null, 2)}
 * plus a trailing newline, replaced atomically. Loading migrates the legacy layout: a
 * {@code supabase.url} without {@code controlPlane} becomes {@code controlPlane.url}, and the
 * whole {@code supabase} block (it may hold a service-role key) is dropped from the file at
 * once.
 */
public final class ConfigStore {

    private final Path file;

    public ConfigStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    /**
     * The config, or empty when the file does not exist.
     *
     * @throws IllegalStateException when the file is unreadable or not a JSON object (the message
     *     names the file and position, never the content)
     */
    public Optional<NodeConfig> load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the config file " + file + ": " + e.getMessage(), e);
        }
        JsonNode tree;
        try {
            tree = Json.parse(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
            throw new IllegalStateException("the config file " + file + " is not valid JSON" + where + "; fix it or move it away and run 'infernet init'");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the config file " + file, e);
        }
        if (!(tree instanceof ObjectNode root)) {
            throw new IllegalStateException("the config file " + file + " must hold a JSON object; fix it or move it away and run 'infernet init'");
        }
        if (migrateLegacy(root)) {
            save(new NodeConfig(root));
        }
        return Optional.of(new NodeConfig(root));
    }

    /** Writes the config atomically with mode 0600 in a 0700 folder. */
    public void save(NodeConfig config) {
        try {
            AtomicFiles.ensurePrivateDir(file.getParent());
            AtomicFiles.write(file, Json.pretty(config.tree()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Applies the supabase migration; true when the tree changed. */
    static boolean migrateLegacy(ObjectNode root) {
        JsonNode supabase = root.get("supabase");
        if (supabase == null) {
            return false;
        }
        String url = Json.text(supabase, "url");
        if (url != null && !root.has("controlPlane")) {
            root.putObject("controlPlane").put("url", url);
        }
        root.remove("supabase");
        return true;
    }
}
