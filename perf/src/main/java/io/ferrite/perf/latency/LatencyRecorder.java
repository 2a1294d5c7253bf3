package io.ferrite.perf.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.NanoClock;

import io.ferrite.perf.harness.Histograms;
import io.ferrite.perf.harness.Mix;
import io.ferrite.perf.harness.Schedule;

/**
 * Records end-to-end latencies at the sink, in nanoseconds, after the warm-up:
 * <ul>
 *     <li>an <b>event</b> (passthrough): now minus the event's intended time;</li>
 *     <li>a <b>window result</b> (vwap, q5): now minus the intended time of the event that closed the window — the
 *     schedule's first event with an event time at or after the window's end, whose watermark ({@code time - 1})
 *     reached {@code end - 1} — and, beside it, now minus the window's end on the wall clock (Hazelcast Jet's
 *     convention). The two differ by less than one generator period.</li>
 * </ul>
 * Results whose event (or closing event) was due within the warm-up are counted, not recorded; so are windows closed
 * by the end of the input (no event closed them). Also keeps an order-independent digest of the results, so two
 * pipelines' outputs can be compared without keeping them.
 * <p>
 * <b>Note:</b> {@code on*} run on the sink's thread, the single writer; {@link #drain} on one other thread.
 * Nothing is allocated per result.
 */
final class LatencyRecorder
{
    private final Schedule schedule;
    private final NanoClock clock;
    private final long warmupNs;
    private final SingleWriterRecorder fromIntended =
        new SingleWriterRecorder(Histograms.HIGHEST_TRACKABLE_NS, Histograms.SIGNIFICANT_DIGITS);
    private final SingleWriterRecorder fromWindowEnd =
        new SingleWriterRecorder(Histograms.HIGHEST_TRACKABLE_NS, Histograms.SIGNIFICANT_DIGITS);
    private final Histogram totalFromIntended = Histograms.newHistogram();
    private final Histogram totalFromWindowEnd = Histograms.newHistogram();
    private Histogram intendedInterval;
    private Histogram windowEndInterval;
    private volatile long results;
    private volatile long inWarmup;
    private volatile long atEnd;
    private volatile long digest;

    LatencyRecorder(final Schedule schedule, final NanoClock clock, final long warmupNs)
    {
        this.schedule = schedule;
        this.clock = clock;
        this.warmupNs = warmupNs;
    }

    /**
     * An event reached the sink.
     *
     * @param sequence the event's number in the schedule.
     * @param hash     a hash of the result's fields, for the digest.
     */
    void onEvent(final long sequence, final long hash)
    {
        final long nowNs = clock.nanoTime();
        count(hash);
        final long intendedNs = schedule.intendedNs(sequence);
        if (intendedNs - schedule.startNs() < warmupNs)
        {
            inWarmup++;
            return;
        }
        fromIntended.recordValue(Histograms.clamp(nowNs - intendedNs));
    }

    /**
     * A window's result reached the sink.
     *
     * @param windowEndUs the window's end, in microseconds of event time.
     * @param hash        a hash of the result's fields, for the digest.
     */
    void onWindowResult(final long windowEndUs, final long hash)
    {
        final long nowNs = clock.nanoTime();
        count(hash);
        final long closing = schedule.firstSequenceAtOrAfter(windowEndUs);
        if (closing >= schedule.maxRecords())
        {
            atEnd++;
            return;
        }
        final long intendedNs = schedule.intendedNs(closing);
        final long windowEndNs = schedule.wallNs(windowEndUs);
        if (windowEndNs < schedule.startNs() || intendedNs - schedule.startNs() < warmupNs)
        {
            inWarmup++;
            return;
        }
        fromIntended.recordValue(Histograms.clamp(nowNs - intendedNs));
        fromWindowEnd.recordValue(Histograms.clamp(nowNs - windowEndNs));
    }

    private void count(final long hash)
    {
        results++;
        digest += hash;
    }

    /**
     * A hash of a result's four fields, for the digest.
     *
     * @param a the first field.
     * @param b the second.
     * @param c the third.
     * @param d the fourth.
     * @return the hash.
     */
    static long hash(final long a, final long b, final long c, final long d)
    {
        return Mix.mix(Mix.mix(Mix.mix(Mix.mix(0x9E3779B97F4A7C15L, a), b), c), d);
    }

    /**
     * Move what was recorded since the last call into the totals.
     *
     * @return the interval's latencies from the intended time (reused by the next call).
     */
    Histogram drain()
    {
        intendedInterval = fromIntended.getIntervalHistogram(intendedInterval);
        windowEndInterval = fromWindowEnd.getIntervalHistogram(windowEndInterval);
        totalFromIntended.add(intendedInterval);
        totalFromWindowEnd.add(windowEndInterval);
        return intendedInterval;
    }

    /**
     * Every latency drained so far, from the intended time (of the event, or of the window's closing event).
     *
     * @return the histogram, in nanoseconds.
     */
    Histogram fromIntended()
    {
        return totalFromIntended;
    }

    /**
     * Every window result's latency drained so far, from the window's end.
     *
     * @return the histogram, in nanoseconds; empty for events.
     */
    Histogram fromWindowEnd()
    {
        return totalFromWindowEnd;
    }

    long results()
    {
        return results;
    }

    long inWarmup()
    {
        return inWarmup;
    }

    long atEnd()
    {
        return atEnd;
    }

    /**
     * The sum of the results' hashes: equal for equal sets of results, whatever their order.
     *
     * @return the digest.
     */
    long digest()
    {
        return digest;
    }
}
