package io.infernet.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelParams;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code infernet tokenize}: a model's tokens for a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Show the tokens a model's tokenizer makes of a text.")
public final class TokenizeCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--text", required = true, description = "The text to tokenize.")
    String text;

    @Option(names = "--no-special", description = "Do not add BOS/EOS as the model's tokenizer config says.")
    boolean noSpecial;

    @Option(names = "--json", description = "Print JSON: {tokens: [ids], pieces: [text]}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Model m = Model.load(model.resolve(), ModelParams.vocabularyOnly())) {
            int[] ids = m.vocab().tokenize(text, !noSpecial, true);
            if (json) {
                ObjectMapper mapper = io.infernet.engines.Json.MAPPER;
                ObjectNode o = mapper.createObjectNode();
                o.set("tokens", mapper.valueToTree(ids));
                ArrayNode pieces = o.putArray("pieces");
                for (int id : ids) {
                    pieces.add(new String(m.vocab().pieceBytes(id, true), StandardCharsets.UTF_8));
                }
                System.out.println(mapper.writeValueAsString(o));
            } else {
                for (int id : ids) {
                    System.out.printf("%6d  %s%n", id, new String(m.vocab().pieceBytes(id, true), StandardCharsets.UTF_8)
                            .replace("\n", "\\n").replace("\t", "\\t"));
                }
                System.out.println(ids.length + " tokens");
            }
        }
        return 0;
    }
}
