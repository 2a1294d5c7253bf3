package io.ferrite.engine;

import io.ferrite.memory.schema.Schema;

/**
 * Two keyed streams processed together by one keyed operator, for joins and enrichment.
 * <p>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class ConnectedStreams
{
    private final KeyedStream first;
    private final KeyedStream second;

    ConnectedStreams(final KeyedStream first, final KeyedStream second)
    {
        this.first = first;
        this.second = second;
    }

    /**
     * Process both streams' records per key, at most one output per record or timer.
     *
     * @param name         the operator's name, unique in the pipeline.
     * @param outputSchema the main output's schema.
     * @param stateSchema  the layout of each key's value state, or null for none.
     * @param function     the two-input process function.
     * @return the main output.
     */
    public DataStream process(
        final String name, final Schema outputSchema, final Schema stateSchema, final CoProcessFunction function)
    {
        return process(name, outputSchema, stateSchema, 1, function);
    }

    /**
     * Process both streams' records per key, with side outputs.
     *
     * @param name              the operator's name, unique in the pipeline.
     * @param outputSchema      the main output's schema.
     * @param stateSchema       the layout of each key's value state, or null for none.
     * @param maxOutputsPerCall the most records one record or one timer produces, per output.
     * @param function          the two-input process function.
     * @param sideOutputs       the side outputs the function writes to.
     * @return the main output.
     */
    public DataStream process(
        final String name,
        final Schema outputSchema,
        final Schema stateSchema,
        final int maxOutputsPerCall,
        final CoProcessFunction function,
        final OutputTag... sideOutputs)
    {
        final Pipeline pipeline = first.upstream.pipeline;
        final Node node = pipeline.addProcess(
            name, Node.Kind.CO_PROCESS, outputSchema, stateSchema, maxOutputsPerCall, function, sideOutputs,
            first.parallelism, first.upstream.node.timeUnit);
        pipeline.connect(first.upstream, node, 0, first.key);
        pipeline.connect(second.upstream, node, 1, second.key);
        return new DataStream(pipeline, node, 0);
    }
}
