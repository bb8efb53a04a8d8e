package io.infernet.engines;

import java.util.Objects;

/** One message of a chat: {@code role} is system, user, assistant or tool; content is plain text. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
