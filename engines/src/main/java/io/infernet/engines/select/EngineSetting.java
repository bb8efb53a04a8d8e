package io.infernet.engines.select;

/**
 * What config or the command line says about the engine. No kind means auto-select.
 *
 * @param kind   the engine to use, or null for auto-selection
 * @param url    where the remote engine listens, or null for its environment variable or
 *               default port; must be null for in-process
 * @param apiKey the remote engine's API key, or null for its environment variable (see
 *               {@link EngineKind#apiKeyEnv()}) or none
 * @param model  the model to ask a remote engine for when a request names none, or null for
 *               the first one it lists
 */
public record EngineSetting(EngineKind kind, String url, String apiKey, String model) {

    public EngineSetting {
        if (kind == EngineKind.IN_PROCESS && url != null) {
            throw new IllegalArgumentException("the in-process engine takes no URL; drop --engine-url or choose vllm, llamacpp or ollama");
        }
        if (kind == null && url != null) {
            throw new IllegalArgumentException("--engine-url needs --engine (vllm, llamacpp or ollama) to say what listens there");
        }
        url = blankToNull(url);
        apiKey = blankToNull(apiKey);
        model = blankToNull(model);
    }

    public static EngineSetting auto() {
        return new EngineSetting(null, null, null, null);
    }

    /** From text: {@code kind} may be null, blank or "auto" for auto-selection. */
    public static EngineSetting parse(String kind, String url, String apiKey, String model) {
        String k = blankToNull(kind);
        EngineKind parsed = k == null || k.equalsIgnoreCase("auto") ? null : EngineKind.parse(k);
        return new EngineSetting(parsed, url, apiKey, model);
    }

    public boolean isAuto() {
        return kind == null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "EngineSetting[" + (kind == null ? "auto" : kind.wireName()) + (url == null ? "" : " " + url)
                + (apiKey == null ? "" : " (with API key)") + (model == null ? "" : " model " + model) + "]";
    }
}
