package io.infernet.node.protocol.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.node.protocol.testing.FileServer;
import io.infernet.node.protocol.testing.TestGguf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelsTest {

    @TempDir
    Path tmp;

    private FileServer files;
    private ModelStore store;
    private final List<InstallProgress> progress = new ArrayList<>();
    private final ModelDownloader downloader = new ModelDownloader(ModelDownloader.defaultHttpClient(), new GgufHeaderCheck(), Duration.ZERO, Duration.ofMillis(500));

    @BeforeEach
    void start() throws IOException {
        files = new FileServer();
        store = new ModelStore(tmp.resolve("models"));
    }

    @AfterEach
    void stop() {
        files.close();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static ModelReference.FileUrl file(String ref) {
        return (ModelReference.FileUrl) ModelReference.parse(ref);
    }

    private List<String> lines() {
        return progress.stream().map(InstallProgress::line).toList();
    }

    @Test
    void referencesResolve() {
        var hf = file("Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
        assertTrue(hf.huggingFace());
        assertEquals("qwen2.5-0.5b-instruct-q4_k_m", hf.servedName());
        assertEquals("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf", hf.url().toString());
        assertEquals("qwen2.5-0.5b-instruct-q4_k_m.gguf", hf.fileName());
        var colon = file("org/repo:sub/m.gguf");
        assertEquals("https://huggingface.co/org/repo/resolve/main/sub/m.gguf", colon.url().toString());
        assertEquals("m.gguf", colon.fileName());
        var url = file("https://example.com/files/My%20Model.gguf?download=1");
        assertEquals("My Model.gguf", url.fileName());
        assertFalse(url.huggingFace());
        // Ollama names, as the dashboard's "Push model" sends them
        var tag = (ModelReference.OllamaTag) ModelReference.parse("qwen2.5:7b");
        assertEquals(new ModelReference.OllamaTag("registry.ollama.ai", "library/qwen2.5", "7b"), tag);
        assertEquals("qwen2.5:7b", tag.servedName());
        assertEquals("qwen2.5@7b.gguf", tag.fileName());
        assertEquals("https://registry.ollama.ai/v2/library/qwen2.5/manifests/7b", tag.manifestUrl(java.net.URI.create("https://registry.ollama.ai")).toString());
        assertEquals("llama3:latest", ModelReference.parse("llama3").servedName());
        assertEquals("someone/tuned:v2", ModelReference.parse("someone/tuned:v2").servedName());
        var hfTag = (ModelReference.OllamaTag) ModelReference.parse("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M");
        assertEquals("hf.co", hfTag.host());
        assertTrue(hfTag.huggingFace());
        assertEquals("hf.co+bartowski+Llama-3.2-1B-Instruct-GGUF@Q4_K_M.gguf", hfTag.fileName());
        for (String bad : new String[] {"a/b/c/d:e", "qwen2.5:", ":7b", "qwen 2.5", "-x:1", "a..b:1"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ModelReference.parse(bad), bad);
            assertTrue(e.getMessage().contains("neither an Ollama name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ModelReference.parse("org/repo/../../etc/passwd.gguf"));
        assertThrows(IllegalArgumentException.class, () -> ModelReference.parse("https://example.com/model.bin"));
        assertThrows(IllegalArgumentException.class, () -> ModelReference.parse("https://example.com/..%2F..%2Fx.gguf"));
        assertThrows(IllegalArgumentException.class, () -> ModelReference.parse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x.gguf", "a/b.gguf", "..\\x.gguf", ".hidden.gguf", "x.gguf/..", "model.bin", "", "a\u0000.gguf"})
    void storeRefusesNamesThatLeaveItOrAreNotGguf(String name) {
        assertThrows(IllegalArgumentException.class, () -> store.pathOf(name));
    }

    @Test
    void ggufHeaderCheck() throws Exception {
        GgufHeaderCheck check = new GgufHeaderCheck();
        Path ok = tmp.resolve("ok.gguf");
        Files.write(ok, TestGguf.minimal(0));
        check.validate(ok);
        Path html = tmp.resolve("html.gguf");
        Files.writeString(html, "<!doctype html><html>rate limited</html>");
        assertTrue(assertThrows(GgufValidator.InvalidModelException.class, () -> check.validate(html)).getMessage().contains("\"GGUF\""));
        byte[] v9 = TestGguf.minimal(0);
        v9[4] = 9;
        Path badVersion = tmp.resolve("v9.gguf");
        Files.write(badVersion, v9);
        assertTrue(assertThrows(GgufValidator.InvalidModelException.class, () -> check.validate(badVersion)).getMessage().contains("version 9"));
        byte[] huge = TestGguf.minimal(0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1L << 40);
        Path badCount = tmp.resolve("huge.gguf");
        Files.write(badCount, huge);
        assertTrue(assertThrows(GgufValidator.InvalidModelException.class, () -> check.validate(badCount)).getMessage().contains("cannot fit"));
        Path tiny = tmp.resolve("tiny.gguf");
        Files.write(tiny, "GGUF".getBytes(StandardCharsets.US_ASCII));
        assertThrows(GgufValidator.InvalidModelException.class, () -> check.validate(tiny));
    }

    @Test
    void downloadsChecksShaAndInstallsAtomically() throws Exception {
        byte[] gguf = TestGguf.minimal(1000);
        files.put("/m/tiny.gguf", gguf);
        var ref = file(files.url("/m/tiny.gguf"));
        var installed = downloader.install(ref, store, sha(gguf).toUpperCase(), progress::add);
        assertArrayEquals(gguf, Files.readAllBytes(installed.path()));
        assertEquals(sha(gguf), installed.sha256());
        assertEquals(List.of("tiny.gguf"), store.list());
        assertFalse(Files.exists(store.partOf("tiny.gguf")));
        assertTrue(lines().stream().anyMatch(l -> l.matches("downloading tiny\\.gguf: 100\\.0% \\(0\\.0 / 0\\.0 MB\\) at [0-9.]+ MB/s")), lines().toString());
        assertEquals(List.of("downloading", "verifying sha256 digest", "checking the model", "success"),
                progress.stream().map(InstallProgress::status).distinct().toList());
        var again = downloader.install(ref, store, null, progress::add);
        assertTrue(again.alreadyThere());
    }

    @Test
    void resumesAnInterruptedDownloadWithARangeRequest() throws Exception {
        byte[] gguf = TestGguf.minimal(300_000);
        files.put("/big.gguf", gguf);
        var ref = file(files.url("/big.gguf"));
        files.cutAfter(100_000);
        var e = assertThrows(IOException.class, () -> downloader.install(ref, store, sha(gguf), progress::add));
        assertTrue(e.getMessage().contains("run model_install again to resume"), e.getMessage());
        long partial = Files.size(store.partOf("big.gguf"));
        assertTrue(partial > 0 && partial < gguf.length, "kept " + partial + " bytes");
        var installed = downloader.install(ref, store, sha(gguf), progress::add);
        assertEquals(partial, installed.resumedFrom());
        assertArrayEquals(gguf, Files.readAllBytes(installed.path()));
        assertEquals(List.of("", "bytes=" + partial + "-"), files.rangeHeaders());
    }

    @Test
    void aServerWithoutRangesRestartsFromZero() throws Exception {
        byte[] gguf = TestGguf.minimal(50_000);
        files.put("/x.gguf", gguf);
        Files.createDirectories(store.dir());
        Files.write(store.partOf("x.gguf"), new byte[] {1, 2, 3});
        files.ignoreRanges = true;
        var installed = downloader.install(file(files.url("/x.gguf")), store, null, progress::add);
        assertArrayEquals(gguf, Files.readAllBytes(installed.path()));
        assertEquals(0, installed.resumedFrom());
    }

    @Test
    void badShaInvalidFilesAndMissingFilesAreRefusedAndCleanedUp() throws Exception {
        byte[] gguf = TestGguf.minimal(0);
        files.put("/a.gguf", gguf);
        var shaErr = assertThrows(IOException.class, () ->
                downloader.install(file(files.url("/a.gguf")), store, "0".repeat(64), progress::add));
        assertTrue(shaErr.getMessage().startsWith("sha256 mismatch for a.gguf"));
        assertFalse(Files.exists(store.partOf("a.gguf")));
        assertTrue(store.list().isEmpty());

        files.put("/page.gguf", "<html>login</html>".getBytes(StandardCharsets.UTF_8));
        var bad = assertThrows(GgufValidator.InvalidModelException.class, () ->
                downloader.install(file(files.url("/page.gguf")), store, null, progress::add));
        assertTrue(bad.getMessage().contains("not a GGUF file"), bad.getMessage());
        assertFalse(Files.exists(store.partOf("page.gguf")));

        var missing = assertThrows(IOException.class, () ->
                downloader.install(file(files.url("/nope.gguf")), store, null, progress::add));
        assertTrue(missing.getMessage().contains("HTTP 404"));
        assertThrows(IllegalArgumentException.class, () ->
                downloader.install(file(files.url("/a.gguf")), store, "xyz", progress::add));
    }
}
