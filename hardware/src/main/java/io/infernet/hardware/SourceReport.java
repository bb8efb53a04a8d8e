package io.infernet.hardware;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one detection source found.
 *
 * @param source what was asked
 * @param gpus   the GPUs it reported, in its order (may be empty)
 * @param reason why it reported none ({@code "nvidia-smi not found on PATH"}); present exactly when {@code gpus} is empty
 * @param links  the GPU fabric it reported (NVLink for nvidia, xGMI for amd), {@link GpuLinks#NONE} otherwise
 * @param notes  secondary problems that did not stop detection ("nvidia-smi topo -m: ..."), for people
 */
public record SourceReport(DetectionSource source, List<Gpu> gpus, Optional<String> reason, GpuLinks links, List<String> notes) {

    public SourceReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(links, "links");
        gpus = List.copyOf(gpus);
        notes = List.copyOf(notes);
        Objects.requireNonNull(reason, "reason");
        if (gpus.isEmpty() && reason.isEmpty()) {
            throw new IllegalArgumentException(source.id() + ": a source that found no GPU must say why");
        }
        if (!gpus.isEmpty() && reason.isPresent()) {
            throw new IllegalArgumentException(source.id() + ": a reason is for finding nothing, but GPUs were found");
        }
    }

    /** Nothing found, because {@code reason}. */
    public static SourceReport none(DetectionSource source, String reason) {
        return new SourceReport(source, List.of(), Optional.of(reason), GpuLinks.NONE, List.of());
    }

    /** GPUs found ({@code gpus} empty turns into "reported no GPUs"). */
    public static SourceReport found(DetectionSource source, List<Gpu> gpus, GpuLinks links, List<String> notes) {
        if (gpus.isEmpty()) {
            return new SourceReport(source, List.of(), Optional.of(source.id() + " source reported no GPUs"), links, notes);
        }
        return new SourceReport(source, gpus, Optional.empty(), links, notes);
    }

    public boolean found() {
        return !gpus.isEmpty();
    }
}
