package io.ferrite.engine;

import java.time.Duration;

/**
 * Two keyed streams to be interval-joined, waiting for the interval: Flink's {@code KeyedStream.IntervalJoin}.
 * <pre>{@code
 * orders.keyBy("order_id", 2)
 *     .intervalJoin(shipments.keyBy("order_id", 2))
 *     .between(Duration.ZERO, Duration.ofHours(1))
 *     .project("shipped-within-1h");
 * }</pre>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class IntervalJoinedStreams
{
    private final KeyedStream left;
    private final KeyedStream right;

    IntervalJoinedStreams(final KeyedStream left, final KeyedStream right)
    {
        this.left = left;
        this.right = right;
    }

    /**
     * The interval, relative to the left record's timestamp, that a right record's timestamp must fall in:
     * {@code left.ts + lower <= right.ts <= left.ts + upper}, both bounds inclusive and either may be negative.
     *
     * @param lower the lower bound, at most the upper.
     * @param upper the upper bound.
     * @return the interval join, to finish with {@link IntervalJoined#process} or {@link IntervalJoined#project}.
     * @throws IllegalArgumentException if {@code lower > upper} or a bound is not a whole number of the stream's
     *                                  timestamp unit.
     */
    public IntervalJoined between(final Duration lower, final Duration upper)
    {
        final String what = "interval join of '" + left.upstream.name() + "' and '" + right.upstream.name() + "'";
        if (null == lower || null == upper)
        {
            throw new NullPointerException(what + ": " + (null == lower ? "lower" : "upper") + " bound");
        }
        if (lower.compareTo(upper) > 0)
        {
            throw new IllegalArgumentException(what + ": lower bound " + lower + " exceeds upper bound " + upper +
                "; a right record must have left.ts + lower <= right.ts <= left.ts + upper");
        }
        final long lowerUnits = Windows.toStreamUnit(what + ": lower bound", lower, left.upstream.node.timeUnit);
        final long upperUnits = Windows.toStreamUnit(what + ": upper bound", upper, left.upstream.node.timeUnit);
        return new IntervalJoined(left, right, lowerUnits, upperUnits);
    }
}
