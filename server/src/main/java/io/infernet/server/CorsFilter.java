package io.infernet.server;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Browsers and this API. A request that carries an {@code Origin} other than this server's own
 * comes from a page of another site: it is served only when {@code --cors-origin} allows that
 * origin (else 403, before authentication and before the body is read, so a page the user
 * visits cannot make a local node work for it). Allowed origins get CORS headers on every
 * answer, errors included, and their preflights ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) are answered here, without the API key: browsers never
 * send credentials with a preflight.
 *
 * <p>Preflights may ask for {@code Authorization}, {@code Content-Type}, {@code Accept}, the
 * OpenAI SDK's {@code OpenAI-*} and {@code X-Stainless-*} headers and {@code X-Request-Id};
 * answers expose {@code Retry-After} and {@code X-Request-Id} to scripts.
 */
final class CorsFilter implements Filter {

    static final String ALLOWED_METHODS = "GET, POST, OPTIONS";
    static final String EXPOSED_HEADERS = "Retry-After, X-Request-Id";
    static final Set<String> ALLOWED_HEADERS = Set.of("authorization", "content-type", "accept", "x-request-id");
    /** Browsers cache a preflight's answer this long (Chromium caps it at 2 hours). */
    static final int MAX_AGE_SECONDS = 600;

    private static final HeaderName REQUEST_METHOD = HeaderNames.create("Access-Control-Request-Method");
    private static final HeaderName REQUEST_HEADERS = HeaderNames.create("Access-Control-Request-Headers");

    private final Set<String> origins;
    private final boolean any;

    /** @param origins allowed origins ({@code scheme://host[:port]}, checked by {@link #checkOrigin}); {@code *} allows any */
    CorsFilter(List<String> origins) {
        this.any = origins.contains("*");
        this.origins = Set.copyOf(origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * Checks a {@code --cors-origin} value: {@code *}, or a {@code scheme://host[:port]} origin
     * as browsers send it (no path, no trailing slash).
     *
     * @throws IllegalArgumentException naming the value and what an origin looks like
     */
    static void checkOrigin(String origin) {
        if (origin.equals("*")) {
            return;
        }
        String hint = "--cors-origin takes an origin as a browser sends it, such as http://localhost:3000 (scheme, host, "
                + "optional port; no path), or * for any; got '" + origin + "'";
        try {
            URI u = new URI(origin);
            if (u.getScheme() == null || u.getHost() == null || !(u.getRawPath() == null || u.getRawPath().isEmpty())
                    || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
                throw new IllegalArgumentException(hint);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(hint, e);
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null || sameOrigin(req, origin)) {
            chain.proceed();
            return;
        }
        boolean allowed = any || origins.contains(origin.toLowerCase(Locale.ROOT));
        if (!allowed) {
            OpenAiErrors.send(res, new ApiException(403, ApiException.INVALID_REQUEST, null, "origin_not_allowed",
                    "Requests from web pages of " + origin + " are not allowed; start the server with --cors-origin "
                            + origin + " to allow them."));
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, any ? "*" : origin);
        res.header(HeaderNames.VARY, "Origin");
        boolean preflight = req.prologue().method().equals(Method.OPTIONS) && req.headers().contains(REQUEST_METHOD);
        if (!preflight) {
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
            chain.proceed();
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
        String allowedHeaders = allowedHeaders(req.headers().first(REQUEST_HEADERS).orElse(""));
        if (!allowedHeaders.isEmpty()) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowedHeaders);
        }
        res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, Integer.toString(MAX_AGE_SECONDS));
        res.status(204);
        res.send();
    }

    /** The requested headers this API accepts from a page, as the preflight asked for them (a browser refuses the others). */
    static String allowedHeaders(String requested) {
        List<String> out = new ArrayList<>();
        for (String h : requested.split(",")) {
            String name = h.strip().toLowerCase(Locale.ROOT);
            if (ALLOWED_HEADERS.contains(name) || name.startsWith("x-stainless-") || name.startsWith("openai-")) {
                out.add(name);
            }
        }
        return String.join(", ", out);
    }

    /** A page of this server itself (it serves none today, but such requests are not cross-site). */
    private static boolean sameOrigin(RoutingRequest req, String origin) {
        String host = req.headers().first(HeaderNames.HOST).orElse(null);
        return host != null && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
    }
}
