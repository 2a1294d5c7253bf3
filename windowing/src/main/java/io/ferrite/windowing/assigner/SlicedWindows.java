package io.ferrite.windowing.assigner;

/**
 * Tumbling and sliding time windows of {@code size}, starting every {@code slide}, aligned to the epoch plus an
 * {@code offset}: window starts are {@code offset + k * slide} for every integer k, and window {@code [start, end)}
 * holds the events with {@code start <= timestamp < end}. Tumbling windows are the case {@code slide == size}.
 * <p>
 * Sliding windows are computed by slicing: time is cut into slices of {@code gcd(size, slide)}; each event belongs to
 * exactly one slice, and a window is the {@link #slicesPerWindow()} consecutive slices from its start. So the cost
 * per event does not grow with {@code size / slide}; the combining happens once per window when it fires.
 * <p>
 * Times are in whatever unit the stream's timestamps use. Near the ends of the {@code long} range, starts clamp to
 * {@link Long#MIN_VALUE} and ends to {@link Long#MAX_VALUE} instead of wrapping, so every event has a window and a
 * window at the top fires on the final watermark.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; no method allocates.
 */
public final class SlicedWindows
{
    private final long size;
    private final long slide;
    private final long offset;
    private final long sliceSize;

    private SlicedWindows(final long size, final long slide, final long offset)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("window size must be positive: " + size);
        }
        if (slide <= 0 || slide > size)
        {
            throw new IllegalArgumentException("window slide must be in (0, size=" + size + "]: " + slide);
        }
        this.size = size;
        this.slide = slide;
        this.offset = Math.floorMod(offset, slide);
        this.sliceSize = gcd(size, slide);
    }

    /**
     * Tumbling windows: back to back, each {@code size} long.
     *
     * @param size   the window length, positive.
     * @param offset the alignment: windows start at {@code offset + k * size}.
     * @return the assigner.
     */
    public static SlicedWindows tumbling(final long size, final long offset)
    {
        return new SlicedWindows(size, size, offset);
    }

    /**
     * Sliding windows: each {@code size} long, a new one every {@code slide}.
     *
     * @param size   the window length, positive.
     * @param slide  the distance between window starts, in (0, size].
     * @param offset the alignment: windows start at {@code offset + k * slide}.
     * @return the assigner.
     */
    public static SlicedWindows sliding(final long size, final long slide, final long offset)
    {
        return new SlicedWindows(size, slide, offset);
    }

    /**
     * The window length.
     *
     * @return the size.
     */
    public long size()
    {
        return size;
    }

    /**
     * The distance between window starts.
     *
     * @return the slide.
     */
    public long slide()
    {
        return slide;
    }

    /**
     * The alignment, normalised to {@code [0, slide)}.
     *
     * @return the offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * The slice length: {@code gcd(size, slide)}.
     *
     * @return the slice size.
     */
    public long sliceSize()
    {
        return sliceSize;
    }

    /**
     * How many slices make a window.
     *
     * @return {@code size / sliceSize}.
     */
    public long slicesPerWindow()
    {
        return size / sliceSize;
    }

    /**
     * How many windows hold each event: {@code ceil(size / slide)}.
     *
     * @return the count.
     */
    public long windowsPerEvent()
    {
        return (size + slide - 1) / slide;
    }

    /**
     * Whether windows are back to back.
     *
     * @return true for tumbling windows.
     */
    public boolean isTumbling()
    {
        return size == slide;
    }

    /**
     * The start of the slice an event belongs to.
     *
     * @param timestamp the event time.
     * @return the slice's start (clamped to {@link Long#MIN_VALUE}).
     */
    public long sliceStart(final long timestamp)
    {
        return alignDown(timestamp, Math.floorMod(offset, sliceSize), sliceSize);
    }

    /**
     * The start of the latest window an event belongs to: the greatest window start at or below the timestamp.
     *
     * @param timestamp the event time.
     * @return the start (clamped to {@link Long#MIN_VALUE}).
     */
    public long lastWindowStart(final long timestamp)
    {
        return alignDown(timestamp, offset, slide);
    }

    /**
     * The start of the earliest window an event belongs to.
     *
     * @param timestamp the event time.
     * @return the start (clamped to {@link Long#MIN_VALUE}).
     */
    public long firstWindowStart(final long timestamp)
    {
        final long last = lastWindowStart(timestamp);
        final long into = timestamp - last;
        if (into < 0 || into >= slide)
        {
            return last;
        }
        final long back = (size - 1 - into) / slide * slide;
        final long first = last - back;
        return first > last ? Long.MIN_VALUE : first;
    }

    /**
     * The end (exclusive) of the window starting at {@code start}.
     *
     * @param start a window start.
     * @return {@code start + size}, clamped to {@link Long#MAX_VALUE}.
     */
    public long windowEnd(final long start)
    {
        final long end = start + size;
        return end < start ? Long.MAX_VALUE : end;
    }

    /**
     * The watermark at which the window ending at {@code end} fires: {@code end - 1}, Flink's rule.
     *
     * @param end a window end.
     * @return the firing watermark.
     */
    public static long firingTime(final long end)
    {
        return end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1;
    }

    private static long alignDown(final long timestamp, final long alignment, final long step)
    {
        // alignment is in [0, step): neither subtraction below can overflow.
        final long remainder = Math.floorMod(Math.floorMod(timestamp, step) - alignment, step);
        final long start = timestamp - remainder;
        return start > timestamp ? Long.MIN_VALUE : start;
    }

    private static long gcd(final long a, final long b)
    {
        long x = a;
        long y = b;
        while (y != 0)
        {
            final long t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    @Override
    public String toString()
    {
        return isTumbling() ? "tumbling(" + size + (offset == 0 ? "" : ", offset " + offset) + ")" :
            "sliding(" + size + " every " + slide + (offset == 0 ? "" : ", offset " + offset) + ", slices of " +
            sliceSize + ")";
    }
}
