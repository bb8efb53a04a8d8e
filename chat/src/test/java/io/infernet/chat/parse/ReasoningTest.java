package io.infernet.chat.parse;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reasoning goes to reasoning_content: where it is recognised, how it ends, and how the prompt can open it. */
class ReasoningTest {

    private static final OutputFormat QWEN3 = OutputFormat.of(ToolCallFormat.HERMES, ReasoningSyntax.THINK);

    private static ParsedMessage parse(OutputFormat format, String tail, String text) {
        return Parsing.parseEveryWay(format, () -> Parsing.options().withPromptTail(tail), text, text.hashCode());
    }

    private static ParsedMessage message(String content, String reasoning) {
        return new ParsedMessage(content, reasoning, List.of());
    }

    @Test
    void thinkBlockAtTheStart() {
        assertEquals(message("b", "a"), parse(QWEN3, "", "<think>a</think>b"));
        assertEquals(message("Hello", "I'm\nthinking"), parse(QWEN3, "", "\n<think>\n  I'm\nthinking  \n</think>\n\nHello"));
        assertEquals(message("x", ""), parse(QWEN3, "", "<think>\n\n</think>x"));
    }

    @Test
    void reasoningThatNeverEndsIsReasoning() {
        // llama-server parses leniently at the end of generation: the block is reasoning, content empty
        assertEquals(message("", "abc"), parse(QWEN3, "", "<think>abc"));
        assertEquals(message("", "abc </thi"), parse(QWEN3, "", "<think>abc </thi"));
        assertEquals(message("", "abc"), parse(QWEN3, "<|im_start|>assistant\n<think>\n", "abc"));
    }

    @Test
    void thePromptCanOpenTheBlock() {
        assertEquals(message("def", "abc"), parse(QWEN3, "<|im_start|>assistant\n<think>\n", "abc</think>def"));
        assertEquals(message("def", ""), parse(QWEN3, "<|im_start|>assistant\n<think>\n", "</think>\n\ndef"));
        // closed in the prompt (enable_thinking false): not reasoning
        assertEquals(message("abc</think>def", ""), parse(QWEN3, "<|im_start|>assistant\n<think>\n\n</think>\n\n", "abc</think>def"));
    }

    @Test
    void aLoneEndMarkerAtTheStartClosesAnEmptyBlock() {
        assertEquals(message("x", ""), parse(QWEN3, "", "</think>x"));
    }

    @Test
    void reasoningIsOnlyRecognisedAtTheStart() {
        assertEquals(message("x <think>a</think>", ""), parse(QWEN3, "", "x <think>a</think>"));
    }

    @Test
    void turnedOffItStaysContent() {
        String text = "<think>a</think>b";
        ParsedMessage m = Parsing.parseEveryWay(QWEN3, () -> Parsing.options().withReasoning(false), text, 1);
        assertEquals(message("<think>a</think>b", ""), m);
    }

    @Test
    void aTriggerInsideReasoningIsReasoningUnlessTheFormatSaysOtherwise() {
        String inside = "<think>maybe <tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call> no</think>ok";
        assertEquals(message("ok", "maybe <tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call> no"), parse(QWEN3, "", inside));
        // Qwen3.5 / Qwen3-Coder with thinking: a tool call also ends unterminated reasoning (as llama.cpp's parser for them does)
        OutputFormat qwen35 = OutputFormat.of(ToolCallFormat.QWEN3_CODER, ReasoningSyntax.THINK);
        ParsedMessage m = parse(qwen35, "<|im_start|>assistant\n<think>\n", "thinking\n<tool_call>\n<function=f>\n</function>\n</tool_call>");
        assertEquals(new ParsedMessage("", "thinking", List.of(new ToolCall("gen_0", "f", "{}"))), m);
    }

    @Test
    void otherFamiliesMarkers() {
        OutputFormat apriel = FormatDetector.detect("{{ 'Here are my reasoning steps:\\n' }} [BEGIN FINAL RESPONSE] <tool_calls>");
        assertEquals(message("Hello", "I'm\nthinking"),
                parse(apriel, "<|begin_assistant|>\nHere are my reasoning steps:\n", "I'm\nthinking\n[BEGIN FINAL RESPONSE]\nHello"));
        OutputFormat r7b = FormatDetector.detect("<|START_THINKING|><|END_THINKING|><|START_ACTION|><|START_RESPONSE|><|END_RESPONSE|>");
        assertEquals(message("Hi", "hmm"), parse(r7b, "", "<|START_THINKING|>hmm<|END_THINKING|><|START_RESPONSE|>Hi<|END_RESPONSE|>"));
        OutputFormat magistral = FormatDetector.detect("[SYSTEM_PROMPT][TOOL_CALLS][ARGS][THINK]");
        assertEquals(message("Réponse", "raisonnement"), parse(magistral, "", "[THINK]raisonnement[/THINK]Réponse"));
    }

    @Test
    void reasoningSyntaxKnowsWhenThePromptLeftItOpen() {
        assertTrue(ReasoningSyntax.THINK.opensIn("<|im_start|>assistant\n<think>\n"));
        assertTrue(ReasoningSyntax.THINK.opensIn("<think></think>old turn<|im_start|>assistant\n<think>"));
        assertFalse(ReasoningSyntax.THINK.opensIn("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
        assertFalse(ReasoningSyntax.THINK.opensIn("<|im_start|>assistant\n"));
        assertFalse(ReasoningSyntax.THINK.opensIn(""));
    }
}
