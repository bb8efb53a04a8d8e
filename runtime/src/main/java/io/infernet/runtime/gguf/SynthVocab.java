package io.infernet.runtime.gguf;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.stream.Stream;

/**
 * A tokenizer taken from a GGUF file: all its {@code tokenizer.*} keys, in file order, plus a chat
 * template if it has none.
 *
 * <p>Chat template when the file has none: ChatML if the vocabulary has {@code <|im_start|>} and
 * {@code <|im_end|>} tokens, else the Llama-2-chat template ({@code [INST] ... [/INST]} with
 * {@code <<SYS>>}, as Meta published it), which llama.cpp recognises as {@code llama2-sys-strip}
 * and which suits the default {@code llama-spm} vocabulary.
 *
 * @param source    where it came from (a pin vocabulary name or a path), for metadata and messages
 * @param tokenizer the {@code tokenizer.*} keys to copy, chat template included
 * @param size      number of tokens
 * @param template  which chat template the model gets: {@code from the vocabulary}, {@code chatml} or {@code llama-2}
 */
public record SynthVocab(String source, SequencedMap<String, GgufValue> tokenizer, int size, String template) {

    public static final String CHATML_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static final String LLAMA2_TEMPLATE = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    public SynthVocab {
        tokenizer = java.util.Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tokenizer));
    }

    /**
     * Loads a vocabulary: a name of the pin ({@code llama-spm} for {@code ggml-vocab-llama-spm.gguf})
     * or the path of a GGUF file (anything with a {@code /} or ending in {@code .gguf}).
     *
     * @throws GgufException if the file is missing, invalid or has no {@code tokenizer.ggml.tokens}
     */
    public static SynthVocab load(String vocab) {
        Path file = resolve(vocab);
        GgufFile gguf = GgufReader.read(file);
        SequencedMap<String, GgufValue> keys = new LinkedHashMap<>();
        gguf.metadata().forEach((k, v) -> {
            if (k.startsWith(GgufKeys.TOKENIZER_PREFIX)) {
                keys.put(k, v);
            }
        });
        if (!(keys.get(GgufKeys.TOKENS) instanceof GgufValue.StrArray tokens) || tokens.size() == 0) {
            throw GgufException.of(file, "has no tokenizer (no string array '" + GgufKeys.TOKENS + "'); pass a GGUF file with a vocabulary");
        }
        String template = "from the vocabulary";
        if (!keys.containsKey(GgufKeys.CHAT_TEMPLATE)) {
            boolean chatml = tokens.values().contains("<|im_start|>") && tokens.values().contains("<|im_end|>");
            keys.put(GgufKeys.CHAT_TEMPLATE, new GgufValue.Str(chatml ? CHATML_TEMPLATE : LLAMA2_TEMPLATE));
            template = chatml ? "chatml" : "llama-2";
        }
        return new SynthVocab(vocab, keys, tokens.size(), template);
    }

    /** The file a vocabulary name or path stands for. */
    static Path resolve(String vocab) {
        if (vocab.contains("/") || vocab.contains(java.io.File.separator) || vocab.endsWith(".gguf")) {
            return Path.of(vocab);
        }
        Path models = NativeBundle.models(Progress.NONE);
        Path file = models.resolve("ggml-vocab-" + vocab + ".gguf");
        if (!Files.isRegularFile(file)) {
            throw new GgufException("no vocabulary named '" + vocab + "' in " + models + "; known: " + String.join(", ", names(models))
                    + ", or pass the path of a GGUF file");
        }
        return file;
    }

    /** Vocabulary names the pin ships ({@code llama-spm}, {@code qwen2}, ...). */
    public static List<String> names(Path models) {
        try (Stream<Path> files = Files.list(models)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("ggml-vocab-") && n.endsWith(".gguf"))
                    .map(n -> n.substring("ggml-vocab-".length(), n.length() - ".gguf".length()))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
