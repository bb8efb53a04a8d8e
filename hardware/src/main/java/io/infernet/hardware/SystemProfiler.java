package io.infernet.hardware;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for macOS's {@code system_profiler SPDisplaysDataType -json} and {@code sysctl -n hw.memsize}.
 *
 * <p>The unified-memory rule: an Apple GPU (Apple Silicon) has no VRAM of its own; it uses the
 * machine's RAM, so its {@code vramTotalBytes} is {@code hw.memsize} and it is marked
 * {@code unifiedMemory}. Tiers therefore follow total RAM (a 64 GB M2 Max is {@code >=48gb});
 * what a model may really use on it is {@code fit}'s business (macOS lets the GPU wire about
 * three quarters of RAM). A discrete GPU in an Intel Mac reports {@code spdisplays_vram}
 * ({@code "8 GB"}) and is read as such.
 */
public final class SystemProfiler {
    private SystemProfiler() {}

    public static final List<String> DISPLAYS = List.of("system_profiler", "SPDisplaysDataType", "-json");
    public static final List<String> MEMSIZE = List.of("sysctl", "-n", "hw.memsize");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(GB|MB)", Pattern.CASE_INSENSITIVE);

    /**
     * One GPU per {@code SPDisplaysDataType} entry of GPU type.
     *
     * @param memsizeBytes {@code hw.memsize}, for unified memory; when empty an Apple GPU's VRAM is unknown
     * @throws UnreadableOutputException when the text is not the expected JSON
     */
    public static List<Gpu> parseDisplays(String text, OptionalLong memsizeBytes) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UnreadableOutputException("output is not valid JSON (" + e.getOriginalMessage() + "): " + UnreadableOutputException.quote(text), e);
        }
        JsonNode items = root == null ? null : root.get("SPDisplaysDataType");
        if (items == null || !items.isArray()) {
            throw new UnreadableOutputException("no SPDisplaysDataType array in output: " + UnreadableOutputException.quote(text));
        }
        List<Gpu> gpus = new ArrayList<>();
        int index = 0;
        for (JsonNode item : items) {
            String type = item.path("sppci_device_type").asText("");
            if (!type.isEmpty() && !type.equals("spdisplays_gpu")) {
                continue;
            }
            Optional<String> model = text(item, "sppci_model").or(() -> text(item, "_name"));
            if (model.isEmpty()) {
                throw new UnreadableOutputException("display entry " + index + " has no sppci_model or _name");
            }
            GpuVendor vendor = vendor(item, model.get());
            OptionalLong vram = size(item, "spdisplays_vram").isPresent() ? size(item, "spdisplays_vram")
                    : size(item, "_spdisplays_vram").isPresent() ? size(item, "_spdisplays_vram")
                    : size(item, "spdisplays_vram_shared");
            boolean unified = vendor == GpuVendor.APPLE && vram.isEmpty();
            if (unified) {
                vram = memsizeBytes;
            }
            gpus.add(new Gpu(vendor, index++, model.get(), vram, OptionalLong.empty(), OptionalInt.empty(),
                    Optional.empty(), Optional.empty(), unified, DetectionSource.APPLE));
        }
        return gpus;
    }

    /**
     * Reads {@code sysctl -n hw.memsize} ({@code 68719476736}); the {@code hw.memsize: 68719476736}
     * form without {@code -n} is accepted too.
     *
     * @throws UnreadableOutputException when there is no positive number
     */
    public static long parseMemsize(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon >= 0) {
            t = t.substring(colon + 1).strip();
        }
        try {
            long v = Long.parseLong(t);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UnreadableOutputException("hw.memsize is not a positive number: " + UnreadableOutputException.quote(text));
        }
    }

    private static GpuVendor vendor(JsonNode item, String model) {
        String v = item.path("spdisplays_vendor").asText(item.path("sppci_vendor").asText("")).toLowerCase(Locale.ROOT);
        if (v.contains("apple")) {
            return GpuVendor.APPLE;
        }
        if (v.contains("amd") || v.contains("ati")) {
            return GpuVendor.AMD;
        }
        if (v.contains("nvidia")) {
            return GpuVendor.NVIDIA;
        }
        if (v.contains("intel")) {
            return GpuVendor.INTEL;
        }
        return GpuVendor.guess(model);
    }

    private static Optional<String> text(JsonNode item, String key) {
        JsonNode n = item.get(key);
        return n == null || n.asText().isBlank() ? Optional.empty() : Optional.of(n.asText().strip());
    }

    private static OptionalLong size(JsonNode item, String key) {
        Optional<String> s = text(item, key);
        if (s.isEmpty()) {
            return OptionalLong.empty();
        }
        Matcher m = SIZE.matcher(s.get());
        if (!m.find()) {
            return OptionalLong.empty();
        }
        double n = Double.parseDouble(m.group(1));
        long unit = m.group(2).equalsIgnoreCase("GB") ? 1L << 30 : 1L << 20;
        return OptionalLong.of(Math.round(n * unit));
    }
}
