package io.infernet.node.protocol.payouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayoutTargetTest {

    @ParameterizedTest(name = "{0}/{1} {2}")
    @CsvSource({
            "btc,,bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,bitcoin",
            "BTC,bitcoin,1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2,bitcoin",
            "BTC,,3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy,bitcoin",
            "BTC,,bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297,bitcoin",
            "BCH,,bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a,bitcoin-cash",
            "bch,,qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a,bitcoin-cash",
            "ETH,,0x52908400098527886E0F7030069857D2E4169EE7,ethereum",
            "POL,,0xde709f2102306220921060314715629080e2fb77,polygon",
            "BNB,,0x27b1fdb04752bbc536007a920d24acb045561c26,bsc",
            "SOL,,7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV,solana",
            "XRP,,rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh,ripple",
            "ADA,,addr1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgse35a3x,cardano",
            "DOGE,,DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L,dogecoin",
            "USDT,,0x52908400098527886E0F7030069857D2E4169EE7,ethereum",
            "USDT,solana,7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV,solana",
            "usdc,BASE,0x52908400098527886E0F7030069857D2E4169EE7,base",
            "USDC,polygon,0x52908400098527886E0F7030069857D2E4169EE7,polygon",
    })
    void accepts(String coin, String network, String address, String expectedNetwork) {
        PayoutTarget t = PayoutTarget.of(coin, network, address);
        assertEquals(expectedNetwork, t.network());
        assertEquals(coin.toUpperCase(), t.coin().name());
        assertEquals(address, t.address());
    }

    @ParameterizedTest(name = "{0}/{1} {2}")
    @CsvSource({
            "BTC,,0x52908400098527886E0F7030069857D2E4169EE7,bech32",
            "BTC,,bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,bech32",
            "ETH,,0x5290840009852788,0x followed by 40",
            "ETH,,52908400098527886E0F7030069857D2E4169EE7aa,0x followed by 40",
            "SOL,,0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl,base58",
            "XRP,,xHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh,starting with r",
            "ADA,,DdzFFzCqrhsw3prhfMFDsFy2ynWGbD7pXjfaxwRm4w7AKx,addr1",
            "DOGE,,LH5yaieqoZN36fDVciNyRueRGvGLR3mr7L,starting with D",
            "BCH,,bitcoincash:zpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a,CashAddr",
    })
    void refusesWithTheExpectedFormat(String coin, String network, String address, String hint) {
        var e = assertThrows(IllegalArgumentException.class, () -> PayoutTarget.of(coin, network, address));
        assertTrue(e.getMessage().contains(hint), e.getMessage());
        assertTrue(e.getMessage().contains(coin.toUpperCase()), e.getMessage());
    }

    @Test
    void unknownCoinAndWrongNetworkNameTheChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> PayoutTarget.of("LTC", null, "x"));
        assertTrue(e.getMessage().contains("unknown payout coin 'LTC'") && e.getMessage().contains("USDC"), e.getMessage());
        var n = assertThrows(IllegalArgumentException.class, () -> PayoutTarget.of("USDT", "base", "0x52908400098527886E0F7030069857D2E4169EE7"));
        assertEquals("USDT is not paid out on network 'base'; use one of ethereum, polygon, solana", n.getMessage());
        var b = assertThrows(IllegalArgumentException.class, () -> PayoutTarget.of("BTC", "ethereum", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assertTrue(b.getMessage().contains("use one of bitcoin"));
    }

    @Test
    void defaultNetworksAreTheFirstListed() {
        assertEquals("bitcoin", PayoutCoin.BTC.defaultNetwork());
        assertEquals("bitcoin-cash", PayoutCoin.BCH.defaultNetwork());
        assertEquals("ethereum", PayoutCoin.USDT.defaultNetwork());
        assertEquals("ethereum", PayoutCoin.USDC.defaultNetwork());
        assertEquals(java.util.List.of("ethereum", "polygon", "solana", "base"), PayoutCoin.USDC.networks());
    }
}
