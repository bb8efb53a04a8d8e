package io.infernet.node.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import io.infernet.node.protocol.identity.NodeKey;
import io.infernet.node.protocol.testing.FakeControlPlane;
import io.infernet.node.protocol.testing.FakeControlPlane.Recorded;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How requests travel: the signed path, redirects, and which failed writes are sent again.
 *
 * <p>The reference's node is the specification: apps/cli/lib/node-client.js signs the bare
 * route path and fetches {@code base + path}, and JS {@code fetch} follows the 308 that
 * apps/web/proxy.js answers for {@code www.} hosts. Its events and complete routes
 * (apps/web/app/api/v1/node/jobs/[id]/events/route.js, .../complete/route.js, which call
 * emitJobEvents and completeJobForNode in apps/web/lib/data/node-api.js) insert and pay without
 * any idempotency, so a resent write whose answer was lost lands twice there.
 */
class ControlPlaneTransportTest {

    private FakeControlPlane cp;
    private final NodeKey key = NodeKey.generate(new SecureRandom());

    @BeforeEach
    void start() throws Exception {
        cp = new FakeControlPlane();
    }

    @AfterEach
    void stop() {
        assertTrue(cp.authFailures().isEmpty(), () -> "refused envelopes: " + cp.authFailures());
        cp.close();
    }

