package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.natives.NativeBundle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every chat template of the llama.cpp pin's corpus ({@code models/templates/*.jinja} in the
 * native cache) maps to the format recorded for it in {@code template-formats.tsv} (which also
 * records llama.cpp's own choice), no template is missing from the table and no row is stale;
 * and the formats the fixtures were parsed with are what the detector picks for their templates.
 * Needs the native cache (CI has it); fails, naming what to do, when it is absent.
 */
class TemplateCorpusTest {

    /** System property naming the templates folder directly. */
    private static final String DIR_PROPERTY = "infernet.templates.dir";

    @Test
    void everyCorpusTemplateMapsToItsRecordedFormat() throws IOException {
        Map<String, String> sources = corpus();
        Map<String, String[]> table = table();
        assertEquals(new TreeSet<>(table.keySet()), new TreeSet<>(sources.keySet()),
                "template-formats.tsv and the corpus name different templates: add a row for each new template "
                        + "(FormatDetector decides it; compare with llama.cpp's choice) and drop rows of removed ones");
        List<String> wrong = new ArrayList<>();
        for (var e : sources.entrySet()) {
            String[] row = table.get(e.getKey());
            OutputFormat detected = FormatDetector.detect(e.getValue());
            OutputFormat recorded = OutputFormat.of(ToolCallFormat.valueOf(row[1]),
                    row[2].isEmpty() ? null : new ReasoningSyntax(unescape(row[2]), unescape(row[3])),
                    row[4].isEmpty() ? List.of() : List.of(unescape(row[4]).split(" \\|\\| ")));
            if (!detected.equals(recorded)) {
                wrong.add(e.getKey() + ": detected " + detected + ", recorded " + recorded);
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(sources.size() >= 70, "corpus has " + sources.size() + " templates");
    }

    @Test
    void fixturesWereParsedWithTheDetectedFormat() throws IOException {
        Map<String, String> sources = corpus();
        for (String file : new String[] {"rendered-tool-calls.json", "llamacpp-expectations.json"}) {
            JsonNode root = Parsing.resource(file);
            JsonNode cases = root.isArray() ? root : root.get("cases");
            for (JsonNode c : cases) {
                String template = c.get("template").asText();
                assertTrue(sources.containsKey(template), file + " names " + template + ", not in the corpus");
                assertEquals(FormatDetector.detect(sources.get(template)), Parsing.format(c), file + ": " + template);
            }
        }
    }

    /** Template name (file name without .jinja) to source. */
    static Map<String, String> corpus() throws IOException {
        Path dir = templatesDir();
        if (!Files.isDirectory(dir)) {
            fail("the llama.cpp chat-template corpus is not at " + dir + ": fetch the pinned llama.cpp first "
                    + "(./infernet native info, or any ./infernet command that loads it), point INFERNET_CACHE at the cache, "
                    + "or set -D" + DIR_PROPERTY + " to a models/templates folder");
        }
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".jinja")).toList()) {
                String name = p.getFileName().toString();
                sources.put(name.substring(0, name.length() - ".jinja".length()), Files.readString(p));
            }
        }
        return sources;
    }

    private static Path templatesDir() {
        String explicit = System.getProperty(DIR_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return NativeBundle.pinDir().resolve("src").resolve("models").resolve("templates");
    }

    /** The table: template to its columns (name, toolFormat, reasoningStart, reasoningEnd, contentMarkers, llama.cpp...). */
    private static Map<String, String[]> table() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        try (InputStream in = TemplateCorpusTest.class.getResourceAsStream("template-formats.tsv")) {
            if (in == null) {
                fail("test resource template-formats.tsv is missing");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                rows.put(cols[0], cols);
            }
        }
        return rows;
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
    }
}
