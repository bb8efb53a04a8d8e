package io.infernet.runtime;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A child for {@link ModelProbeTest} that speaks {@link ModelProbeMain}'s protocol without
 * llama.cpp: for a file whose name contains {@code crash} it calls libc's {@code abort()} (a real
 * SIGABRT, as a failed GGML_ASSERT gives), for {@code hang} it never answers, for {@code refuse}
 * it refuses, and accepts anything else.
 */
public final class FakeProbeMain {
    private FakeProbeMain() {}

    public static void main(String[] args) throws Throwable {
        for (int i = 0; i < args.length; i++) {
            String name = Path.of(args[i]).getFileName().toString();
            System.out.println(ModelProbeMain.PREFIX + "begin " + i);
            System.out.flush();
            if (name.contains("crash")) {
                System.err.println("GGML_ASSERT(fake) failed");
                System.err.flush();
                MethodHandle abort = Linker.nativeLinker().downcallHandle(
                        Linker.nativeLinker().defaultLookup().find("abort").orElseThrow(), FunctionDescriptor.ofVoid());
                abort.invokeExact();
            } else if (name.contains("hang")) {
                Thread.sleep(Long.MAX_VALUE);
            } else if (name.contains("refuse")) {
                System.out.println(ModelProbeMain.PREFIX + "refused " + i + " " + args[i] + ": llama.cpp said no");
            } else {
                System.out.println(ModelProbeMain.PREFIX + "ok " + i + " fine");
            }
            System.out.flush();
        }
        System.out.println(ModelProbeMain.PREFIX + "done");
    }
}
