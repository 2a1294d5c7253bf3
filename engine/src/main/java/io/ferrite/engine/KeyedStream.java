package io.ferrite.engine;

import io.ferrite.memory.schema.Schema;

/**
 * A stream partitioned by key across the parallel instances of the next operator: records with equal keys meet the
 * same instance, value state and timers.
 * <p>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class KeyedStream
{
    final DataStream upstream;
    final KeySpec key;
    final int parallelism;

    KeyedStream(final DataStream upstream, final KeySpec key, final int parallelism)
    {
        this.upstream = upstream;
        this.key = key;
        this.parallelism = parallelism;
    }

    /**
     * The keyed stream's parallelism: the instances of the operator that follows.
     *
     * @return the parallelism.
     */
    public int parallelism()
    {
        return parallelism;
    }

    /**
     * Process each key's records with value state and timers, at most one output per record or timer.
     *
     * @param name         the operator's name, unique in the pipeline.
     * @param outputSchema the main output's schema.
     * @param stateSchema  the layout of each key's value state, or null for none.
     * @param function     the process function.
     * @return the main output.
     */
    public DataStream process(
        final String name, final Schema outputSchema, final Schema stateSchema, final KeyedProcessFunction function)
    {
        return process(name, outputSchema, stateSchema, 1, function);
    }

    /**
     * Process each key's records with value state, timers and side outputs.
     *
     * @param name              the operator's name, unique in the pipeline.
     * @param outputSchema      the main output's schema.
     * @param stateSchema       the layout of each key's value state, or null for none.
     * @param maxOutputsPerCall the most records one record or one timer produces, per output.
     * @param function          the process function.
     * @param sideOutputs       the side outputs the function writes to.
     * @return the main output.
     */
    public DataStream process(
        final String name,
        final Schema outputSchema,
        final Schema stateSchema,
        final int maxOutputsPerCall,
        final KeyedProcessFunction function,
        final OutputTag... sideOutputs)
    {
        final Pipeline pipeline = upstream.pipeline;
        final Node node = pipeline.addProcess(
            name, Node.Kind.PROCESS, outputSchema, stateSchema, maxOutputsPerCall, function, sideOutputs,
            parallelism, upstream.node.timeUnit);
        pipeline.connect(upstream, node, 0, key);
        return new DataStream(pipeline, node, 0);
    }

    /**
     * Cut each key's records into windows; finish with {@link WindowedStream#aggregate}.
     *
     * @param windows the windows: see {@link Windows}.
     * @return the windowed stream.
     */
    public WindowedStream window(final Windows windows)
    {
        if (null == windows)
        {
            throw new NullPointerException("windows");
        }
        return new WindowedStream(this, windows);
    }

    /**
     * Pair this keyed stream with another of the same parallelism, for a two-input process operator.
     *
     * @param other the second stream.
     * @return the connected streams.
     */
    public ConnectedStreams connect(final KeyedStream other)
    {
        if (other.upstream.pipeline != upstream.pipeline)
        {
            throw new IllegalArgumentException("connect: '" + other.upstream.name() + "' is in another pipeline");
        }
        if (other.parallelism != parallelism)
        {
            throw new IllegalArgumentException("connect: '" + upstream.name() + "' is keyed with parallelism " +
                parallelism + " but '" + other.upstream.name() + "' with " + other.parallelism +
                "; connected streams must be keyed alike");
        }
        Pipeline.requireSameTimeUnit("connect", upstream, other.upstream);
        return new ConnectedStreams(this, other);
    }
}
