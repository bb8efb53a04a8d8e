package io.infernet.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.TokenLogprob;
import java.util.List;

/** Token log-probabilities in OpenAI's two wire shapes. */
final class Logprobs {
    private Logprobs() {}

    /** Chat: {@code {"content": [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}], "refusal": null}}. */
    static ObjectNode chat(List<TokenLogprob> tokens) {
        ObjectNode o = Json.object();
        ArrayNode content = o.putArray("content");
        for (TokenLogprob t : tokens) {
            ObjectNode e = content.addObject();
            entry(e, t.token(), t.bytes(), t.logprob());
            ArrayNode top = e.putArray("top_logprobs");
            for (TokenLogprob.Alternative a : t.top()) {
                entry(top.addObject(), a.token(), a.bytes(), a.logprob());
            }
        }
        o.putNull("refusal");
        return o;
    }

    private static void entry(ObjectNode e, String token, byte[] bytes, double logprob) {
        e.put("token", token);
        e.put("logprob", logprob);
        if (bytes == null) {
            e.putNull("bytes");
        } else {
            ArrayNode b = e.putArray("bytes");
            for (byte x : bytes) {
                b.add(x & 0xFF);
            }
        }
    }

    /**
     * Text completions (the legacy shape): {@code {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}],
     * "text_offset"}}, offsets in characters from the start of the choice's text.
     *
     * @param offset the characters of the choice's text before the first of these tokens
     */
    static ObjectNode legacy(List<TokenLogprob> tokens, int offset) {
        ObjectNode o = Json.object();
        ArrayNode toks = o.putArray("tokens");
        ArrayNode lps = o.putArray("token_logprobs");
        ArrayNode tops = o.putArray("top_logprobs");
        ArrayNode offsets = o.putArray("text_offset");
        int at = offset;
        for (TokenLogprob t : tokens) {
            toks.add(t.token());
            lps.add(t.logprob());
            ObjectNode top = tops.addObject();
            for (TokenLogprob.Alternative a : t.top()) {
                if (!top.has(a.token())) { // two tokens with the same text: the likelier one (first) stands
                    top.put(a.token(), a.logprob());
                }
            }
            offsets.add(at);
            at += t.token().length();
        }
        return o;
    }
}
