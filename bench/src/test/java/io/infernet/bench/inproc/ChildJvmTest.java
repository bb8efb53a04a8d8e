package io.infernet.bench.inproc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("native")
@Tag("slow")
class ChildJvmTest {

    @Test
    void theCommandLoadsTheGivenLibrariesPerProcess() {
        ChildJvm jvm = new ChildJvm(Path.of("/jdk/bin/java"), "/a.jar:/b.jar", ChildJvm.FLAGS, Optional.of(Path.of("/builds/cpu-native/bin")),
                ProbeMain.class.getName(), ChildJvm.probeArgs(Path.of("/m/demo.gguf"), 2, 3, 512, 128, 0));
        assertEquals(List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC",
                "-Dinfernet.llama.dir=/builds/cpu-native/bin", "-cp", "/a.jar:/b.jar", "io.infernet.bench.inproc.ProbeMain",
                "--model", "/m/demo.gguf", "--threads", "2", "--reps", "3", "--pp", "512", "--tg", "128", "--gpu-layers", "0"), jvm.command());
    }

    @Test
    void withoutLibrariesTheRuntimeChooses() {
        ChildJvm jvm = new ChildJvm(Path.of("java"), "cp", List.of(), Optional.empty(), "Main", List.of("serve"));
        assertEquals(List.of("java", "-cp", "cp", "Main", "serve"), jvm.command());
        assertThrows(IllegalArgumentException.class, () -> new ChildJvm(Path.of("java"), " ", List.of(), Optional.empty(), "Main", List.of()));
    }

    @Test
    void theResultLineIsFoundAmongOtherOutput() {
        String out = "llama.cpp says hello\n" + ProbeMain.PREFIX + "{\"libraries\":\"npm\",\"libraryDir\":\"/npm\",\"llamaVersion\":\"v\","
                + "\"systemInfo\":\"s\",\"modelDescription\":\"d\",\"modelBytes\":1,\"threads\":2,\"gpuLayers\":0,\"promptTokens\":512,"
                + "\"genTokens\":128,\"promptTs\":[100.0,300.0],\"decodeTs\":[10.0],\"loopTs\":[9.0],\"loopTokens\":[128],\"ttftMs\":[5.0,7.0,6.0]}\n";
        ProbeResult r = ProbeMain.parseOutput(out);
        assertEquals("npm", r.libraries());
        assertEquals(200, r.promptMean(), 1e-12);
        assertEquals(10, r.decodeMean(), 1e-12);
        assertEquals(6, r.ttftMedian(), 1e-12);
        assertThrows(IllegalStateException.class, () -> ProbeMain.parseOutput("nothing here\n"));
    }
}
