package io.infernet.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuildCheckTest {

    @Test
    void aMissingToolkitLibraryIsNamed() {
        // recorded: the pin's CUDA configure against a toolkit made of nvcc and cudart only
        List<String> out = List.of(
                "-- Including CUDA backend",
                "-- Configuring done",
                "CMake Error at ggml/src/ggml-cuda/CMakeLists.txt:165 (target_link_libraries):",
                "  Target \"ggml-cuda\" links to:",
                "",
                "    CUDA::cublas",
                "",
                "  but the target was not found.  Possible reasons include:",
                "-- Generating done",
                "CMake Generate step failed.  Build files cannot be regenerated correctly.");
        List<String> d = BuildCheck.diagnose(out);
        assertEquals(2, d.size());
        assertEquals("CMake error: CMake Error at ggml/src/ggml-cuda/CMakeLists.txt:165 (target_link_libraries):", d.get(0));
        assertEquals("missing library: CUDA::cublas is not in the CUDA toolkit CMake found (libcublas and its headers); install the "
                + "toolkit's cublas (e.g. the distribution's cuda-libraries-dev, or NVIDIA's nvidia-cublas wheel placed in the toolkit)", d.get(1));
        assertEquals(List.of(), BuildCheck.diagnose(List.of("-- Configuring done", "-- Generating done")));
    }
}
