package io.infernet.hardware.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFootprintTest {

    /** Writes a small GGUF v3 by hand: little-endian header, metadata, tensor infos, aligned data. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u32(long v) {
            byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
            out.writeBytes(b);
            return this;
        }

        Writer u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Writer str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Writer kvU32(String key, long v) {
            return str(key).u32(4).u32(v);
        }

        Writer kvStr(String key, String v) {
            return str(key).u32(8).str(v);
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A llama-shaped file: 2 tensors of 4096 bytes data after 32-byte alignment, plus a vocabulary array to skip. */
    static byte[] llamaLike(boolean withHeadCountKv) {
        Writer w = new Writer();
        int kvs = withHeadCountKv ? 9 : 8;
        w.u32(0x46554747).u32(3).u64(2).u64(kvs);
        w.kvStr("general.architecture", "llama");
        w.kvStr("general.name", "Tiny Llama Test");
        w.kvU32("llama.block_count", 4);
        w.kvU32("llama.embedding_length", 256);
        w.kvU32("llama.attention.head_count", 8);
        if (withHeadCountKv) {
            w.kvU32("llama.attention.head_count_kv", 2);
        }
        w.kvU32("llama.context_length", 2048);
        // tokenizer.ggml.tokens: array of 3 strings, skipped
        w.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(3).str("<s>").str("</s>").str("hello");
        // tokenizer.ggml.scores: array of 3 float32, skipped
        w.str("tokenizer.ggml.scores").u32(9).u32(6).u64(3).u32(0).u32(0).u32(0);
        // tensor infos
        w.str("token_embd.weight").u32(2).u64(256).u64(8).u32(0).u64(0);
        w.str("output.weight").u32(2).u64(256).u64(8).u32(0).u64(8192);
        int pad = (32 - w.size() % 32) % 32;
        byte[] head = w.bytes();
        byte[] file = Arrays.copyOf(head, head.length + pad + 2 * 8192);
        return file;
    }

    @Test
    void readsShapeAndTensorBytes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("tiny.gguf");
        Files.write(f, llamaLike(true));
        assertEquals(new ModelFootprint("Tiny Llama Test", 2 * 8192, 4, 256, 2, 32, 2048), GgufFootprint.read(f));
    }

    /** A file written by llama.cpp's own gguf-py (see tiny-llama-gguf-py.py next to it): 41600 bytes of tensors from offset 2336. */
    @Test
    void readsAFileWrittenByTheReferenceWriter() throws Exception {
        Path f = Path.of(GgufFootprintTest.class.getResource("tiny-llama-gguf-py.gguf").toURI());
        assertEquals(new ModelFootprint("tiny-llama (gguf-py)", 41_600, 2, 32, 2, 8, 4096), GgufFootprint.read(f));
    }

    @Test
    void headCountKvDefaultsToHeads(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("mha.gguf");
        Files.write(f, llamaLike(false));
        assertEquals(8, GgufFootprint.read(f).nHeadKv());
    }

    @Test
    void clearErrors(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.gguf");
        assertMessage(missing, "no such file");
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, not a model");
        assertMessage(text, "not a GGUF file");
        byte[] full = llamaLike(true);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(full, 100));
        assertMessage(cut, "truncated");
        Writer w = new Writer();
        w.u32(0x46554747).u32(3).u64(0).u64(1).kvStr("general.architecture", "llama");
        Path noShape = dir.resolve("noshape.gguf");
        Files.write(noShape, Arrays.copyOf(w.bytes(), w.size() + 64));
        assertMessage(noShape, "llama.block_count");
    }

    private static void assertMessage(Path file, String part) {
        String msg = assertThrows(IllegalArgumentException.class, () -> GgufFootprint.read(file)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(msg.contains(file.getFileName().toString()) && msg.contains(part), msg);
    }
}
