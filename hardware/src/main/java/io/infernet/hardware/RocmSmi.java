package io.infernet.hardware;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for {@code rocm-smi --json} output: pure functions of the text, tested on recorded
 * fixtures. rocm-smi's JSON is an object of {@code "card<N>"} objects whose values are all strings;
 * key spelling changed across ROCm releases ({@code "Card series"} before 6.0, {@code "Card Series"}
 * after), so keys are matched without regard to case. Text before the first <code>{</code>
 * (rocm-smi prints warnings there) is skipped.
 */
public final class RocmSmi {
    private RocmSmi() {}

    /** Product name, VRAM total and used (bytes) and GPU use (%), per card. */
    public static final List<String> QUERY = List.of("rocm-smi", "--showproductname", "--showmeminfo", "vram", "--showuse", "--json");
    /**
     * Link type per GPU pair, as {@code "system": {"(Topology) Link type between DRM devices 0 and 1": "XGMI", ...}}
     * (upper triangle). A pair counts as an xGMI link when its value is {@code XGMI}; {@code PCIE} does not.
     */
    public static final List<String> TOPOLOGY = List.of("rocm-smi", "--showtopotype", "--json");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CARD = Pattern.compile("card(\\d+)");
    private static final Pattern LINK_KEY = Pattern.compile("\\(topology\\) link type between drm devices (\\d+) and (\\d+)");

    /**
     * One GPU per {@code card<N>} key, in card order. Model: {@code Card Series}, else
     * {@code Card Model}, else {@code Device Name}. Free VRAM is total minus used.
     *
     * @throws UnreadableOutputException when the text is not JSON or a card has no name
     */
    public static List<Gpu> parseDevices(String text) {
        JsonNode root = read(text);
        Map<Integer, JsonNode> cards = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            Matcher m = CARD.matcher(e.getKey());
            if (m.matches() && e.getValue().isObject()) {
                cards.put(Integer.parseInt(m.group(1)), e.getValue());
            }
        }
        List<Gpu> gpus = new ArrayList<>();
        for (Map.Entry<Integer, JsonNode> e : cards.entrySet()) {
            JsonNode card = e.getValue();
            String key = "card" + e.getKey();
            Optional<String> model = field(card, "Card Series").or(() -> field(card, "Card Model")).or(() -> field(card, "Device Name"));
            if (model.isEmpty()) {
                throw new UnreadableOutputException(key + " has no product name (run rocm-smi with --showproductname)");
            }
            OptionalLong total = bytes(card, "VRAM Total Memory (B)", key);
            OptionalLong used = bytes(card, "VRAM Total Used Memory (B)", key);
            OptionalLong free = total.isPresent() && used.isPresent()
                    ? OptionalLong.of(Math.max(0, total.getAsLong() - used.getAsLong())) : OptionalLong.empty();
            OptionalLong use = bytes(card, "GPU use (%)", key);
            gpus.add(new Gpu(GpuVendor.AMD, e.getKey(), model.get(), total, free,
                    use.isPresent() ? OptionalInt.of((int) Math.min(100, use.getAsLong())) : OptionalInt.empty(),
                    field(card, "PCI Bus").flatMap(Gpu::normalizeBusId), field(card, "Driver version"), false,
                    DetectionSource.AMD));
        }
        return gpus;
    }

    /**
     * The GPU pairs joined by xGMI in {@link #TOPOLOGY} output. Output with no link keys (one GPU)
     * gives no pairs.
     *
     * @throws UnreadableOutputException when the text is not JSON
     */
    public static Set<GpuLinks.Pair> parseTopology(String text) {
        JsonNode root = read(text);
        Set<GpuLinks.Pair> pairs = new TreeSet<>();
        for (JsonNode section : root) {
            if (!section.isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> e : section.properties()) {
                Matcher m = LINK_KEY.matcher(e.getKey().strip().toLowerCase(Locale.ROOT));
                if (m.matches() && e.getValue().asText().strip().equalsIgnoreCase("XGMI")) {
                    int a = Integer.parseInt(m.group(1));
                    int b = Integer.parseInt(m.group(2));
                    if (a != b) {
                        pairs.add(GpuLinks.Pair.of(a, b));
                    }
                }
            }
        }
        return pairs;
    }

    private static JsonNode read(String text) {
        int start = text.indexOf('{');
        if (start < 0) {
            throw new UnreadableOutputException("no JSON object in output: " + UnreadableOutputException.quote(text));
        }
        try {
            JsonNode root = JSON.readTree(text.substring(start));
            if (root == null || !root.isObject()) {
                throw new UnreadableOutputException("output is not a JSON object: " + UnreadableOutputException.quote(text));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new UnreadableOutputException("output is not valid JSON (" + e.getOriginalMessage() + "): " + UnreadableOutputException.quote(text), e);
        }
    }

    /** A string field by case-insensitive key; empty when absent or {@code N/A}. */
    static Optional<String> field(JsonNode obj, String key) {
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            if (e.getKey().strip().equalsIgnoreCase(key)) {
                String v = e.getValue().asText().strip();
                return v.isEmpty() || v.equalsIgnoreCase("N/A") ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static OptionalLong bytes(JsonNode obj, String key, String card) {
        Optional<String> v = field(obj, key);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            double d = Double.parseDouble(v.get());
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return OptionalLong.of((long) d);
        } catch (NumberFormatException e) {
            throw new UnreadableOutputException(card + ": \"" + key + "\" is not a number: " + UnreadableOutputException.quote(v.get()));
        }
    }
}
