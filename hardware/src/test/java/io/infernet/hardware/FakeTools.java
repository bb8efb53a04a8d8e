package io.infernet.hardware;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ToolRunner} that answers from recorded outputs: a command (joined with spaces) that
 * was not given is "not found on PATH", as on a machine without the tool. Records what was run.
 */
final class FakeTools implements ToolRunner {
    private final Map<String, ToolResult> answers = new HashMap<>();
    final List<String> ran = new ArrayList<>();

    /** {@code command} prints the fixture {@code fixture} and exits 0. */
    FakeTools ok(List<String> command, String fixture) {
        answers.put(String.join(" ", command), new ToolResult.Completed(0, Fixtures.text(fixture), ""));
        return this;
    }

    FakeTools answer(List<String> command, ToolResult result) {
        answers.put(String.join(" ", command), result);
        return this;
    }

    @Override
    public ToolResult run(List<String> command, Duration timeout) {
        String key = String.join(" ", command);
        ran.add(key);
        return answers.getOrDefault(key, new ToolResult.NotFound(command.getFirst()));
    }
}
