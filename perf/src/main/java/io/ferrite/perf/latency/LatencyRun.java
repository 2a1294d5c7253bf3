package io.ferrite.perf.latency;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.concurrent.NanoClock;

import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.JobFailedException;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.perf.harness.Directories;
import io.ferrite.perf.harness.HiccupMeter;
import io.ferrite.perf.harness.Histograms;
import io.ferrite.perf.harness.Schedule;
import io.ferrite.perf.harness.ThreadingChoice;

/**
 * Runs one candidate of a latency run — Ferrite, or the Disruptor baseline — for the run's rate and seconds, with the
 * hiccup meter alongside; prints a progress line every second and writes one interval histogram a second to the
 * candidate's histogram log ({@code .hlog}).
 * <p>
 * <b>Note:</b> Not threadsafe; one candidate at a time.
 */
final class LatencyRun
{
    static final String JOB = "latency";

    /**
     * Event 0's event time, 2023-11-14T22:13:20Z: event times start there in every run, so Ferrite and the baseline,
     * run one after the other, get the same input and must give the same results.
     */
    static final long EVENT_ORIGIN_US = 1_700_000_000_000_000L;

    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Pattern INSTANCES = Pattern.compile("(\\d+) instance\\(s\\)");

    private final LatencyOptions options;
    private final PrintStream out;
    private final NanoClock clock;
    private final boolean capture;

    /**
     * A run.
     *
     * @param options the options.
     * @param out     where progress goes.
     * @param clock   the clock, epoch nanoseconds.
     * @param capture whether the sinks keep every result as text (for tests: short runs only).
     */
    LatencyRun(final LatencyOptions options, final PrintStream out, final NanoClock clock, final boolean capture)
    {
        this.options = options;
        this.out = out;
        this.clock = clock;
        this.capture = capture;
    }

    /**
     * The stage instances of the workload's Ferrite plan, from a pipeline built but never started.
     *
     * @param options the options.
     * @return the count.
     * @throws IOException if the probe's directory cannot be made.
     */
    static int planInstances(final LatencyOptions options) throws IOException
    {
        final Path root = Files.createTempDirectory("ferrite-latency-probe-");
        try (Ferrite probe = Ferrite.launch(new Ferrite.Context().directory(root)
            .threadingMode(ThreadingMode.INVOKER).memoryBudgetBytes(16L << 20)))
        {
            final Pipeline pipeline = probe.pipeline(JOB);
            final Schedule schedule = new Schedule(() -> 0, options.rate, options.maxRecords());
            FerriteWorkloads.build(pipeline, options, new LatencyInput(options.seed),
                new GeneratorStats(schedule, () -> 0, 0), new LatencyRecorder(schedule, () -> 0, 0), null);
            final String plan = pipeline.explain();
            final Matcher matcher = INSTANCES.matcher(plan);
            if (!matcher.find())
            {
                throw new IllegalStateException("no instance count in the plan:\n" + plan);
            }
            return Integer.parseInt(matcher.group(1));
        }
        finally
        {
            Directories.deleteRecursively(root);
        }
    }

