package io.infernet.controlplane.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Which provider takes a job, as the reference routes chat: among live providers (the caller
 * passes only those available and seen within the live window), those that serve the model
 * exactly ({@code specs.served_models}) when one is named, that are not saturated (active jobs
 * below {@code load.concurrency_cap}, 4 when absent; GPU utilization below 95 %), chosen at
 * random weighted by reputation (floor 1, default 50) x tokens/s ({@code
 * bench.tokens_per_second_avg}, 10 when absent) x headroom (free RAM GB + free VRAM GB + 4 x
 * the free share of slots, floor 1; 1 without load information).
 *
 * <p>Two things the reference lacks: the active jobs counted are the larger of what the
 * provider last reported and what the database has assigned to it since (so a burst of
 * requests does not overfill a provider between heartbeats), and a job can exclude providers
 * (one that went stale on it, or a batch chunk's earlier attempt), which are used only when no
 * other provider qualifies. Pure logic; thread-safe.
 */
public final class Router {

    public static final int DEFAULT_CONCURRENCY_CAP = 4;
    public static final double HIGH_GPU_UTILIZATION_PCT = 95;

    /** A live provider as routing sees it; {@code assigned} counts its unfinished jobs in the database. */
    public record Candidate(UUID id, Integer reputation, JsonNode specs, int assigned) {}

    /** What the job needs: a model (null: any), a job type, providers to avoid if possible. */
    public record Need(String model, String type, Set<UUID> avoid) {}

    private Router() {}

    /** The chosen provider, or empty when none qualifies now (the job waits in the queue). */
    public static Optional<Candidate> pick(List<Candidate> live, Need need, RandomGenerator rng) {
        List<Candidate> eligible = new ArrayList<>();
        for (Candidate c : live) {
            if (serves(c, need) && !saturated(c)) {
                eligible.add(c);
            }
        }
        List<Candidate> preferred = eligible.stream().filter(c -> !need.avoid().contains(c.id())).toList();
        return weightedPick(preferred.isEmpty() ? eligible : preferred, rng);
    }

    static boolean serves(Candidate c, Need need) {
        if (!handlesType(c.specs(), need.type())) {
            return false;
        }
        if (need.model() == null || need.model().isEmpty()) {
            return true;
        }
        JsonNode served = c.specs() == null ? null : c.specs().get("served_models");
        if (served == null || !served.isArray()) {
            return false;
        }
        for (JsonNode m : served) {
            if (m.isTextual() && m.asText().equals(need.model())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Chat runs everywhere; other types only on providers that list them in {@code
     * specs.job_types} (this project's node does; the reference's takes chat only).
     */
    static boolean handlesType(JsonNode specs, String type) {
        if (type == null || type.equals("chat")) {
            return true;
        }
        JsonNode types = specs == null ? null : specs.get("job_types");
        if (types == null || !types.isArray()) {
            return false;
        }
        for (JsonNode t : types) {
            if (t.isTextual() && t.asText().equals(type)) {
                return true;
            }
        }
        return false;
    }

    public static int cap(JsonNode specs) {
        JsonNode load = specs == null ? null : specs.get("load");
        JsonNode cap = load == null ? null : load.get("concurrency_cap");
        return cap != null && cap.isNumber() ? cap.intValue() : DEFAULT_CONCURRENCY_CAP;
    }

    static int active(Candidate c) {
        JsonNode load = c.specs() == null ? null : c.specs().get("load");
        JsonNode reported = load == null ? null : load.get("active_jobs");
        int r = reported != null && reported.isNumber() ? reported.intValue() : 0;
        return Math.max(r, c.assigned());
    }

    static boolean saturated(Candidate c) {
        if (active(c) >= cap(c.specs())) {
            return true;
        }
        JsonNode load = c.specs() == null ? null : c.specs().get("load");
        JsonNode util = load == null ? null : load.get("gpu_utilization_max");
        return util != null && util.isNumber() && util.doubleValue() >= HIGH_GPU_UTILIZATION_PCT;
    }

    static double weight(Candidate c) {
        double reputation = Math.max(1, c.reputation() == null ? 50 : c.reputation());
        JsonNode tps = c.specs() == null ? null : c.specs().path("bench").get("tokens_per_second_avg");
        double speed = tps != null && tps.isNumber() && tps.doubleValue() > 0 ? tps.doubleValue() : 10;
        return reputation * speed * headroom(c);
    }

    static double headroom(Candidate c) {
        JsonNode load = c.specs() == null ? null : c.specs().get("load");
        if (load == null || !load.isObject()) {
            return 1;
        }
        double freeRam = number(load.path("ram").get("free_gb"), 0);
        double freeVram = number(load.path("vram").get("free_gb"), 0);
        int cap = cap(c.specs());
        double slotBonus = cap > 0 ? 4 * Math.max(0, 1 - (double) active(c) / cap) : 0;
        return Math.max(1, freeRam + freeVram + slotBonus);
    }

    private static double number(JsonNode n, double fallback) {
        return n != null && n.isNumber() && Double.isFinite(n.doubleValue()) ? n.doubleValue() : fallback;
    }

    private static Optional<Candidate> weightedPick(List<Candidate> cs, RandomGenerator rng) {
        if (cs.isEmpty()) {
            return Optional.empty();
        }
        if (cs.size() == 1) {
            return Optional.of(cs.getFirst());
        }
        double[] w = new double[cs.size()];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = weight(cs.get(i));
            total += w[i];
        }
        double r = rng.nextDouble() * total;
        for (int i = 0; i < w.length; i++) {
            r -= w[i];
            if (r <= 0) {
                return Optional.of(cs.get(i));
            }
        }
        return Optional.of(cs.getLast());
    }
}
