package io.infernet.hardware;

import java.util.Locale;

/** The operating system family, which decides where facts come from (/proc and /sys, or sysctl and system_profiler). */
public enum OsKind {
    LINUX, MAC, OTHER;

    /** This JVM's OS, from {@code os.name}. */
    public static OsKind current() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("linux")) {
            return LINUX;
        }
        if (name.contains("mac") || name.contains("darwin")) {
            return MAC;
        }
        return OTHER;
    }
}
