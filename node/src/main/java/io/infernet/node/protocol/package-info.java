/**
 * The Infernet provider protocol, wire compatible with the existing control plane and
 * JavaScript node (see shared/spec/PROTOCOL.md). Data flows through the packages in this order:
 *
 * <ul>
 *   <li>{@code identity}: BIP-340 Schnorr keys over secp256k1 (Bouncy Castle's BIP340Signer).</li>
 *   <li>{@code config}: {@code config.json} (XDG paths, 0700/0600, atomic writes, legacy
 *       migration, secret redaction) and where the node keeps its files.</li>
 *   <li>{@code envelope}: the {@code X-Infernet-Auth} signer and the control plane's verifier.</li>
 *   <li>{@code client}: the twelve {@code /api/v1/node/*} routes, signed, with retries.</li>
 *   <li>{@code outbox}: event batches and completions that must arrive, in order, at least
 *       once, across control-plane outages and node restarts.</li>
 *   <li>{@code jobs}: polled jobs run once each on an {@link io.infernet.engines.Engine}, their
 *       events batched (16 events or 250 ms, at most 200 per request).</li>
 *   <li>{@code models} and {@code commands}: the GGUF model store and the owner-issued
 *       {@code model_install} / {@code model_remove} commands.</li>
 *   <li>{@code payouts}: payout coins, networks and address formats.</li>
 *   <li>{@code daemon}: {@code infernet start}: register, heartbeat with specs, poll, shut down.</li>
 * </ul>
 *
 * <p>Hooks for code outside this package: {@link io.infernet.node.protocol.daemon.EngineFactory}
 * (the engine {@code start} serves with, found by ServiceLoader),
 * {@link io.infernet.node.protocol.daemon.SpecsProvider} (hardware for the heartbeat; the
 * default reports CPU and RAM only) and {@link io.infernet.node.protocol.models.GgufValidator}
 * (the default checks the GGUF header only).
 */
package io.infernet.node.protocol;
