package io.infernet.runtime;

import io.infernet.bindings.CTypes;
import io.infernet.bindings.LlamaLibrary;
import io.infernet.bindings.llama_h;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Routes llama.cpp's and ggml's log into {@link System.Logger} "llama.cpp" and keeps the last
 * warnings and errors, so that a failure (a model that does not load) can say why in its
 * exception message.
 *
 * <p>The callback is an upcall from native threads. It must never throw (an exception escaping
 * an upcall aborts the JVM), so it catches everything. Its stub lives in the global arena: the
 * native side keeps the pointer for the life of the process.
 */
final class NativeLog {
    private NativeLog() {}

    private static final System.Logger LOG = System.getLogger("llama.cpp");
    private static final int KEEP = 32;

    // ggml_log_level
    private static final int DEBUG = 1;
    private static final int INFO = 2;
    private static final int WARN = 3;
    private static final int ERROR = 4;
    private static final int CONT = 5;

    private static final StringBuilder line = new StringBuilder();
    private static int lineLevel = INFO;
    /** The last warnings and errors; {@code published} counts all ever kept, for {@link #mark}. */
    private static final ArrayDeque<String> recentProblems = new ArrayDeque<>();
    private static long published;

    static void install() {
        try {
            var target = MethodHandles.lookup().findStatic(NativeLog.class, "callback",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = LlamaLibrary.upcall(target,
                    FunctionDescriptor.ofVoid(CTypes.C_INT, CTypes.C_POINTER, CTypes.C_POINTER), Arena.global());
            llama_h.llama_log_set(stub, MemorySegment.NULL);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The upcall: {@code void(enum ggml_log_level, const char *, void *)}. */
    private static void callback(int level, MemorySegment text, MemorySegment userData) {
        try {
            String s = text.equals(MemorySegment.NULL) ? "" : text.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
            synchronized (line) {
                if (level != CONT) {
                    if (!line.isEmpty()) {
                        emit();
                    }
                    lineLevel = level;
                }
                line.append(s);
                int nl;
                while ((nl = line.indexOf("\n")) >= 0) {
                    String one = line.substring(0, nl);
                    line.delete(0, nl + 1);
                    publish(one);
                }
            }
        } catch (Throwable t) {
            // never let anything escape into native code
        }
    }

    private static void emit() {
        String rest = line.toString();
        line.setLength(0);
        publish(rest);
    }

    private static void publish(String msg) {
        if (msg.isBlank()) {
            return;
        }
        System.Logger.Level lvl = switch (lineLevel) {
            case DEBUG -> System.Logger.Level.DEBUG;
            case WARN -> System.Logger.Level.WARNING;
            case ERROR -> System.Logger.Level.ERROR;
            default -> System.Logger.Level.DEBUG; // INFO chatter of llama.cpp is debug detail for us
        };
        if (lineLevel == WARN || lineLevel == ERROR) {
            synchronized (recentProblems) {
                published++;
                recentProblems.addLast(msg.strip());
                while (recentProblems.size() > KEEP) {
                    recentProblems.removeFirst();
                }
            }
        }
        LOG.log(lvl, msg);
    }

    /** Marks a point; {@link #problemsSince} returns what was warned or errored after it. */
    static long mark() {
        synchronized (recentProblems) {
            return published;
        }
    }

    /** Warnings and errors logged since {@code mark} (at most the last 32). */
    static List<String> problemsSince(long mark) {
        synchronized (line) {
            if (!line.isEmpty() && (lineLevel == WARN || lineLevel == ERROR)) {
                emit();
            }
        }
        synchronized (recentProblems) {
            List<String> all = new ArrayList<>(recentProblems);
            long firstIndex = published - all.size();
            int from = (int) Math.max(0, mark - firstIndex);
            return from >= all.size() ? List.of() : List.copyOf(all.subList(from, all.size()));
        }
    }
}
