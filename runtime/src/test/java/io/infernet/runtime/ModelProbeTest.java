package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.TestBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's parent side: crashes, hangs and refusals of the child become verdicts naming the
 * file, the files after a crash still get checked, acceptances are cached by header digest.
 * The child here is {@link FakeProbeMain} (a real SIGABRT, no llama.cpp) except in
 * {@link #realChildAcceptsTheTinyModel}.
 */
class ModelProbeTest {
    @TempDir
    Path dir;

    private ModelProbe fake(ProbeCache cache, Duration timeout) {
        return new ModelProbe(cache, ModelProbe.childJava(), FakeProbeMain.class.getName(), timeout, Duration.ZERO);
    }

    /** A valid model under another name (the fake child decides by name). */
    private Path copy(String name) throws IOException {
        return Files.copy(TestModels.tiny(), dir.resolve(name));
    }

    @Test
    @Tag("slow")
    void aCrashIsARefusalNamingTheFileAndTheNextFilesStillGetChecked() throws IOException {
        List<Path> files = List.of(copy("a.gguf"), copy("crash.gguf"), copy("b.gguf"), copy("refuse.gguf"));
        List<ModelProbe.Verdict> v = fake(null, Duration.ofSeconds(60)).check(files, Progress.NONE);
        assertEquals(ModelProbe.Outcome.ACCEPTED, v.get(0).outcome(), v.get(0).message());
        assertEquals(ModelProbe.Outcome.CRASHED, v.get(1).outcome(), v.get(1).message());
        String crash = v.get(1).message();
        assertTrue(crash.startsWith(files.get(1) + ": "), crash);
        assertTrue(crash.contains("exit 134, SIGABRT"), crash);
        assertTrue(crash.contains("GGML_ASSERT(fake) failed"), crash);
        assertEquals(ModelProbe.Outcome.ACCEPTED, v.get(2).outcome(), "a new child checks the files after the crash");
        assertEquals(ModelProbe.Outcome.REFUSED_BY_LLAMA_CPP, v.get(3).outcome());
        assertTrue(v.get(3).message().contains("llama.cpp said no"), v.get(3).message());
    }

    @Test
    @Tag("slow")
    void aHangIsATimeout() throws IOException {
        Path hang = copy("hang.gguf");
        ModelProbe.Verdict v = fake(null, Duration.ofSeconds(3)).check(hang);
        assertEquals(ModelProbe.Outcome.TIMED_OUT, v.outcome(), v.message());
        assertTrue(v.message().startsWith(hang + ": the check process did not finish"), v.message());
    }

    @Test
    void theJavaChecksRefuseBeforeAnyChildRuns() throws IOException {
        Path junk = Files.write(dir.resolve("crash-junk.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        ModelProbe.Verdict v = fake(null, Duration.ofSeconds(60)).check(junk);
        assertEquals(ModelProbe.Outcome.REFUSED_BY_CHECKS, v.outcome());
        assertTrue(v.message().contains("truncated"), v.message());
    }

    @Test
    @Tag("slow")
    void acceptancesAreCachedAndRefusalsAreNot() throws IOException {
        ProbeCache cache = new ProbeCache(dir.resolve("cache"));
        ModelProbe probe = fake(cache, Duration.ofSeconds(60));
        Path ok = copy("ok.gguf");
        assertFalse(probe.check(ok).cached());
        ModelProbe.Verdict again = probe.check(ok);
        assertTrue(again.accepted() && again.cached(), again.toString());
        // the key is the header, not the name: a renamed copy (a finished download) is known
        Path renamed = Files.move(ok, dir.resolve("crash-renamed.gguf"));
        assertTrue(probe.check(renamed).cached(), "the fake child would have crashed on this name");
        byte[] other = Files.readAllBytes(TestModels.tiny());
        other[indexOf(other, "infernet-synth")] = 'I'; // another header: not the accepted file
        Path refused = Files.write(dir.resolve("refuse-me.gguf"), other);
        assertEquals(ModelProbe.Outcome.REFUSED_BY_LLAMA_CPP, probe.check(refused).outcome());
        assertEquals(ModelProbe.Outcome.REFUSED_BY_LLAMA_CPP, probe.check(refused).outcome());
    }

    @Test
    void theCacheKeyCoversTheHeaderAndTheSizeButNotTheWeights() throws IOException {
        ProbeCache cache = new ProbeCache(dir);
        byte[] model = Files.readAllBytes(TestModels.tiny());
        GgufFile f = GgufReader.read(TestModels.tiny());
        Path sameWeightsChanged = dir.resolve("w.gguf");
        byte[] w = model.clone();
        w[(int) f.dataOffset() + 100] ^= 1;
        Files.write(sameWeightsChanged, w);
        assertEquals(cache.key(f), cache.key(GgufReader.read(sameWeightsChanged)));
        Path headerChanged = dir.resolve("h.gguf");
        byte[] h = model.clone();
        int name = indexOf(h, "infernet-synth");
        h[name] = 'I';
        Files.write(headerChanged, h);
        assertNotEquals(cache.key(f), cache.key(GgufReader.read(headerChanged)));
    }

    @Test
    @Tag("native")
    @Tag("slow")
    void realChildAcceptsTheTinyModel() {
        ModelProbe probe = new ModelProbe(new ProbeCache(dir.resolve("cache")), ModelProbe.childJava(), ModelProbeMain.class.getName(),
                Duration.ofMinutes(2), Duration.ZERO);
        ModelProbe.Verdict v = probe.check(TestModels.tiny());
        assertTrue(v.accepted(), v.message());
        assertTrue(v.message().contains("decoded"), v.message());
        assertTrue(probe.check(TestModels.tiny()).cached());
        probe.require(TestModels.tiny(), Progress.NONE);
    }

    @Test
    @Tag("slow")
    void requireThrowsWithTheVerdict() throws IOException {
        Path crash = copy("crash-require.gguf");
        LlamaException e = assertThrows(LlamaException.class, () -> fake(null, Duration.ofSeconds(60)).require(crash, Progress.NONE));
        assertTrue(e.getMessage().contains("crashed the check process") && e.getMessage().contains(ModelProbe.SKIP_ENV), e.getMessage());
    }

    private static int indexOf(byte[] hay, String needle) {
        return TestBytes.indexOf(hay, needle, 0);
    }
}