    private ControlPlaneClient client(String base) {
        return new ControlPlaneClient(base, new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)), Duration.ofSeconds(5));
    }

    private static void register(ControlPlaneClient c) {
        c.register(Json.object().put("role", "provider").put("node_id", "provider-abcdef01").put("name", "n1"));
    }

    private static ArrayNode tokens(String... texts) {
        ArrayNode a = Json.array();
        for (String t : texts) {
            a.addObject().put("event_type", "token").putObject("data").put("text", t);
        }
        return a;
    }

    @Test
    void signsTheRoutePathWithoutTheBaseUrlsPrefix() {
        cp.behindPrefix("/cp");
        ControlPlaneClient c = client(cp.url() + "/cp/");
        register(c);
        cp.addJob("j", "chat", null, Json.object());
        assertEquals(1, c.pollJobs(5).jobs().size());
        assertEquals(1, c.postJobEvents("j", tokens("a")));
        assertEquals("/api/v1/node/heartbeat", c.signedPath(URI.create(cp.url() + "/cp/api/v1/node/heartbeat")));
        assertEquals("/api/v1/node/me?x=1", c.signedPath(URI.create(cp.url() + "/cp/api/v1/node/me?x=1")));
        // the fake checks each envelope against the bare path (as the control plane behind the proxy sees it): none refused
    }

    @Test
    void follows308And307RedirectsSigningEachHopAgain() throws Exception {
        try (FakeControlPlane www = new FakeControlPlane()) {
            www.redirectTo(cp.url(), 308); // as apps/web/proxy.js answers www.* hosts
            ControlPlaneClient c = client(www.url());
            register(c);
            cp.addJob("j", "chat", null, Json.object());
            assertEquals(1, c.pollJobs(5).jobs().size());
            assertEquals(2, c.postJobEvents("j", tokens("a", "b")));
            assertEquals(List.of(308, 308, 308), www.requests().stream().map(Recorded::status).toList());
            assertEquals(List.of("register", "jobs/poll", "jobs/{id}/events"), cp.requests().stream().map(Recorded::route).toList());
            assertEquals(2, cp.events("j").size(), "the redirected body arrived whole, once");

            www.redirectTo(cp.url(), 307);
            assertEquals("row-1", c.heartbeat(Json.object().put("role", "provider").put("status", "available")).get("id").asText());
        }
    }

    @Test
    void aRedirectThatWouldTurnThePostIntoAGetOrLoopsIsAClearFailure() throws Exception {
        try (FakeControlPlane moved = new FakeControlPlane()) {
            moved.redirectTo(cp.url(), 301);
            var e = assertThrows(ControlPlaneException.class, () -> client(moved.url()).me("provider"));
            assertEquals(301, e.status());
            assertTrue(e.getMessage().contains("infernet init --url"), e.getMessage());
            assertFalse(e.mayHaveLanded());

            moved.redirectTo(moved.url(), 308); // to itself, for ever
            var loop = assertThrows(ControlPlaneException.class, () -> client(moved.url()).me("provider"));
            assertTrue(loop.getMessage().contains("more than 5 redirects"), loop.getMessage());
            assertEquals(1 + 1 + ControlPlaneClient.MAX_REDIRECTS, moved.requests().size(), "one 301, then the first try and 5 hops");
        }
    }

    @Test
    void aWriteWhoseAnswerWasLostIsNotSentAgainToAServerWithoutIdempotency() {
        ControlPlaneClient c = client(cp.url());
        register(c);
        cp.addJob("j", "chat", null, Json.object());
        cp.commitThenDrop("jobs/{id}/events", 1);
        var e = assertThrows(ControlPlaneException.class, () -> c.postJobEvents("j", tokens("once")));
        assertTrue(e.mayHaveLanded());
        assertTrue(e.retryable());
        assertFalse(c.mayResend(e));
        assertEquals(1, cp.events("j").size(), "it landed once and was not sent twice");
        assertEquals(1, cp.requests("jobs/{id}/events").size());

        cp.commitThenDrop("jobs/{id}/complete", 1);
        assertThrows(ControlPlaneException.class, () -> c.completeJob("j", Json.object().put("status", "completed")));
        assertEquals(1, cp.jobCompletions("j").size(), "completed (and, on the reference, paid) once");

        cp.commitThenDrop("heartbeat", 1); // a heartbeat is safe to repeat and is resent
        assertEquals("row-1", c.heartbeat(Json.object().put("role", "provider").put("status", "available")).get("id").asText());
        assertEquals(List.of(FakeControlPlane.COMMITTED_THEN_DROPPED, 200),
                cp.requests("heartbeat").stream().map(Recorded::status).toList());
    }

    @Test
    void aWriteThatSurelyDidNotLandIsSentAgainWithTheSameKey() throws Exception {
        ControlPlaneClient c = client(cp.url());
        register(c);
        cp.addJob("j", "chat", null, Json.object());
        cp.failNext("jobs/{id}/events", 500, 1); // the server itself says it failed
        assertEquals(1, c.postJobEvents("j", tokens("x")));
        assertEquals(1, cp.events("j").size());
        List<Recorded> tries = cp.requests("jobs/{id}/events");
        assertEquals(List.of(500, 200), tries.stream().map(Recorded::status).toList());
        assertNotNull(tries.getFirst().idempotencyKey());
        assertEquals(tries.get(0).idempotencyKey(), tries.get(1).idempotencyKey(), "one key for every attempt");

        cp.down(); // refused connections never reached it
        var e = assertThrows(ControlPlaneException.class, () -> c.postJobEvents("j", tokens("y")));
        assertFalse(e.mayHaveLanded());
        assertTrue(c.mayResend(e));
        cp.up();
    }

    @Test
    void toAServerThatHonoursTheKeyALostAnswerIsSentAgainAndLandsOnce() {
        cp.honourIdempotencyKeys(true);
        ControlPlaneClient c = client(cp.url());
        register(c);
        cp.addJob("j", "chat", null, Json.object());
        assertFalse(c.honoursIdempotencyKeys(), "nothing seen yet");
        assertEquals(1, c.postJobEvents("j", tokens("a")));
        assertTrue(c.honoursIdempotencyKeys(), "learned from the echoed key");

        cp.commitThenDrop("jobs/{id}/events", 1);
        assertEquals(1, c.postJobEvents("j", tokens("b")), "the replayed first answer");
        assertEquals(List.of("a", "b"), cp.events("j").stream().map(ev -> ev.at("/data/text").asText()).toList());
        List<Recorded> tries = cp.requests("jobs/{id}/events");
        assertEquals(List.of(200, FakeControlPlane.COMMITTED_THEN_DROPPED, 200), tries.stream().map(Recorded::status).toList());
        assertEquals(tries.get(1).idempotencyKey(), tries.get(2).idempotencyKey());

        cp.commitThenDrop("jobs/{id}/complete", 1);
        assertEquals("completed", c.completeJob("j", Json.object().put("status", "completed")).get("status").asText());
        assertEquals(1, cp.jobCompletions("j").size());
    }

    @Test
    void idempotencyCanBeSetWhereTheServerDoesNotSayIt() {
        cp.honourIdempotencyKeys(false); // honours, but never echoes
        ControlPlaneClient auto = client(cp.url());
        register(auto);
        cp.addJob("j", "chat", null, Json.object());
        auto.postJobEvents("j", tokens("a"));
        assertFalse(auto.honoursIdempotencyKeys());

        ControlPlaneClient on = auto.withIdempotency(ControlPlaneClient.Idempotency.ON);
        cp.commitThenDrop("jobs/{id}/events", 1);
        assertEquals(1, on.postJobEvents("j", tokens("b")));
        assertEquals(2, cp.events("j").size());
        assertTrue(on.withRetry(RetryPolicy.NONE).honoursIdempotencyKeys(), "copies share what is known");
        assertFalse(on.withIdempotency(ControlPlaneClient.Idempotency.OFF).honoursIdempotencyKeys());
    }

    /** A bearer token follows a redirect to the same host or from www.host to host, never to another site. */
    @Test
    void aBearerIsNotCarriedToAnotherSite() throws Exception {
        assertTrue(ControlPlaneClient.sameSite(URI.create("https://www.infernetprotocol.com/x"), URI.create("https://infernetprotocol.com/x")));
        assertTrue(ControlPlaneClient.sameSite(URI.create("http://127.0.0.1:1/x"), URI.create("http://127.0.0.1:2/y")));
        assertFalse(ControlPlaneClient.sameSite(URI.create("https://infernetprotocol.com/x"), URI.create("https://evil.example/x")));
        String token = cp.addUser("o@example.com");
        try (FakeControlPlane hop = new FakeControlPlane()) {
            hop.redirectTo(cp.url().replace("127.0.0.1", "localhost"), 308); // another host name
            var link = new io.infernet.node.protocol.account.AccountClient(client(hop.url()));
            var e = assertThrows(io.infernet.node.protocol.account.AccountClient.AccountException.class,
                    () -> link.linkPubkey(token, "provider", null));
            assertEquals(401, e.status());
            assertEquals("link failed: missing or invalid bearer token", e.getMessage());
            hop.redirectTo(cp.url(), 308); // the same host
            assertTrue(link.linkPubkey(token, "provider", null).created());
        }
    }
}
