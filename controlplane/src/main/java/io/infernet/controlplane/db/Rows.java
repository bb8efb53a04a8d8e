package io.infernet.controlplane.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Rows as the reference's API returns them: JSON objects keyed by column name, uuids and
 * timestamps as strings (ISO-8601 UTC with milliseconds, like {@code Date.toISOString()}),
 * numerics as numbers, jsonb as JSON. Statement helpers bind parameters in order.
 */
public final class Rows {

    private Rows() {}

    /** Runs a query; each row as a JSON object. */
    public static List<ObjectNode> list(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            List<ObjectNode> out = new ArrayList<>();
            while (rs.next()) {
                out.add(json(rs));
            }
            return out;
        }
    }

    public static Optional<ObjectNode> one(Connection c, String sql, Object... params) throws SQLException {
        List<ObjectNode> rows = list(c, sql, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    /** Runs an update; the number of rows changed. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    public static ArrayNode array(List<ObjectNode> rows) {
        ArrayNode a = Json.array();
        rows.forEach(a::add);
        return a;
    }

    /**
     * Binds {@code params}: a {@link JsonNode} as text (write {@code ?::jsonb} in the SQL), a
     * {@link UUID} as uuid, a {@code UUID[]} as uuid[], null as a typeless null. PostgreSQL
     * stores no NUL character in text or jsonb (a model's token may hold one): each becomes
     * U+FFFD in strings and JSON alike, where the statement would fail otherwise.
     */
    public static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                switch (p) {
                    case null -> ps.setNull(i + 1, Types.NULL);
                    case JsonNode j -> ps.setString(i + 1, withoutNul(Json.compact(j), j));
                    case String t -> ps.setString(i + 1, t.indexOf('\u0000') < 0 ? t : t.replace('\u0000', REPLACEMENT));
                    case UUID[] ids -> ps.setArray(i + 1, c.createArrayOf("uuid", ids));
                    case java.time.Instant t -> ps.setTimestamp(i + 1, Timestamp.from(t));
                    default -> ps.setObject(i + 1, p);
                }
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    static final char REPLACEMENT = '\uFFFD';

    /** {@code compact} (the JSON text of {@code node}) with NUL characters in its strings replaced. */
    static String withoutNul(String compact, JsonNode node) {
        if (!compact.contains("\\u0000")) {
            return compact; // the common case: nothing to walk
        }
        return Json.compact(replaceNul(node.deepCopy()));
    }

    private static JsonNode replaceNul(JsonNode n) {
        var f = Json.MAPPER.getNodeFactory();
        if (n.isTextual()) {
            return f.textNode(n.asText().replace('\u0000', REPLACEMENT));
        }
        if (n instanceof ObjectNode o) {
            ObjectNode out = Json.object();
            o.fields().forEachRemaining(e -> out.set(e.getKey().replace('\u0000', REPLACEMENT), replaceNul(e.getValue())));
            return out;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = Json.array();
            a.forEach(x -> out.add(replaceNul(x)));
            return out;
        }
        return n;
    }

    public static ObjectNode json(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        ObjectNode o = Json.object();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            o.set(md.getColumnLabel(i), value(rs, i, md.getColumnTypeName(i)));
        }
        return o;
    }

    private static JsonNode value(ResultSet rs, int i, String type) throws SQLException {
        Object v = rs.getObject(i);
        if (v == null) {
            return Json.MAPPER.getNodeFactory().nullNode();
        }
        var f = Json.MAPPER.getNodeFactory();
        return switch (type) {
            case "jsonb", "json" -> parse(rs.getString(i));
            case "timestamptz", "timestamp" -> f.textNode(Json.timestamp(rs.getTimestamp(i).toInstant()));
            case "numeric" -> f.numberNode(((BigDecimal) v).stripTrailingZeros());
            case "int4", "int2" -> f.numberNode(rs.getInt(i));
            case "int8", "bigserial" -> f.numberNode(rs.getLong(i));
            case "float4", "float8" -> f.numberNode(rs.getDouble(i));
            case "bool" -> f.booleanNode(rs.getBoolean(i));
            default -> v instanceof Array a ? arrayValue(a) : f.textNode(v.toString());
        };
    }

    private static JsonNode arrayValue(Array a) throws SQLException {
        ArrayNode out = Json.array();
        for (Object e : (Object[]) a.getArray()) {
            out.add(e == null ? null : e.toString());
        }
        return out;
    }

    private static JsonNode parse(String s) {
        try {
            return Json.parse(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("the database returned invalid JSON", e);
        }
    }

    /** A uuid from text; empty when the text is not one (so a bad id is a 404, not a 500). */
    public static Optional<UUID> uuid(String s) {
        if (s == null || s.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
