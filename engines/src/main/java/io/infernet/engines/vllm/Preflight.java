package io.infernet.engines.vllm;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Checks made before starting a child, so that a missing tool or a taken port is a clear message, not a hang. */
public final class Preflight {
    private Preflight() {}

    /** The executable {@code name} in {@code env}'s PATH, as the child would find it. */
    public static Optional<Path> onPath(String name, Map<String, String> env) {
        String path = env.get("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }

    /** The executable, or a LaunchException saying how to get it. */
    public static Path require(String name, Map<String, String> env, String install) {
        return onPath(name, env).orElseThrow(() -> {
            String path = env.getOrDefault("PATH", "");
            return new LaunchException("'" + name + "' is not on PATH, so it cannot be started: " + install
                    + " (PATH=" + (path.length() > 200 ? path.substring(0, 200) + "..." : path) + ")");
        });
    }

    /**
     * Binds {@code host:port} and lets go, to learn before starting a server whether it could
     * listen there.
     *
     * @throws LaunchException when something already listens there or the host is not this machine's
     */
    public static void requireFreePort(String host, int port) {
        InetAddress addr;
        try {
            addr = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new LaunchException("--host " + host + " is not an address of this machine: " + e.getMessage());
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(addr, port));
        } catch (BindException e) {
            throw new LaunchException("port " + port + " on " + host + " is already in use (" + e.getMessage()
                    + "): choose another with --port, or stop what listens there (ss -ltnp 'sport = :" + port + "')");
        } catch (IOException e) {
            throw new LaunchException("cannot check port " + port + " on " + host + ": " + e.getMessage(), e);
        }
    }
}
