package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.engines.GenerationEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A token's chunk written from a template is byte for byte the chunk the format's tree serializes to. */
class ChunkTemplateTest {

    private static final List<String> TEXTS = List.of("", "hello", " world", "quote \" backslash \\ slash /", "new\nline\ttab\r",
            "\u0000\u0001\u001f control", "héllo 世界 🎉", "\u2028\u2029 separators", "</script><!--", "lone \uD83C surrogate", ChunkTemplate.MARK);

    @Test
    void chatChunksAreTheSameBytesAsTheTreesForEveryKindOfText() {
        for (boolean usage : new boolean[] {false, true}) {
            ResponseFormat.Ids ids = new ResponseFormat.Ids("chatcmpl-x\"1", 1700000000L, "model \\ \"q\" é", usage);
            for (int index : new int[] {0, 3}) {
                ChunkTemplate t = ChunkTemplate.of(ChatCompletionFormat.INSTANCE.delta(ids, index, ChunkTemplate.MARK, null, 0));
                for (String text : TEXTS.subList(1, TEXTS.size())) { // a content delta is never empty
                    GenerationEvent.Token token = new GenerationEvent.Token(text, 7, List.of(new ChatDelta.Content(text)), index, null);
                    assertEquals(text, ChatCompletionFormat.INSTANCE.plainText(token));
                    byte[] tree = Json.bytes(ChatCompletionFormat.INSTANCE.chunks(ids, token, null, 0).getFirst());
                    assertArrayEquals(tree, t.fill(text), () -> new String(tree, StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void textCompletionChunksAreTheSameBytesToo() {
        ResponseFormat.Ids ids = new ResponseFormat.Ids("cmpl-1", 1700000000L, "m", true);
        ChunkTemplate t = ChunkTemplate.of(TextCompletionFormat.INSTANCE.delta(ids, 1, ChunkTemplate.MARK, null, 0));
        for (String text : TEXTS.subList(1, TEXTS.size())) {
            GenerationEvent.Token token = new GenerationEvent.Token(text, 7, List.of(new ChatDelta.Content(text)), 1, null);
            assertEquals(text, TextCompletionFormat.INSTANCE.plainText(token));
            byte[] tree = Json.bytes(TextCompletionFormat.INSTANCE.chunks(ids, token, null, 0).getFirst());
            assertArrayEquals(tree, t.fill(text), () -> new String(tree, StandardCharsets.UTF_8) + " against " + new String(t.fill(text), StandardCharsets.UTF_8));
        }
    }

    @Test
    void onlyTokensThatAreOneChunkOfTheirTextTakeTheTemplate() {
        GenerationEvent.Token held = new GenerationEvent.Token("", 7, List.of(), 0, null);
        assertNull(ChatCompletionFormat.INSTANCE.plainText(held), "text held back: no chunk");
        assertNull(TextCompletionFormat.INSTANCE.plainText(held));
        GenerationEvent.Token reasoning = new GenerationEvent.Token("x", 7, List.of(new ChatDelta.Reasoning("x")), 0, null);
        assertNull(ChatCompletionFormat.INSTANCE.plainText(reasoning));
        GenerationEvent.Token two = new GenerationEvent.Token("ab", 7, List.of(new ChatDelta.Reasoning("a"), new ChatDelta.Content("b")), 0, null);
        assertNull(ChatCompletionFormat.INSTANCE.plainText(two));
    }

    @Test
    void aChunkWithoutTheMarkIsRefused() {
        ResponseFormat.Ids ids = new ResponseFormat.Ids("chatcmpl-1", 1L, "m", false);
        assertThrows(IllegalArgumentException.class, () -> ChunkTemplate.of(ChatCompletionFormat.INSTANCE.delta(ids, 0, "no mark", null, 0)));
    }
}
