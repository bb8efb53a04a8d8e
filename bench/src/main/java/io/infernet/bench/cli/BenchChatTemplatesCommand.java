package io.infernet.bench.cli;

import io.infernet.bench.templates.TemplateFixtures;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infernet bench chat-templates}: records the reference prompts of the chat-template
 * corpus test ({@code chat/src/test/resources/llama-server/}) from the pinned llama-server.
 */
@Command(name = "chat-templates", mixinStandardHelpOptions = true,
        description = {"Record what the pinned llama-server (--jinja) renders for every chat template of the pin's models/templates/ "
                + "and a fixed set of conversations (POST /apply-template), one JSON file per template: the reference the chat "
                + "module's corpus test compares its own renderer with, byte for byte.",
                "Runs from the repository root; uses the CPU llama-server build of the pin (built on first use) and the tiny model."})
public final class BenchChatTemplatesCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "chat/src/test/resources/llama-server", description = "Folder of the fixture files (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--templates", description = "Folder of *.jinja templates (default: the pin's models/templates/).")
    Path templates;

    @Option(names = "--only", paramLabel = "FILE", description = "Record only this template file name, e.g. Qwen-Qwen3-0.6B.jinja.")
    String only;

    @Override
    public Integer call() throws Exception {
        Progress progress = line -> System.err.println("[chat-templates] " + line);
        Path server = SourceBuild.tool(SourceBuild.Backend.CPU_NATIVE, "llama-server", progress);
        Path model = DemoModel.ensure(SynthPreset.TINY.spec(), progress);
        Path dir = templates != null ? templates : NativeBundle.source(progress).resolve("models").resolve("templates");
        List<Path> written = TemplateFixtures.generate(new TemplateFixtures.Settings(server, model, dir, out, only, Duration.ofSeconds(60)), progress);
        System.err.println("[chat-templates] wrote " + written.size() + " fixture files to " + out);
        return 0;
    }
}
