package io.ferrite.engine;

import java.util.Objects;

import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * Two keyed streams to be joined in windows, waiting for their windows: Flink's {@code JoinedStreams}, keyed by
 * {@code keyBy} rather than {@code where(...).equalTo(...)}. In Ferrite a key comes with the parallelism of the keyed
 * operator (and may be a {@link KeySelector}), so {@code keyBy} on each side already says all that {@code where} and
 * {@code equalTo} would, exactly as it does for {@link KeyedStream#connect}:
 * <pre>{@code
 * trades.keyBy("sym", 2)
 *     .join(quotes.keyBy("sym", 2))
 *     .window(Windows.tumbling(Duration.ofSeconds(1)))
 *     .project("trade-quote-1s");
 * }</pre>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class JoinedStreams
{
    private final KeyedStream left;
    private final KeyedStream right;

    JoinedStreams(final KeyedStream left, final KeyedStream right)
    {
        this.left = left;
        this.right = right;
    }

    /**
     * The windows the records are joined in: event-time {@link Windows#tumbling tumbling} or
     * {@link Windows#sliding sliding} windows only; session, count, global and processing-time windows are refused.
     *
     * @param windows the windows, whose durations the stream's timestamp unit must express exactly.
     * @return the windowed join, to finish with {@link WindowJoined#apply} or {@link WindowJoined#project}.
     * @throws IllegalArgumentException if the windows cannot be joined in or do not fit the timestamp unit.
     */
    public WindowJoined window(final Windows windows)
    {
        Objects.requireNonNull(windows, "windows");
        final SlicedWindows sliced = windows.toSlicedWindows(
            "window join of '" + left.upstream.name() + "' and '" + right.upstream.name() + "'",
            left.upstream.node.timeUnit);
        return new WindowJoined(left, right, windows, sliced);
    }
}
