package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the real detection on whatever machine runs the tests. It asserts honesty, not hardware:
 * every source either found GPUs or says why not, and the specs have the wire shape.
 */
class SystemSmokeTest {

    @Test
    void realDetectionGivesReasonsOrGpus() {
        HardwareReport r = HardwareProbe.system().detect();
        assertEquals(DetectionSource.values().length, r.sources().size());
        for (SourceReport s : r.sources()) {
            assertTrue(s.found() || s.reason().filter(x -> !x.isBlank()).isPresent(), s.source().id() + " has neither GPUs nor a reason");
        }
        if (new ProcessToolRunner(System.getenv("PATH")).resolve("nvidia-smi").isEmpty()) {
            assertEquals("nvidia-smi not found on PATH", r.source(DetectionSource.NVIDIA).reason().orElseThrow());
        }
        assertTrue(r.memory().totalBytes() > 0);
        assertTrue(r.cpu().physicalCores() >= 1);
        if (r.gpus().isEmpty()) {
            assertEquals(UserTier.CPU, r.tier().userTier());
        }

        JsonNode specs = new HardwareSpecs(r).toJson();
        List<String> keys = new ArrayList<>();
        specs.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("cpu", "gpu_count", "gpus", "interconnects", "load"), keys);
        assertEquals(r.gpus().size(), specs.get("gpu_count").asInt());
        for (JsonNode g : specs.get("gpus")) {
            assertTrue(g.get("model").asText().length() <= 64);
            assertFalse(g.has("vram_mb") || g.has("vram_bytes"));
        }
    }
}
