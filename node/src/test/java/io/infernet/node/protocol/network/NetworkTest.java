package io.infernet.node.protocol.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.network.AddressDetector.Detected;
import io.infernet.node.protocol.network.AddressDetector.Interface;
import io.infernet.node.protocol.network.AddressDetector.Kind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Address detection and the peer port, as the reference's node does them:
 * apps/cli/lib/network.js (detectLocalAddress, platformPublicAddress, the virtual interface
 * patterns, the 172.17-172.31 bridge pools) and apps/cli/commands/start.js (bind and public
 * ports, startP2pServer's newline-JSON ping and info).
 */
class NetworkTest {

    private static Interface iface(String name, String... addresses) throws Exception {
        List<InetAddress> a = new java.util.ArrayList<>();
        for (String s : addresses) {
            a.add(InetAddress.getByName(s));
        }
        return new Interface(name, true, false, a);
    }

    @Test
    void theEnvironmentOverridesThenPublicThenPrivateThenIpv6AndBridgesAreSkipped() throws Exception {
        List<Interface> vastAi = List.of(iface("lo", "127.0.0.1"), iface("eth0", "172.17.0.3"));
        Detected bridge = AddressDetector.detect(Map.of(), vastAi);
        assertNull(bridge.address(), "a container's only address is a bridge address nobody outside can reach");
        assertEquals(Kind.ONLY_CONTAINER_BRIDGE, bridge.kind());
        assertEquals("172.17.0.3", bridge.source());
        assertEquals(new Detected("203.0.113.9", Kind.ENVIRONMENT, "PUBLIC_IPADDR"), AddressDetector.detect(Map.of("PUBLIC_IPADDR", "203.0.113.9"), vastAi));
        assertEquals("198.51.100.1", AddressDetector.detect(Map.of("INFERNET_PUBLIC_ADDRESS", " 198.51.100.1 ", "RUNPOD_PUBLIC_IP", "192.0.2.1"), vastAi).address());

        List<Interface> host = List.of(iface("docker0", "172.17.0.1"), iface("br-0a1b2c", "172.18.0.1"), iface("veth12ab", "10.99.0.1"),
                iface("eth0", "192.168.1.20", "fe80::1"), iface("tailscale0", "100.64.0.5"), iface("wlan0", "203.0.113.50"));
        assertEquals(new Detected("203.0.113.50", Kind.PUBLIC, null), AddressDetector.detect(Map.of(), host));
        assertEquals(new Detected("192.168.1.20", Kind.PRIVATE, null), AddressDetector.detect(Map.of(), host.subList(0, 4)));
        assertEquals(Kind.IPV6, AddressDetector.detect(Map.of(), List.of(iface("eth0", "fe80::1", "2001:db8::7"))).kind());
        assertEquals("2001:db8:0:0:0:0:0:7", AddressDetector.detect(Map.of(), List.of(iface("eth0", "2001:db8::7"))).address());
        assertEquals(Kind.NONE, AddressDetector.detect(Map.of(), List.of(iface("lo", "127.0.0.1"))).kind());
        assertEquals(Kind.PRIVATE, AddressDetector.detect(Map.of(), List.of(iface("eth0", "172.16.4.4"))).kind(), "172.16/16 is a LAN, not a bridge pool");
        assertTrue(AddressDetector.isContainerBridge("172.31.255.1"));
    }

    @Test
    void portsAndAddressesAtStart() {
        var detect = (java.util.function.Supplier<Detected>) () -> new Detected("192.168.1.20", Kind.PRIVATE, null);
        assertEquals(new Advertising("192.168.1.20", 46337, 46337), Advertising.resolve(null, 46337, null, false, false, Map.of(), detect));
        assertEquals(new Advertising("203.0.113.1", 46337, 46337), Advertising.resolve("203.0.113.1", 46337, null, false, false, Map.of(), detect),
                "the config's address");
        assertEquals(new Advertising("198.51.100.1", 46337, 21517), Advertising.resolve("203.0.113.1", 46337, null, false, false,
                Map.of("INFERNET_PUBLIC_ADDRESS", "198.51.100.1", "INFERNET_PUBLIC_PORT", "21517"), detect), "a NAT's public address and port");
        assertEquals(new Advertising("203.0.113.1", 40000, 40000), Advertising.resolve("203.0.113.1", 46337, null, false, false,
                Map.of("INFERNET_BIND_PORT", "40000"), detect));
        assertEquals(Advertising.NONE, Advertising.resolve(null, null, null, false, false, Map.of(), detect), "init --no-advertise");
        assertEquals(Advertising.NONE, Advertising.resolve("203.0.113.1", 46337, null, true, false, Map.of(), detect), "start --no-advertise");
        assertEquals(new Advertising("203.0.113.1", null, null), Advertising.resolve("203.0.113.1", 46337, null, false, true, Map.of(), detect));
        Advertising any = Advertising.resolve("203.0.113.1", 46337, 0, false, false, Map.of(), detect);
        assertEquals(new Advertising("203.0.113.1", 51000, 51000), any.listeningOn(51000));
        assertEquals(new Advertising("203.0.113.1", null, null), any.withoutPort());
        var e = assertThrows(IllegalArgumentException.class, () -> Advertising.resolve(null, 1, null, false, false, Map.of("INFERNET_PUBLIC_PORT", "99999"), detect));
        assertEquals("INFERNET_PUBLIC_PORT=99999 is not a port (1..65535)", e.getMessage());
    }

    @Test
    void thePeerPortAnswersPingAndInfoLineByLine() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(1_745_000_000_123L), ZoneOffset.UTC);
        try (PeerListener p = PeerListener.start(InetAddress.getLoopbackAddress(), 0, new PeerListener.Identity("provider-0badc0de", "provider", "box"), clock);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), p.port())) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write("{\"cmd\":\"ping\"}\n{\"cmd\":\"info\"}\nnot json\n{\"cmd\":\"dance\"}\n{}\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertEquals("{\"ok\":true,\"data\":{\"pong\":1745000000123,\"node_id\":\"provider-0badc0de\"}}", in.readLine());
            assertEquals("{\"ok\":true,\"data\":{\"node_id\":\"provider-0badc0de\",\"role\":\"provider\",\"name\":\"box\",\"port\":" + p.port() + "}}",
                    in.readLine());
            JsonNode bad = Json.MAPPER.readTree(in.readLine());
            assertEquals("bad-json", bad.get("error").asText());
            assertTrue(bad.get("cause").asText().length() > 0);
            assertEquals("{\"ok\":false,\"error\":\"unknown-cmd: dance\"}", in.readLine());
            assertEquals("{\"ok\":false,\"error\":\"unknown-cmd: (none)\"}", in.readLine());
            assertEquals(1, p.connectionsServed());
        }
    }

    @Test
    void aLineOverTheLimitClosesTheConnection() throws Exception {
        try (PeerListener p = PeerListener.start(InetAddress.getLoopbackAddress(), 0, new PeerListener.Identity("n", "provider", null), Clock.systemUTC());
             Socket s = new Socket(InetAddress.getLoopbackAddress(), p.port())) {
            s.getOutputStream().write(new byte[PeerListener.MAX_LINE + 10]);
            s.getOutputStream().flush();
            int got;
            try {
                got = s.getInputStream().read();
            } catch (java.net.SocketException reset) {
                got = -1; // closed with unread bytes in its buffer: a reset
            }
            assertEquals(-1, got, "closed without an answer");
        }
    }
}
