package io.ferrite.perf.latency;

import org.agrona.concurrent.NanoClock;

import io.ferrite.perf.harness.Schedule;

/**
 * The generator's side of an open-loop run: starts the {@link Schedule} with the first record (and moves its start
 * back to the earliest any record was made, see {@link Schedule#onMade}), and measures how far
 * behind its schedule the generator made each record (open loop keeps the intended times on schedule whatever
 * happens, so a generator that cannot keep up shows as latency; this says how much of it was the generator) and the
 * rate it achieved, from the first record made to the last.
 * <p>
 * <b>Note:</b> {@link #onRecord} runs on the generating thread, the single writer; the getters from any thread.
 */
final class GeneratorStats
{
    private final Schedule schedule;
    private final NanoClock clock;
    private volatile long made;
    private final long warmupNs;
    private volatile long maxLagNs;
    private volatile long maxLagAfterWarmupNs;
    private volatile long firstNs;
    private volatile long lastNs;

    GeneratorStats(final Schedule schedule, final NanoClock clock, final long warmupNs)
    {
        this.schedule = schedule;
        this.clock = clock;
        this.warmupNs = warmupNs;
    }

    /**
     * Called for each record the generator makes, in order.
     *
     * @param sequence the record's number.
     * @return its event time in microseconds: its intended time.
     */
    long onRecord(final long sequence)
    {
        final long timeUs = schedule.onRecord(sequence);
        final long nowNs = clock.nanoTime();
        schedule.onMade(sequence, nowNs);
        final long lagNs = nowNs - schedule.intendedNs(sequence);
        if (lagNs > maxLagNs)
        {
            maxLagNs = lagNs;
        }
        if (lagNs > maxLagAfterWarmupNs && sequence * schedule.periodNs() >= warmupNs)
        {
            maxLagAfterWarmupNs = lagNs;
        }
        if (0 == sequence)
        {
            firstNs = nowNs;
        }
        lastNs = nowNs;
        made = sequence + 1;
        return timeUs;
    }

    Schedule schedule()
    {
        return schedule;
    }

    long made()
    {
        return made;
    }

    long maxLagNs()
    {
        return maxLagNs;
    }

    /**
     * The worst lag of the records due after the warm-up, the ones whose latencies were recorded.
     *
     * @return nanoseconds.
     */
    long maxLagAfterWarmupNs()
    {
        return maxLagAfterWarmupNs;
    }

    /**
     * The rate achieved: records made after the first, over the time from the first to the last.
     *
     * @return records per second, 0 before two records.
     */
    double achievedRate()
    {
        final long count = made;
        final long spanNs = lastNs - firstNs;
        return count < 2 || spanNs <= 0 ? 0 : (count - 1) * 1e9 / spanNs;
    }
}
