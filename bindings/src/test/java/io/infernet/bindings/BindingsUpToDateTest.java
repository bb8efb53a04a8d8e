package io.infernet.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.bindings.gen.BindingsGenerator;
import io.infernet.bindings.gen.CHeader;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The committed bindings are exactly what the generator makes from the pinned headers: every
 * bound signature and struct layout comes from llama.h and ggml-backend.h, so moving the pin
 * without regenerating fails here.
 */
@Tag("native")
class BindingsUpToDateTest {

    @Test
    void committedBindingsMatchThePinnedHeaders() throws Exception {
        Path src = NativeBundle.source(Progress.NONE);
        Map<String, String> generated = BindingsGenerator.generate(CHeader.parse(BindingsGenerator.headers(src)));
        Path root = Path.of("src/main/java");
        assertTrue(generated.size() >= 10, "generated " + generated.keySet());
        for (var e : generated.entrySet()) {
            Path file = root.resolve(e.getKey());
            assertTrue(Files.isRegularFile(file), file + " is missing; run the BindingsGenerator");
            assertEquals(e.getValue(), Files.readString(file),
                    file + " differs from what the pinned headers give; run the BindingsGenerator (see its javadoc)");
        }
    }

    @Test
    void parserReadsKnownDeclarations() throws Exception {
        CHeader h = CHeader.parse(BindingsGenerator.headers(NativeBundle.source(Progress.NONE)));
        CHeader.Function decode = h.function("llama_decode");
        assertEquals(2, decode.params().size());
        assertEquals(new CHeader.CType.Scalar("i32"), decode.ret());
        assertEquals(new CHeader.CType.Struct("llama_batch"), decode.params().get(1).type());
        CHeader.Function tokenize = h.function("llama_tokenize");
        assertEquals(7, tokenize.params().size());
        assertEquals(new CHeader.CType.Scalar("bool"), tokenize.params().get(6).type());
        assertEquals(new CHeader.CType.Struct("llama_model_params"), h.function("llama_model_default_params").ret());
        assertEquals(7, h.struct("llama_batch").fields().size());
    }
}
