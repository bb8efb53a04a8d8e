package io.infernet.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Bearer authentication on every route but {@code /health}. The key is kept only as its
 * SHA-256 and compared in constant time (digests of equal length, {@link MessageDigest#isEqual});
 * it is never logged nor echoed.
 */
final class ApiKeyFilter implements Filter {

    private final byte[] keyDigest;

    ApiKeyFilter(String apiKey) {
        this.keyDigest = sha256(apiKey);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().equals("/health")) {
            chain.proceed();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header == null) {
            reject(res, "You didn't provide an API key. Send it in the Authorization header: 'Authorization: Bearer <key>'.");
            return;
        }
        String token = header.length() > 7 && header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")
                ? header.substring(7).strip() : null;
        if (token == null) {
            reject(res, "The Authorization header must be 'Bearer <key>'.");
            return;
        }
        if (!MessageDigest.isEqual(keyDigest, sha256(token))) {
            reject(res, "Incorrect API key provided.");
            return;
        }
        chain.proceed();
    }

    private static void reject(RoutingResponse res, String message) {
        OpenAiErrors.send(res, new ApiException(401, ApiException.INVALID_REQUEST, null, "invalid_api_key", message));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
