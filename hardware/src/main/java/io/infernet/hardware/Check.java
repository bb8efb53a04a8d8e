package io.infernet.hardware;

import java.util.List;
import java.util.Objects;

/**
 * One line of {@code infernet doctor}.
 *
 * @param status  PASS, WARN or FAIL
 * @param title   what was checked ("GPU", "RAM", "Disk", "Model x.gguf")
 * @param detail  the finding, in plain words
 * @param more    supporting lines (each source's reason, ...)
 */
public record Check(Status status, String title, String detail, List<String> more) {

    public enum Status { PASS, WARN, FAIL }

    public Check {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(detail, "detail");
        more = List.copyOf(more);
    }

    /** "[PASS] RAM: ..." */
    public String line() {
        return "[" + status + "] " + title + ": " + detail;
    }
}
