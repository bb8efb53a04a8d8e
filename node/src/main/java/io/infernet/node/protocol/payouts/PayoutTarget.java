package io.infernet.node.protocol.payouts;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A checked payout destination: a known coin, one of its networks and an address whose format
 * fits that network. The format check is a pattern check (prefix, alphabet, length), not a
 * checksum check; the gateway has the last word.
 */
public record PayoutTarget(PayoutCoin coin, String network, String address) {

    private static final String B58 = "[1-9A-HJ-NP-Za-km-z]";
    private static final String BECH32 = "[02-9ac-hj-np-z]";

    private static final Pattern BTC_BECH32 = Pattern.compile("^(bc1" + BECH32 + "{11,71}|BC1" + BECH32.toUpperCase() + "{11,71})$");
    private static final Pattern BTC_BASE58 = Pattern.compile("^[13]" + B58 + "{25,34}$");
    private static final Pattern BCH_CASHADDR = Pattern.compile("^((bitcoincash:)?[qp]" + BECH32 + "{41}|(BITCOINCASH:)?[QP]" + BECH32.toUpperCase() + "{41})$");
    private static final Pattern EVM = Pattern.compile("^0x[0-9a-fA-F]{40}$");
    private static final Pattern SOLANA = Pattern.compile("^" + B58 + "{32,44}$");
    private static final Pattern XRP = Pattern.compile("^r" + B58 + "{24,34}$");
    private static final Pattern CARDANO = Pattern.compile("^addr1" + BECH32 + "{50,110}$");
    private static final Pattern DOGE = Pattern.compile("^[DA9]" + B58 + "{33}$");

    public PayoutTarget {
        Objects.requireNonNull(coin, "coin");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(address, "address");
    }

    /**
     * Checks user input: coin in any case, network optional (the coin's first when null).
     *
     * @throws IllegalArgumentException naming the input and the expected format
     */
    public static PayoutTarget of(String coin, String network, String address) {
        PayoutCoin c = PayoutCoin.parse(coin);
        String n = c.network(network);
        String a = address == null ? "" : address.trim();
        if (!fits(n, a)) {
            throw new IllegalArgumentException("'" + a + "' is not a valid " + c.name() + " address on " + n
                    + ": expected " + expected(n));
        }
        return new PayoutTarget(c, n, a);
    }

    static boolean fits(String network, String a) {
        return switch (network) {
            case "bitcoin" -> BTC_BECH32.matcher(a).matches() || BTC_BASE58.matcher(a).matches();
            case "bitcoin-cash" -> BCH_CASHADDR.matcher(a).matches() || BTC_BASE58.matcher(a).matches();
            case "ethereum", "polygon", "bsc", "base" -> EVM.matcher(a).matches();
            case "solana" -> SOLANA.matcher(a).matches();
            case "ripple" -> XRP.matcher(a).matches();
            case "cardano" -> CARDANO.matcher(a).matches();
            case "dogecoin" -> DOGE.matcher(a).matches();
            default -> throw new IllegalStateException("no address format for network " + network);
        };
    }

    static String expected(String network) {
        return switch (network) {
            case "bitcoin" -> "a bech32 address (bc1...) or a base58 address starting with 1 or 3";
            case "bitcoin-cash" -> "a CashAddr address (bitcoincash:q... / q... / p...) or a legacy address starting with 1 or 3";
            case "ethereum", "polygon", "bsc", "base" -> "0x followed by 40 hex characters";
            case "solana" -> "a base58 public key of 32 to 44 characters";
            case "ripple" -> "a classic address starting with r (25 to 35 base58 characters)";
            case "cardano" -> "a Shelley address starting with addr1";
            case "dogecoin" -> "a 34-character base58 address starting with D (or A/9 for P2SH)";
            default -> "a valid address";
        };
    }
}
