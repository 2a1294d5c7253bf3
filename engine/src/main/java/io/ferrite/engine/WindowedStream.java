package io.ferrite.engine;

import java.time.Duration;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.Firing;
import io.ferrite.windowing.Trigger;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * A keyed stream cut into windows, waiting for its aggregate: Flink's {@code WindowedStream}, adapted to schemas and
 * off-heap accumulators.
 * <pre>{@code
 * trades.keyBy("symbol", 2)
 *     .window(Windows.sliding(Duration.ofSeconds(10), Duration.ofSeconds(1)))
 *     .allowedLateness(Duration.ofSeconds(5))
 *     .sideOutputLateData(late)
 *     .aggregate("vwap-10s", Aggregates.of(Aggregates.sum(trade, "notional", "notional"), ...));
 * }</pre>
 * Each result is one record of the {@link #outputSchema output schema}: the key field (the keyed field's name and
 * type, or {@code key} int64 for a key selector), {@code window_start} and {@code window_end} (timestamps in the
 * stream's unit for time windows — epoch nanoseconds in processing time — or record ordinals, int64, for count
 * windows), {@code firing} (int8: {@link Firing#EARLY} 0, {@link Firing#ON_TIME} 1, {@link Firing#LATE} 2),
 * {@code count} (int64, the window's records), then the aggregate's fields. Every result is the window's complete
 * result so far, never a delta: a consumer keeping the latest result per key and window always holds the right one (see
 * {@link Firing}). A result's event timestamp is {@code window_end - 1} for event-time windows, and the timestamp of
 * the last record taken for count, global and processing-time windows.
 * <p>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class WindowedStream
{
    final KeyedStream keyed;
    final Windows windows;
    Duration allowedLateness = Duration.ZERO;
    Duration earlyResults = Duration.ZERO;
    OutputTag lateTag;
    Trigger trigger;

    WindowedStream(final KeyedStream keyed, final Windows windows)
    {
        this.keyed = keyed;
        this.windows = windows;
    }

    /**
     * Keep windows for a while after they close: a late record within the lateness updates its windows, which emit
     * a {@link Firing#LATE} result; state is freed when the watermark passes {@code end - 1 + lateness}.
     *
     * @param lateness the allowed lateness, not negative.
     * @return this.
     */
    public WindowedStream allowedLateness(final Duration lateness)
    {
        if (null == lateness || lateness.isNegative())
        {
            throw new IllegalArgumentException("allowed lateness must not be negative: " + lateness);
        }
        requireEventTime("allowed lateness");
        this.allowedLateness = lateness;
        return this;
    }

    /**
     * Send records that arrive too late for every window they belong to (beyond the allowed lateness) to a side
     * output, with the window they missed, instead of only counting them. Its schema must be
     * {@link #lateDataSchema()}; the records are always counted (the operator's "late records" counter).
     *
     * @param tag the side output, read with {@link DataStream#sideOutput(OutputTag)} on the aggregate's stream.
     * @return this.
     */
    public WindowedStream sideOutputLateData(final OutputTag tag)
    {
        if (null == tag)
        {
            throw new NullPointerException("late data tag");
        }
        if (!tag.schema().equals(lateDataSchema()))
        {
            throw new IllegalArgumentException("late data tag '" + tag.name() + "' has schema " + tag.schema() +
                "; it must be lateDataSchema(): " + lateDataSchema());
        }
        this.lateTag = tag;
        return this;
    }

    /**
     * Emit each open window's partial result ({@link Firing#EARLY}) a period of processing time after a record
     * changed it, as Hazelcast Jet's early results do.
     *
     * @param period the processing-time period, positive.
     * @return this.
     */
    public WindowedStream earlyResults(final Duration period)
    {
        if (null == period || period.isNegative() || period.isZero())
        {
            throw new IllegalArgumentException("early results period must be positive: " + period);
        }
        if (!windows.isTimeWindow())
        {
            throw new IllegalStateException("early results apply to time windows, not to " + windows);
        }
        this.earlyResults = period;
        return this;
    }

    /**
     * The trigger of a {@link Windows#global() global} window.
     *
     * @param windowTrigger when the window fires.
     * @return this.
     */
    public WindowedStream trigger(final Trigger windowTrigger)
    {
        if (!windows.isGlobal())
        {
            throw new IllegalStateException("a custom trigger applies to Windows.global(); " + windows +
                " fires by its own rule");
        }
        this.trigger = java.util.Objects.requireNonNull(windowTrigger, "trigger");
        return this;
    }

    /**
     * The schema of late records on the late side output: the input's fields, then {@code window_start} and
     * {@code window_end}, the latest window the record belonged to.
     *
     * @return the schema.
     */
    public Schema lateDataSchema()
    {
        final Schema input = keyed.upstream.schema();
        final Schema.Builder builder = Schema.builder(input.name() + "_late");
        for (final Field field : input.fields())
        {
            builder.like(field.name(), field);
        }
        addWindowBounds(builder);
        return builder.build();
    }

    /**
     * The schema of results of an aggregate: key, window bounds, firing, count, then the aggregate's fields.
     *
     * @param name      the operator's name (the schema's name).
     * @param aggregate the aggregate.
     * @return the schema.
     */
    public Schema outputSchema(final String name, final AggregateFunction aggregate)
    {
        final Schema.Builder builder = Schema.builder(name);
        final KeySpec key = keyed.key;
        if (null != key.field)
        {
            builder.like(key.field.name(), key.field);
        }
        else
        {
            builder.int64("key");
        }
        addWindowBounds(builder);
        builder.int8("firing");
        builder.int64("count");
        aggregate.declareResult(builder);
        return builder.build();
    }

    /**
     * Aggregate each window.
     *
     * @param name      the operator's name, unique in the pipeline.
     * @param aggregate the aggregate (see {@code Aggregates} for the built-in ones).
     * @return the stream of results, of {@link #outputSchema(String, AggregateFunction)}.
     */
    public DataStream aggregate(final String name, final AggregateFunction aggregate)
    {
        java.util.Objects.requireNonNull(aggregate, "aggregate");
        final DataStream upstream = keyed.upstream;
        final Schema output = outputSchema(name, aggregate);
        // Build-time checks, so a bad window fails here rather than when the job starts.
        windows.toAssigner(upstream.node.timeUnit, trigger);
        if (!windows.isProcessingTime())
        {
            Windows.convert("allowed lateness", allowedLateness, upstream.node.timeUnit);
        }
        aggregate.bindResult(output);
        final OutputTag[] sides = null == lateTag ? new OutputTag[0] : new OutputTag[]{lateTag};
        final Pipeline pipeline = upstream.pipeline;
        final Node node = pipeline.addProcess(name, Node.Kind.WINDOW, output, null, 1,
            new WindowSpec(windows, trigger, aggregate, allowedLateness, earlyResults, lateTag, keyed.key), sides,
            keyed.parallelism, upstream.node.timeUnit);
        pipeline.connect(upstream, node, 0, keyed.key);
        return new DataStream(pipeline, node, 0);
    }

    private void requireEventTime(final String what)
    {
        if (windows.isProcessingTime() || !windows.isTimeWindow())
        {
            throw new IllegalStateException(what + " applies to event-time windows, not to " + windows);
        }
    }

    private void addWindowBounds(final Schema.Builder builder)
    {
        if (windows.isTimeWindow())
        {
            final java.util.concurrent.TimeUnit unit = windows.isProcessingTime() ?
                java.util.concurrent.TimeUnit.NANOSECONDS : keyed.upstream.node.timeUnit;
            builder.timestamp("window_start", unit);
            builder.timestamp("window_end", unit);
        }
        else
        {
            builder.int64("window_start");
            builder.int64("window_end");
        }
    }

    /**
     * What the window operator node carries to the runtime.
     */
    static final class WindowSpec
    {
        final Windows windows;
        final Trigger trigger;
        final AggregateFunction aggregate;
        final Duration allowedLateness;
        final Duration earlyResults;
        final OutputTag lateTag;
        final KeySpec key;

        WindowSpec(
            final Windows windows,
            final Trigger trigger,
            final AggregateFunction aggregate,
            final Duration allowedLateness,
            final Duration earlyResults,
            final OutputTag lateTag,
            final KeySpec key)
        {
            this.windows = windows;
            this.trigger = trigger;
            this.aggregate = aggregate;
            this.allowedLateness = allowedLateness;
            this.earlyResults = earlyResults;
            this.lateTag = lateTag;
            this.key = key;
        }

        @Override
        public String toString()
        {
            return windows + (allowedLateness.isZero() ? "" : " lateness=" + allowedLateness) +
                (earlyResults.isZero() ? "" : " early=" + earlyResults) + " " + aggregate;
        }
    }
}
