package io.infernet.bench.llamabench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/** Reads {@code llama-bench -o json} output: a JSON array with one object per test. */
public final class LlamaBenchParser {
    private LlamaBenchParser() {}

    private static final ObjectMapper JSON = io.infernet.engines.Json.MAPPER;

    /**
     * Parses the whole standard output of a run.
     *
     * @throws IllegalArgumentException naming the field when the text is not llama-bench JSON
     */
    public static List<LlamaBenchResult> parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("llama-bench output is not JSON (was it run with -o json?): " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("llama-bench -o json prints an array of tests; got " + (root == null ? "nothing" : root.getNodeType()));
        }
        List<LlamaBenchResult> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            out.add(test(root.get(i), i));
        }
        return List.copyOf(out);
    }

    private static LlamaBenchResult test(JsonNode t, int index) {
        if (!t.isObject()) {
            throw new IllegalArgumentException("llama-bench test " + index + " is not an object");
        }
        // scalars first, in llama-bench's field order, so a missing field is named as the file would show it
        String buildCommit = text(t, "build_commit", index);
        int buildNumber = integer(t, "build_number", index);
        String cpuInfo = text(t, "cpu_info", index);
        String gpuInfo = text(t, "gpu_info", index);
        String backends = text(t, "backends", index);
        String modelFilename = text(t, "model_filename", index);
        String modelType = text(t, "model_type", index);
        long modelSize = number(t, "model_size", index);
        long modelParams = number(t, "model_n_params", index);
        int nBatch = integer(t, "n_batch", index);
        int nUbatch = integer(t, "n_ubatch", index);
        int nThreads = integer(t, "n_threads", index);
        int nGpuLayers = integer(t, "n_gpu_layers", index);
        int flashAttn = integer(t, "flash_attn", index);
        int nPrompt = integer(t, "n_prompt", index);
        int nGen = integer(t, "n_gen", index);
        int nDepth = integer(t, "n_depth", index);
        String testTime = text(t, "test_time", index);
        long avgNs = number(t, "avg_ns", index);
        long stddevNs = number(t, "stddev_ns", index);
        double avgTs = real(t, "avg_ts", index);
        double stddevTs = real(t, "stddev_ts", index);
        List<Long> samplesNs = new ArrayList<>();
        for (JsonNode n : array(t, "samples_ns", index)) {
            samplesNs.add(n.asLong());
        }
        List<Double> samplesTs = new ArrayList<>();
        for (JsonNode n : array(t, "samples_ts", index)) {
            samplesTs.add(n.asDouble());
        }
        return new LlamaBenchResult(buildCommit, buildNumber, cpuInfo, gpuInfo, backends, modelFilename, modelType, modelSize, modelParams,
                nBatch, nUbatch, nThreads, nGpuLayers, flashAttn, nPrompt, nGen, nDepth, testTime, avgNs, stddevNs, avgTs, stddevTs,
                samplesNs, samplesTs);
    }

    private static JsonNode field(JsonNode t, String name, int index) {
        JsonNode v = t.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("llama-bench test " + index + " has no field '" + name + "' (a different llama-bench version?)");
        }
        return v;
    }

    private static String text(JsonNode t, String name, int index) {
        return field(t, name, index).asText();
    }

    private static long number(JsonNode t, String name, int index) {
        return typed(t, name, index, JsonNode::isIntegralNumber, "an integer", v -> v).asLong();
    }

    private static int integer(JsonNode t, String name, int index) {
        return Math.toIntExact(number(t, name, index));
    }

    private static double real(JsonNode t, String name, int index) {
        return typed(t, name, index, JsonNode::isNumber, "a number", v -> v).asDouble();
    }

    private static JsonNode array(JsonNode t, String name, int index) {
        return typed(t, name, index, JsonNode::isArray, "an array", JsonNode::getNodeType);
    }

    /**
     * The field, which must be {@code what} ("an integer"); otherwise IllegalArgumentException
     * naming the test, the field and {@code got} of the value found.
     */
    private static JsonNode typed(JsonNode t, String name, int index, Predicate<JsonNode> is, String what,
            Function<JsonNode, Object> got) {
        JsonNode v = field(t, name, index);
        if (!is.test(v)) {
            throw new IllegalArgumentException("llama-bench test " + index + ": '" + name + "' should be " + what + ", got " + got.apply(v));
        }
        return v;
    }
}
