package io.infernet.engines.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.engines.ChatMessage;
import java.util.List;

/** Test access to {@link OllamaRequests}' message translation. */
public final class OllamaRequestsAccess {
    private OllamaRequestsAccess() {}

    public static ArrayNode messages(List<ChatMessage> messages) {
        return OllamaRequests.messages(messages);
    }
}
