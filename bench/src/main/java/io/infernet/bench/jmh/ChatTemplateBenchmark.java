package io.infernet.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.bench.templates.TemplateConversations;
import io.infernet.chat.template.ChatTemplate;
import io.infernet.chat.template.RenderRequest;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendering a conversation with a model's own chat template, parsed once (as a server holds it):
 * microseconds per render, from the JSON request to the prompt text, preparation included. Templates
 * and conversations of the corpus test; {@code parse} measures the one-time cost (parse and
 * capability probes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class ChatTemplateBenchmark {

    @State(Scope.Benchmark)
    public static class Prepared {
        @Param({"Qwen-Qwen2.5-7B-Instruct", "meta-llama-Llama-3.1-8B-Instruct", "openai-gpt-oss-120b", "Qwen3-Coder"})
        public String template;

        @Param({"multi_turn", "tool_calls_followup"})
        public String conversation;

        String source;
        ChatTemplate parsed;
        RenderRequest request;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            source = Files.readString(NativeBundle.source(Progress.NONE).resolve("models/templates").resolve(template + ".jinja"));
            parsed = ChatTemplate.parse(source);
            ObjectNode req = TemplateConversations.all().get(conversation);
            request = RenderRequest.of(req.get("messages")).withTools(req.get("tools")).withTokens("<s>", "</s>", true, false);
        }
    }

    @Benchmark
    public String render(Prepared p) {
        return p.parsed.render(p.request);
    }

    @Benchmark
    @Measurement(iterations = 3, time = 1)
    public ChatTemplate parse(Prepared p) {
        return ChatTemplate.parse(p.source);
    }
}
