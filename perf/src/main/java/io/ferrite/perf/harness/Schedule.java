package io.ferrite.perf.harness;

import org.agrona.concurrent.NanoClock;

/**
 * The open-loop schedule of a generator source at a fixed rate: record {@code n} is due {@code n} periods after the
 * first, whatever happened to the records before it (a source that falls behind keeps its schedule, so the lag shows
 * up as latency). The period is the engine's ({@code 1 s / rate}, in whole nanoseconds), so a record's intended time
 * here is the time the source stage was due to take it. A record's event time is its intended time in microseconds;
 * or, for a schedule with an event-time origin, the origin plus {@code n} periods: then event times, and every
 * result computed from them, are the same in every run, while intended times are still the wall clock's.
 * <p>
 * The schedule starts when the generator makes its first record (the source stage's first poll): a job that resumes
 * from a checkpoint at record {@code n} starts it {@code n} periods back, as the engine's generator input does.
 * <p>
 * <b>Note:</b> {@link #onRecord(long)} is called on the source stage's thread; the other methods from any thread
 * once the first record was made.
 */
public final class Schedule
{
    private static final long UNSET = Long.MIN_VALUE;

    private final NanoClock clock;
    private final long ratePerSecond;
    private final long periodNs;
    private final long maxRecords;
    private final long eventOriginNs;
    private volatile long startNs = UNSET;

    /**
     * A schedule, started by the first record made.
     *
     * @param clock         the job's clock, in nanoseconds.
     * @param ratePerSecond records per second, at least 1.
     * @param maxRecords    how many records the generator makes.
     */
    public Schedule(final NanoClock clock, final long ratePerSecond, final long maxRecords)
    {
        this(clock, ratePerSecond, maxRecords, UNSET);
    }

    /**
     * A schedule whose event times do not depend on when it starts: record {@code n}'s is
     * {@code eventOriginUs + n periods}, in whole microseconds.
     *
     * @param clock         the job's clock, in nanoseconds.
     * @param ratePerSecond records per second, at least 1.
     * @param maxRecords    how many records the generator makes.
     * @param eventOriginUs record 0's event time, in microseconds.
     * @return the schedule, started by the first record made.
     */
    public static Schedule withEventOrigin(
        final NanoClock clock, final long ratePerSecond, final long maxRecords, final long eventOriginUs)
    {
        return new Schedule(clock, ratePerSecond, maxRecords, eventOriginUs * 1_000L);
    }

    private Schedule(final NanoClock clock, final long ratePerSecond, final long maxRecords, final long eventOriginNs)
    {
        if (ratePerSecond < 1)
        {
            throw new IllegalArgumentException("rate must be at least 1 per second: " + ratePerSecond);
        }
        this.clock = clock;
        this.ratePerSecond = ratePerSecond;
        this.periodNs = Math.max(1, 1_000_000_000L / ratePerSecond);
        this.maxRecords = maxRecords;
        this.eventOriginNs = eventOriginNs;
    }

    /**
     * A schedule already started, for plain-Java reference computations.
     *
     * @param startNs       when record 0 is due.
     * @param ratePerSecond records per second.
     * @param maxRecords    how many records the generator makes.
     * @return the schedule.
     */
    public static Schedule started(final long startNs, final long ratePerSecond, final long maxRecords)
    {
        final Schedule schedule = new Schedule(() -> startNs, ratePerSecond, maxRecords);
        schedule.onRecord(0);
        return schedule;
    }

    /**
     * Called for each record the generator makes; starts the schedule on the first.
     *
     * @param sequence the record's number.
     * @return the record's event time in microseconds.
     */
    public long onRecord(final long sequence)
    {
        if (startNs == UNSET)
        {
            startNs = clock.nanoTime() - sequence * periodNs;
        }
        return eventTimeUs(sequence);
    }

    /**
     * Whether the first record was made.
     *
     * @return true once started.
     */
    public boolean isStarted()
    {
        return startNs != UNSET;
    }

    /**
     * When record 0 was due.
     *
     * @return the clock's nanoseconds, meaningful once started.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * The rate.
     *
     * @return records per second.
     */
    public long ratePerSecond()
    {
        return ratePerSecond;
    }

    /**
     * The time between two records.
     *
     * @return nanoseconds.
     */
    public long periodNs()
    {
        return periodNs;
    }

    /**
     * How many records the generator makes.
     *
     * @return the count.
     */
    public long maxRecords()
    {
        return maxRecords;
    }

    /**
     * When a record is due.
     *
     * @param sequence the record's number.
     * @return its intended time on the clock, in nanoseconds.
     */
    public long intendedNs(final long sequence)
    {
        return startNs + sequence * periodNs;
    }

    /**
     * A record's event time: its intended time in whole microseconds.
     *
     * @param sequence the record's number.
     * @return microseconds.
     */
    public long eventTimeUs(final long sequence)
    {
        return Math.floorDiv(eventBaseNs() + sequence * periodNs, 1_000L);
    }

    private long eventBaseNs()
    {
        return eventOriginNs == UNSET ? startNs : eventOriginNs;
    }

    /**
     * When an event time came on the wall clock: the intended time of a record of that event time.
     *
     * @param timeUs an event time, in microseconds.
     * @return the clock's nanoseconds.
     */
    public long wallNs(final long timeUs)
    {
        return timeUs * 1_000L - eventBaseNs() + startNs;
    }

    /**
     * For a schedule with an event-time origin: a record was made at a time; if that is earlier than its intended
     * time, the schedule started earlier than its first record was made (the source's clock read before the record
     * was made starts the source's pacing), and moves back to match, so no record is ever made before its intended
     * time. The move is the time between the source's clock read and its first record: small, and it stops at once.
     *
     * @param sequence the record's number.
     * @param madeNs   when it was made, on the clock.
     */
    public void onMade(final long sequence, final long madeNs)
    {
        if (eventOriginNs == UNSET)
        {
            throw new IllegalStateException("a schedule whose event times are its intended times cannot move");
        }
        final long earliestStartNs = madeNs - sequence * periodNs;
        if (earliestStartNs < startNs)
        {
            startNs = earliestStartNs;
        }
    }

    /**
     * The first record whose event time is at or after a time: the record whose watermark closes a window ending
     * there ({@code watermark = timestamp - 1} reaches {@code end - 1}).
     *
     * @param timeUs the time in microseconds.
     * @return the record's number, 0 if the schedule starts after the time.
     */
    public long firstSequenceAtOrAfter(final long timeUs)
    {
        final long deltaNs = timeUs * 1_000L - eventBaseNs();
        return deltaNs <= 0 ? 0 : (deltaNs + periodNs - 1) / periodNs;
    }
}
