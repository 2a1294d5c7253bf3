package io.ferrite.perf.demo;

import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.NanoClock;

import io.ferrite.engine.RecordView;
import io.ferrite.engine.SinkFunction;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.perf.harness.Histograms;
import io.ferrite.perf.harness.Schedule;

/**
 * Records the end-to-end latency of window results as they reach the end of the pipeline, two ways:
 * <ul>
 *     <li><b>from the closing event</b> (the demo's figure): now minus the intended time of the record whose
 *     watermark closed the window, the source's first record with an event time at or after the window's end;</li>
 *     <li><b>from the window's end</b> (Hazelcast Jet's convention): now minus the window's end.</li>
 * </ul>
 * The two differ by at most one generator period (event time is the intended time, in microseconds). Results whose
 * closing record comes within the warm-up are counted but not recorded; so are windows closed by the end of the input
 * (no record closed them).
 * <p>
 * <b>Note:</b> {@link #accept} runs on the sink stage's thread, the single writer; {@link #drain} on one other
 * thread. Nothing is allocated per record.
 */
final class LatencySink implements SinkFunction
{
    private final String name;
    private final TimestampField windowEnd;
    private final Schedule schedule;
    private final NanoClock clock;
    private final long warmupNs;
    private final SingleWriterRecorder fromClosing = new SingleWriterRecorder(Histograms.HIGHEST_TRACKABLE_NS,
        Histograms.SIGNIFICANT_DIGITS);
    private final SingleWriterRecorder fromWindowEnd = new SingleWriterRecorder(Histograms.HIGHEST_TRACKABLE_NS,
        Histograms.SIGNIFICANT_DIGITS);
    private final AtomicLong results = new AtomicLong();
    private final AtomicLong inWarmup = new AtomicLong();
    private final AtomicLong atEnd = new AtomicLong();
    private Histogram closingInterval;
    private Histogram windowEndInterval;

    /**
     * A sink for the results of windows over one source.
     *
     * @param name      the results' name in the report.
     * @param windowEnd the results' window end field, in microseconds.
     * @param schedule  the schedule of the source the windows are over.
     * @param clock     the job's clock, the schedule's.
     * @param warmupNs  how long after the schedule's start latencies are not recorded.
     */
    LatencySink(
        final String name,
        final TimestampField windowEnd,
        final Schedule schedule,
        final NanoClock clock,
        final long warmupNs)
    {
        this.name = name;
        this.windowEnd = windowEnd;
        this.schedule = schedule;
        this.clock = clock;
        this.warmupNs = warmupNs;
    }

    @Override
    public void accept(final RecordView record)
    {
        final long nowNs = clock.nanoTime();
        results.lazySet(results.get() + 1);
        final long endUs = record.get(windowEnd);
        final long closing = schedule.firstSequenceAtOrAfter(endUs);
        if (closing >= schedule.maxRecords())
        {
            atEnd.lazySet(atEnd.get() + 1);
            return;
        }
        final long intendedNs = schedule.intendedNs(closing);
        if (endUs * 1_000L < schedule.startNs() || intendedNs - schedule.startNs() < warmupNs)
        {
            inWarmup.lazySet(inWarmup.get() + 1);
            return;
        }
        fromClosing.recordValue(Histograms.clamp(nowNs - intendedNs));
        fromWindowEnd.recordValue(Histograms.clamp(nowNs - endUs * 1_000L));
    }

    /**
     * Move what was recorded since the last call into cumulative histograms.
     *
     * @param closingTotals   get the latencies from the closing event.
     * @param windowEndTotals get the latencies from the window's end.
     */
    void drain(final Histogram[] closingTotals, final Histogram[] windowEndTotals)
    {
        closingInterval = fromClosing.getIntervalHistogram(closingInterval);
        windowEndInterval = fromWindowEnd.getIntervalHistogram(windowEndInterval);
        for (final Histogram total : closingTotals)
        {
            total.add(closingInterval);
        }
        for (final Histogram total : windowEndTotals)
        {
            total.add(windowEndInterval);
        }
    }

    String name()
    {
        return name;
    }

    long results()
    {
        return results.get();
    }

    long inWarmup()
    {
        return inWarmup.get();
    }

    long atEnd()
    {
        return atEnd.get();
    }
}
