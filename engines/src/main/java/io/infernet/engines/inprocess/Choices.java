package io.infernet.engines.inprocess;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ChatOutputParser;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.TokenLogprob;
import io.infernet.engines.Usage;
import io.infernet.runtime.serve.Finish;
import io.infernet.runtime.serve.SequenceFailure;
import io.infernet.runtime.serve.SequenceListener;
import io.infernet.runtime.serve.ServingEngine;
import io.infernet.runtime.serve.TokenLogprobs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The events of one request's choices merged into one generation: Meta at the first start, each
 * choice's tokens with its index (and, for a chat, what they add to that choice's assistant message,
 * read by a parser of its own), Done once every choice has ended (usage: the prompt once, the tokens
 * of all; each choice with its parsed message, {@link FinishReason#TOOL_CALLS} where a normal end
 * carries calls), or Error at the first failure, with whose doing it was and the field at fault
 * (the other choices are then cancelled). Its listeners are called on the engine thread only.
 */
final class Choices {
    final CompletableFuture<GenerationEvent> done = new CompletableFuture<>();
    private final String engine;
    private final String model;
    private final GenerationListener listener;
    private final Supplier<ChatOutputParser> parsers;
    private final byte[][] texts;
    private final GenerationEvent.Choice[] ended;
    private final Instant started = Instant.now();
    /** Set once submitted; read on the engine thread to cancel the others after an error. */
    private volatile ServingEngine.Handle handle;
    private int open;
    private int completionTokens;
    private int promptTokens;
    /** Prompt tokens the first choice's sequence found in the cache; -1 until it started. */
    private int cachedTokens = -1;
    private boolean metaSent;

    /**
     * @param n       the request's choices
     * @param parsers a new output parser per choice (a chat), or null when the output is not parsed (a raw prompt)
     * @param texts   each token's bytes for log-probabilities, or null when the request did not ask for them
     */
    Choices(String engine, String model, int n, GenerationListener listener, Supplier<ChatOutputParser> parsers, byte[][] texts) {
        this.engine = engine;
        this.model = model;
        this.listener = listener;
        this.parsers = parsers;
        this.texts = texts;
        this.ended = new GenerationEvent.Choice[n];
        this.open = n;
    }

    /** The listener of choice {@code index}'s sequence. */
    SequenceListener listener(int index) {
        ChatOutputParser parser = parsers == null ? null : parsers.get();
        return new SequenceListener() {
            @Override
            public void onStart(int prompt, int reusedTokens) {
                promptTokens = prompt;
                if (cachedTokens < 0) {
                    cachedTokens = reusedTokens;
                }
                if (!metaSent) {
                    metaSent = true;
                    listener.onEvent(new GenerationEvent.Meta(engine, model, started, prompt));
                }
            }

            @Override
            public void onText(String text, int token) {
                onToken(text, token, null);
            }

            @Override
            public void onToken(String text, int token, TokenLogprobs lp) {
                // One event per sampled token, with empty text while text is held back (an
                // incomplete character, a possible stop string): consumers count tokens by events.
                if (done.isDone()) {
                    return;
                }
                TokenLogprob logprob = lp == null ? null : logprob(lp);
                listener.onEvent(parser == null ? new GenerationEvent.Token(text, token, index, logprob)
                        : new GenerationEvent.Token(text, token, text.isEmpty() ? List.of() : parser.feed(text), index, logprob));
            }

            @Override
            public void onFinish(Finish finish, String text, int prompt, int completion) {
                promptTokens = prompt;
                FinishReason reason = switch (finish) {
                    case STOP -> FinishReason.STOP;
                    case LENGTH -> FinishReason.LENGTH;
                    case CANCEL -> FinishReason.CANCEL;
                };
                ParsedMessage message = ParsedMessage.ofContent(text);
                if (parser != null) {
                    List<ChatDelta> rest = parser.finish();
                    if (!rest.isEmpty() && !done.isDone()) {
                        listener.onEvent(new GenerationEvent.Token("", -1, rest, index, null));
                    }
                    message = parser.message();
                    if (reason == FinishReason.STOP && message.hasToolCalls()) {
                        reason = FinishReason.TOOL_CALLS;
                    }
                }
                ended[index] = new GenerationEvent.Choice(index, reason, text, message);
                completionTokens += completion;
                if (--open == 0 && !done.isDone()) {
                    end(new GenerationEvent.Done(new Usage(promptTokens, completionTokens, Math.max(0, cachedTokens)), Instant.now(), List.of(ended)));
                }
            }

            @Override
            public void onFailure(SequenceFailure failure) {
                EngineException.Kind kind = switch (failure.cause()) {
                    case REQUEST -> EngineException.Kind.INVALID_REQUEST;
                    case INTERNAL -> EngineException.Kind.INTERNAL;
                    case UNAVAILABLE -> EngineException.Kind.UNAVAILABLE;
                };
                fail(failure.message(), kind, failure.param());
            }

            @Override
            public void onError(String message) {
                fail(message, EngineException.Kind.INTERNAL, null);
            }

            /** The request's first failing choice ends it: one Error for all, the other choices cancelled. */
            private void fail(String message, EngineException.Kind kind, String param) {
                open--;
                if (!done.isDone()) {
                    end(new GenerationEvent.Error(ended.length > 1 ? "choice " + index + ": " + message : message, Instant.now(),
                            kind, param));
                    ServingEngine.Handle h = handle;
                    if (h != null) {
                        h.cancel();
                    }
                }
            }
        };
    }

    /** The request was queued as {@code h}; a failure that came first cancels it now. */
    void submitted(ServingEngine.Handle h) {
        handle = h;
        if (done.getNow(null) instanceof GenerationEvent.Error) {
            h.cancel();
        }
    }

    private void end(GenerationEvent terminal) {
        try {
            listener.onEvent(terminal);
        } finally {
            done.complete(terminal);
        }
    }

    private TokenLogprob logprob(TokenLogprobs lp) {
        List<TokenLogprob.Alternative> top = new ArrayList<>(lp.topTokens().length);
        for (int i = 0; i < lp.topTokens().length; i++) {
            byte[] b = texts[lp.topTokens()[i]];
            top.add(new TokenLogprob.Alternative(new String(b, StandardCharsets.UTF_8), b, lp.topLogprobs()[i]));
        }
        byte[] b = texts[lp.token()];
        return new TokenLogprob(new String(b, StandardCharsets.UTF_8), b, lp.logprob(), top);
    }
}
