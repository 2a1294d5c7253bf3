package io.ferrite.perf.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NanoClock;

import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.perf.harness.Schedule;

/**
 * The demo's progress: a line a second until the job is done — events per second, latency so far, watermark lag and
 * memory — and the run's counts and lags into the result.
 * <p>
 * <b>Note:</b> Runs on the thread that started the job.
 */
final class Progress
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    private final Job job;
    private final Ferrite ferrite;
    private final DemoPipeline.Sinks sinks;
    private final DemoResult result;
    private final NanoClock clock;
    private final PrintStream out;

    Progress(
        final Job job,
        final Ferrite ferrite,
        final DemoPipeline.Sinks sinks,
        final DemoResult result,
        final NanoClock clock,
        final PrintStream out)
    {
        this.job = job;
        this.ferrite = ferrite;
        this.sinks = sinks;
        this.result = result;
        this.clock = clock;
        this.out = out;
    }

    /**
     * Print a line every second until the job is done, or cancel it when it falls far behind.
     *
     * @param seconds how long the generators run.
     * @throws IOException if the job's counters cannot be read.
     * @throws InterruptedException if interrupted while waiting.
     */
    void run(final int seconds) throws IOException, InterruptedException
    {
        final long startNs = clock.nanoTime();
        // A run that falls far behind its schedule is stopped rather than left to run on.
        final long giveUpNs = startNs + TimeUnit.SECONDS.toNanos(3L * seconds + 30);
        long lastNs = startNs;
        long lastEvents = 0;
        long nextTickNs = startNs + SECOND_NS;
        try (JobCounters counters = new JobCounters(job.directory()))
        {
            while (true)
            {
                final boolean done = job.await(Math.max(0, nextTickNs - clock.nanoTime()), TimeUnit.NANOSECONDS);
                final long nowNs = clock.nanoTime();
                meterGarbage(nowNs - startNs, done, seconds);
                final long trades = counters.recordsIn(DemoPipeline.TRADES_SOURCE);
                final long telemetry = counters.recordsIn(DemoPipeline.TELEMETRY_SOURCE);
                if (done)
                {
                    result.completed = true;
                    result.elapsedSeconds = (nowNs - startNs) / 1e9;
                    result.tradeEvents = trades;
                    result.telemetryEvents = telemetry;
                    out.printf(Locale.ROOT, "ferrite demo: done in %.1f s%n", result.elapsedSeconds);
                    return;
                }
                final long events = trades + telemetry;
                final double rate = (events - lastEvents) * 1e9 / Math.max(1, nowNs - lastNs);
                behind(result.trades.schedule(), trades, nowNs);
                behind(result.telemetry.schedule(), telemetry, nowNs);
                out.println(line(nowNs - startNs, rate, watermarkLagUs(counters)));
                lastNs = nowNs;
                lastEvents = events;
                nextTickNs += SECOND_NS;
                if (nowNs - giveUpNs > 0)
                {
                    out.printf(Locale.ROOT, "ferrite demo: still not done after %d s: cancelling the job " +
                        "(the machine cannot keep up with --rate %,d)%n", (nowNs - startNs) / SECOND_NS,
                        result.options.rate);
                    job.cancel();
                    result.elapsedSeconds = (nowNs - startNs) / 1e9;
                    result.tradeEvents = trades;
                    result.telemetryEvents = telemetry;
                    return;
                }
            }
        }
    }

    /**
     * Garbage in steady state: from the end of the warm-up to the tick at which the generators' time is up.
     */
    private void meterGarbage(final long elapsedNs, final boolean done, final int seconds)
    {
        final GarbageMeter steady = result.steadyGarbageMeter;
        if (!steady.isStarted() && !done && elapsedNs >= TimeUnit.SECONDS.toNanos(result.options.warmupSeconds))
        {
            steady.start();
        }
        else if (steady.isStarted() && null == result.steadyGarbage &&
            (done || elapsedNs >= TimeUnit.SECONDS.toNanos(seconds)))
        {
            result.steadyGarbage = steady.stop();
            result.steadyGarbageSeconds = (elapsedNs - result.steadyGarbageStartNs) / 1e9;
        }
        if (steady.isStarted() && 0 == result.steadyGarbageStartNs)
        {
            result.steadyGarbageStartNs = elapsedNs;
        }
    }

    private void behind(final Schedule schedule, final long taken, final long nowNs)
    {
        if (taken > 0 && taken < schedule.maxRecords() && schedule.isStarted())
        {
            result.generatorMaxBehindNs = Math.max(result.generatorMaxBehindNs,
                nowNs - schedule.intendedNs(taken - 1));
        }
    }

    private long watermarkLagUs(final JobCounters counters)
    {
        long lag = -1;
        for (final String stage : new String[]{DemoPipeline.VWAP_WINDOW_STAGE, DemoPipeline.ROLLUP_WINDOW_STAGE})
        {
            final long watermark = counters.watermark(stage);
            if (watermark != Long.MIN_VALUE && watermark != Long.MAX_VALUE)
            {
                // The clock is read after the watermark, which may have passed the progress tick's time.
                lag = Math.max(lag, Math.max(0, clock.nanoTime() / 1_000L - watermark));
            }
        }
        if (lag >= 0)
        {
            result.watermarkMaxLagUs = Math.max(result.watermarkMaxLagUs, lag);
        }
        return lag;
    }

    private String line(final long elapsedNs, final double rate, final long lagUs)
    {
        result.drain(sinks);
        final Histogram latency = result.allFromClosing;
        final String latencyText = latency.getTotalCount() == 0 ? "latency: warming up" :
            String.format(Locale.ROOT, "latency us p50 %,d  p99 %,d  max %,d",
                Math.round(latency.getValueAtPercentile(50) / 1000.0),
                Math.round(latency.getValueAtPercentile(99) / 1000.0),
                Math.round(latency.getMaxValue() / 1000.0));
        return String.format(Locale.ROOT,
            "%4d s  %,9.0f events/s  %-42s  watermark lag %s  memory %.1f of %.0f MiB  gc %d",
            Math.round(elapsedNs / 1e9), rate, latencyText,
            lagUs < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", lagUs / 1000.0),
            ferrite.memoryManager().usedBytes() / 1048576.0, ferrite.memoryManager().budgetBytes() / 1048576.0,
            result.runGarbageMeter.collectionsSoFar());
    }
}
