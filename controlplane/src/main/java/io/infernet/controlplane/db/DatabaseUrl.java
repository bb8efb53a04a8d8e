package io.infernet.controlplane.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL location as users write it: {@code postgresql://user:password@host:port/db}
 * (libpq's form, also {@code postgres://}) or a JDBC URL ({@code jdbc:postgresql://...}).
 *
 * @param user     null when the URL names none
 * @param password null when the URL names none
 */
public record DatabaseUrl(String jdbc, String user, String password) {

    /** @throws IllegalArgumentException naming the URL and the accepted forms */
    public static DatabaseUrl parse(String url) {
        String u = url == null ? "" : url.trim();
        if (u.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(u, null, null);
        }
        if (!(u.startsWith("postgresql://") || u.startsWith("postgres://"))) {
            throw new IllegalArgumentException("database URL '" + Db.redact(u) + "' must look like postgresql://user:password@host:5432/db "
                    + "or jdbc:postgresql://host:5432/db");
        }
        URI uri;
        try {
            uri = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("database URL is not a valid URL (is a password character not percent-encoded?)");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database URL has no host");
        }
        String db = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "postgres" : uri.getRawPath().substring(1);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/" + db
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DatabaseUrl(jdbc, user, password);
    }
}
