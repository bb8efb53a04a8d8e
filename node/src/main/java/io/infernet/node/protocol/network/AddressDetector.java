package io.infernet.node.protocol.network;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The address a node advertises, found as the reference's node finds it
 * (apps/cli/lib/network.js detectLocalAddress): an address named in the environment first
 * ({@code INFERNET_PUBLIC_ADDRESS}, then the hosting platforms' {@code RUNPOD_PUBLIC_IP} and
 * {@code PUBLIC_IPADDR}); else a public IPv4 on a real interface, then a private (LAN) IPv4, then
 * a global IPv6. Interfaces of containers, VPNs and virtual machines (docker0, br-*, veth*, cni,
 * flannel, calico, weave, kube-*, tailscale, tun, tap, virbr, vmnet) are skipped, and so are
 * addresses in 172.17.0.0-172.31.255.255 (Docker's bridge pools), which nobody outside the host
 * can reach.
 *
 * <p>Unlike the reference, when only such a bridge address is found, nothing is advertised (the
 * reference asks public echo services for the egress address, then falls back to the bridge
 * address): this node makes no calls to third parties, and never advertises an address that
 * cannot be dialled. Pure logic over the interfaces and environment given; {@link #system()}
 * reads the machine's.
 */
public final class AddressDetector {

    /** Environment variables that name the address to advertise, in priority order. */
    public static final List<String> OVERRIDES = List.of("INFERNET_PUBLIC_ADDRESS", "RUNPOD_PUBLIC_IP", "PUBLIC_IPADDR");

    private static final Pattern VIRTUAL = Pattern.compile(
            "(?i)^(docker\\d*|br-[0-9a-f]+|veth.*|cni\\d*|flannel.*|cali.*|weave.*|kube-.*|lo|tailscale\\d*|tun\\d*|tap\\d*|virbr\\d*|vmnet\\d*)$");

    /** One network interface: its name and addresses; {@code up}, {@code loopback} as the OS says. */
    public record Interface(String name, boolean up, boolean loopback, List<InetAddress> addresses) {
        public Interface {
            addresses = List.copyOf(addresses);
        }
    }

    /** What kind of address was found. */
    public enum Kind { ENVIRONMENT, PUBLIC, PRIVATE, IPV6, ONLY_CONTAINER_BRIDGE, NONE }

    /**
     * @param address the address to advertise, or null ({@link Kind#ONLY_CONTAINER_BRIDGE}, {@link Kind#NONE})
     * @param source  for {@link Kind#ENVIRONMENT}, the variable; for a skipped bridge, the bridge address
     */
    public record Detected(String address, Kind kind, String source) {}

    private AddressDetector() {}

    /** Detects from this machine's interfaces and environment. */
    public static Detected system() {
        return detect(System.getenv(), interfaces());
    }

    /** Detects from {@code ifaces} and {@code env}; see the class comment for the order. */
    public static Detected detect(Map<String, String> env, List<Interface> ifaces) {
        for (String var : OVERRIDES) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                return new Detected(v.trim(), Kind.ENVIRONMENT, var);
            }
        }
        String publicV4 = null;
        String privateV4 = null;
        String bridgeV4 = null;
        String v6 = null;
        for (Interface i : ifaces) {
            if (!i.up() || i.loopback() || VIRTUAL.matcher(i.name()).matches()) {
                continue;
            }
            for (InetAddress a : i.addresses()) {
                if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
                    continue;
                }
                String text = a.getHostAddress();
                if (a instanceof Inet4Address) {
                    if (isContainerBridge(a)) {
                        bridgeV4 = bridgeV4 == null ? text : bridgeV4;
                    } else if (a.isSiteLocalAddress()) {
                        privateV4 = privateV4 == null ? text : privateV4;
                    } else {
                        publicV4 = publicV4 == null ? text : publicV4;
                    }
                } else if (a instanceof Inet6Address && v6 == null) {
                    int zone = text.indexOf('%');
                    v6 = zone < 0 ? text : text.substring(0, zone);
                }
            }
        }
        if (publicV4 != null) {
            return new Detected(publicV4, Kind.PUBLIC, null);
        }
        if (privateV4 != null) {
            return new Detected(privateV4, Kind.PRIVATE, null);
        }
        if (v6 != null) {
            return new Detected(v6, Kind.IPV6, null);
        }
        if (bridgeV4 != null) {
            return new Detected(null, Kind.ONLY_CONTAINER_BRIDGE, bridgeV4);
        }
        return new Detected(null, Kind.NONE, null);
    }

    /** True for 172.17.0.0 - 172.31.255.255, the pools Docker draws its bridge networks from. */
    public static boolean isContainerBridge(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 172 && (b[1] & 0xff) >= 17 && (b[1] & 0xff) <= 31;
    }

    /** True for a textual IPv4 address in the Docker bridge pools. */
    public static boolean isContainerBridge(String address) {
        String[] p = address.split("\\.");
        if (p.length != 4) {
            return false;
        }
        try {
            int a = Integer.parseInt(p[0]);
            int b = Integer.parseInt(p[1]);
            return a == 172 && b >= 17 && b <= 31;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static List<Interface> interfaces() {
        List<Interface> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                try {
                    out.add(new Interface(ni.getName(), ni.isUp(), ni.isLoopback(), Collections.list(ni.getInetAddresses())));
                } catch (SocketException e) {
                    // an interface that vanished while being read
                }
            }
        } catch (SocketException e) {
            // no interfaces to read
        }
        return out;
    }
}
