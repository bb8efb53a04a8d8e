package io.infernet.engines.select;

import java.util.List;
import java.util.Objects;

/**
 * What engine selection looked at and decided, for logs, {@code infernet engines} and the
 * operator.
 *
 * @param probes      every remote engine looked for, in selection order
 * @param chosen      the engine that serves
 * @param chosenUrl   where it listens, or null for in-process
 * @param why         one sentence: explicit setting, first one up, or nothing up
 * @param assignments which engine serves which model: every model an engine answered with,
 *                    the chosen engine's marked as served
 * @param inProcess   what the in-process engine would load (it is listed last, always available)
 */
public record SelectionReport(List<ProbeOutcome> probes, EngineKind chosen, String chosenUrl, String why,
                              List<Assignment> assignments, String inProcess) {

    /**
     * @param model  the model's name
     * @param kind   the engine that has it
     * @param url    where that engine listens, or null for in-process
     * @param served whether requests for it go there (the engine was chosen)
     */
    public record Assignment(String model, EngineKind kind, String url, boolean served) {}

    public SelectionReport {
        probes = List.copyOf(probes);
        Objects.requireNonNull(chosen, "chosen");
        assignments = List.copyOf(assignments);
    }

    /** The models requests can name now (those of the chosen engine). */
    public List<String> servedModels() {
        return assignments.stream().filter(Assignment::served).map(Assignment::model).toList();
    }
}
