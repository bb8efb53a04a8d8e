package io.infernet.chat.template.jinja;

/**
 * Bounds on one render, so that a hostile template (a model file or a {@code --chat-template}
 * can be anyone's) costs bounded time and memory. Exceeding one fails the render with
 * {@link io.infernet.chat.template.TemplateException.Kind#LIMIT}.
 *
 * @param maxSteps       evaluation steps (about one per node evaluated and per loop iteration)
 * @param maxDepth       nested evaluation depth: expression nesting plus macro and {@code caller()} calls
 * @param maxStringChars characters of the output and of any string the template builds
 * @param maxItems       items of a list the template builds ({@code range}, list concatenation)
 */
public record Limits(long maxSteps, int maxDepth, int maxStringChars, int maxItems) {

    /** Far above what any real chat template needs (they take thousands of steps), still milliseconds-to-seconds at worst. */
    public static final Limits DEFAULT = new Limits(5_000_000, 400, 32 << 20, 1 << 20);

    public Limits {
        if (maxSteps < 1 || maxDepth < 1 || maxStringChars < 1 || maxItems < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxSteps + ", " + maxDepth + ", " + maxStringChars + ", " + maxItems);
        }
    }
}
