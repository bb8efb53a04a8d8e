package io.infernet.engines.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.Engine;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records a generation's events and checks the contract: one Meta first, Tokens, exactly one terminal event last. */
public final class EventLog implements GenerationListener {
    private final List<GenerationEvent> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstToken = new CountDownLatch(1);
    private final CountDownLatch terminal = new CountDownLatch(1);

    @Override
    public void onEvent(GenerationEvent e) {
        events.add(e);
        if (e instanceof GenerationEvent.Token) {
            firstToken.countDown();
        }
        if (e.isTerminal()) {
            terminal.countDown();
        }
    }

    public List<GenerationEvent> events() {
        return List.copyOf(events);
    }

    public void awaitFirstToken() throws InterruptedException {
        assertTrue(firstToken.await(60, TimeUnit.SECONDS), "no token within 60 s: " + events);
    }

    /** Waits for the terminal event (bounded so a broken test fails instead of hanging) and checks the event order. */
    public GenerationEvent awaitEnd(Generation g) throws Exception {
        assertTrue(terminal.await(60, TimeUnit.SECONDS), "no terminal event within 60 s: " + events);
        GenerationEvent last = g.completion().get(5, TimeUnit.SECONDS);
        List<GenerationEvent> all = events();
        assertInstanceOf(GenerationEvent.Meta.class, all.getFirst(), "the first event is Meta");
        for (int i = 1; i < all.size() - 1; i++) {
            assertInstanceOf(GenerationEvent.Token.class, all.get(i), "between Meta and the end only tokens: " + all);
        }
        assertEquals(1, all.stream().filter(GenerationEvent::isTerminal).count(), "exactly one terminal event: " + all);
        assertEquals(last, all.getLast(), "the completion is the last event");
        return last;
    }

    /**
     * Starts {@code request} on {@code engine} with this log as its listener, waits for its end as
     * {@link #awaitEnd} does (with its checks of the event order) and checks that the end is a {@code type}.
     */
    public <T extends GenerationEvent> T run(Engine engine, GenerationRequest request, Class<T> type) throws Exception {
        return assertInstanceOf(type, awaitEnd(engine.generate(request, this)));
    }

    /** The token texts joined. */
    public String tokenText() {
        StringBuilder b = new StringBuilder();
        for (GenerationEvent e : events) {
            if (e instanceof GenerationEvent.Token t) {
                b.append(t.text());
            }
        }
        return b.toString();
    }

    public long tokens() {
        return events.stream().filter(e -> e instanceof GenerationEvent.Token).count();
    }

    public static String fixture(String name) throws Exception {
        var url = EventLog.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        String s = Files.readString(Path.of(url.toURI()), StandardCharsets.UTF_8);
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
