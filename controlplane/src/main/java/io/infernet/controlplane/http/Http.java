package io.infernet.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Small helpers the handlers share: body bytes, JSON answers, the signed path. */
public final class Http {

    private Http() {}

    public static byte[] body(ServerRequest req) {
        return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
    }

    /** The path with its query string exactly as received (what a node signs). */
    public static String rawPathAndQuery(ServerRequest req) {
        String q = req.query().rawValue();
        return req.path().rawPath() + (q == null || q.isEmpty() ? "" : "?" + q);
    }

    /**
     * The JSON body as the reference parses it: empty means {}, invalid JSON is a 400
     * {@code invalid JSON body: ...}; anything that is not an object reads as {} too (its
     * fields are all absent).
     */
    public static ObjectNode jsonObject(byte[] body) {
        if (body.length == 0) {
            return Json.object();
        }
        JsonNode n;
        try {
            n = Json.parse(body);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "unparsable" : e.getMessage();
            int nl = m.indexOf('\n');
            throw ApiError.badRequest("invalid JSON body: " + (nl < 0 ? m : m.substring(0, nl)));
        }
        return n instanceof ObjectNode o ? o : Json.object();
    }

    public static void json(ServerResponse res, int status, JsonNode body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.compactBytes(body));
    }

    /** {@code {"data": data}} with 200. */
    public static void data(ServerResponse res, JsonNode data) {
        ObjectNode o = Json.object();
        o.set("data", data);
        json(res, 200, o);
    }

    public static void error(ServerResponse res, int status, String message) {
        json(res, status, Json.object().put("error", message));
    }

    public static void html(ServerResponse res, int status, String html) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(html.getBytes(StandardCharsets.UTF_8));
    }

    /** Text escaped for HTML element content and attribute values. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
