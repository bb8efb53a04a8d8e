package io.infernet.engines.remote;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ParserOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what a remote server streams (content, reasoning, tool-call pieces it parsed itself) into
 * the engine contract's chat deltas, and folds them into the whole message at the end. Calls get
 * an id when the server sends none; a call's name must come with its first piece (a piece for an
 * unknown index without a name is dropped, as OpenAI clients drop it). One per stream.
 */
public final class ChatAssembler {
    private final List<ChatDelta> all = new ArrayList<>();
    /** Server index -> our index (calls numbered 0, 1, ... in the order they start). */
    private final List<Integer> serverIndexes = new ArrayList<>();

    /** The deltas {@code c} adds (none for chunks that are not message text). */
    public List<ChatDelta> deltas(StreamChunk c) {
        List<ChatDelta> out = new ArrayList<>(2);
        switch (c) {
            case StreamChunk.Text t when !t.text().isEmpty() -> out.add(new ChatDelta.Content(t.text()));
            case StreamChunk.Reasoning r when !r.text().isEmpty() -> out.add(new ChatDelta.Reasoning(r.text()));
            case StreamChunk.ToolCallPiece p -> {
                int ours = serverIndexes.indexOf(p.index());
                String args = p.arguments() == null ? "" : p.arguments();
                if (ours < 0) {
                    if (p.name() == null || p.name().isEmpty()) {
                        break;
                    }
                    if (!serverIndexes.isEmpty()) {
                        out.add(new ChatDelta.ToolCallEnd(serverIndexes.size() - 1, true));
                    }
                    serverIndexes.add(p.index());
                    String id = p.id() == null || p.id().isEmpty() ? ParserOptions.randomCallId() : p.id();
                    out.add(new ChatDelta.ToolCallDelta(serverIndexes.size() - 1, id, p.name(), args));
                } else if (!args.isEmpty()) {
                    out.add(new ChatDelta.ToolCallDelta(ours, null, null, args));
                }
            }
            default -> { }
        }
        all.addAll(out);
        return out;
    }

    /** The deltas that close the stream (the last call's end). */
    public List<ChatDelta> finish() {
        if (serverIndexes.isEmpty()) {
            return List.of();
        }
        ChatDelta end = new ChatDelta.ToolCallEnd(serverIndexes.size() - 1, true);
        all.add(end);
        return List.of(end);
    }

    /** The message the deltas so far add up to. */
    public ParsedMessage message() {
        return ParsedMessage.fold(all);
    }
}
