package io.infernet.controlplane.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.TestNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.envelope.AuthEnvelope;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Users, bearer tokens, the device-code login, pubkey links and remote commands. */
class UserRoutesTest {

    @AutoClose
    static final ControlPlane cp = TestControlPlanes.start(TestDatabase.fresh());
    static final Users users = new Users(cp.db(), Clock.systemUTC());
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> send(String method, String path, String body, String bearer, String envelope) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cp.baseUrl() + path)).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (envelope != null) {
            b.header(AuthEnvelope.HEADER, envelope);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    static String link(TestNode n, String token, String role) throws Exception {
        String path = "/api/v1/user/pubkey/link";
        String body = "{\"role\":\"" + role + "\",\"label\":\"box\"}";
        HttpResponse<String> r = send("POST", path, body, token,
                new EnvelopeSigner(n.key).headerValue("POST", path, body.getBytes(StandardCharsets.UTF_8)));
        return r.statusCode() + " " + r.body();
    }

    @Test
    void theDeviceCodeLoginIssuesATokenOnceAfterApproval() throws Exception {
        JsonNode start = json(send("POST", "/api/auth/cli/start", null, null, null));
        String code = start.get("code").asText();
        assertEquals(cp.publicUrl() + "/auth/cli/" + code, start.get("verify_url").asText());
        assertEquals("pending", json(send("GET", start.get("poll_url").asText(), null, null, null)).get("status").asText());
        assertEquals(404, send("GET", "/api/auth/cli/poll/nope", null, null, null).statusCode());

        ObjectNode user = users.ensure("Ada@Example.org");
        CliAuthRoutes.approve(cp.db(), code, UUID.fromString(user.get("id").asText()));
        JsonNode ok = json(send("GET", start.get("poll_url").asText(), null, null, null));
        assertEquals("authorized", ok.get("status").asText());
        assertEquals("ada@example.org", ok.get("email").asText());
        assertEquals(user.get("id").asText(), users.bearer().verify(ok.get("token").asText()).orElseThrow().userId());
        assertEquals("consumed", json(send("GET", start.get("poll_url").asText(), null, null, null)).get("status").asText());
    }

    @Test
    void theBrowserPageApprovesWithAnExistingToken() throws Exception {
        JsonNode start = json(send("POST", "/api/auth/cli/start", null, null, null));
        String page = "/auth/cli/" + start.get("code").asText();
        assertTrue(send("GET", page, null, null, null).body().contains("user approve " + start.get("code").asText()));
        String token = users.token(users.ensure("grace@example.org"), Duration.ofDays(1));
        HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create(cp.baseUrl() + page)).header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=forged")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, bad.statusCode());
        HttpResponse<String> good = HTTP.send(HttpRequest.newBuilder(URI.create(cp.baseUrl() + page)).header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, good.statusCode(), good.body());
        assertEquals("grace@example.org", json(send("GET", start.get("poll_url").asText(), null, null, null)).get("email").asText());
    }

    @Test
    void anOwnerLinksANodeAndSendsItCommandsThatItPollsAndCompletes() throws Exception {
        String owner = users.token(users.ensure("owner@example.org"), Duration.ofDays(1));
        String stranger = users.token(users.ensure("stranger@example.org"), Duration.ofDays(1));
        TestNode n = new TestNode(cp.baseUrl(), "linked").online("m");

        assertTrue(link(n, null, "provider").startsWith("401 "));
        assertTrue(link(n, owner, "provider").contains("\"created\":true"));
        assertTrue(link(n, owner, "provider").contains("\"created\":false"));
        assertTrue(link(n, stranger, "provider").startsWith("409 "));

        String path = "/api/v1/user/nodes/" + n.pubkey() + "/commands";
        assertEquals(401, send("POST", path, "{}", null, null).statusCode());
        assertEquals(403, send("POST", path, "{\"command\":\"model_install\",\"args\":{\"model\":\"x\"}}", stranger, null).statusCode());
        assertEquals(400, send("POST", path, "{\"command\":\"rm -rf\"}", owner, null).statusCode());
        assertEquals(400, send("POST", path, "{\"command\":\"model_install\",\"args\":{}}", owner, null).statusCode());
        HttpResponse<String> issued = send("POST", path, "{\"command\":\"model_install\",\"args\":{\"model\":\" qwen \"}}", owner, null);
        assertEquals(200, issued.statusCode(), issued.body());
        JsonNode row = json(issued).get("data");
        assertEquals("pending", row.get("status").asText());
        assertEquals("qwen", row.get("args").get("model").asText());

        var polled = n.client.pollCommands(5);
        assertEquals(1, polled.size());
        assertEquals("model_install", polled.getFirst().command());
        n.client.completeCommand(polled.getFirst().id(), Json.object().put("status", "completed").set("result", Json.object().put("code", 0)));
        JsonNode listed = json(send("GET", path + "?limit=5", null, owner, null)).get("data");
        assertEquals("completed", listed.get(0).get("status").asText());
        assertEquals(0, listed.get(0).get("result").get("code").asInt());
    }
}
