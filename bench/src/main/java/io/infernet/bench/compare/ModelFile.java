package io.infernet.bench.compare;

import io.infernet.natives.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Brings a model file to a steady state before timing: its written pages flushed to disk (a model
 * synthesized a moment ago is still being written back, and the kernel's writeback competes with
 * the first timed run) and the whole file read once into the page cache, so no side pays for a
 * cold read. Seen without it: the first llama-bench run after synthesizing the 1b model at 40% of
 * its later speed.
 */
final class ModelFile {
    private ModelFile() {}

    static void settle(Path model, Progress progress) {
        progress.step("flushing and reading " + model.getFileName() + " into the page cache");
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
            ch.force(true);
            ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
            long pos = 0;
            int n;
            while ((n = ch.read(buf, pos)) > 0) {
                pos += n;
                buf.clear();
            }
        } catch (IOException e) {
            progress.step("could not pre-read " + model + " (" + e.getMessage() + "); the first round may be slower");
        }
    }
}
