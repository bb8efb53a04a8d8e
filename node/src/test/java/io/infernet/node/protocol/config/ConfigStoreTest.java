package io.infernet.node.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.node.protocol.identity.NodeKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {

    static final String SK = "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef";
    static final String PK = "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659";

    @TempDir
    Path tmp;

    @Test
    void savesModesFormatAndTrailingNewline() throws Exception {
        Path dir = tmp.resolve("cfg").resolve("infernet");
        ConfigStore store = new ConfigStore(dir.resolve("config.json"));
        NodeConfig c = NodeConfig.empty();
        c.setControlPlaneUrl("http://127.0.0.1:3000");
        c.setServerId(null);
        c.setNodeId("provider-dff1d77f");
        c.setRole("provider");
        c.setName("box");
        c.setKey(NodeKey.fromHex(SK, "test"));
        c.setAdvertised(null, null);
        store.save(c);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        String expected = """
                {
                  "controlPlane": {
                    "url": "http://127.0.0.1:3000"
                  },
                  "node": {
                    "id": null,
                    "nodeId": "provider-dff1d77f",
                    "role": "provider",
                    "name": "box",
                    "publicKey": "%s",
                    "privateKey": "%s",
                    "address": null,
                    "port": null
                  }
                }
                """.formatted(PK, SK);
        assertEquals(expected, Files.readString(store.file()));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }

    @Test
    void unknownFieldsSurviveLoadAndSave() throws Exception {
        Path file = tmp.resolve("config.json");
        String original = """
                {
                  "controlPlane": {
                    "url": "https://cp.example",
                    "extra": [1, {"deep": true}, []]
                  },
                  "node": {
                    "id": "row-7",
                    "nodeId": "provider-0000abcd",
                    "privateKey": "%s",
                    "futureField": {"x": 1}
                  },
                  "auth": {"userId": "u1", "bearerToken": "tok-secret"},
                  "engine": {"backend": "ollama", "model": "qwen", "ctx": 8192},
                  "somethingNew": "kept"
                }
                """.formatted(SK);
        Files.writeString(file, original);
        ConfigStore store = new ConfigStore(file);
        NodeConfig c = store.load().orElseThrow();
        assertEquals("row-7", c.serverId().orElseThrow().asText());
        assertEquals("qwen", c.engineModel().orElseThrow());
        c.setName("renamed");
        store.save(c);
        String saved = Files.readString(file);
        var reloaded = io.infernet.engines.Json.MAPPER.readTree(saved);
        assertEquals(1, reloaded.at("/controlPlane/extra/0").asInt());
        assertTrue(reloaded.at("/controlPlane/extra/1/deep").asBoolean());
        assertEquals(1, reloaded.at("/node/futureField/x").asInt());
        assertEquals("tok-secret", reloaded.at("/auth/bearerToken").asText());
        assertEquals(8192, reloaded.at("/engine/ctx").asInt());
        assertEquals("kept", reloaded.at("/somethingNew").asText());
        assertEquals("renamed", reloaded.at("/node/name").asText());
        assertTrue(saved.contains("\"extra\": [\n      1,\n      {\n        \"deep\": true\n      },\n      []\n    ]"), saved);
    }

    @Test
    void legacySupabaseUrlIsMigratedAndTheBlockDroppedFromDisk() throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, """
                {"supabase": {"url": "https://legacy.example", "serviceRoleKey": "srk-very-secret"},
                 "node": {"nodeId": "provider-1"}}
                """);
        NodeConfig c = new ConfigStore(file).load().orElseThrow();
        assertEquals("https://legacy.example", c.controlPlaneUrl().orElseThrow());
        String onDisk = Files.readString(file);
        assertFalse(onDisk.contains("supabase"), onDisk);
        assertFalse(onDisk.contains("srk-very-secret"));
        assertTrue(onDisk.contains("\"url\": \"https://legacy.example\""));
    }

    @Test
    void supabaseNextToControlPlaneIsDroppedAndControlPlaneWins() throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"controlPlane\":{\"url\":\"https://new\"},\"supabase\":{\"url\":\"https://old\"}}");
        NodeConfig c = new ConfigStore(file).load().orElseThrow();
        assertEquals("https://new", c.controlPlaneUrl().orElseThrow());
        assertFalse(Files.readString(file).contains("supabase"));
    }

    @Test
    void missingFileIsEmptyAndBrokenFileNamesPositionNotContent() throws Exception {
        assertTrue(new ConfigStore(tmp.resolve("nope.json")).load().isEmpty());
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"node\": {\"privateKey\": " + SK + "}}"); // unquoted: invalid JSON
        var e = assertThrows(IllegalStateException.class, () -> new ConfigStore(file).load());
        assertTrue(e.getMessage().contains(file.toString()));
        assertTrue(e.getMessage().contains("line 1"));
        assertFalse(e.getMessage().contains(SK.substring(0, 16)), e.getMessage());
        Files.writeString(file, "[]");
        assertThrows(IllegalStateException.class, () -> new ConfigStore(file).load());
    }

    @Test
    void secretsNeverInToStringOrRedactedTree() throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"node\":{\"publicKey\":\"" + PK + "\",\"privateKey\":\"" + SK
                + "\"},\"auth\":{\"bearerToken\":\"bt-123\",\"email\":\"a@b\"},\"x\":[{\"apiKey\":\"k-9\"}]}");
        NodeConfig c = new ConfigStore(file).load().orElseThrow();
        String s = c.toString() + io.infernet.engines.Json.pretty(c.redacted());
        assertFalse(s.contains(SK));
        assertFalse(s.contains("bt-123"));
        assertFalse(s.contains("k-9"));
        assertTrue(s.contains(PK), "the public key stays visible");
        assertTrue(s.contains("a@b"));
        assertTrue(s.contains("<redacted>"));
        assertEquals(PK, c.key(file).publicKeyHex());
    }

    @Test
    void mismatchedOrMalformedKeysAreClearErrorsWithoutKeyMaterial() throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"node\":{\"publicKey\":\"" + "00".repeat(32) + "\",\"privateKey\":\"" + SK + "\"}}");
        var e = assertThrows(IllegalStateException.class, () -> new ConfigStore(file).load().orElseThrow().key(file));
        assertTrue(e.getMessage().contains("does not match"));
        assertFalse(e.getMessage().contains(SK));
        Files.writeString(file, "{\"node\":{\"privateKey\":\"" + SK.substring(2) + "\"}}");
        var e2 = assertThrows(IllegalStateException.class, () -> new ConfigStore(file).load().orElseThrow().key(file));
        assertFalse(e2.getMessage().contains(SK.substring(2)));
        var e3 = assertThrows(IllegalStateException.class, () -> NodeConfig.empty().key(file));
        assertTrue(e3.getMessage().contains("infernet init"));
    }

    @Test
    void pathsFollowXdgAndOverrides() {
        NodePaths d = NodePaths.from(Map.of(), "/home/u");
        assertEquals(Path.of("/home/u/.config/infernet/config.json"), d.configFile());
        assertEquals(Path.of("/home/u/.local/share/infernet/models"), d.defaultModelsDir());
        NodePaths x = NodePaths.from(Map.of("XDG_CONFIG_HOME", "/x/c", "XDG_DATA_HOME", "/x/d"), "/home/u");
        assertEquals(Path.of("/x/c/infernet/config.json"), x.configFile());
        assertEquals(Path.of("/x/d/infernet/models"), x.defaultModelsDir());
        NodePaths o = NodePaths.from(Map.of("INFERNET_CONFIG_DIR", "/o/c", "XDG_CONFIG_HOME", "/x/c"), "/home/u");
        assertEquals(Path.of("/o/c/config.json"), o.configFile());
        assertEquals(Path.of("/o/c/outbox.jsonl"), o.outboxFile());
    }

    @Test
    void rewritingKeepsMode0600EvenIfLoosened() throws Exception {
        Path file = tmp.resolve("d").resolve("config.json");
        ConfigStore store = new ConfigStore(file);
        store.save(NodeConfig.empty());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        store.save(NodeConfig.empty());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("{}\n", new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }
}
