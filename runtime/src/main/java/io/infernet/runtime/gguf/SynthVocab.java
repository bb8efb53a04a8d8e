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
     * or the path of a GGUF file (anything with a {@code /} or ending in {@code .gguf}), optionally
     * cut to its first N tokens with an {@code @N} suffix ({@code llama-spm@512}): see
     * {@link #firstTokens}.
     *
     * @throws GgufException if the file is missing, invalid or has no {@code tokenizer.ggml.tokens}
     */
    public static SynthVocab load(String vocab) {
        int at = vocab.lastIndexOf('@');
        int keep = Integer.MAX_VALUE;
        if (at > 0 && vocab.substring(at + 1).matches("[0-9]{1,9}")) {
            keep = Integer.parseInt(vocab.substring(at + 1));
            if (keep < 1) {
                throw new GgufException("vocabulary '" + vocab + "': keep at least 1 token");
            }
        }
        Path file = resolve(keep == Integer.MAX_VALUE ? vocab : vocab.substring(0, at));
        GgufFile gguf = GgufReader.read(file);
        SequencedMap<String, GgufValue> keys = new LinkedHashMap<>();
        gguf.metadata().forEach((k, v) -> {
            if (k.startsWith(GgufKeys.TOKENIZER_PREFIX)) {
                keys.put(k, v);
            }
        });
        if (!(keys.get(GgufKeys.TOKENS) instanceof GgufValue.StrArray all) || all.size() == 0) {
            throw GgufException.of(file, "has no tokenizer (no string array '" + GgufKeys.TOKENS + "'); pass a GGUF file with a vocabulary");
        }
        if (keep < all.size()) {
            firstTokens(keys, keep);
        }
        GgufValue.StrArray tokens = (GgufValue.StrArray) keys.get(GgufKeys.TOKENS);
        String template = "from the vocabulary";
        if (!keys.containsKey(GgufKeys.CHAT_TEMPLATE)) {
            boolean chatml = tokens.values().contains("<|im_start|>") && tokens.values().contains("<|im_end|>");
            keys.put(GgufKeys.CHAT_TEMPLATE, new GgufValue.Str(chatml ? CHATML_TEMPLATE : LLAMA2_TEMPLATE));
            template = chatml ? "chatml" : "llama-2";
        }
        return new SynthVocab(vocab, keys, tokens.size(), template);
    }

    /**
     * Cuts a tokenizer to its first {@code n} tokens, in place: the per-token arrays are cut, BPE
     * merges are kept only where both parts and the result are kept tokens, and special-token ids
     * beyond the cut are dropped (llama.cpp then uses its defaults). SentencePiece vocabularies
     * keep their byte tokens when {@code n} is past them (llama-spm: ids 3..258), so a cut one
     * still tokenizes any text: small vocabularies make small test models.
     */
    static void firstTokens(SequencedMap<String, GgufValue> keys, int n) {
        List<String> kept = ((GgufValue.StrArray) keys.get(GgufKeys.TOKENS)).values().subList(0, n);
        java.util.Set<String> keptSet = new java.util.HashSet<>(kept);
        for (var e : keys.entrySet()) {
            switch (e.getValue()) {
                case GgufValue.StrArray a when e.getKey().equals(GgufKeys.TOKENS) -> e.setValue(new GgufValue.StrArray(kept));
                case GgufValue.StrArray a when e.getKey().equals(GgufKeys.MERGES) -> e.setValue(new GgufValue.StrArray(a.values().stream()
                        .filter(m -> {
                            int space = m.indexOf(' ', 1);
                            return space > 0 && keptSet.contains(m.substring(0, space)) && keptSet.contains(m.substring(space + 1))
                                    && keptSet.contains(m.substring(0, space) + m.substring(space + 1));
                        }).toList()));
                case GgufValue.NumArray a when a.size() > n && (e.getKey().equals(GgufKeys.SCORES) || e.getKey().equals(GgufKeys.TOKEN_TYPE)) ->
                        e.setValue(new GgufValue.NumArray(a.elementType(), java.util.Arrays.copyOf(a.rawData(), n * a.elementType().size())));
                default -> { }
            }
        }
        keys.entrySet().removeIf(e -> e.getKey().endsWith("_token_id") && e.getValue() instanceof GgufValue.Int i && i.value() >= n);
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
