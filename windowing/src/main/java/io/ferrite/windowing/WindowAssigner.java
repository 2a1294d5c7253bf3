package io.ferrite.windowing;

import io.ferrite.memory.MemoryManager;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * Which windows a keyed stream is cut into, and the factory of the {@link WindowOperator} that computes them.
 * <ul>
 *     <li>{@link #tumbling tumbling} and {@link #sliding sliding} time windows, aligned to the epoch plus an offset,
 *     computed by slicing (each record updates one slice; see {@link SlicedWindows});</li>
 *     <li>{@link #session session} windows: a window per burst of records, closed by a gap of inactivity; windows
 *     merge when a record bridges them;</li>
 *     <li>{@link #count count} windows, tumbling or sliding by the number of records per key (Flink's
 *     {@code countWindow}); their start and end are record ordinals per key, from 0;</li>
 *     <li>a {@link #global global} window per key that fires when a {@link Trigger} says so.</li>
 * </ul>
 * Time windows are in event time unless built {@link #inProcessingTime()}; times are in the stream's timestamp unit.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public final class WindowAssigner
{
    /**
     * The kinds of window.
     */
    public enum Kind
    {
        /**
         * Tumbling or sliding time windows.
         */
        SLICED,
        /**
         * Session windows.
         */
        SESSION,
        /**
         * Count windows.
         */
        COUNT,
        /**
         * One window per key with a custom trigger.
         */
        GLOBAL
    }

    private final Kind kind;
    private final SlicedWindows sliced;
    private final long gap;
    private final long countSize;
    private final long countSlide;
    private final Trigger trigger;
    private final boolean processingTime;

    private WindowAssigner(
        final Kind kind,
        final SlicedWindows sliced,
        final long gap,
        final long countSize,
        final long countSlide,
        final Trigger trigger,
        final boolean processingTime)
    {
        this.kind = kind;
        this.sliced = sliced;
        this.gap = gap;
        this.countSize = countSize;
        this.countSlide = countSlide;
        this.trigger = trigger;
        this.processingTime = processingTime;
    }

    /**
     * Tumbling windows of {@code size}, starting at multiples of {@code size} from the epoch.
     *
     * @param size the window length, positive.
     * @return the assigner.
     */
    public static WindowAssigner tumbling(final long size)
    {
        return tumbling(size, 0);
    }

    /**
     * Tumbling windows of {@code size}, starting at {@code offset + k * size}.
     *
     * @param size   the window length, positive.
     * @param offset the alignment.
     * @return the assigner.
     */
    public static WindowAssigner tumbling(final long size, final long offset)
    {
        return new WindowAssigner(Kind.SLICED, SlicedWindows.tumbling(size, offset), 0, 0, 0, null, false);
    }

    /**
     * Sliding windows of {@code size}, a new one every {@code slide}, starting at multiples of {@code slide}.
     *
     * @param size  the window length, positive.
     * @param slide the distance between starts, in (0, size].
     * @return the assigner.
     */
    public static WindowAssigner sliding(final long size, final long slide)
    {
        return sliding(size, slide, 0);
    }

    /**
     * Sliding windows of {@code size}, a new one every {@code slide}, starting at {@code offset + k * slide}.
     *
     * @param size   the window length, positive.
     * @param slide  the distance between starts, in (0, size].
     * @param offset the alignment.
     * @return the assigner.
     */
    public static WindowAssigner sliding(final long size, final long slide, final long offset)
    {
        return new WindowAssigner(Kind.SLICED, SlicedWindows.sliding(size, slide, offset), 0, 0, 0, null, false);
    }

    /**
     * Session windows: a record at {@code t} makes the window {@code [t, t + gap)}, and windows that overlap or touch
     * merge.
     *
     * @param gap the inactivity that closes a session, positive.
     * @return the assigner.
     */
    public static WindowAssigner session(final long gap)
    {
        if (gap <= 0)
        {
            throw new IllegalArgumentException("session gap must be positive: " + gap);
        }
        return new WindowAssigner(Kind.SESSION, null, gap, 0, 0, null, false);
    }

    /**
     * Tumbling count windows: every {@code size} records of a key make a window.
     *
     * @param size the records per window, positive.
     * @return the assigner.
     */
    public static WindowAssigner count(final long size)
    {
        return count(size, size);
    }

    /**
     * Sliding count windows: every {@code slide} records of a key, a window of its last {@code size} records
     * (fewer at the start), as Flink's {@code countWindow(size, slide)}.
     *
     * @param size  the records per window, positive.
     * @param slide the records between firings, in (0, size].
     * @return the assigner.
     */
    public static WindowAssigner count(final long size, final long slide)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("count window size must be positive: " + size);
        }
        if (slide <= 0 || slide > size)
        {
            throw new IllegalArgumentException("count window slide must be in (0, size=" + size + "]: " + slide);
        }
        return new WindowAssigner(Kind.COUNT, null, 0, size, slide, null, false);
    }

    /**
     * One window per key, fired (and optionally purged) when the trigger says so.
     *
     * @param trigger the trigger.
     * @return the assigner.
     */
    public static WindowAssigner global(final Trigger trigger)
    {
        if (null == trigger)
        {
            throw new NullPointerException("global window trigger");
        }
        return new WindowAssigner(Kind.GLOBAL, null, 0, 0, 0, trigger, false);
    }

    /**
     * The same windows in processing time: records are stamped with the processing time when they arrive, and
     * windows close as the clock passes their end. Allowed lateness does not apply.
     *
     * @return the assigner in processing time.
     */
    public WindowAssigner inProcessingTime()
    {
        if (kind != Kind.SLICED && kind != Kind.SESSION)
        {
            throw new IllegalStateException(this + ": only time windows have a time domain");
        }
        return new WindowAssigner(kind, sliced, gap, countSize, countSlide, trigger, true);
    }

    /**
     * The kind of window.
     *
     * @return the kind.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * Whether windows are in processing time.
     *
     * @return true for processing time, false for event time or for windows without a time domain.
     */
    public boolean isProcessingTime()
    {
        return processingTime;
    }

    /**
     * Whether windows close by time, so allowed lateness and early results apply.
     *
     * @return true for tumbling, sliding and session windows.
     */
    public boolean isTimeWindow()
    {
        return kind == Kind.SLICED || kind == Kind.SESSION;
    }

    /**
     * The slicing of tumbling and sliding windows.
     *
     * @return the slicing, or null for other kinds.
     */
    public SlicedWindows sliced()
    {
        return sliced;
    }

    /**
     * The session gap.
     *
     * @return the gap, 0 for other kinds.
     */
    public long gap()
    {
        return gap;
    }

    /**
     * The records per count window.
     *
     * @return the size, 0 for other kinds.
     */
    public long countSize()
    {
        return countSize;
    }

    /**
     * The records between count-window firings.
     *
     * @return the slide, 0 for other kinds.
     */
    public long countSlide()
    {
        return countSlide;
    }

    /**
     * The global window's trigger.
     *
     * @return the trigger, or null for other kinds.
     */
    public Trigger trigger()
    {
        return trigger;
    }

    /**
     * Create an operator computing these windows.
     *
     * @param memoryManager      where state is allocated.
     * @param owner              the owner state is charged to (the operator instance's name).
     * @param aggregate          the aggregate computed per window.
     * @param allowedLateness    how long after a time window closes late records still update it (0 for none).
     * @param earlyResultsPeriod the processing-time period of early results of time windows, 0 for none.
     * @param output             where results go.
     * @return the operator; close it to free its state.
     */
    public WindowOperator newOperator(
        final MemoryManager memoryManager,
        final String owner,
        final AggregateFunction aggregate,
        final long allowedLateness,
        final long earlyResultsPeriod,
        final WindowOutput output)
    {
        if (allowedLateness < 0)
        {
            throw new IllegalArgumentException(owner + ": allowed lateness must not be negative: " + allowedLateness);
        }
        if (earlyResultsPeriod < 0)
        {
            throw new IllegalArgumentException(owner + ": early results period must not be negative: " +
                earlyResultsPeriod);
        }
        if (!isTimeWindow() && (allowedLateness != 0 || earlyResultsPeriod != 0))
        {
            throw new IllegalArgumentException(owner + ": allowed lateness and early results apply to time windows " +
                "only, not to " + this);
        }
        final long lateness = processingTime ? 0 : allowedLateness;
        switch (kind)
        {
            case SLICED:
                if (ColumnarSlidingOperator.isEligible(sliced, aggregate, lateness, earlyResultsPeriod))
                {
                    return new ColumnarSlidingOperator(memoryManager, owner, sliced, aggregate, output);
                }
                return new SlicingWindowOperator(
                    memoryManager, owner, sliced, aggregate, lateness, earlyResultsPeriod, output);
            case SESSION:
                return new SessionWindowOperator(
                    memoryManager, owner, gap, aggregate, lateness, earlyResultsPeriod, output);
            case COUNT:
                return new CountWindowOperator(memoryManager, owner, countSize, countSlide, aggregate, output);
            default:
                return new GlobalWindowOperator(memoryManager, owner, trigger, aggregate, output);
        }
    }

    @Override
    public String toString()
    {
        final String domain = processingTime ? " in processing time" : "";
        switch (kind)
        {
            case SLICED:
                return sliced + domain;
            case SESSION:
                return "session(gap " + gap + ")" + domain;
            case COUNT:
                return countSize == countSlide ? "count(" + countSize + ")" :
                    "count(" + countSize + " every " + countSlide + ")";
            default:
                return "global(" + trigger + ")";
        }
    }
}
