package io.infernet.hardware;

/**
 * System RAM.
 *
 * @param totalBytes     all RAM the kernel manages, bytes ({@code MemTotal}; slightly under the DIMMs' size)
 * @param availableBytes RAM a new process can get without swapping, bytes ({@code MemAvailable})
 */
public record MemInfo(long totalBytes, long availableBytes) {
    public MemInfo {
        if (totalBytes <= 0) {
            throw new IllegalArgumentException("total RAM must be > 0, got " + totalBytes);
        }
        if (availableBytes < 0) {
            throw new IllegalArgumentException("available RAM must be >= 0, got " + availableBytes);
        }
    }
}
