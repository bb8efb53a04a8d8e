package io.infernet.node.protocol.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.util.Objects;

/**
 * One step of a model install: {@code status} in words Ollama's pull uses where they fit
 * ({@code pulling manifest}, {@code downloading}, {@code verifying sha256 digest},
 * {@code checking the model}, {@code success}), the bytes of the file or layer being fetched
 * ({@code completed} of {@code total}; 0 when not known), its {@code digest}, and a line for
 * people ({@code line}).
 */
public record InstallProgress(String status, String digest, long completed, long total, String line) {

    public InstallProgress {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(line, "line");
        if (completed < 0 || total < 0) {
            throw new IllegalArgumentException("byte counts must be >= 0");
        }
    }

    /** A step without byte counts. */
    public static InstallProgress step(String status, String line) {
        return new InstallProgress(status, null, 0, 0, line);
    }

    /** Done, as a fraction in [0, 1], when the size is known. */
    public double fraction() {
        return total > 0 ? Math.min(1.0, (double) completed / total) : 0;
    }

    /**
     * The body of {@code commands/{id}/progress}: {@code {model, status, digest?, completed?,
     * total?, percent?, message}}, the fields of Ollama's pull progress (which the reference's
     * model_install runs) plus the model, the percent and the line. The reference snapshot has no
     * progress route; this shape is this node's.
     */
    public ObjectNode toWire(String model) {
        ObjectNode o = Json.object().put("model", model).put("status", status);
        if (digest != null) {
            o.put("digest", digest);
        }
        if (total > 0) {
            o.put("completed", completed).put("total", total).put("percent", Math.round(fraction() * 1000) / 10.0);
        }
        o.put("message", line);
        return o;
    }
}
