package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final String CHAT = "{\"messages\": [{\"role\": \"user\", \"content\": \"one two three\"}]}";

    /** name{labels} value, per the 0.0.4 text format (labels and value as Prometheus writes them). */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? "
                    + "(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    /** Validates the exposition line by line and returns sample values by "name{labels}". */
    static Map<String, Double> parse(String text) {
        assertTrue(text.endsWith("\n"), "ends with a newline");
        Map<String, Double> samples = new HashMap<>();
        Set<String> typed = new HashSet<>();
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                assertTrue(typed.add(m.group(1)), "one TYPE per metric: " + m.group(1));
                continue;
            }
            m = SAMPLE.matcher(line);
            if (!m.matches()) {
                fail("not a valid exposition line: '" + line + "'");
            }
            assertTrue(typed.contains(m.group(1)), "TYPE comes before the samples of " + m.group(1));
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            assertFalse(samples.containsKey(key), "duplicate sample " + key);
            samples.put(key, Double.parseDouble(m.group(3).replace("Inf", "Infinity")));
        }
        return samples;
    }

    @Test
    void exposesValidPrometheusTextAndCountersGrow() {
        try (ApiHarness api = new ApiHarness()) {
            HttpResponse<String> res = api.get("/metrics");
            assertEquals(200, res.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", res.headers().firstValue("Content-Type").orElse(""));
            Map<String, Double> before = parse(res.body());

            assertEquals(200, api.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(200, api.post("/v1/chat/completions", CHAT.replace("}]}", "}], \"stream\": true}")).statusCode());
            assertEquals(400, api.post("/v1/chat/completions", "{}").statusCode());
            assertEquals(404, api.get("/v1/nothing/at/all").statusCode());

            Map<String, Double> after = parse(api.get("/metrics").body());
            assertEquals(2.0, after.get("infernet_http_requests_total{route=\"/v1/chat/completions\",status=\"200\"}"));
            assertEquals(1.0, after.get("infernet_http_requests_total{route=\"/v1/chat/completions\",status=\"400\"}"));
            assertEquals(1.0, after.get("infernet_http_requests_total{route=\"other\",status=\"404\"}"), "raw paths never become labels");
            assertEquals(1.0, after.get("infernet_http_requests_total{route=\"/metrics\",status=\"200\"}"), "the first scrape counted");
            int prompt = 3 + 3; // the fake's count: 3 words + 3 per message
            assertEquals(before.get("infernet_prompt_tokens_total") + 2 * prompt, after.get("infernet_prompt_tokens_total"));
            assertEquals(before.get("infernet_generated_tokens_total") + 24, after.get("infernet_generated_tokens_total"));
            assertTrue(after.containsKey("infernet_generated_tokens_per_second"));

            // The fake engine has stats: its gauges are exposed.
            assertEquals(2.0, after.get("infernet_queue_depth"));
            assertEquals(3.0, after.get("infernet_active_sequences"));
            assertEquals(1024.0, after.get("infernet_kv_cache_used_cells"));
            assertEquals(8192.0, after.get("infernet_kv_cache_total_cells"));
            assertEquals(0.125, after.get("infernet_kv_cache_usage_ratio"));
            assertEquals(5.0, after.get("infernet_prompt_cache_hits_total"));
            assertEquals(7.0, after.get("infernet_prompt_cache_misses_total"));
            assertEquals(4096.0, after.get("infernet_prompt_cache_bytes"));
        }
    }

    @Test
    void engineLinesAreLeftOutWithoutEngineStats() {
        Metrics m = new Metrics();
        Map<String, Double> s = parse(m.render(null));
        assertFalse(s.keySet().stream().anyMatch(k -> k.startsWith("infernet_queue_depth") || k.startsWith("infernet_kv_cache")), s.toString());
        assertEquals(0.0, s.get("infernet_generated_tokens_total"));
    }

    @Test
    void tokensPerSecondIsTheAverageOverTheLastWholeSeconds() {
        AtomicLong nanos = new AtomicLong(1_000L * 1_000_000_000L);
        Metrics m = new Metrics(nanos::get);
        assertEquals(0.0, m.tokensPerSecond());
        m.tokensStreamed(30);
        assertEquals(0.0, m.tokensPerSecond(), "the current second is not complete yet");
        nanos.addAndGet(1_000_000_000L);
        assertEquals(3.0, m.tokensPerSecond(), "30 tokens over a 10 s window");
        m.tokensStreamed(50);
        nanos.addAndGet(1_000_000_000L);
        assertEquals(8.0, m.tokensPerSecond());
        nanos.addAndGet(9L * 1_000_000_000L);
        assertEquals(5.0, m.tokensPerSecond(), "the first second has left the window");
        nanos.addAndGet(1_000_000_000L);
        assertEquals(0.0, m.tokensPerSecond());
        m.tokensStreamed(10); // the ring slot of an old second is reused, not added to
        nanos.addAndGet(1_000_000_000L);
        assertEquals(1.0, m.tokensPerSecond());
    }

    @Test
    void labelValuesAreEscaped() {
        Metrics m = new Metrics();
        m.request("a\"b\\c\nd", 200);
        String text = m.render(null);
        assertTrue(text.contains("route=\"a\\\"b\\\\c\\nd\""), text);
        parse(text);
    }
}
