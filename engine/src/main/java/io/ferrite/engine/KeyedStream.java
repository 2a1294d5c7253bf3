package io.ferrite.engine;

import io.ferrite.memory.schema.FieldType;
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
        requireAlike("connect", "connected", other);
        return new ConnectedStreams(this, other);
    }

    /**
     * Join this keyed stream (the left side) with another (the right side) in windows: Flink's
     * {@code a.join(b).where(...).equalTo(...).window(...)}. Each side's key is the one it was keyed by, so the key and
     * the parallelism are stated once, by {@code keyBy}, as for {@link #connect}; the left key of a record pairs with
     * equal right keys (keys compare as 64-bit values). Finish with {@link JoinedStreams#window(Windows)}.
     *
     * @param right the right stream, keyed alike: same pipeline, parallelism and timestamp unit.
     * @return the joined streams.
     */
    public JoinedStreams join(final KeyedStream right)
    {
        requireJoinable("join", right);
        return new JoinedStreams(this, right);
    }

    /**
     * Join this keyed stream (the left side) with another (the right side) by time interval: Flink's
     * {@code a.intervalJoin(b).between(lower, upper)}, pairing records of equal keys whose timestamps satisfy
     * {@code left.ts + lower <= right.ts <= left.ts + upper}. Finish with
     * {@link IntervalJoinedStreams#between(java.time.Duration, java.time.Duration)}.
     *
     * @param right the right stream, keyed alike: same pipeline, parallelism and timestamp unit.
     * @return the interval-joined streams.
     */
    public IntervalJoinedStreams intervalJoin(final KeyedStream right)
    {
        requireJoinable("interval join", right);
        return new IntervalJoinedStreams(this, right);
    }

    private void requireJoinable(final String what, final KeyedStream right)
    {
        requireAlike(what, "joined", right);
        if (null != key.field && null != right.key.field &&
            (key.field.type() == FieldType.SYMBOL) != (right.key.field.type() == FieldType.SYMBOL))
        {
            throw new IllegalArgumentException(what + ": '" + upstream.name() + "' is keyed by " +
                key.field.type() + " field '" + key.field.name() + "' but '" + right.upstream.name() + "' by " +
                right.key.field.type() + " field '" + right.key.field.name() + "'; keys compare as 64-bit values, " +
                "so a symbol key only meets a symbol key: map one side to the other's type first");
        }
    }

    private void requireAlike(final String what, final String adjective, final KeyedStream other)
    {
        if (null == other)
        {
            throw new NullPointerException(what + ": the other keyed stream");
        }
        if (other.upstream.pipeline != upstream.pipeline)
        {
            throw new IllegalArgumentException(what + ": '" + other.upstream.name() + "' is in another pipeline");
        }
        if (other.parallelism != parallelism)
        {
            throw new IllegalArgumentException(what + ": '" + upstream.name() + "' is keyed with parallelism " +
                parallelism + " but '" + other.upstream.name() + "' with " + other.parallelism + "; " + adjective +
                " streams must be keyed alike");
        }
        Pipeline.requireSameTimeUnit(what, upstream, other.upstream);
    }
}
