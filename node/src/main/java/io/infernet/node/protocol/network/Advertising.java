package io.infernet.node.protocol.network;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a node says it can be reached, and the port it listens on, decided at start as the
 * reference's node decides it (apps/cli/commands/start.js runDaemon): the address from the
 * environment ({@link AddressDetector#OVERRIDES}), else the config's {@code node.address}, else
 * detection; the port to listen on from {@code INFERNET_BIND_PORT}, else {@code --p2p-port}, else
 * the config's {@code node.port}; the port to advertise from {@code INFERNET_PUBLIC_PORT} (a NAT
 * that maps another public port to it), else the port listened on. A port is advertised only
 * while something listens on it ({@link #withoutPort()} when binding failed).
 *
 * @param address        advertised address, or null
 * @param bindPort       port to listen on, or null for none (not advertising, or --no-p2p)
 * @param advertisedPort port to advertise, or null
 */
public record Advertising(String address, Integer bindPort, Integer advertisedPort) {

    /** Nothing advertised, nothing listened on. */
    public static final Advertising NONE = new Advertising(null, null, null);

    /**
     * @param configAddress {@code node.address}, or null
     * @param configPort    {@code node.port}, or null; both null mean the config says "do not advertise"
     * @param portOption    {@code --p2p-port}, or null (0: any free port, advertised as bound)
     * @param noAdvertise   {@code --no-advertise}
     * @param noP2p         {@code --no-p2p}: listen on nothing, advertise no port
     * @param detect        finds the address when neither the environment nor the config names one
     * @throws IllegalArgumentException naming a bad port in the environment
     */
    public static Advertising resolve(String configAddress, Integer configPort, Integer portOption, boolean noAdvertise, boolean noP2p,
                                      Map<String, String> env, Supplier<AddressDetector.Detected> detect) {
        if (noAdvertise || configAddress == null && configPort == null && portOption == null) {
            return NONE;
        }
        String address = null;
        for (String var : AddressDetector.OVERRIDES) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                address = v.trim();
                break;
            }
        }
        if (address == null) {
            address = configAddress != null ? configAddress : detect.get().address();
        }
        if (noP2p) {
            return new Advertising(address, null, null);
        }
        Integer bind = port(env, "INFERNET_BIND_PORT");
        if (bind == null) {
            bind = portOption != null ? portOption : configPort != null ? configPort : io.infernet.node.protocol.config.NodeConfig.DEFAULT_PORT;
        }
        Integer advertised = port(env, "INFERNET_PUBLIC_PORT");
        return new Advertising(address, bind, advertised != null ? advertised : bind);
    }

    /** The same, listening on {@code actual} (the port bound when 0 was asked for). */
    public Advertising listeningOn(int actual) {
        boolean followsBind = advertisedPort != null && advertisedPort.equals(bindPort);
        return new Advertising(address, actual, followsBind ? Integer.valueOf(actual) : advertisedPort);
    }

    /** The same without a port: nothing listens. */
    public Advertising withoutPort() {
        return new Advertising(address, null, null);
    }

    private static Integer port(Map<String, String> env, String var) {
        String v = env.get(var);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            int p = Integer.parseInt(v.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // described below
        }
        throw new IllegalArgumentException(var + "=" + v + " is not a port (1..65535)");
    }
}
