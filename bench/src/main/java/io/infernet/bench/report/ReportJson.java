package io.infernet.bench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The report as JSON: snake_case names, an absent value as {@code null}, times as ISO-8601, NaN
 * as {@code null}. Written with plain Jackson (no extra datatype module).
 */
public final class ReportJson {
    private ReportJson() {}

    public static ObjectMapper mapper() {
        SimpleModule m = new SimpleModule("infernet-bench");
        m.addSerializer(Optional.class, new JsonSerializer<>() {
            @Override
            public void serialize(Optional value, JsonGenerator g, SerializerProvider p) throws IOException {
                if (value.isPresent()) {
                    p.defaultSerializeValue(value.get(), g);
                } else {
                    g.writeNull();
                }
            }
        });
        m.addSerializer(OptionalDouble.class, new JsonSerializer<>() {
            @Override
            public void serialize(OptionalDouble value, JsonGenerator g, SerializerProvider p) throws IOException {
                if (value.isPresent()) {
                    g.writeNumber(value.getAsDouble());
                } else {
                    g.writeNull();
                }
            }
        });
        m.addSerializer(Instant.class, ToStringSerializer.instance);
        m.addSerializer(Path.class, ToStringSerializer.instance);
        JsonSerializer<Double> finiteOrNull = new JsonSerializer<>() {
            @Override
            public void serialize(Double value, JsonGenerator g, SerializerProvider p) throws IOException {
                if (value.isNaN() || value.isInfinite()) {
                    g.writeNull();
                } else {
                    g.writeNumber(value);
                }
            }
        };
        m.addSerializer(Double.class, finiteOrNull);
        m.addSerializer(double.class, finiteOrNull);
        return new ObjectMapper().registerModule(m).setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    public static String write(BenchReport report) {
        try {
            return mapper().writeValueAsString(report);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the report as JSON: " + e.getMessage(), e);
        }
    }
}
