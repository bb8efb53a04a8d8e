package io.infernet.engines.remote;

import java.util.List;

/** Reads one line of a streamed response body (SSE or NDJSON). Stateless or owned by one stream. */
@FunctionalInterface
public interface StreamDecoder {

    /**
     * The chunks {@code line} carries, in order; empty for blank lines, comments and pings.
     *
     * @throws IllegalArgumentException when the line is not what the protocol allows (the
     *     generation then ends with an error quoting the start of the line)
     */
    List<StreamChunk> decode(String line);
}
