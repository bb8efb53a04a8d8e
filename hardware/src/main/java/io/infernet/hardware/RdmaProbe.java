package io.infernet.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * InfiniBand, RoCE and EFA from sysfs. Under {@code sys/class/infiniband/<dev>}: a device is an
 * EFA adapter when its name starts with {@code efa} or its {@code device/driver} link points at
 * the {@code efa} driver (AWS names them {@code rdmap16s27}); otherwise each
 * {@code ports/<n>/state} reading {@code ACTIVE} ({@code "4: ACTIVE"}) is an active port, counted
 * as InfiniBand unless {@code ports/<n>/link_layer} says {@code Ethernet} (RoCE).
 *
 * <p>When sysfs shows no EFA device, {@code fi_info -p efa} is asked (when installed) and its
 * distinct {@code domain:} values, less the {@code -rdm}/{@code -dgrm} suffix, are the adapters.
 */
final class RdmaProbe {
    private RdmaProbe() {}

    static final List<String> FI_INFO = List.of("fi_info", "-p", "efa");

    record Result(Interconnects.InfiniBand infiniband, Interconnects.Efa efa, int roceActivePorts, List<String> notes) {}

    static Result probe(Path sys, ToolRunner tools, OsKind os) {
        List<String> notes = new ArrayList<>();
        List<String> ibDevices = new ArrayList<>();
        List<String> efaDevices = new ArrayList<>();
        int ibActive = 0;
        int roceActive = 0;
        Path root = sys.resolve("class/infiniband");
        for (Path dev : list(root)) {
            String name = dev.getFileName().toString();
            if (isEfa(dev)) {
                efaDevices.add(name);
                continue;
            }
            ibDevices.add(name);
            for (Path port : list(dev.resolve("ports"))) {
                if (!read(port.resolve("state")).orElse("").toUpperCase(Locale.ROOT).contains("ACTIVE")) {
                    continue;
                }
                if (read(port.resolve("link_layer")).orElse("InfiniBand").equalsIgnoreCase("Ethernet")) {
                    roceActive++;
                } else {
                    ibActive++;
                }
            }
        }
        if (efaDevices.isEmpty() && os == OsKind.LINUX) {
            ToolResult r = tools.run(FI_INFO);
            if (r instanceof ToolResult.Completed c && c.exitCode() == 0) {
                efaDevices.addAll(parseFiInfoDomains(c.stdout()));
            } else if (!(r instanceof ToolResult.NotFound) && !(r instanceof ToolResult.Completed)) {
                notes.add("EFA check: " + ToolResult.reasonOf("fi_info", r));
            }
        }
        return new Result(new Interconnects.InfiniBand(ibActive, ibDevices), new Interconnects.Efa(efaDevices), roceActive, notes);
    }

    /** Distinct adapters in {@code fi_info -p efa} output, from its {@code domain:} lines. */
    static List<String> parseFiInfoDomains(String text) {
        Set<String> domains = new TreeSet<>();
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (l.startsWith("domain:")) {
                String d = l.substring("domain:".length()).strip().replaceFirst("-(rdm|dgrm)$", "");
                if (!d.isEmpty()) {
                    domains.add(d);
                }
            }
        }
        return List.copyOf(domains);
    }

    private static boolean isEfa(Path dev) {
        if (dev.getFileName().toString().toLowerCase(Locale.ROOT).startsWith("efa")) {
            return true;
        }
        Path driver = dev.resolve("device/driver");
        try {
            if (Files.isSymbolicLink(driver)) {
                Path target = Files.readSymbolicLink(driver);
                return target.getFileName() != null && target.getFileName().toString().equals("efa");
            }
        } catch (IOException ignored) {
            // Unreadable link: not known to be EFA.
        }
        return false;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
