package io.infernet.server;

import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import io.infernet.runtime.Context;
import io.infernet.runtime.Model;
import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.GgmlType;
import io.infernet.runtime.gguf.SynthSpec;
import io.infernet.runtime.serve.ServeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A real {@code infernet serve} stack on loopback (HTTP API, in-process engine, llama.cpp decoding
 * a generated model with the Qwen2 tokenizer) whose chats are rendered with a real model's chat
 * template from the pin's corpus, and whose sampler replays scripted outputs instead of drawing
 * from the random weights.
 *
 * <p>Why a script: the model's weights are random, so what it writes is noise; a tool call must be
 * written token by token for clients to see one. The script stands in for the model's choices
 * only: the prompt is rendered by the template, tokenized and decoded by llama.cpp as for any
 * request, the scripted tokens go through the engine's detokenizer, stop strings, the chat output
 * parser and the HTTP layer like sampled ones. Each generation takes the next script, in the order
 * requests arrive (tests send them one after another); with none queued it ends at once.
 */
final class ScriptedServer implements AutoCloseable {

    /** 64 dim, 2 layers, Q8_0, the Qwen2 vocabulary (151936 tokens): about 21 MB, made once and cached. */
    static final SynthSpec MODEL = new SynthSpec("qwen2-tiny", 64, 2, 4, 4, 128, 4096, 10000f, 1e-5f, GgmlType.Q8_0, 42, "qwen2");

    final ApiServer server;
    final InProcessEngine engine;
    private final Model model;
    private final ConcurrentLinkedQueue<int[]> scripts = new ConcurrentLinkedQueue<>();
    /** Prompt tokens of each generation, in order. */
    final List<int[]> prompts = Collections.synchronizedList(new ArrayList<>());

    private ScriptedServer(String template) {
        this.model = Model.load(DemoModel.ensure(MODEL, Progress.NONE));
        ServeConfig cfg = ServeConfig.defaults().withThreads(1).withKvCells(8192).withBatchSize(256);
        this.engine = new InProcessEngine(model, "qwen2-tiny", cfg, (params, vocab) -> new Replay(scripts.poll()), template);
        this.server = ApiServer.start(engine, ServerConfig.defaults().withPort(0));
    }

    /** A server rendering with the corpus template {@code file} (e.g. {@code Qwen-Qwen2.5-7B-Instruct.jinja}). */
    static ScriptedServer withTemplate(String file) {
        return new ScriptedServer(corpusTemplate(file));
    }

    /** The source of the pin's corpus template {@code file}. */
    static String corpusTemplate(String file) {
        Path path = NativeBundle.pinDir().resolve("src").resolve("models").resolve("templates").resolve(file);
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("the chat-template corpus is not in the native cache (" + path
                    + "); run any native test or ./infernet native info first", e);
        }
    }

    /** A server rendering with this template source. */
    static ScriptedServer withSource(String template) {
        return new ScriptedServer(template);
    }

    /** Queues what the next generations write, one text each. */
    ScriptedServer script(String... outputs) {
        for (String o : outputs) {
            scripts.add(model.vocab().tokenize(o, false, false));
        }
        return this;
    }

    int queued() {
        return scripts.size();
    }

    String baseUrl() {
        return server.baseUrl();
    }

    Model model() {
        return model;
    }

    @Override
    public void close() {
        server.close();
        engine.close();
    }

    /** Writes its script, then the end-of-generation token; records the prompt it was given. */
    private final class Replay implements TokenSampler {
        private final int[] script;
        private final List<Integer> prompt = new ArrayList<>();
        private int next;
        private boolean generating;

        Replay(int[] script) {
            this.script = script == null ? new int[0] : script;
        }

        @Override
        public int sample(Context ctx, int outputIndex) {
            if (!generating) {
                generating = true;
                prompts.add(prompt.stream().mapToInt(Integer::intValue).toArray());
            }
            return next < script.length ? script[next++] : model.vocab().eos();
        }

        @Override
        public void accept(int token) {
            if (!generating) {
                prompt.add(token);
            }
        }

        @Override
        public void reset() {
            prompt.clear();
        }
    }
}
