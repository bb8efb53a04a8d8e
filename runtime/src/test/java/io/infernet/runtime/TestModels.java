package io.infernet.runtime;

import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import java.nio.file.Path;

/** Generated models for native tests, made once and cached (random weights). */
public final class TestModels {
    private TestModels() {}

    /** 64 dim, 2 layers, F32, the llama-spm tokenizer: fast. */
    public static Path tiny() {
        return DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
    }

    /** 512 dim, 8 layers, Q8_0: the demo model. */
    public static Path demo() {
        return DemoModel.ensure(Progress.NONE);
    }
}
