/**
 * A self-hosted Infernet control plane: the signed node API, the OpenAI-compatible gateway,
 * routing, remote commands and payments, on PostgreSQL.
 */
package io.infernet.controlplane;
