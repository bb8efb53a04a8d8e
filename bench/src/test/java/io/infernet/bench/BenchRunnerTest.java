package io.infernet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.bench.tier.MachineFacts;
import io.infernet.hardware.GpuVendor;
import io.infernet.natives.SourceBuild;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {

    @Test
    void aCudaCheckWithoutAnNvidiaGpuNamesTheArchitectures() {
        MachineFacts cpu = new MachineFacts(2, 1L << 34, 1L << 33, Optional.empty());
        assertEquals(List.of("-DCMAKE_CUDA_ARCHITECTURES=80;86;89;90"), BenchRunner.buildCheckFlags(SourceBuild.Backend.CUDA, cpu));
        MachineFacts h100 = new MachineFacts(16, 1L << 37, 1L << 36,
                Optional.of(new MachineFacts.GpuPool("NVIDIA H100 80GB HBM3", GpuVendor.NVIDIA, 80L << 30, OptionalLong.of(79L << 30))));
        assertEquals(List.of(), BenchRunner.buildCheckFlags(SourceBuild.Backend.CUDA, h100));
        assertEquals(List.of(), BenchRunner.buildCheckFlags(SourceBuild.Backend.CPU_NATIVE, cpu));
    }
}
