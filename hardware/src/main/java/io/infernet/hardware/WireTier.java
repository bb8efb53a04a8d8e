package io.infernet.hardware;

import java.util.OptionalLong;

/**
 * The VRAM tiers the control plane accepts in {@code specs.gpus[].vram_tier}. The heartbeat never
 * carries exact VRAM, only this.
 *
 * <p>Cuts are exact, at 8192, 16384, 24576 and 49152 MiB of reported memory, and a GPU exactly at
 * a cut goes up: 8191 MiB is {@code <8gb}, 8192 MiB is {@code 8-16gb}. MiB are whole (bytes
 * divided by 2^20, rounded down). This is the existing JavaScript node's rule, so the same card
 * lands in the same tier whichever node reports it. Drivers reserve a little memory, so a card
 * sold as 24 GB may report 24564 MiB (RTX 4090) and land in {@code 16-24gb} here;
 * {@link UserTier} tolerates that, the wire does not.
 */
public enum WireTier {
    UNDER_8GB("<8gb"),
    GB_8_TO_16("8-16gb"),
    GB_16_TO_24("16-24gb"),
    GB_24_TO_48("24-48gb"),
    GB_48_AND_UP(">=48gb"),
    /** VRAM not known (lspci, a tool that printed N/A) or not positive. */
    UNKNOWN("unknown");

    /** Lower bounds of the four upper tiers, MiB, inclusive. */
    public static final long CUT_8GB_MIB = 8192;
    public static final long CUT_16GB_MIB = 16384;
    public static final long CUT_24GB_MIB = 24576;
    public static final long CUT_48GB_MIB = 49152;

    private static final long MIB = 1L << 20;

    private final String wire;

    WireTier(String wire) {
        this.wire = wire;
    }

    /** The exact string the control plane accepts. */
    public String wire() {
        return wire;
    }

    /** The tier of a GPU that reports {@code mib} MiB; {@link #UNKNOWN} when {@code mib <= 0}. */
    public static WireTier ofMib(long mib) {
        if (mib <= 0) {
            return UNKNOWN;
        }
        if (mib < CUT_8GB_MIB) {
            return UNDER_8GB;
        }
        if (mib < CUT_16GB_MIB) {
            return GB_8_TO_16;
        }
        if (mib < CUT_24GB_MIB) {
            return GB_16_TO_24;
        }
        if (mib < CUT_48GB_MIB) {
            return GB_24_TO_48;
        }
        return GB_48_AND_UP;
    }

    /** The tier of {@code bytes} of VRAM (whole MiB, rounded down); {@link #UNKNOWN} when empty. */
    public static WireTier of(OptionalLong bytes) {
        return bytes.isPresent() ? ofMib(bytes.getAsLong() / MIB) : UNKNOWN;
    }

    /** Parses a wire string back; {@link #UNKNOWN} for anything the control plane would not accept. */
    public static WireTier parse(String wire) {
        for (WireTier t : values()) {
            if (t.wire.equals(wire)) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
