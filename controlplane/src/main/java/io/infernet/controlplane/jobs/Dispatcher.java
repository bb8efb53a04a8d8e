package io.infernet.controlplane.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Assigns pending jobs to providers, oldest first, with the {@link Router}. Runs on its own
 * thread in every control plane on the database, woken by {@link Signals#QUEUE} (a new job, a
 * freed slot, a provider's heartbeat) and at least every {@link #IDLE_RECHECK}.
 *
 * <p>No job is assigned twice: each round locks the pending jobs it takes with
 * {@code FOR UPDATE SKIP LOCKED} (another control plane's round takes other jobs, or none),
 * and the live providers' rows {@code FOR UPDATE} in id order, so that two rounds never count
 * the same free slot. A round is one short transaction.
 */
public final class Dispatcher implements AutoCloseable {

    static final Duration IDLE_RECHECK = Duration.ofMillis(500);
    static final int ROUND = 64;

    private final Db db;
    private final Duration liveWindow;
    private final RandomGenerator rng;
    private final Background loop;

    /** @param liveWindow a provider is routable when seen within this (the reference: 2 minutes) */
    public Dispatcher(Db db, Signals signals, Duration liveWindow, RandomGenerator rng) {
        this.db = db;
        this.liveWindow = liveWindow;
        this.rng = rng;
        this.loop = Background.queueDriven("infernet-cp-dispatch", signals, IDLE_RECHECK, ROUND, this::assignRound);
    }

    public Dispatcher start() {
        loop.start();
        return this;
    }

    /** One round: assigns what it can of up to {@link #ROUND} pending jobs; returns how many it assigned. */
    public int assignRound() {
        return db.tx(this::assign);
    }

    private int assign(Connection c) throws SQLException {
        List<ObjectNode> pending = Rows.list(c, "select id, type, model_name, excluded_providers from jobs where status = 'pending' "
                + "order by created_at limit ? for update skip locked", ROUND);
        if (pending.isEmpty()) {
            return 0;
        }
        List<ObjectNode> providers = Rows.list(c, "select id, reputation, specs from providers where status = 'available' "
                + "and last_seen > now() - make_interval(secs => ?) order by id for update", seconds(liveWindow));
        if (providers.isEmpty()) {
            return 0;
        }
        UUID[] ids = providers.stream().map(p -> UUID.fromString(p.get("id").asText())).toArray(UUID[]::new);
        Map<UUID, Integer> assigned = new HashMap<>();
        for (ObjectNode r : Rows.list(c, "select provider_id, count(*) as n from jobs where status = 'assigned' and provider_id = any(?) "
                + "group by provider_id", (Object) ids)) {
            assigned.put(UUID.fromString(r.get("provider_id").asText()), r.get("n").asInt());
        }
        int done = 0;
        for (ObjectNode job : pending) {
            List<Router.Candidate> live = providers.stream().map(p -> {
                UUID id = UUID.fromString(p.get("id").asText());
                JsonNode rep = p.get("reputation");
                return new Router.Candidate(id, rep.isNumber() ? rep.intValue() : null, p.get("specs"), assigned.getOrDefault(id, 0));
            }).toList();
            Set<UUID> avoid = new HashSet<>();
            job.path("excluded_providers").forEach(x -> avoid.add(UUID.fromString(x.asText())));
            Optional<Router.Candidate> pick = Router.pick(live,
                    new Router.Need(text(job, "model_name"), text(job, "type"), avoid), rng);
            if (pick.isEmpty()) {
                continue;
            }
            UUID providerId = pick.get().id();
            UUID jobId = UUID.fromString(job.get("id").asText());
            Rows.update(c, "update jobs set status = 'assigned', provider_id = ?, assigned_at = now(), updated_at = now(), "
                    + "attempts = attempts + 1, polled_at = null where id = ?", providerId, jobId);
            assigned.merge(providerId, 1, Integer::sum);
            Signals.notify(c, Signals.JOBS, providerId.toString());
            Signals.notify(c, Signals.EVENTS, jobId.toString());
            done++;
        }
        return done;
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @Override
    public void close() {
        loop.close();
    }
}
