package io.infernet.node.protocol.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's peer port (46337 by default): what the reference's node listens with
 * (apps/cli/commands/start.js startP2pServer), so that an advertised port answers. Newline
 * separated JSON requests, one answer line each:
 * <ul>
 *   <li>{@code {"cmd":"ping"}} → {@code {"ok":true,"data":{"pong":<epoch ms>,"node_id":..}}}</li>
 *   <li>{@code {"cmd":"info"}} → {@code {"ok":true,"data":{"node_id","role","name","port"}}}</li>
 *   <li>a line that is not JSON → {@code {"ok":false,"error":"bad-json","cause":..}}</li>
 *   <li>anything else → {@code {"ok":false,"error":"unknown-cmd: <cmd>"}} ({@code (none)} without one)</li>
 * </ul>
 * Beyond the reference, a line longer than {@value #MAX_LINE} bytes closes the connection,
 * at most {@value #MAX_CONNECTIONS} connections are served at once (more are closed at once),
 * and a connection idle for {@value #IDLE_MILLIS} ms is closed. One virtual thread per
 * connection; thread-safe.
 */
public final class PeerListener implements AutoCloseable {

    public static final int MAX_LINE = 64 * 1024;
    public static final int MAX_CONNECTIONS = 256;
    public static final int IDLE_MILLIS = 60_000;

    private static final System.Logger LOG = System.getLogger("infernet.protocol.peer");

    /** What {@code info} tells: the node's id, role and name. */
    public record Identity(String nodeId, String role, String name) {
        public Identity {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(role, "role");
        }
    }

    private final ServerSocket server;
    private final Identity identity;
    private final Clock clock;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong served = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    private PeerListener(ServerSocket server, Identity identity, Clock clock) {
        this.server = server;
        this.identity = identity;
        this.clock = clock;
        this.acceptor = Thread.ofVirtual().name("infernet-peer-accept").start(this::accept);
    }

    /**
     * Listens on {@code port} on every interface (IPv6 and IPv4 where the system allows both on
     * one socket, as the reference's {@code host: '::'}), or on {@code bindAddress} when given.
     *
     * @param port 0 for any free port (tests)
     * @throws IOException when the port cannot be bound (in use, not permitted)
     */
    public static PeerListener start(InetAddress bindAddress, int port, Identity identity, Clock clock) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bindAddress, port), 64);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new PeerListener(s, identity, clock);
    }

    /** The port listened on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted since start. */
    public long connectionsServed() {
        return served.get();
    }

    private void accept() {
        while (!closed) {
            Socket sock;
            try {
                sock = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "peer port {0}: accept failed: {1}", port(), e.getMessage());
                }
                return;
            }
            served.incrementAndGet();
            if (open.size() >= MAX_CONNECTIONS) {
                closeQuietly(sock);
                continue;
            }
            open.add(sock);
            Thread.ofVirtual().name("infernet-peer").start(() -> serve(sock));
        }
    }

    private void serve(Socket sock) {
        try (sock; InputStream in = new java.io.BufferedInputStream(sock.getInputStream()); OutputStream out = sock.getOutputStream()) {
            sock.setSoTimeout(IDLE_MILLIS);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                if (b != '\n') {
                    if (line.size() >= MAX_LINE) {
                        return;
                    }
                    line.write(b);
                    continue;
                }
                out.write((Json.compact(answer(line.toString(StandardCharsets.UTF_8))) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                line.reset();
            }
        } catch (SocketException e) {
            // closed by the peer, by the idle timeout, or by close()
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "peer connection ended: {0}", e.getMessage());
        } finally {
            open.remove(sock);
        }
    }

    /** The answer to one request line. */
    ObjectNode answer(String line) {
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Json.object().put("ok", false).put("error", "bad-json").put("cause", e.getOriginalMessage());
        } catch (IOException e) {
            return Json.object().put("ok", false).put("error", "bad-json").put("cause", e.getMessage());
        }
        if (msg == null || msg.isMissingNode()) {
            return Json.object().put("ok", false).put("error", "bad-json").put("cause", "an empty line");
        }
        String cmd = msg.path("cmd").isTextual() ? msg.get("cmd").asText() : null;
        if ("ping".equals(cmd)) {
            ObjectNode a = Json.object().put("ok", true);
            a.putObject("data").put("pong", clock.millis()).put("node_id", identity.nodeId());
            return a;
        }
        if ("info".equals(cmd)) {
            ObjectNode a = Json.object().put("ok", true);
            a.putObject("data").put("node_id", identity.nodeId()).put("role", identity.role()).put("name", identity.name()).put("port", port());
            return a;
        }
        return Json.object().put("ok", false).put("error", "unknown-cmd: " + (cmd == null ? "(none)" : cmd));
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(PeerListener::closeQuietly);
        acceptor.interrupt();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is all we can do
        }
    }
}
