package io.infernet.engines;

/**
 * A model an engine serves.
 *
 * @param id            the name clients and the control plane use for it
 * @param engine        the engine kind that serves it
 * @param contextLength tokens of context per sequence, or 0 if unknown
 * @param embeddings    whether it can answer embeddings requests
 */
public record ModelInfo(String id, String engine, int contextLength, boolean embeddings) {}
