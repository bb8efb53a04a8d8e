package io.infernet.chat.template.jinja;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;

/** Renders a template with variables given as JSON, at a fixed instant (2026-03-07 09:05:02 UTC). */
final class Render {
    private Render() {}

    static final ZonedDateTime NOW = Instant.parse("2026-03-07T09:05:02Z").atZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    static String render(String template) {
        return render(template, "{}");
    }

    static String render(String template, String varsJson) {
        return render(template, varsJson, Limits.DEFAULT);
    }

    static String render(String template, String varsJson, Limits limits) {
        Map<String, Value> globals = new HashMap<>();
        try {
            JSON.readTree(varsJson).properties().forEach(e -> globals.put(e.getKey(), Values.fromJson(e.getValue())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return Template.parse(template).render(globals, NOW, limits, false);
    }
}
