package io.ferrite.perf.demo;

import org.agrona.concurrent.NanoClock;

/**
 * The open-loop schedule of a generator source at a fixed rate: record {@code n} is due {@code n} periods after the
 * first, whatever happened to the records before it (a source that falls behind keeps its schedule, so the lag shows
 * up as latency). The period is the engine's ({@code 1 s / rate}, in whole nanoseconds), so a record's intended time
 * here is the time the source stage was due to take it. A record's event time is its intended time in microseconds.
 * <p>
 * The schedule starts when the generator makes its first record (the source stage's first poll): a job that resumes
 * from a checkpoint at record {@code n} starts it {@code n} periods back, as the engine's generator input does.
 * <p>
 * <b>Note:</b> {@link #onRecord(long)} is called on the source stage's thread; the other methods from any thread
 * once the first record was made.
 */
final class Schedule
{
    private static final long UNSET = Long.MIN_VALUE;

    private final NanoClock clock;
    private final long ratePerSecond;
    private final long periodNs;
    private final long maxRecords;
    private volatile long startNs = UNSET;

    Schedule(final NanoClock clock, final long ratePerSecond, final long maxRecords)
    {
        if (ratePerSecond < 1)
        {
            throw new IllegalArgumentException("rate must be at least 1 per second: " + ratePerSecond);
        }
        this.clock = clock;
        this.ratePerSecond = ratePerSecond;
        this.periodNs = Math.max(1, 1_000_000_000L / ratePerSecond);
        this.maxRecords = maxRecords;
    }

    /**
     * A schedule already started, for plain-Java reference computations.
     */
    static Schedule started(final long startNs, final long ratePerSecond, final long maxRecords)
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
    long onRecord(final long sequence)
    {
        if (startNs == UNSET)
        {
            startNs = clock.nanoTime() - sequence * periodNs;
        }
        return eventTimeUs(sequence);
    }

    boolean isStarted()
    {
        return startNs != UNSET;
    }

    long startNs()
    {
        return startNs;
    }

    long ratePerSecond()
    {
        return ratePerSecond;
    }

    long periodNs()
    {
        return periodNs;
    }

    long maxRecords()
    {
        return maxRecords;
    }

    long intendedNs(final long sequence)
    {
        return startNs + sequence * periodNs;
    }

    long eventTimeUs(final long sequence)
    {
        return Math.floorDiv(intendedNs(sequence), 1_000L);
    }

    /**
     * The first record whose event time is at or after a time: the record whose watermark closes a window ending
     * there ({@code watermark = timestamp - 1} reaches {@code end - 1}).
     *
     * @param timeUs the time in microseconds.
     * @return the record's number, 0 if the schedule starts after the time.
     */
    long firstSequenceAtOrAfter(final long timeUs)
    {
        final long deltaNs = timeUs * 1_000L - startNs;
        return deltaNs <= 0 ? 0 : (deltaNs + periodNs - 1) / periodNs;
    }
}
