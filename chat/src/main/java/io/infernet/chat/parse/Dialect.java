package io.infernet.chat.parse;

import java.util.List;
import java.util.function.Supplier;

/**
 * How the parser reads one format: the triggers that start tool calls (each with the readers to
 * try, in order), markers to drop from content, and the grammar-side description.
 *
 * @param triggers               the triggers; empty when the format has no tool calls
 * @param stripMarkers           markers that wrap content and are not part of it
 * @param reasoningEndsAtTrigger a tool-call trigger also ends unterminated reasoning (Qwen3.5)
 * @param harmony                the whole output is read as OpenAI harmony messages (gpt-oss)
 * @param syntax                 the canonical call syntax, null without tool calls
 */
record Dialect(List<Trigger> triggers, List<String> stripMarkers, boolean reasoningEndsAtTrigger, boolean harmony,
               CallSyntax syntax) {

    Dialect {
        triggers = List.copyOf(triggers);
        stripMarkers = List.copyOf(stripMarkers);
    }

    static final Dialect NONE = new Dialect(List.of(), List.of(), false, false, null);

    /**
     * A trigger string.
     *
     * @param text       the string
     * @param startOnly  it counts only as the first thing in the output (after reasoning)
     * @param readers    readers to try in order; the next is tried when one fails before it reported anything
     */
    record Trigger(String text, boolean startOnly, List<Supplier<CallReader>> readers) {
        Trigger {
            readers = List.copyOf(readers);
        }

        static Trigger of(String text, Supplier<CallReader> reader) {
            return new Trigger(text, false, List.of(reader));
        }

        static Trigger of(String text, Supplier<CallReader> first, Supplier<CallReader> second) {
            return new Trigger(text, false, List.of(first, second));
        }
    }

    Dialect withStripMarkers(List<String> markers) {
        return new Dialect(triggers, markers, reasoningEndsAtTrigger, harmony, syntax);
    }
}
