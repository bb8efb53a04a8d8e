package io.infernet.engines.select;

import java.util.Locale;

/**
 * The engines a node can serve with, in the order auto-selection tries them: an external
 * vLLM, an external llama.cpp server, Ollama, and last the in-process runtime.
 *
 * @param wireName    the name in config, CLI and {@code Engine.kind()}
 * @param hostEnv     the environment variable that says where it listens (null for in-process)
 * @param defaultPort where it listens when that variable is not set
 * @param probePath   the GET that tells whether it is up
 */
public enum EngineKind {
    VLLM("vllm", "VLLM_HOST", 8000, "/v1/models"),
    LLAMACPP("llamacpp", "LLAMACPP_HOST", 8080, "/v1/models"),
    OLLAMA("ollama", "OLLAMA_HOST", 11434, "/api/tags"),
    IN_PROCESS("in-process", null, 0, null);

    private final String wireName;
    private final String hostEnv;
    private final int defaultPort;
    private final String probePath;

    EngineKind(String wireName, String hostEnv, int defaultPort, String probePath) {
        this.wireName = wireName;
        this.hostEnv = hostEnv;
        this.defaultPort = defaultPort;
        this.probePath = probePath;
    }

    public String wireName() {
        return wireName;
    }

    public String hostEnv() {
        return hostEnv;
    }

    public int defaultPort() {
        return defaultPort;
    }

    public String probePath() {
        return probePath;
    }

    public boolean isRemote() {
        return this != IN_PROCESS;
    }

    /** The environment variable holding the API key the server expects (its own name for it), or null. */
    public String apiKeyEnv() {
        return switch (this) {
            case VLLM -> "VLLM_API_KEY";
            case LLAMACPP -> "LLAMA_API_KEY";
            default -> null;
        };
    }

    /** Accepts the wire names and a few spellings people use (llama.cpp, llama-server, inprocess). */
    public static EngineKind parse(String s) {
        String k = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        return switch (k) {
            case "vllm" -> VLLM;
            case "llamacpp", "llama.cpp", "llama-cpp", "llama-server" -> LLAMACPP;
            case "ollama" -> OLLAMA;
            case "in-process", "inprocess", "in_process", "local" -> IN_PROCESS;
            default -> throw new IllegalArgumentException("unknown engine '" + s + "'; choose in-process, vllm, llamacpp, ollama or auto");
        };
    }
}
