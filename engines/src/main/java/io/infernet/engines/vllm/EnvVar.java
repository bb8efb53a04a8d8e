package io.infernet.engines.vllm;

import java.util.Objects;

/**
 * One variable set in a child's environment, with why.
 *
 * @param secret whether the value must not be shown (the dry run prints {@code ***})
 */
public record EnvVar(String name, String value, String purpose, boolean secret) {
    public EnvVar {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(purpose, "purpose");
    }

    public static EnvVar of(String name, String value, String purpose) {
        return new EnvVar(name, value, purpose, false);
    }

    /** {@code NAME=value}, or {@code NAME=***} for a secret. */
    public String shown() {
        return name + "=" + (secret ? "***" : value);
    }

    @Override
    public String toString() {
        return shown();
    }
}
