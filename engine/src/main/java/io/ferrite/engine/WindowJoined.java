package io.ferrite.engine;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * A window join with its windows, waiting for its output: {@link #apply} with a {@link JoinFunction} and an output
 * schema of your own, or {@link #project} for every field of both sides.
 * <p>
 * Semantics (Flink's window join, with no allowed lateness): when a window {@code [start, end)} fires — the
 * watermark reaching {@code end - 1} — every pair of a left and a right record of the same key in that window makes
 * one output record (the cartesian product; nothing when either side is empty). A record is refused as late, and
 * counted in the stage's "late records" counter, when the latest window holding it has fired; one that is less late
 * joins only in its windows that have not fired. An output record's event timestamp is {@code window_end - 1}. Pairs
 * come out per window in window-end order; within a window, left records in arrival order and, for each, the right
 * records in arrival order (arrival across the two inputs is not deterministic). A record is kept once, off-heap,
 * in the slice of time it falls in, and freed when the last window holding it has fired; the end of the input fires
 * every window left.
 * <p>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class WindowJoined
{
    private final KeyedStream left;
    private final KeyedStream right;
    private final Windows windows;
    private final SlicedWindows sliced;

    WindowJoined(final KeyedStream left, final KeyedStream right, final Windows windows, final SlicedWindows sliced)
    {
        this.left = left;
        this.right = right;
        this.windows = windows;
        this.sliced = sliced;
    }

    /**
     * Join each pair into one record of the output schema.
     *
     * @param name         the operator's name, unique in the pipeline.
     * @param outputSchema the output's schema.
     * @param function     writes each pair's output record.
     * @return the stream of joined records.
     */
    public DataStream apply(final String name, final Schema outputSchema, final JoinFunction function)
    {
        Objects.requireNonNull(outputSchema, "outputSchema");
        Objects.requireNonNull(function, "function");
        return JoinSpec.addJoin(name, Node.Kind.WINDOW_JOIN, outputSchema, left, right,
            JoinSpec.window(sliced, windows, left.upstream.node.timeUnit, function));
    }

    /**
     * Join each pair into a record of {@link #projectionSchema(String)}: the window's bounds and both records'
     * fields.
     *
     * @param name the operator's name, unique in the pipeline (and the output schema's name).
     * @return the stream of joined records.
     */
    public DataStream project(final String name)
    {
        final Schema output = projectionSchema(name);
        return apply(name, output, new JoinProjection(left.upstream.schema(), right.upstream.schema(), output));
    }

    /**
     * The schema of {@link #project}'s records: {@code window_start} and {@code window_end} (timestamps in the
     * stream's unit), then the left record's fields, then the right record's, each in declaration order. A field
     * whose name the other side also has (the event-time field, often the key), or that is named
     * {@code window_start} or {@code window_end}, is prefixed with {@code left_} or {@code right_}; the others keep
     * their names. Field types, widths and units are kept.
     *
     * @param name the schema's name.
     * @return the schema.
     * @throws IllegalArgumentException if two fields still end up with one name (e.g. a left field {@code left_x}
     *                                  besides a clashing {@code x}).
     */
    public Schema projectionSchema(final String name)
    {
        final TimeUnit unit = left.upstream.node.timeUnit;
        return JoinProjection.schema("window join '" + name + "'", name, left.upstream.schema(),
            right.upstream.schema(), unit);
    }
}
