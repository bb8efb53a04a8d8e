package io.infernet.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.bindings.gen.BindingsGenerator;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves every Java struct layout byte for byte against the C compiler: a C program, made from
 * the Java layouts' field names, is compiled with gcc against the pinned headers and prints
 * sizeof and offsetof of each; the Java layouts must agree on all of them.
 */
@Tag("native")
class StructLayoutTest {

    @Test
    void javaLayoutsMatchGccOffsetsAndSizes(@TempDir Path tmp) throws Exception {
        Path src = NativeBundle.source(Progress.NONE);
        Map<String, GroupLayout> layouts = new HashMap<>();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"llama.h\"\n#include \"ggml-backend.h\"\nint main(void) {\n");
        int expectedLines = 0;
        for (String name : BindingsGenerator.STRUCTS) {
            GroupLayout layout = (GroupLayout) Class.forName("io.infernet.bindings." + name).getMethod("layout").invoke(null);
            layouts.put(name, layout);
            c.append("  printf(\"").append(name).append(" sizeof %zu\\n\", sizeof(struct ").append(name).append("));\n");
            expectedLines++;
            for (MemoryLayout m : layout.memberLayouts()) {
                if (m instanceof PaddingLayout) {
                    continue;
                }
                String f = m.name().orElseThrow();
                c.append("  printf(\"").append(name).append(' ').append(f).append(" %zu %zu\\n\", offsetof(struct ")
                        .append(name).append(", ").append(f).append("), sizeof(((struct ").append(name).append(" *)0)->").append(f).append("));\n");
                expectedLines++;
            }
        }
        c.append("  return 0;\n}\n");
        Path cFile = tmp.resolve("layouts.c");
        Files.writeString(cFile, c.toString());
        Path exe = tmp.resolve("layouts");
        run(tmp, List.of("gcc", "-std=c11", "-I", src.resolve("include").toString(), "-I", src.resolve("ggml/include").toString(),
                cFile.toString(), "-o", exe.toString()));
        List<String> lines = run(tmp, List.of(exe.toString()));
        assertEquals(expectedLines, lines.size(), "one line per struct and field:\n" + String.join("\n", lines));
        int checkedFields = 0;
        for (String line : lines) {
            String[] p = line.split(" ");
            GroupLayout layout = layouts.get(p[0]);
            if (p[1].equals("sizeof")) {
                assertEquals(Long.parseLong(p[2]), layout.byteSize(), "sizeof(struct " + p[0] + ")");
                continue;
            }
            MemoryLayout member = layout.select(MemoryLayout.PathElement.groupElement(p[1]));
            long javaOffset = layout.byteOffset(MemoryLayout.PathElement.groupElement(p[1]));
            assertEquals(Long.parseLong(p[2]), javaOffset, "offsetof(" + p[0] + ", " + p[1] + ")");
            assertEquals(Long.parseLong(p[3]), member.byteSize(), "sizeof(" + p[0] + "." + p[1] + ")");
            checkedFields++;
        }
        assertTrue(checkedFields > 80, "checked " + checkedFields + " fields");
        // The sizes NATIVE.md measured for this pin.
        assertEquals(80, layouts.get("llama_model_params").byteSize());
        assertEquals(160, layouts.get("llama_context_params").byteSize());
        assertEquals(56, layouts.get("llama_batch").byteSize());
    }

    private static List<String> run(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        return lines;
    }
}
