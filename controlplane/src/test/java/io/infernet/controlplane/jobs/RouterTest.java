package io.infernet.controlplane.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RouterTest {

    static ObjectNode specs(int cap, int active, Double util, Double tps, String... models) {
        ObjectNode s = Json.object();
        var served = s.putArray("served_models");
        for (String m : models) {
            served.add(m);
        }
        ObjectNode load = s.putObject("load").put("concurrency_cap", cap).put("active_jobs", active);
        if (util != null) {
            load.put("gpu_utilization_max", util);
        }
        if (tps != null) {
            s.putObject("bench").put("tokens_per_second_avg", tps);
        }
        return s;
    }

    static Router.Candidate c(ObjectNode specs, int assigned) {
        return new Router.Candidate(UUID.randomUUID(), 50, specs, assigned);
    }

    static final Router.Need ANY = new Router.Need(null, "chat", Set.of());

    @Test
    void servesTheModelExactlyAndSkipsSaturatedOrPeggedProviders() {
        Router.Candidate other = c(specs(4, 0, null, null, "llama"), 0);
        Router.Candidate full = c(specs(2, 2, null, null, "qwen"), 0);
        Router.Candidate fullInDb = c(specs(2, 0, null, null, "qwen"), 2);
        Router.Candidate pegged = c(specs(4, 0, 95.0, null, "qwen"), 0);
        Router.Candidate ok = c(specs(4, 1, 94.0, null, "qwen"), 1);
        var pick = Router.pick(List.of(other, full, fullInDb, pegged, ok), new Router.Need("qwen", "chat", Set.of()), new SplittableRandom(1));
        assertEquals(ok.id(), pick.orElseThrow().id());
        assertTrue(Router.pick(List.of(other), new Router.Need("Qwen", "chat", Set.of()), new SplittableRandom(1)).isEmpty());
        assertTrue(Router.pick(List.of(full, fullInDb), ANY, new SplittableRandom(1)).isEmpty());
    }

    @Test
    void aProviderWithoutLoadInformationTakesFourJobs() {
        Router.Candidate bare = new Router.Candidate(UUID.randomUUID(), null, Json.object(), 3);
        assertTrue(Router.pick(List.of(bare), ANY, new SplittableRandom(1)).isPresent());
        Router.Candidate fourth = new Router.Candidate(bare.id(), null, Json.object(), 4);
        assertTrue(Router.pick(List.of(fourth), ANY, new SplittableRandom(1)).isEmpty());
    }

    @Test
    void otherJobTypesGoOnlyToProvidersThatListThem() {
        ObjectNode s = specs(4, 0, null, null, "e");
        Router.Candidate chatOnly = c(s, 0);
        ObjectNode s2 = specs(4, 0, null, null, "e");
        s2.putArray("job_types").add("chat").add("embed");
        Router.Candidate both = c(s2, 0);
        assertEquals(both.id(), Router.pick(List.of(chatOnly, both), new Router.Need("e", "embed", Set.of()), new SplittableRandom(3)).orElseThrow().id());
    }

    @Test
    void avoidedProvidersAreALastResort() {
        Router.Candidate a = c(specs(4, 0, null, null), 0);
        Router.Candidate b = c(specs(4, 0, null, null), 0);
        for (int i = 0; i < 20; i++) {
            assertEquals(b.id(), Router.pick(List.of(a, b), new Router.Need(null, "chat", Set.of(a.id())), new SplittableRandom(i)).orElseThrow().id());
        }
        assertEquals(a.id(), Router.pick(List.of(a), new Router.Need(null, "chat", Set.of(a.id())), new SplittableRandom(1)).orElseThrow().id());
    }

    @Test
    void picksInProportionToReputationTimesSpeedTimesHeadroom() {
        // equal headroom (no ram/vram, idle); speed 30 against 10: about 3 picks in 4
        Router.Candidate fast = c(specs(4, 0, null, 30.0), 0);
        Router.Candidate slow = c(specs(4, 0, null, 10.0), 0);
        Map<UUID, Integer> n = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < 4000; i++) {
            n.merge(Router.pick(List.of(fast, slow), ANY, rng).orElseThrow().id(), 1, Integer::sum);
        }
        double share = n.get(fast.id()) / 4000.0;
        assertTrue(share > 0.72 && share < 0.78, "fast share " + share);
        assertEquals(30 * 50 * 4.0, Router.weight(fast), 1e-9);
    }
}
