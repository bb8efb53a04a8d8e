package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.daemon.BasicSpecsProvider;
import io.infernet.node.protocol.testing.FakeControlPlane;
import io.infernet.node.protocol.testing.FakeEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The owner: {@code infernet login} (the device-code flow of apps/cli/commands/login.js
 * against apps/web/app/api/auth/cli/start and poll/[code]), {@code infernet pubkey link}
 * (apps/cli/commands/pubkey.js against apps/web/app/api/v1/user/pubkey/link), and the owner's
 * remote commands (apps/web/app/api/v1/user/nodes/[pubkey]/commands, then the node's
 * commands/poll in apps/cli/commands/start.js) reaching the node once both are done.
 */
class OwnerCliTest extends ControlPlaneCliTest {

    /** The dashboard's "Push model": the owner's bearer on the user route. */
    private HttpResponse<String> ownerCommand(String token, String command, String model) throws Exception {
        String body = Json.compact(Json.object().put("command", command).set("args", Json.object().put("model", model)));
        HttpRequest req = HttpRequest.newBuilder(URI.create(cp.url() + "/api/v1/user/nodes/" + PK + "/commands"))
                .header("authorization", "Bearer " + token).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** Runs {@code login} on another thread and approves its session as the browser sign-in would. */
    private CliRun loginApprovedBy(String token, String... extra) throws Exception {
        AtomicReference<CliRun> result = new AtomicReference<>();
        String[] args = new String[extra.length + 3];
        args[0] = "login";
        args[1] = "--no-browser";
        args[2] = "--poll-every=20";
        System.arraycopy(extra, 0, args, 3, extra.length);
        Thread t = Thread.ofPlatform().start(() -> result.set(run(args)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).alias("a login session").until(() -> !cp.loginCodes().isEmpty());
        cp.approveLogin(cp.loginCodes().getLast(), token);
        t.join(30_000);
        return result.get();
    }

    @Test
    void afterLoginAndLinkTheOwnersCommandsReachTheNode() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK, "--no-advertise", "--name", "rig-1");
        String dashboard = cp.addUser("owner@example.com");
        assertEquals(403, ownerCommand(dashboard, "model_remove", "x.gguf").statusCode(), "not linked yet: the owner cannot command it");

        CliRun login = loginApprovedBy(dashboard);
        assertEquals(0, login.code(), login.all());
        assertTrue(login.out().contains("Open this link to sign in:\n  " + cp.url() + "/auth/cli/"), login.out());
        assertTrue(login.out().contains("signed in as owner@example.com"), login.out());
        assertTrue(login.out().contains("linked provider pubkey " + PK.substring(0, 12)), login.out());
        JsonNode auth = config().get("auth");
        String saved = auth.get("bearerToken").asText();
        assertEquals("owner@example.com", auth.get("email").asText());
        assertEquals("user-1", auth.get("userId").asText());
        assertFalse(login.all().contains(saved), "the token is never printed");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("config.json"))));
        assertTrue(cp.isLinked(PK, "provider"));
        JsonNode linkBody = cp.requests("/api/v1/user/pubkey/link").getFirst().body();
        assertEquals("{\"role\":\"provider\",\"label\":\"rig-1\"}", Json.compact(linkBody));
        assertFalse(run("debug").all().contains(saved), "debug output redacts the token");

        HttpResponse<String> issued = ownerCommand(dashboard, "model_remove", "gone.gguf");
        assertEquals(200, issued.statusCode(), issued.body());
        String id = Json.MAPPER.readTree(issued.body()).at("/data/id").asText();
        StartCommand start = new StartCommand(o -> new FakeEngine("tiny"), new BasicSpecsProvider());
        CommandLine cl = new CommandLine(start);
        cl.setExecutionExceptionHandler(Main::handleError);
        Path tiny = Files.writeString(tmp.resolve("tiny.gguf"), "GGUF");
        Thread t = Thread.ofPlatform().start(() -> run(cl, "--model", tiny.toString(), "--no-advertise", "--models-dir", tmp.resolve("store").toString()));
        Awaitility.await().atMost(Duration.ofSeconds(30)).alias("the owner's command completed by the node")
                .until(() -> !cp.commandCompletions(id).isEmpty());
        start.stop();
        t.join(15_000);
        JsonNode done = cp.commandCompletions(id).getFirst();
        assertEquals("failed", done.get("status").asText());
        assertTrue(done.get("error").asText().contains("gone.gguf is not installed"), done.toString());

        CliRun again = run("pubkey", "link", "--label", "rig-one");
        assertEquals(0, again.code(), again.all());
        assertTrue(again.out().contains("already linked (label: rig-one)"), again.out());
    }

    @Test
    void loginEndsClearlyAndTheOtherModesWork() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK, "--no-advertise");
        CliRun notSignedIn = run("pubkey", "link");
        assertEquals(2, notSignedIn.code());
        assertTrue(notSignedIn.err().contains("not signed in: run 'infernet login' first"), notSignedIn.err());

        AtomicReference<CliRun> expired = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> expired.set(run("login", "--no-browser", "--poll-every=20")));
        Awaitility.await().atMost(Duration.ofSeconds(30)).alias("a login session").until(() -> !cp.loginCodes().isEmpty());
        cp.expireLogin(cp.loginCodes().getLast());
        t.join(30_000);
        assertEquals(1, expired.get().code());
        assertTrue(expired.get().err().contains("the login link expired; run 'infernet login' again"), expired.get().err());
        assertFalse(config().has("auth"));

        String other = cp.addUser("someone@example.com");
        String mine = cp.addUser("me@example.com");
        assertEquals(0, run("login", "--token", other).code());
        assertTrue(cp.isLinked(PK, "provider"));
        CliRun pasted = run("login", "--token", mine, "--no-link");
        assertEquals(0, pasted.code(), pasted.all());
        CliRun conflict = run("pubkey", "link");
        assertEquals(1, conflict.code());
        assertTrue(conflict.err().contains("link failed: this pubkey/role is already linked to a different account"), conflict.err());

        CliRun status = run("login", "--status");
        assertTrue(status.out().contains("signed in as me@example.com"), status.out());
        assertTrue(status.out().contains("expires: 20"), status.out());
        assertFalse(status.all().contains(mine));
        assertEquals(2, run("login", "--token", "not-a-jwt").code());
        assertEquals(0, run("login", "--logout").code());
        assertFalse(config().has("auth"));
        assertEquals(2, run("login", "--status").code());
        assertEquals(2, run("login", "--status", "--logout").code());
    }
}
