package io.infernet.runtime.serve;

import io.infernet.runtime.Vocab;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns a sequence's sampled tokens into the text its listener receives: token → piece (bytes)
 * → complete UTF-8 characters → stop strings held back or cut → listener. One per engine;
 * engine thread only (the piece buffer is shared by all sequences).
 */
final class OutputStage {
    private static final System.Logger LOG = System.getLogger(OutputStage.class.getName());

    private final Vocab vocab;
    private final MemorySegment piece;
    private final byte[] pieceBytes = new byte[256];

    OutputStage(Vocab vocab) {
        this.vocab = vocab;
        this.piece = Arena.ofAuto().allocate(pieceBytes.length); // freed with the stage; read only by the engine thread
    }

    /**
     * Emits what {@code token} adds to {@code s}'s output (possibly nothing yet: an incomplete
     * character, a possible stop string), with its log-probabilities or null.
     */
    void emit(Sequence s, int token, TokenLogprobs logprobs) {
        int len = vocab.tokenToPiece(token, piece, s.request.showsControl(token));
        String text = "";
        if (len > 0 && len <= pieceBytes.length) {
            MemorySegment.copy(piece, ValueLayout.JAVA_BYTE, 0, pieceBytes, 0, len);
            text = s.stops.push(s.utf8.append(pieceBytes, len));
        }
        if (!text.isEmpty()) {
            s.text.append(text);
        }
        String out = text;
        notify(s, () -> s.listener.onToken(out, token, logprobs));
    }

    /** At a normal end: emits the text held back (a trailing partial character, a prefix of a stop string that never completed). */
    void flush(Sequence s) {
        if (s.stops.stopped()) {
            return;
        }
        String rest = s.stops.push(s.utf8.flush());
        rest += s.stops.flush();
        if (!rest.isEmpty()) {
            s.text.append(rest);
            String out = rest;
            notify(s, () -> s.listener.onToken(out, -1, null));
        }
    }

    /** Calls a listener; a listener that throws cancels its sequence (it can no longer receive). */
    static void notify(Sequence s, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "a listener failed; cancelling its sequence", e);
            s.cancel();
        }
    }
}
