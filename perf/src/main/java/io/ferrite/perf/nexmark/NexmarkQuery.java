package io.ferrite.perf.nexmark;

import java.util.List;

import io.ferrite.engine.DataStream;

/**
 * One NEXMark query: built with Ferrite's API, and computed again in plain Java as its reference.
 */
public interface NexmarkQuery
{
    /**
     * The query's name, as {@code --query} takes it.
     *
     * @return q0, q1, ...
     */
    String name();

    /**
     * The output's CSV columns, as the table lists them.
     *
     * @return for example {@code auction,bidder,price,dateTime}.
     */
    String columns();

    /**
     * Add the query's operators.
     *
     * @param in          the event streams.
     * @param parallelism the parallelism of its keyed operators.
     * @return the results, whose schema's fields are the output's columns in order (so each record's CSV line is an
     *         output line).
     */
    DataStream build(NexmarkStreams in, int parallelism);

    /**
     * The reference: the query over a list of events in plain Java, with every window fired at the end.
     *
     * @param events the events in input order.
     * @return the output lines, sorted.
     */
    List<String> reference(List<NexmarkEvent> events);
}
