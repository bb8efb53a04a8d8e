package io.infernet.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                + "toolkit's cublas (e.g. the distribution's cuda-libraries-dev), or point INFERNET_CUBLAS_DIR at NVIDIA's nvidia-cublas "
                + "wheel unpacked (its nvidia/cu13 folder)", d.get(1));
        assertEquals(List.of(), BuildCheck.diagnose(List.of("-- Configuring done", "-- Generating done")));
    }

    @Test
    void cublasComesFromTheNamedFolderWhenItHoldsTheLibrariesAndHeaders(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("nvidia/cu13");
        Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("include"));
        List<String> notes = new ArrayList<>();
        List<String> none = BuildCheck.cudaFlags(dir.toString(), tmp, notes);
        assertTrue(none.stream().noneMatch(f -> f.contains("cublas")), none.toString());
        assertTrue(notes.getFirst().contains("has no lib/libcublas.so*"), notes.toString());

        Files.writeString(dir.resolve("lib/libcublas.so.13"), "");
        Files.writeString(dir.resolve("lib/libcublasLt.so.13"), "");
        Files.writeString(dir.resolve("include/cublas_v2.h"), "");
        notes.clear();
        List<String> flags = BuildCheck.cudaFlags(dir.toString(), tmp, notes);
        assertTrue(flags.containsAll(List.of("-DCUDA_cublas_LIBRARY=" + dir.resolve("lib/libcublas.so.13"),
                "-DCUDA_cublasLt_LIBRARY=" + dir.resolve("lib/libcublasLt.so.13"), "-DCMAKE_CUDA_FLAGS=-I" + dir.resolve("include"))), flags.toString());
        assertTrue(notes.contains("cuBLAS from INFERNET_CUBLAS_DIR=" + dir), notes.toString());
        assertTrue(BuildCheck.cudaFlags(null, tmp, new ArrayList<>()).stream().noneMatch(f -> f.contains("cublas")));
    }
}
