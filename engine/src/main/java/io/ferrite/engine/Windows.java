package io.ferrite.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.ferrite.windowing.Trigger;
import io.ferrite.windowing.WindowAssigner;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * The windows of {@link KeyedStream#window(Windows)}: tumbling, sliding and session windows in event time (or in
 * processing time), count windows, and a global window with a trigger; a window join
 * ({@link JoinedStreams#window(Windows)}) takes the event-time tumbling and sliding ones. Durations are converted into
 * the stream's timestamp unit when the pipeline is built; one that the unit cannot express exactly is refused with a
 * clear error.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public final class Windows
{
    private enum Kind
    {
        TUMBLING, SLIDING, SESSION, COUNT, GLOBAL
    }

    private final Kind kind;
    private final Duration size;
    private final Duration slide;
    private final Duration offset;
    private final long countSize;
    private final long countSlide;
    private final boolean processingTime;

    private Windows(
        final Kind kind,
        final Duration size,
        final Duration slide,
        final Duration offset,
        final long countSize,
        final long countSlide,
        final boolean processingTime)
    {
        this.kind = kind;
        this.size = size;
        this.slide = slide;
        this.offset = offset;
        this.countSize = countSize;
        this.countSlide = countSlide;
        this.processingTime = processingTime;
    }

    /**
     * Tumbling windows aligned to the epoch.
     *
     * @param size the window length.
     * @return the windows.
     */
    public static Windows tumbling(final Duration size)
    {
        return tumbling(size, Duration.ZERO);
    }

    /**
     * Tumbling windows aligned to the epoch plus an offset (e.g. a time zone's).
     *
     * @param size   the window length.
     * @param offset the alignment.
     * @return the windows.
     */
    public static Windows tumbling(final Duration size, final Duration offset)
    {
        requirePositive("tumbling window size", size);
        return new Windows(Kind.TUMBLING, size, size, requireNonNull("offset", offset), 0, 0, false);
    }

    /**
     * Sliding windows aligned to the epoch: computed by slicing, so a small slide costs little per record.
     *
     * @param size  the window length.
     * @param slide the distance between window starts, at most the size.
     * @return the windows.
     */
    public static Windows sliding(final Duration size, final Duration slide)
    {
        return sliding(size, slide, Duration.ZERO);
    }

    /**
     * Sliding windows aligned to the epoch plus an offset.
     *
     * @param size   the window length.
     * @param slide  the distance between window starts, at most the size.
     * @param offset the alignment.
     * @return the windows.
     */
    public static Windows sliding(final Duration size, final Duration slide, final Duration offset)
    {
        requirePositive("sliding window size", size);
        requirePositive("sliding window slide", slide);
        if (slide.compareTo(size) > 0)
        {
            throw new IllegalArgumentException("sliding window slide " + slide + " is longer than its size " + size);
        }
        return new Windows(Kind.SLIDING, size, slide, requireNonNull("offset", offset), 0, 0, false);
    }

    /**
     * Session windows: a key's records closer together than the gap form one window.
     *
     * @param gap the inactivity that ends a session.
     * @return the windows.
     */
    public static Windows session(final Duration gap)
    {
        requirePositive("session gap", gap);
        return new Windows(Kind.SESSION, gap, null, Duration.ZERO, 0, 0, false);
    }

    /**
     * Tumbling count windows: every {@code size} records of a key.
     *
     * @param size the records per window.
     * @return the windows.
     */
    public static Windows count(final long size)
    {
        return count(size, size);
    }

    /**
     * Sliding count windows: every {@code slide} records of a key, its last {@code size} records.
     *
     * @param size  the records per window.
     * @param slide the records between results.
     * @return the windows.
     */
    public static Windows count(final long size, final long slide)
    {
        WindowAssigner.count(size, slide); // checks the arguments
        return new Windows(Kind.COUNT, null, null, null, size, slide, false);
    }

    /**
     * One window per key, fired by the trigger given to {@link WindowedStream#trigger(Trigger)}.
     *
     * @return the windows.
     */
    public static Windows global()
    {
        return new Windows(Kind.GLOBAL, null, null, null, 0, 0, false);
    }

    /**
     * The same time windows in processing time: records are stamped with the job clock when they arrive and windows
     * close as the clock passes their end; window bounds are then epoch nanoseconds.
     *
     * @return the windows in processing time.
     */
    public Windows inProcessingTime()
    {
        if (kind == Kind.COUNT || kind == Kind.GLOBAL)
        {
            throw new IllegalStateException(this + " has no time domain");
        }
        return new Windows(kind, size, slide, offset, countSize, countSlide, true);
    }

    boolean isProcessingTime()
    {
        return processingTime;
    }

    boolean isTimeWindow()
    {
        return kind != Kind.COUNT && kind != Kind.GLOBAL;
    }

    boolean isGlobal()
    {
        return kind == Kind.GLOBAL;
    }

    /**
     * Whether a window join can use these windows: event-time tumbling or sliding windows.
     */
    boolean isSliced()
    {
        return !processingTime && (kind == Kind.TUMBLING || kind == Kind.SLIDING);
    }

    /**
     * The event-time tumbling or sliding windows of a window join, in the stream's unit.
     *
     * @param operator   the operator, for the message.
     * @param streamUnit the stream's timestamp unit.
     * @return the windows.
     * @throws IllegalArgumentException if these are not event-time tumbling or sliding windows, or a duration is not
     *                                  a whole number of the unit.
     */
    SlicedWindows toSlicedWindows(final String operator, final TimeUnit streamUnit)
    {
        if (!isSliced())
        {
            throw new IllegalArgumentException(operator + ": a window join takes event-time tumbling or sliding " +
                "windows, not " + this + "; session, count, global and processing-time windows cannot be joined");
        }
        final long sizeUnits = convert("size", size, streamUnit);
        final long offsetUnits = convert("offset", offset, streamUnit);
        return kind == Kind.TUMBLING ? SlicedWindows.tumbling(sizeUnits, offsetUnits) :
            SlicedWindows.sliding(sizeUnits, convert("slide", slide, streamUnit), offsetUnits);
    }

    WindowAssigner toAssigner(final TimeUnit streamUnit, final Trigger trigger)
    {
        final TimeUnit unit = processingTime ? TimeUnit.NANOSECONDS : streamUnit;
        final WindowAssigner assigner;
        switch (kind)
        {
            case TUMBLING:
                assigner = WindowAssigner.tumbling(convert("size", size, unit), convert("offset", offset, unit));
                break;
            case SLIDING:
                assigner = WindowAssigner.sliding(convert("size", size, unit), convert("slide", slide, unit),
                    convert("offset", offset, unit));
                break;
            case SESSION:
                assigner = WindowAssigner.session(convert("gap", size, unit));
                break;
            case COUNT:
                return WindowAssigner.count(countSize, countSlide);
            default:
                if (null == trigger)
                {
                    throw new IllegalArgumentException("a global window needs a trigger: call trigger(...) before " +
                        "aggregate(...)");
                }
                return WindowAssigner.global(trigger);
        }
        return processingTime ? assigner.inProcessingTime() : assigner;
    }

    static long convert(final String what, final Duration duration, final TimeUnit unit)
    {
        return toStreamUnit("window " + what, duration, unit);
    }

    /**
     * A duration in the stream's timestamp unit, exactly.
     *
     * @param what     what the duration is, for the message (e.g. "window size").
     * @param duration the duration.
     * @param unit     the stream's timestamp unit.
     * @return the duration in the unit.
     * @throws IllegalArgumentException if the unit cannot express the duration exactly.
     */
    static long toStreamUnit(final String what, final Duration duration, final TimeUnit unit)
    {
        final long value = unit.convert(duration);
        if (!Duration.of(value, unit.toChronoUnit()).equals(duration) || value == Long.MAX_VALUE ||
            value == Long.MIN_VALUE)
        {
            throw new IllegalArgumentException(what + " " + duration + " is not a whole number of " +
                unit.name().toLowerCase() + ", the stream's timestamp unit");
        }
        return value;
    }

    private static void requirePositive(final String what, final Duration duration)
    {
        requireNonNull(what, duration);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }

    private static Duration requireNonNull(final String what, final Duration duration)
    {
        if (null == duration)
        {
            throw new NullPointerException(what);
        }
        return duration;
    }

    @Override
    public String toString()
    {
        final String domain = processingTime ? " in processing time" : "";
        switch (kind)
        {
            case TUMBLING:
                return "tumbling(" + size + (offset.isZero() ? "" : ", offset " + offset) + ")" + domain;
            case SLIDING:
                return "sliding(" + size + " every " + slide + (offset.isZero() ? "" : ", offset " + offset) + ")" +
                    domain;
            case SESSION:
                return "session(gap " + size + ")" + domain;
            case COUNT:
                return countSize == countSlide ? "count(" + countSize + ")" :
                    "count(" + countSize + " every " + countSlide + ")";
            default:
                return "global";
        }
    }
}
