package io.infernet.node.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;

/** The answer to {@code register}: the server's row id (as sent) and the node id it recorded. */
public record Registration(JsonNode id, String nodeId) {}
