package io.infernet.node.protocol.payouts;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The coins the network pays out in, each with its networks; the first network is the default. */
public enum PayoutCoin {
    BTC("bitcoin"),
    BCH("bitcoin-cash"),
    ETH("ethereum"),
    SOL("solana"),
    POL("polygon"),
    BNB("bsc"),
    XRP("ripple"),
    ADA("cardano"),
    DOGE("dogecoin"),
    USDT("ethereum", "polygon", "solana"),
    USDC("ethereum", "polygon", "solana", "base");

    private final List<String> networks;

    PayoutCoin(String... networks) {
        this.networks = List.of(networks);
    }

    public List<String> networks() {
        return networks;
    }

    public String defaultNetwork() {
        return networks.getFirst();
    }

    /** The coin for a symbol in any case. */
    public static PayoutCoin parse(String symbol) {
        String s = symbol == null ? "" : symbol.trim().toUpperCase(Locale.ROOT);
        for (PayoutCoin c : values()) {
            if (c.name().equals(s)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown payout coin '" + symbol + "'; use one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }

    /** The network in lowercase, the default when {@code network} is null or blank. */
    public String network(String network) {
        if (network == null || network.isBlank()) {
            return defaultNetwork();
        }
        String n = network.trim().toLowerCase(Locale.ROOT);
        if (!networks.contains(n)) {
            throw new IllegalArgumentException(name() + " is not paid out on network '" + network + "'; use one of "
                    + String.join(", ", networks));
        }
        return n;
    }
}
