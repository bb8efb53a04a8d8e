package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("native")
class DemoModelTest {
    @TempDir
    Path dir;

    @Test
    void madeOnceAndReused() throws Exception {
        SynthSpec spec = SynthPreset.TINY.spec();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Path first = DemoModel.ensure(dir, spec, lines::add);
        assertTrue(first.getFileName().toString().matches("tiny-[0-9a-f]{12}\\.gguf"), first.toString());
        assertEquals(ModelSynth.plan(spec, first), GgufReader.read(first));
        assertTrue(lines.getFirst().startsWith("creating the tiny model"), lines.toString());
        assertTrue(lines.getLast().contains("100%"), lines.toString());

        FileTime made = Files.getLastModifiedTime(first);
        lines.clear();
        Path again = DemoModel.ensure(dir, spec, lines::add);
        assertEquals(first, again);
        assertEquals(made, Files.getLastModifiedTime(again));
        assertTrue(lines.isEmpty());

        Path other = DemoModel.ensure(dir, spec.withSeed(7), line -> {});
        assertTrue(!other.equals(first), "another spec, another file");
    }

    @Test
    void concurrentCallersGetOneCompleteFile() throws Exception {
        SynthSpec spec = SynthPreset.TINY.spec().withSeed(99);
        List<String> creations = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> DemoModel.ensure(dir, spec, line -> {
                    if (line.startsWith("creating")) {
                        creations.add(line);
                    }
                })));
            }
            Path p = results.getFirst().get();
            for (Future<Path> r : results) {
                assertEquals(p, r.get());
            }
            GgufReader.read(p);
        }
        assertEquals(1, creations.size());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(".lock", DemoModel.fileFor(dir, spec).getFileName().toString()),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
    }
}
