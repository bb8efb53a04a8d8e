package io.infernet.chat.parse;

import java.util.Objects;

/**
 * One piece of a streamed assistant message, in the order the pieces are to be sent. Maps one to
 * one onto OpenAI's {@code choices[0].delta}: {@link Content} to {@code delta.content},
 * {@link Reasoning} to {@code delta.reasoning_content}, {@link ToolCallDelta} to one entry of
 * {@code delta.tool_calls}. {@link ToolCallEnd} sends nothing; it tells the caller that a call is
 * over (and whether it was written out in full).
 */
public sealed interface ChatDelta {

    /** Visible text. Never empty. */
    record Content(String text) implements ChatDelta {
        public Content {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty content delta");
            }
        }
    }

    /** Reasoning ("thinking") text. Never empty. */
    record Reasoning(String text) implements ChatDelta {
        public Reasoning {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty reasoning delta");
            }
        }
    }

    /**
     * A tool-call delta. The first delta of call {@code index} carries {@code id} and {@code name}
     * (and arguments, possibly empty); the later ones carry null id and name and a non-empty
     * piece of the arguments. Indexes start at 0 and increase by one per call.
     */
    record ToolCallDelta(int index, String id, String name, String arguments) implements ChatDelta {
        public ToolCallDelta {
            Objects.requireNonNull(arguments, "arguments");
            if ((id == null) != (name == null)) {
                throw new IllegalArgumentException("id and name come together, in the first delta of a call");
            }
            if (name == null && arguments.isEmpty()) {
                throw new IllegalArgumentException("empty arguments delta");
            }
        }

        public boolean first() {
            return name != null;
        }
    }

    /** Call {@code index} is over; {@code complete} is false when the output ended or broke inside it. */
    record ToolCallEnd(int index, boolean complete) implements ChatDelta {}
}
