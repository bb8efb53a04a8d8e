package io.infernet.bench.serving;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The serving results of one server.
 *
 * @param id      {@code llama-server} or {@code infernet}
 * @param label   for tables
 * @param command how it was started
 * @param levels  one per concurrency level measured
 * @param error   why it could not be measured (not started, not ready), if so
 */
public record ServingServer(String id, String label, String command, List<ServingLevel> levels, Optional<String> error) {
    public ServingServer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(error, "error");
        levels = List.copyOf(levels);
    }
}
