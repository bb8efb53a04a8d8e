package io.infernet.node.protocol.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.node.protocol.testing.FakeRegistry;
import io.infernet.node.protocol.testing.FileServer;
import io.infernet.node.protocol.testing.TestGguf;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * model_install in process, as the dashboard sends it: an Ollama name fetched from an
 * Ollama-style registry (manifest, GGUF model layer, digest, CDN redirect, resume), a Hugging
 * Face file with HF_TOKEN, a direct URL. The reference's node runs {@code ollama pull <model>}
 * for every install (apps/cli/commands/start.js runNodeCommand, ollamaSpawn); its dashboard sends
 * Ollama tags (apps/web/components/push-model-button.js PRESETS). The registry stand-in serves
 * the formats Ollama reads.
 */
class ModelInstallTest {

    @TempDir
    Path tmp;

    private FakeRegistry registry;
    private ModelStore store;
    private final List<InstallProgress> progress = new ArrayList<>();
    private ModelDownloader downloader;

    @BeforeEach
    void start() throws Exception {
        registry = new FakeRegistry();
        store = new ModelStore(tmp.resolve("models"));
        downloader = new ModelDownloader(ModelDownloader.defaultHttpClient(), new GgufHeaderCheck(), Duration.ZERO, Duration.ofMillis(500),
                Map.of("HF_TOKEN", "hf_secret_token"));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private ModelHost host() {
        OllamaRegistry r = new OllamaRegistry(downloader.http(), h -> URI.create(registry.root()), downloader.huggingFaceHeaders());
        return new ModelHost.InStore(store, downloader, r, null);
    }

    @Test
    void anOllamaTagIsFetchedFromTheRegistryVerifiedByDigestAndServedUnderItsName() throws Exception {
        byte[] gguf = TestGguf.minimal(200_000);
        String digest = registry.publish("library/qwen2.5", "0.5b", gguf);
        List<String> out = host().install("qwen2.5:0.5b", null, progress::add);
        ModelStore.Entry e = store.find("qwen2.5:0.5b").orElseThrow();
        assertEquals("qwen2.5:0.5b", e.name());
        assertEquals("qwen2.5@0.5b.gguf", e.file().getFileName().toString());
        assertEquals("ollama://registry.ollama.ai/library/qwen2.5:0.5b", e.source());
        assertArrayEquals(gguf, Files.readAllBytes(e.file()));
        assertTrue(out.getLast().startsWith("installed "), out.toString());

        List<FileServer.Seen> seen = registry.files.requests();
        assertEquals(OllamaRegistry.MANIFEST_TYPE, seen.getFirst().accept());
        assertEquals("/v2/library/qwen2.5/manifests/0.5b", seen.getFirst().path());
        assertEquals("/v2/library/qwen2.5/blobs/" + digest, seen.get(1).path());
        assertEquals("/cdn/" + digest.substring(7), seen.get(2).path(), "the blob came from where the registry redirected");
        assertEquals(List.of("pulling manifest", "downloading", "verifying sha256 digest", "checking the model", "success"),
                progress.stream().map(InstallProgress::status).distinct().toList());
        InstallProgress last = progress.stream().filter(p -> p.status().equals("downloading")).toList().getLast();
        assertEquals(digest, last.digest());
        assertEquals(gguf.length, last.total());
        assertEquals(gguf.length, last.completed());
        var wire = last.toWire("qwen2.5:0.5b");
        assertEquals(List.of("model", "status", "digest", "completed", "total", "percent", "message"), List.copyOf(wire.properties().stream().map(Map.Entry::getKey).toList()));
        assertEquals(100.0, wire.get("percent").asDouble());
        assertEquals(digest, wire.get("digest").asText());
    }

    @Test
    void anInterruptedBlobResumesAndACorruptOneIsRefusedAndDeleted() throws Exception {
        byte[] gguf = TestGguf.minimal(300_000);
        String digest = registry.publish("library/tiny", "latest", gguf);
        registry.files.cutAfter(120_000);
        var broke = assertThrows(ModelHost.Refused.class, () -> host().install("tiny", null, progress::add));
        assertTrue(broke.getMessage().contains("run model_install again to resume"), broke.getMessage());
        long kept = Files.size(store.partOf("tiny@latest.gguf"));
        assertTrue(kept > 0 && kept < gguf.length);
        host().install("tiny", null, progress::add);
        assertArrayEquals(gguf, Files.readAllBytes(store.find("tiny:latest").orElseThrow().file()));
        assertTrue(registry.files.rangeHeaders().contains("bytes=" + kept + "-"), registry.files.rangeHeaders().toString());

        byte[] other = TestGguf.minimal(1000);
        String d2 = registry.publish("library/bad", "1", other);
        registry.corrupt(d2, TestGguf.minimal(1001));
        var corrupt = assertThrows(ModelHost.Refused.class, () -> host().install("bad:1", null, progress::add));
        assertTrue(corrupt.getMessage().startsWith("sha256 mismatch for bad@1.gguf: expected " + d2.substring(7)), corrupt.getMessage());
        assertFalse(Files.exists(store.partOf("bad@1.gguf")));
        assertTrue(store.find("bad:1").isEmpty());
        assertEquals(List.of("tiny:latest"), store.entries().stream().map(ModelStore.Entry::name).toList());
        assertEquals(digest, "sha256:" + FakeRegistry.sha256(gguf));
    }

    @Test
    void whatTheRegistryCannotGiveIsRefusedClearly() throws Exception {
        var missing = assertThrows(ModelHost.Refused.class, () -> host().install("nosuch:7b", null, progress::add));
        assertTrue(missing.getMessage().contains("has no model nosuch:7b"), missing.getMessage());
        registry.publish("library/lora", "1", TestGguf.minimal(0), OllamaRegistry.ADAPTER_LAYER);
        var adapter = assertThrows(ModelHost.Refused.class, () -> host().install("lora:1", null, progress::add));
        assertTrue(adapter.getMessage().contains("LoRA adapter"), adapter.getMessage());
        registry.files.put("/v2/library/page/manifests/1", "<html>".getBytes());
        assertTrue(assertThrows(ModelHost.Refused.class, () -> host().install("page:1", null, progress::add)).getMessage().contains("not JSON"));
        registry.files.put("/v2/library/html/manifests/1", ("{\"layers\":[{\"mediaType\":\"" + OllamaRegistry.MODEL_LAYER
                + "\",\"digest\":\"sha256:" + "0".repeat(64) + "\",\"size\":3}]}").getBytes());
        registry.corrupt("sha256:" + "0".repeat(64), "<html>x</html>".getBytes());
        registry.files.redirect("/v2/library/html/blobs/sha256:" + "0".repeat(64), 307, registry.files.url("/cdn/" + "0".repeat(64)));
        var notGguf = assertThrows(ModelHost.Refused.class, () -> host().install("html:1", null, progress::add));
        assertTrue(notGguf.getMessage().contains("sha256 mismatch"), notGguf.getMessage());
        assertThrows(ModelHost.Refused.class, () -> host().install("what/is/this/thing", null, progress::add));
        String d = registry.publish("library/ok", "1", TestGguf.minimal(0));
        var wrongSha = assertThrows(ModelHost.Refused.class, () -> host().install("ok:1", "ab".repeat(32), progress::add));
        assertTrue(wrongSha.getMessage().contains("is not the registry's digest"), wrongSha.getMessage());
        assertTrue(store.entries().isEmpty(), store.entries().toString());
        assertTrue(d.startsWith("sha256:"));
    }

    @Test
    void huggingFaceFilesGetTheTokenWhichNeverLeavesTheirHost() throws Exception {
        byte[] gguf = TestGguf.minimal(5000);
        try (FileServer hf = new FileServer()) {
            hf.requireBearer("/org/repo/resolve/", "hf_secret_token");
            hf.redirect("/org/repo/resolve/main/m.gguf", 302, hf.urlOnLocalhost("/xet/m.gguf"));
            hf.put("/xet/m.gguf", gguf);
            var ref = new ModelReference.FileUrl(URI.create(hf.url("/org/repo/resolve/main/m.gguf")), "m.gguf", true);
            downloader.install(ref, store, null, progress::add);
            assertArrayEquals(gguf, Files.readAllBytes(store.pathOf("m.gguf")));
            List<FileServer.Seen> seen = hf.requests();
            assertEquals("Bearer hf_secret_token", seen.get(0).authorization());
            assertNull(seen.get(1).authorization(), "not carried to the host the redirect leads to");
            assertTrue(progress.stream().noneMatch(p -> p.line().contains("hf_secret_token")));

            hf.put("/plain/x.gguf", gguf);
            downloader.install(new ModelReference.FileUrl(URI.create(hf.url("/plain/x.gguf")), "x.gguf", false), store, null, progress::add);
            assertNull(hf.requests().getLast().authorization(), "a URL elsewhere never gets the token");

            ModelDownloader anonymous = new ModelDownloader(ModelDownloader.defaultHttpClient(), new GgufHeaderCheck(), Duration.ZERO,
                    Duration.ofMillis(500), Map.of());
            var gated = assertThrows(java.io.IOException.class, () -> anonymous.install(
                    new ModelReference.FileUrl(URI.create(hf.url("/org/repo/resolve/main/n.gguf")), "n.gguf", true), store, null, progress::add));
            assertTrue(gated.getMessage().contains("HTTP 401 (the file is private or gated)"), gated.getMessage());
            assertFalse(gated.getMessage().contains("hf_secret_token"));
        }
    }

    @Test
    void aDirectUrlAndTheStoreIndex() throws Exception {
        byte[] gguf = TestGguf.minimal(100);
        try (FileServer web = new FileServer()) {
            web.put("/files/llama-3.2-1b-q4.gguf", gguf);
            host().install(web.url("/files/llama-3.2-1b-q4.gguf"), FakeRegistry.sha256(gguf), progress::add);
        }
        Files.write(store.dir().resolve("by-hand.gguf"), TestGguf.minimal(0));
        assertEquals(List.of("by-hand", "llama-3.2-1b-q4"), store.entries().stream().map(ModelStore.Entry::name).toList());
        assertTrue(store.find("llama-3.2-1b-q4.gguf").isPresent());
        assertEquals(List.of("removed " + store.dir().resolve("by-hand.gguf")), host().remove("by-hand"));
        var gone = assertThrows(ModelHost.Refused.class, () -> host().remove("by-hand"));
        assertTrue(gone.getMessage().contains("is not installed"), gone.getMessage());
    }
}