    /**
     * Run the workload on Ferrite.
     *
     * @param threading how to run the stages.
     * @param hlog      the histogram log to write.
     * @return what it measured.
     * @throws IOException if the job's directory or the log cannot be written.
     * @throws InterruptedException if interrupted while waiting.
     */
    Measured ferrite(final ThreadingChoice threading, final Path hlog) throws IOException, InterruptedException
    {
        final Measured measured = new Measured("ferrite");
        final GeneratorStats stats = newStats();
        final LatencyRecorder recorder = newRecorder(stats);
        measured.capture = capture ? Collections.synchronizedList(new ArrayList<>()) : null;
        final Path root = Files.createTempDirectory("ferrite-latency-");
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(root)
            .threadingMode(threading.mode())
            .idleStrategySupplier(threading.idleStrategySupplier())
            .clock(clock)
            .warningHandler((warning) -> out.println("ferrite: warning: " + warning))))
        {
            final Pipeline pipeline = ferrite.pipeline(JOB);
            FerriteWorkloads.build(pipeline, options, new LatencyInput(options.seed), stats, recorder,
                measured.capture);
            measured.stages = planStages(pipeline.explain());
            final Job job = pipeline.start();
            measure(measured, new Candidate()
            {
                @Override
                public boolean await(final long timeoutNs) throws InterruptedException
                {
                    try
                    {
                        return job.await(timeoutNs, TimeUnit.NANOSECONDS);
                    }
                    catch (final JobFailedException ex)
                    {
                        return true;
                    }
                }

                @Override
                public void cancel()
                {
                    job.cancel();
                }

                @Override
                public String failure()
                {
                    return null == job.failure() ? null : job.failure().toString();
                }
            }, stats, recorder, hlog);
            job.close();
        }
        finally
        {
            Directories.deleteRecursively(root);
        }
        return measured;
    }

    /**
     * Run the workload on the hand-built Disruptor pipeline.
     *
     * @param threading how to run the stages, as Ferrite's were.
     * @param hlog      the histogram log to write.
     * @return what it measured.
     * @throws IOException if the log cannot be written.
     * @throws InterruptedException if interrupted while waiting.
     */
    Measured baseline(final ThreadingChoice threading, final Path hlog) throws IOException, InterruptedException
    {
        final Measured measured = new Measured("disruptor");
        final GeneratorStats stats = newStats();
        final LatencyRecorder recorder = newRecorder(stats);
        measured.capture = capture ? Collections.synchronizedList(new ArrayList<>()) : null;
        try (DisruptorBaseline baseline = new DisruptorBaseline(options, new LatencyInput(options.seed), stats,
            recorder, measured.capture, clock, threading))
        {
            measured.stages = baseline.stages();
            baseline.start();
            measure(measured, new Candidate()
            {
                @Override
                public boolean await(final long timeoutNs) throws InterruptedException
                {
                    final long deadlineNs = System.nanoTime() + timeoutNs;
                    while (!baseline.isDone() && deadlineNs - System.nanoTime() > 0)
                    {
                        Thread.sleep(1);
                    }
                    return baseline.isDone();
                }

                @Override
                public void cancel()
                {
                    baseline.stop();
                }

                @Override
                public String failure()
                {
                    return null == baseline.failure() ? null : baseline.failure().toString();
                }
            }, stats, recorder, hlog);
        }
        return measured;
    }

    private GeneratorStats newStats()
    {
        return new GeneratorStats(Schedule.withEventOrigin(clock, options.rate, options.maxRecords(),
            EVENT_ORIGIN_US), clock, TimeUnit.SECONDS.toNanos(options.warmupSeconds));
    }

    private LatencyRecorder newRecorder(final GeneratorStats stats)
    {
        return new LatencyRecorder(stats.schedule(), clock, TimeUnit.SECONDS.toNanos(options.warmupSeconds));
    }

    private static int planStages(final String plan)
    {
        final Matcher matcher = INSTANCES.matcher(plan);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    /**
     * A started candidate, as the progress loop sees it.
     */
    private interface Candidate
    {
        boolean await(long timeoutNs) throws InterruptedException;

        void cancel();

        String failure();
    }

    private void measure(
        final Measured measured,
        final Candidate candidate,
        final GeneratorStats stats,
        final LatencyRecorder recorder,
        final Path hlog) throws IOException, InterruptedException
    {
        final long startNs = clock.nanoTime();
        final long warmupNs = TimeUnit.SECONDS.toNanos(options.warmupSeconds);
        // The machine's stalls while latencies are recorded: from the end of the warm-up (the JIT's busiest time).
        HiccupMeter hiccups = 0 == warmupNs ? new HiccupMeter().start() : null;
        final long giveUpNs = startNs + TimeUnit.SECONDS.toNanos(3L * options.seconds + 30);
        try (PrintStream log = new PrintStream(Files.newOutputStream(hlog), false, StandardCharsets.US_ASCII))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            final long startMs = TimeUnit.NANOSECONDS.toMillis(startNs);
            writer.outputComment(String.format(Locale.ROOT, "ferrite latency: %s, workload %s, %,d events/s for " +
                "%d s, latency in ns from the intended time, after a %d s warm-up", measured.name,
                options.workload.label, options.rate, options.seconds, options.warmupSeconds));
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            long lastNs = startNs;
            long lastEvents = 0;
            long nextTickNs = startNs + SECOND_NS;
            while (true)
            {
                final boolean done = candidate.await(Math.max(0, nextTickNs - clock.nanoTime()));
                final long nowNs = clock.nanoTime();
                if (null == hiccups && nowNs - startNs >= warmupNs)
                {
                    hiccups = new HiccupMeter().start();
                }
                final Histogram interval = recorder.drain();
                writer.outputIntervalHistogram((lastNs - startNs) / 1e9, (nowNs - startNs) / 1e9, interval, 1000.0);
                final long events = stats.made();
                if (done)
                {
                    measured.completed = null == candidate.failure();
                    measured.failure = candidate.failure();
                    break;
                }
                out.println(line(measured.name, nowNs - startNs, (events - lastEvents) * 1e9 / (nowNs - lastNs),
                    stats, recorder));
                lastNs = nowNs;
                lastEvents = events;
                nextTickNs += SECOND_NS;
                if (nowNs - giveUpNs > 0)
                {
                    out.printf(Locale.ROOT, "ferrite latency: %s still not done after %d s: cancelling (the " +
                        "machine cannot keep up with --rate %,d)%n", measured.name, (nowNs - startNs) / SECOND_NS,
                        options.rate);
                    candidate.cancel();
                    measured.failure = "cancelled: not done after " + (nowNs - startNs) / SECOND_NS + " s";
                    break;
                }
            }
            measured.elapsedSeconds = (clock.nanoTime() - startNs) / 1e9;
            out.printf(Locale.ROOT, "ferrite latency: %s %s in %.1f s%n", measured.name,
                measured.completed ? "done" : "FAILED (" + measured.failure + ")", measured.elapsedSeconds);
        }
        finally
        {
            measured.hiccups = null == hiccups ? Histograms.newHistogram() : hiccups.stop();
        }
        measured.latency = recorder.fromIntended();
        measured.fromWindowEnd = recorder.fromWindowEnd();
        measured.events = stats.made();
        measured.achievedRate = stats.achievedRate();
        measured.generatorMaxLagNs = stats.maxLagNs();
        measured.generatorMaxLagAfterWarmupNs = stats.maxLagAfterWarmupNs();
        measured.results = recorder.results();
        measured.resultsInWarmup = recorder.inWarmup();
        measured.resultsAtEnd = recorder.atEnd();
        measured.digest = recorder.digest();
    }

    private static String line(
        final String name,
        final long elapsedNs,
        final double rate,
        final GeneratorStats stats,
        final LatencyRecorder recorder)
    {
        final Histogram latency = recorder.fromIntended();
        final String latencyText = latency.getTotalCount() == 0 ? "latency: warming up" :
            String.format(Locale.ROOT, "latency us p50 %,d  p99 %,d  max %,d",
                Math.round(latency.getValueAtPercentile(50) / 1000.0),
                Math.round(latency.getValueAtPercentile(99) / 1000.0),
                Math.round(latency.getMaxValue() / 1000.0));
        return String.format(Locale.ROOT, "%4d s  %-9s %,9.0f events/s  %-44s  results %,d  generator lag max %.1f ms",
            Math.round(elapsedNs / 1e9), name, rate, latencyText, recorder.results(), stats.maxLagNs() / 1e6);
    }
}
