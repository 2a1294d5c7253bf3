package io.ferrite.engine;

import java.util.Objects;

import io.ferrite.memory.schema.Schema;

/**
 * An interval join with its interval, waiting for its output: {@link #process} with a {@link JoinFunction} and an
 * output schema of your own, or {@link #project} for every field of both sides.
 * <p>
 * Semantics (Flink's interval join): a left record and a right record of the same key pair when
 * {@code left.ts + lower <= right.ts <= left.ts + upper}; each pair makes one output record, emitted as soon as the
 * second of its records arrives, with the event timestamp {@code max(left.ts, right.ts)}. A record's pairs come in the
 * order of the other side's matching records by timestamp, then arrival. The {@link JoinFunction}'s window is the
 * interval the right record had to fall in: {@code [left.ts + lower, left.ts + upper + 1)}.
 * <p>
 * A record at or below the watermark is refused as late (it could miss pairs) and counted in the stage's "late
 * records" counter. Records are kept off-heap and freed by the watermark once nothing still to come can match them:
 * a left record when the watermark reaches {@code left.ts + upper}, a right record when it reaches
 * {@code right.ts - lower}; so state is bounded by the interval's width times the rate, plus the out-of-orderness.
 * While one record's pairs are being emitted (bounded per duty cycle by the output's room), the stage takes no other
 * record.
 * <p>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class IntervalJoined
{
    private final KeyedStream left;
    private final KeyedStream right;
    private final long lower;
    private final long upper;

    IntervalJoined(final KeyedStream left, final KeyedStream right, final long lower, final long upper)
    {
        this.left = left;
        this.right = right;
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * Join each pair into one record of the output schema.
     *
     * @param name         the operator's name, unique in the pipeline.
     * @param outputSchema the output's schema.
     * @param function     writes each pair's output record.
     * @return the stream of joined records.
     */
    public DataStream process(final String name, final Schema outputSchema, final JoinFunction function)
    {
        Objects.requireNonNull(outputSchema, "outputSchema");
        Objects.requireNonNull(function, "function");
        return JoinSpec.addJoin(name, Node.Kind.INTERVAL_JOIN, outputSchema, left, right,
            JoinSpec.interval(lower, upper, left.upstream.node.timeUnit, function));
    }

    /**
     * Join each pair into a record of {@link #projectionSchema(String)}: both records' fields.
     *
     * @param name the operator's name, unique in the pipeline (and the output schema's name).
     * @return the stream of joined records.
     */
    public DataStream project(final String name)
    {
        final Schema output = projectionSchema(name);
        return process(name, output, new JoinProjection(left.upstream.schema(), right.upstream.schema(), output));
    }

    /**
     * The schema of {@link #project}'s records: the left record's fields, then the right record's, each in
     * declaration order (no window bounds: the interval is the left timestamp's plus the bounds). A field whose name
     * the other side also has (the event-time field, often the key) is prefixed with {@code left_} or
     * {@code right_}; the others keep their names. Field types, widths and units are kept.
     *
     * @param name the schema's name.
     * @return the schema.
     * @throws IllegalArgumentException if two fields still end up with one name (e.g. a left field {@code left_x}
     *                                  besides a clashing {@code x}).
     */
    public Schema projectionSchema(final String name)
    {
        return JoinProjection.schema("interval join '" + name + "'", name, left.upstream.schema(),
            right.upstream.schema(), null);
    }
}
