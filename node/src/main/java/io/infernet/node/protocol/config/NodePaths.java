package io.infernet.node.protocol.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the node keeps its files.
 *
 * @param configDir the folder of {@code config.json} and the outbox: {@code $INFERNET_CONFIG_DIR},
 *                  else {@code $XDG_CONFIG_HOME/infernet}, else {@code ~/.config/infernet}
 * @param dataDir   the folder of downloaded models: {@code $INFERNET_DATA_DIR}, else
 *                  {@code $XDG_DATA_HOME/infernet}, else {@code ~/.local/share/infernet}
 */
public record NodePaths(Path configDir, Path dataDir) {

    public NodePaths {
        Objects.requireNonNull(configDir, "configDir");
        Objects.requireNonNull(dataDir, "dataDir");
    }

    /** From this process's environment and {@code user.home}. */
    public static NodePaths fromEnvironment() {
        return from(System.getenv(), System.getProperty("user.home"));
    }

    public static NodePaths from(Map<String, String> env, String userHome) {
        Path home = Path.of(userHome);
        Path config = firstSet(env, "INFERNET_CONFIG_DIR")
                .map(Path::of)
                .orElseGet(() -> firstSet(env, "XDG_CONFIG_HOME").map(p -> Path.of(p, "infernet"))
                        .orElse(home.resolve(".config").resolve("infernet")));
        Path data = firstSet(env, "INFERNET_DATA_DIR")
                .map(Path::of)
                .orElseGet(() -> firstSet(env, "XDG_DATA_HOME").map(p -> Path.of(p, "infernet"))
                        .orElse(home.resolve(".local").resolve("share").resolve("infernet")));
        return new NodePaths(config.toAbsolutePath(), data.toAbsolutePath());
    }

    /** Paths with the config folder replaced (the CLI's {@code --config-dir}). */
    public NodePaths withConfigDir(Path dir) {
        return new NodePaths(dir.toAbsolutePath(), dataDir);
    }

    public Path configFile() {
        return configDir.resolve("config.json");
    }

    /** Events and completions waiting for the control plane (see the outbox package). */
    public Path outboxFile() {
        return configDir.resolve("outbox.jsonl");
    }

    /** The model store unless the config names another ({@code models.dir}). */
    public Path defaultModelsDir() {
        return dataDir.resolve("models");
    }

    private static java.util.Optional<String> firstSet(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(v);
    }
}
