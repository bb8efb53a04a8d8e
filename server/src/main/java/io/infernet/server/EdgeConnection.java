package io.infernet.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client connection between its socket and Helidon's HTTP/1.1 connection, which reads and
 * writes through this context. It adds what Helidon 4.5.0 cannot be configured to do:
 * <ul>
 * <li><b>Deadlines</b> (checked by {@link EdgeConnections}' watchdog): a request's line and
 *     headers must arrive within {@link EdgeConfig#headerTimeout()} of their first byte (else 408
 *     and the connection closes), its body within {@link EdgeConfig#bodyTimeout()} plus one second
 *     per {@link EdgeConfig#bodyMinBytesPerSecond()} bytes (else the connection closes). Idle
 *     kept-alive connections are Helidon's (its idle-connection timeout).
 * <li><b>HTTP/1.0</b>: a first request line ending in {@code HTTP/1.0} has its head rewritten
 *     ({@link Http10Request}) and its response adapted ({@link Http10Response}).
 * <li><b>Disconnect watch</b>: while a non-streamed answer is being generated nothing is read or
 *     written, so a client that leaves would go unnoticed; {@link #watchClose} reads ahead on
 *     another thread, where an end of stream means the client has gone. What such a read
 *     returns is kept for Helidon's next read.
 * </ul>
 *
 * <p>Threads: {@link #pull()}, {@link #requestStarted()}, {@link #requestEnded()} and
 * {@link #watchClose} run on the connection's own (virtual) thread, which also runs the request's
 * handler; {@link #checkDeadline} on the watchdog's thread; the read-ahead on a thread of its own.
 * The socket is read by one thread at a time: the connection's thread waits for a read-ahead in
 * progress before it reads again.
 */
final class EdgeConnection implements ConnectionContext {

    private static final System.Logger LOG = System.getLogger(EdgeConnection.class.getName());
    static final ScopedValue<EdgeConnection> CURRENT = ScopedValue.newInstance();

    enum Phase {
        /** Between requests: waiting for the next one's first byte (Helidon's idle timeout applies). */
        IDLE,
        /** Reading a request's line and headers. */
        HEAD,
        /** Routed: reads now are its body's. */
        HANDLING,
        /** A deadline passed; the connection is being closed. */
        TIMED_OUT
    }

    private final ConnectionContext outer;
    private final EdgeConfig cfg;
    private final DataReader reader;
    private final Http10Response writer;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.IDLE);
    private volatile long headStart;
    private volatile long bodyStart;
    private volatile long bodyBytes;
    /** When the read in progress began (System.nanoTime), 0 when none; only the connection thread's reads. */
    private volatile long readingSince;
    private volatile String timedOut;
    private volatile Runnable onClientGone;
    /** A read-ahead in progress or done and not yet consumed; connection thread only. */
    private CompletableFuture<byte[]> ahead;
    private boolean firstHead = true;

    EdgeConnection(ConnectionContext outer, EdgeConfig cfg) {
        this.outer = outer;
        this.cfg = cfg;
        this.reader = DataReader.create(this::pull);
        this.writer = new Http10Response(outer.dataWriter());
    }

    /** The connection the calling thread is handling a request of, if it came through the edge. */
    static Optional<EdgeConnection> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    // --- reading ---------------------------------------------------------------------------------

    /** Helidon's source of bytes: the next bytes from the client, or null at its end of stream. */
    private byte[] pull() {
        long now = System.nanoTime();
        if (phase.get() == Phase.HANDLING && bodyStart == 0) {
            bodyStart = now;
        }
        readingSince = now;
        try {
            byte[] bytes = next();
            if (bytes != null && firstHead) {
                bytes = firstHead(bytes);
            }
            return bytes;
        } finally {
            readingSince = 0;
        }
    }

    /** The next bytes: a read-ahead's if one is pending, else a read of the socket. Counts them for the deadlines. */
    private byte[] next() {
        byte[] bytes;
        CompletableFuture<byte[]> pending = ahead;
        try {
            if (pending != null) {
                try {
                    bytes = pending.get();
                } finally {
                    ahead = null;
                }
            } else {
                bytes = readSocket();
            }
        } catch (InterruptedException e) {
            // Helidon's idle timeout or shutdown while a read-ahead waits: end that read too.
            outer.serverSocket().close();
            throw new CloseConnectionException("the connection was closed while idle", e);
        } catch (ExecutionException e) {
            throw closedOrRethrow(e.getCause());
        } catch (RuntimeException e) {
            throw closedOrRethrow(e);
        }
        if (bytes != null && bytes.length > 0) {
            if (phase.compareAndSet(Phase.IDLE, Phase.HEAD)) {
                headStart = System.nanoTime();
            } else if (phase.get() == Phase.HANDLING) {
                bodyBytes += bytes.length;
            }
        }
        return bytes;
    }

    private RuntimeException closedOrRethrow(Throwable t) {
        String why = timedOut;
        if (why != null) {
            return new CloseConnectionException(why, t);
        }
        return t instanceof RuntimeException r ? r : new CloseConnectionException("the connection failed", t);
    }

    /** One read of the socket through Helidon's own reader (which may hold bytes already); null at end of stream. */
    private byte[] readSocket() {
        DataReader r = outer.dataReader();
        try {
            if (r.available() == 0) {
                r.pullData();
            }
            return r.readBytes(r.available());
        } catch (DataReader.InsufficientDataAvailableException e) {
            return null;
        }
    }

    /**
     * The start of the connection's first request: read up to its first line; a 1.0 request
     * line has its whole head read and rewritten, and the writer adapts from then on.
     */
    private byte[] firstHead(byte[] first) {
        byte[] buf = first;
        int len = first.length;
        int lf;
        while ((lf = Http10Request.lineEnd(buf, len)) < 0) {
            if (len > cfg.maxRequestLineBytes()) {
                firstHead = false;
                return Arrays.copyOf(buf, len); // too long: Helidon answers 414
            }
            byte[] more = next();
            if (more == null) {
                firstHead = false;
                return Arrays.copyOf(buf, len);
            }
            buf = append(buf, len, more);
            len += more.length;
        }
        firstHead = false;
        if (!Http10Request.isHttp10(buf, lf)) {
            return Arrays.copyOf(buf, len);
        }
        int end;
        while ((end = Http10Request.headEnd(buf, len)) < 0) {
            byte[] more = len > cfg.maxRequestLineBytes() + cfg.maxHeaderBytes() ? null : next();
            if (more == null) {
                return Arrays.copyOf(buf, len); // cut short or too large: Helidon answers as for 1.1
            }
            buf = append(buf, len, more);
            len += more.length;
        }
        writer.http10();
        PeerInfo local = outer.localPeer();
        byte[] head = Http10Request.rewrite(Arrays.copyOf(buf, end), local.host() + ":" + local.port());
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + len - end);
        out.writeBytes(head);
        out.write(buf, end, len - end);
        return out.toByteArray();
    }

    private static byte[] append(byte[] buf, int len, byte[] more) {
        byte[] b = Arrays.copyOf(buf, Math.max(buf.length, len + more.length));
        System.arraycopy(more, 0, b, len, more.length);
        return b;
    }

    // --- request phases ------------------------------------------------------------------------

    /** Routing began: the head is complete. */
    void requestStarted() {
        bodyStart = 0;
        bodyBytes = 0;
        Phase p = phase.get();
        if (p == Phase.TIMED_OUT || !phase.compareAndSet(p, Phase.HANDLING)) {
            throw new CloseConnectionException(timedOut == null ? "the connection is closing" : timedOut);
        }
    }

    /** The response is complete. */
    void requestEnded() {
        onClientGone = null;
        phase.compareAndSet(Phase.HANDLING, Phase.IDLE);
    }

    /** Whether a request is routed and not yet answered. */
    boolean handling() {
        return phase.get() == Phase.HANDLING;
    }

    /** Why the server closed this connection for slowness, or null. */
    String timedOut() {
        return timedOut;
    }

    boolean isHttp10() {
        return writer.isHttp10();
    }

    // --- the watchdog ----------------------------------------------------------------------------

    /** Closes the connection if the read in progress is past its phase's deadline; from the watchdog's thread. */
    void checkDeadline(long now) {
        if (readingSince == 0) {
            return;
        }
        switch (phase.get()) {
            case HEAD -> {
                if (now - headStart > cfg.headerTimeout().toNanos()) {
                    timeOut(Phase.HEAD, "the request line and headers did not arrive within " + cfg.headerTimeout().toSeconds() + " s");
                }
            }
            case HANDLING -> {
                long start = bodyStart;
                long allowed = cfg.bodyTimeout().toNanos() + bodyBytes * 1_000_000_000L / cfg.bodyMinBytesPerSecond();
                if (start != 0 && now - start > allowed) {
                    timeOut(Phase.HANDLING, "the request body came slower than " + cfg.bodyMinBytesPerSecond() + " bytes/s after "
                            + cfg.bodyTimeout().toSeconds() + " s (" + bodyBytes + " bytes in " + (now - start) / 1_000_000_000L + " s)");
                }
            }
            default -> { }
        }
    }

    private void timeOut(Phase from, String why) {
        if (!phase.compareAndSet(from, Phase.TIMED_OUT)) {
            return;
        }
        timedOut = why;
        LOG.log(System.Logger.Level.DEBUG, () -> "closing a connection from " + outer.remotePeer().address() + ": " + why);
        if (from == Phase.HEAD) { // nothing has been written yet: say why
            String body = new String(Json.bytes(OpenAiErrors.body(new ApiException(408, ApiException.INVALID_REQUEST, null,
                    "request_timeout", "The request line and headers took longer than " + cfg.headerTimeout().toSeconds()
                    + " s to arrive; the connection is closed."))), StandardCharsets.UTF_8);
            String response = (writer.isHttp10() ? "HTTP/1.0" : "HTTP/1.1") + " 408 Request Timeout\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
            try {
                outer.serverSocket().write(BufferData.create(response.getBytes(StandardCharsets.UTF_8)));
            } catch (RuntimeException e) {
                // the client is gone or not reading: closing is all that is left
            }
        }
        outer.serverSocket().close();
    }

    // --- disconnect watch --------------------------------------------------------------------------

    /** Stops a {@link #watchClose} watch. */
    interface Watch extends AutoCloseable {
        Watch NONE = () -> { };

        @Override
        void close();
    }

    /**
     * Calls {@code onGone} (once, on another thread) if the client closes the connection before
     * the returned watch is closed; call on the connection's thread, with the request body read.
     * Over HTTP/1.0 the watch does nothing (the connection ends with the response anyway, and
     * nginx keeps its side open until then).
     */
    Watch watchClose(Runnable onGone) {
        if (writer.isHttp10()) {
            return Watch.NONE;
        }
        onClientGone = onGone;
        if (ahead == null) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            ahead = f;
            Thread.ofVirtual().name("infernet-http-watch").start(() -> {
                try {
                    f.complete(readSocket());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            f.whenComplete((bytes, err) -> {
                Runnable r = onClientGone;
                if ((bytes == null || err != null) && r != null) {
                    r.run();
                }
            });
        }
        return () -> onClientGone = null;
    }

    // --- the context Helidon's connection sees -------------------------------------------------------

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return outer.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return outer.executor();
    }

    @Override
    public Router router() {
        return outer.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return outer.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return outer.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return outer.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return outer.localPeer();
    }

    @Override
    public boolean isSecure() {
        return outer.isSecure();
    }

    @Override
    public String socketId() {
        return outer.socketId();
    }

    @Override
    public String childSocketId() {
        return outer.childSocketId();
    }
}
