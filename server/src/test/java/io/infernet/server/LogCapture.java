package io.infernet.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every log record of the process (java.util.logging's root, at {@code level} and above) while open. */
final class LogCapture extends Handler implements AutoCloseable {

    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level before = root.getLevel();

    LogCapture(Level level) {
        setLevel(level);
        if (level.intValue() < before.intValue()) {
            root.setLevel(level);
        }
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        if (isLoggable(r)) {
            records.add(r);
        }
    }

    /** A record's message, parameters and the messages of its exception and causes. */
    static String text(LogRecord r) {
        StringBuilder text = new StringBuilder(r.getLevel() + " " + r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()));
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
            text.append(" | ").append(t);
        }
        return text.toString();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(before);
    }
}
