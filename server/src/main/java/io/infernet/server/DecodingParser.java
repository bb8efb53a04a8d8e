package io.infernet.server;

import io.infernet.engines.DecodingOptions;

/**
 * The decoding fields of a request body as {@link DecodingOptions}; {@link RequestParser} calls it.
 * Every failure is a 400 naming the field.
 *
 * <ul>
 * <li>{@code response_format}: {@code {"type": "text"}} (or absent) free text; {@code {"type": "json_object"}}
 *     any JSON object; {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}} JSON that
 *     validates against {@code schema} (absent: any JSON object). Accepted on chat and on text completions.
 *     Which schema keywords the in-process engine can enforce is its answer (a 400 naming the keyword);
 *     remote engines get the schema as given.
 * <li>chat: {@code logprobs} (boolean), {@code top_logprobs} 0-20 (needs {@code logprobs: true}).
 * <li>text completions: {@code logprobs} 0-20 (the alternatives per token; OpenAI allows up to 5).
 * <li>{@code n} 1-{@value DecodingOptions#MAX_N}.
 * <li>the tool-call constraint is not read here: {@code tools} and {@code tool_choice} are chat options
 *     ({@code ToolsParser}), from which the in-process engine derives it ({@code ToolCallConstraint.of}).
 * </ul>
 */
final class DecodingParser {
    private DecodingParser() {}

    /** The decoding options of {@code POST /v1/chat/completions}. */
    static DecodingOptions chat(Params p) {
        boolean logprobs = p.bool("logprobs").orElse(false);
        var top = p.integer("top_logprobs", 0, DecodingOptions.MAX_TOP_LOGPROBS);
        if (top.isPresent() && !logprobs) {
            throw ApiException.invalidValue("top_logprobs", "top_logprobs needs logprobs set to true.");
        }
        return new DecodingOptions(format(p), logprobs, (int) (long) top.orElse(0L), n(p), null);
    }

    /** The decoding options of {@code POST /v1/completions}. */
    static DecodingOptions completion(Params p) {
        var logprobs = p.integer("logprobs", 0, DecodingOptions.MAX_TOP_LOGPROBS);
        int n = n(p);
        long bestOf = p.integer("best_of", 1, DecodingOptions.MAX_N).orElse((long) n);
        if (bestOf != n) {
            throw ApiException.unsupported("best_of", "best_of must equal n (" + n + "): every generated choice is returned, none is ranked.");
        }
        return new DecodingOptions(format(p), logprobs.isPresent(), (int) (long) logprobs.orElse(0L), n, null);
    }

    private static int n(Params p) {
        return (int) (long) p.integer("n", 1, DecodingOptions.MAX_N).orElse(1L);
    }

    private static DecodingOptions.Format format(Params p) {
        try {
            return DecodingOptions.Format.parse(p.raw("response_format"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidValue("response_format", e.getMessage());
        }
    }
}
