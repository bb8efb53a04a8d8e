package io.infernet.node.protocol.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.config.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deliveries that could not be sent yet, kept on disk in send order so that they survive a
 * restart. The file is append-only JSON lines, each fsynced before {@link #append} returns:
 * {@code {"op":"put","seq":N,"key":..,"route":..,"idem":..,"body":{..}}} and
 * {@code {"op":"ack","seq":N}} ({@code idem} is the delivery's idempotency key; a line written
 * before it existed gets a fresh one).
 * On open it is replayed (puts without acks are pending; a torn last line is ignored) and
 * rewritten compactly; it is truncated whenever nothing is pending and compacted after many
 * acks. Mode 0600 (it holds job outputs). Thread-safe.
 */
public final class Outbox implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.outbox");
    private static final int COMPACT_AFTER_ACKS = 1000;

    /** A pending delivery and its position in the send order. */
    public record Entry(long seq, Delivery delivery) {}

    private final Path file;
    private final int compactAfterAcks;
    private final LinkedHashMap<Long, Entry> pending = new LinkedHashMap<>();
    private FileChannel channel;
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;
    private long nextSeq = 1;
    private int acksSinceCompaction;

    private Outbox(Path file, int compactAfterAcks) {
        this.file = file;
        this.compactAfterAcks = compactAfterAcks;
    }

    /** Opens (or creates) the outbox at {@code file} and replays what it holds. */
    public static Outbox open(Path file) {
        return open(file, COMPACT_AFTER_ACKS);
    }

    static Outbox open(Path file, int compactAfterAcks) {
        Outbox o = new Outbox(file.toAbsolutePath(), compactAfterAcks);
        try {
            AtomicFiles.ensurePrivateDir(o.file.getParent());
            o.lock();
            o.replay();
            o.rewrite();
        } catch (IOException e) {
            o.close();
            throw new UncheckedIOException("cannot open the outbox " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
        return o;
    }

    /** How many deliveries the outbox at {@code file} holds, read without opening it for writing. */
    public static int pendingCount(Path file) {
        Outbox o = new Outbox(file.toAbsolutePath(), COMPACT_AFTER_ACKS);
        try {
            o.replay();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the outbox " + file + ": " + e.getMessage(), e);
        }
        return o.pending.size();
    }

    /** One process per outbox: a second node on the same config folder would interleave its writes. */
    private void lock() throws IOException {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IllegalStateException("another infernet process is using " + file
                    + " (is 'infernet start' already running with this config folder?)");
        }
    }

    public Path file() {
        return file;
    }

    public synchronized boolean hasPending(String key) {
        return pending.values().stream().anyMatch(e -> e.delivery().key().equals(key));
    }

    /** Appends {@code d} to the end of the send order and fsyncs it. */
    public synchronized Entry append(Delivery d) {
        Entry e = new Entry(nextSeq++, d);
        write(putLine(e));
        pending.put(e.seq(), e);
        notifyAll();
        return e;
    }

    /** The oldest pending entry. */
    public synchronized Optional<Entry> head() {
        return pending.isEmpty() ? Optional.empty() : Optional.of(pending.firstEntry().getValue());
    }

    /** Waits up to {@code millis} for an entry to be appended when none is pending. */
    public synchronized Optional<Entry> awaitHead(long millis) throws InterruptedException {
        if (pending.isEmpty() && millis > 0) {
            wait(millis);
        }
        return head();
    }

    /** Marks {@code seq} as delivered (or dropped). */
    public synchronized void ack(long seq) {
        if (pending.remove(seq) == null) {
            return;
        }
        try {
            if (pending.isEmpty()) {
                channel.truncate(0);
                channel.force(true);
                acksSinceCompaction = 0;
            } else if (++acksSinceCompaction >= compactAfterAcks) {
                rewrite();
            } else {
                write(Json.object().put("op", "ack").put("seq", seq));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the outbox " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized int size() {
        return pending.size();
    }

    /** Keys with pending deliveries, in send order. */
    public synchronized Set<String> pendingKeys() {
        Set<String> keys = new LinkedHashSet<>();
        pending.values().forEach(e -> keys.add(e.delivery().key()));
        return keys;
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(pending.values());
    }

    @Override
    public synchronized void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the outbox: {0}", e.getMessage());
        }
    }

    private void replay() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int bad = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = Json.parse(line.getBytes(StandardCharsets.UTF_8));
                long seq = n.get("seq").asLong();
                nextSeq = Math.max(nextSeq, seq + 1);
                switch (n.path("op").asText()) {
                    case "put" -> pending.put(seq, new Entry(seq, n.hasNonNull("idem")
                            ? new Delivery(n.get("key").asText(), n.get("route").asText(), (ObjectNode) n.get("body"), n.get("idem").asText())
                            : new Delivery(n.get("key").asText(), n.get("route").asText(), (ObjectNode) n.get("body"))));
                    case "ack" -> pending.remove(seq);
                    default -> bad++;
                }
            } catch (IOException | RuntimeException e) {
                bad++; // a torn write from a crash; everything before it is intact
            }
        }
        if (bad > 0) {
            LOG.log(System.Logger.Level.WARNING, "outbox {0}: skipped {1} unreadable line(s)", file, bad);
        }
    }

    /** Replaces the file with the pending entries only, and reopens it for appending. */
    private void rewrite() throws IOException {
        if (channel != null) {
            channel.close();
        }
        StringBuilder sb = new StringBuilder();
        for (Entry e : pending.values()) {
            sb.append(Json.compact(putLine(e))).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        acksSinceCompaction = 0;
    }

    private static ObjectNode putLine(Entry e) {
        Delivery d = e.delivery();
        ObjectNode line = Json.object().put("op", "put").put("seq", e.seq()).put("key", d.key()).put("route", d.route())
                .put("idem", d.idempotencyKey());
        line.set("body", d.body());
        return line;
    }

    private void write(ObjectNode line) {
        byte[] bytes = (Json.compact(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the outbox " + file + ": " + e.getMessage(), e);
        }
    }
}
