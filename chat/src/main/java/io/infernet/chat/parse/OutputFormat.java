package io.infernet.chat.parse;

import java.util.List;
import java.util.Objects;

/**
 * How one model writes its output: its tool-call family, its reasoning markers and the markers
 * that wrap its content. Made by {@link FormatDetector#detect} from the chat template, or by hand
 * with {@link #of}. Immutable and thread-safe; share one per model.
 */
public final class OutputFormat {
    private final ToolCallFormat toolFormat;
    private final ReasoningSyntax reasoning;
    private final List<String> contentMarkers;
    private final Dialect dialect;

    private OutputFormat(ToolCallFormat toolFormat, ReasoningSyntax reasoning, List<String> contentMarkers) {
        this.toolFormat = Objects.requireNonNull(toolFormat, "toolFormat");
        this.reasoning = reasoning;
        this.contentMarkers = List.copyOf(contentMarkers);
        Dialect base = Dialects.of(toolFormat);
        if (!contentMarkers.isEmpty()) {
            List<String> strip = new java.util.ArrayList<>(base.stripMarkers());
            strip.addAll(contentMarkers);
            base = base.withStripMarkers(strip);
        }
        this.dialect = base;
    }

    /**
     * @param toolFormat     the tool-call family
     * @param reasoning      the reasoning markers, null when the model does not reason in text
     * @param contentMarkers markers that wrap content and are dropped from it (e.g. {@code <|START_RESPONSE|>})
     */
    public static OutputFormat of(ToolCallFormat toolFormat, ReasoningSyntax reasoning, List<String> contentMarkers) {
        return new OutputFormat(toolFormat, reasoning, contentMarkers);
    }

    public static OutputFormat of(ToolCallFormat toolFormat, ReasoningSyntax reasoning) {
        return new OutputFormat(toolFormat, reasoning, List.of());
    }

    /** Plain content, no reasoning, no tools: what a model without a template gets. */
    public static final OutputFormat CONTENT_ONLY = of(ToolCallFormat.NONE, null);

    public ToolCallFormat toolFormat() {
        return toolFormat;
    }

    /** The reasoning markers, or null. gpt-oss reasons in its analysis channel instead and has null here. */
    public ReasoningSyntax reasoning() {
        return reasoning;
    }

    public List<String> contentMarkers() {
        return contentMarkers;
    }

    /** Whether tool calls in this format are parsed. */
    public boolean parsesToolCalls() {
        return toolFormat.parsed() && toolFormat != ToolCallFormat.NONE;
    }

    /** Whether the model reasons in text the parser separates (markers, or gpt-oss channels). */
    public boolean parsesReasoning() {
        return reasoning != null || toolFormat == ToolCallFormat.GPT_OSS;
    }

    /** The canonical call syntax, for a constraining grammar; null when tool calls are not parsed. */
    public CallSyntax callSyntax() {
        return dialect.syntax();
    }

    Dialect dialect() {
        return dialect;
    }

    /** A parser for one generation. */
    public ChatOutputParser parser(ParserOptions options) {
        return new ChatOutputParser(this, options);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputFormat f && f.toolFormat == toolFormat && Objects.equals(f.reasoning, reasoning)
                && f.contentMarkers.equals(contentMarkers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(toolFormat, reasoning, contentMarkers);
    }

    @Override
    public String toString() {
        return toolFormat + (reasoning != null ? " reasoning " + reasoning.start() + "..." + reasoning.end() : "")
                + (contentMarkers.isEmpty() ? "" : " content markers " + contentMarkers);
    }
}
