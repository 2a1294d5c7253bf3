package io.ferrite.perf.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.perf.harness.Directories;
import io.ferrite.perf.harness.HiccupMeter;
import io.ferrite.perf.harness.Schedule;
import io.ferrite.perf.harness.ThreadingChoice;

/**
 * One run of the demo: build the job, start it, print a progress line every second until the generators are done and
 * every result is out, then collect the figures. The job's directory is a temporary one unless {@code --dir} names
 * one; its files are deleted at the end unless {@code --keep}.
 */
final class DemoRun
{
    static final String JOB = "demo";
    static final String RESULTS = "results";

    private static final Pattern INSTANCES = Pattern.compile("(\\d+) instance\\(s\\)");

    private final DemoOptions options;
    private final PrintStream out;

    DemoRun(final DemoOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    DemoResult run() throws IOException, InterruptedException
    {
        final DemoResult result = new DemoResult();
        result.options = options;
        final boolean temporary = null == options.dir;
        final Path root = temporary ? Files.createTempDirectory("ferrite-demo-") : options.dir;
        final Path resultsDir = root.resolve(RESULTS);
        result.jobDirectory = root.resolve(JOB);
        if (Files.exists(result.jobDirectory))
        {
            // A finished run's checkpoints would restore a job whose generators are all but done: start afresh.
            out.printf("ferrite demo: %s holds an earlier run's journals and checkpoints: deleting them, this run " +
                "starts fresh%n", result.jobDirectory.toAbsolutePath());
            Directories.deleteRecursively(result.jobDirectory);
            Directories.deleteRecursively(resultsDir);
        }
        Files.createDirectories(resultsDir);
        result.jobDirectoryKept = options.keep;

        final OffsetEpochNanoClock epochClock = new OffsetEpochNanoClock();
        final NanoClock clock = epochClock::nanoTime;
        result.trades = new TradeGenerator(options.seed,
            new Schedule(clock, options.tradeRate(), options.tradeRate() * options.seconds), options.symbols);
        result.telemetry = new TelemetryGenerator(options.seed,
            new Schedule(clock, options.telemetryRate(), options.telemetryRate() * options.seconds));
        result.limits = new RiskLimits(result.trades, DemoPipeline.VWAP_WINDOW.toSeconds());
        result.cores = Runtime.getRuntime().availableProcessors();
        result.threading = ThreadingChoice.choose(options.threading, result.cores, planInstances(root, result));
        final long warmupNs = TimeUnit.SECONDS.toNanos(options.warmupSeconds);

        printHeader(result, temporary);
        try
        {
            try (Ferrite ferrite = Ferrite.launch(context(root, result.threading, clock)))
            {
                final Pipeline pipeline = ferrite.pipeline(JOB);
                final DemoPipeline.Sinks sinks = DemoPipeline.build(pipeline, result.trades, result.telemetry,
                    result.limits, resultsDir, clock, warmupNs);
                for (final LatencySink sink : sinks.all())
                {
                    result.streams.add(new DemoResult.Stream(sink.name()));
                }
                final HiccupMeter hiccups = new HiccupMeter().start();
                try
                {
                    result.runGarbageMeter.start();
                    final Job job = pipeline.start();
                    result.plan = job.explain();
                    out.print(indent(result.plan));
                    new Progress(job, ferrite, sinks, result, clock, out).run(options.seconds);
                    result.runGarbage = result.runGarbageMeter.stop();
                    collect(job, ferrite, sinks, result);
                }
                finally
                {
                    result.hiccups = hiccups.stop();
                }
            }
            Files.createDirectories(options.out);
            for (final String csv : new String[]{DemoPipeline.VWAP_CSV, DemoPipeline.ALERTS_CSV,
                DemoPipeline.TELEMETRY_CSV})
            {
                Files.copy(resultsDir.resolve(csv), options.out.resolve(csv), StandardCopyOption.REPLACE_EXISTING);
            }
            result.reportDirectory = options.out;
        }
        finally
        {
            if (!options.keep)
            {
                if (temporary)
                {
                    Directories.deleteRecursively(root);
                }
                else
                {
                    Directories.deleteRecursively(resultsDir);
                    Directories.deleteRecursively(result.jobDirectory);
                }
            }
        }
        return result;
    }

    private Ferrite.Context context(final Path root, final ThreadingChoice threading, final NanoClock clock)
    {
        return new Ferrite.Context()
            .directory(root)
            .threadingMode(threading.mode())
            .idleStrategySupplier(threading.idleStrategySupplier())
            .checkpointInterval(Duration.ofSeconds(1))
            .clock(clock)
            .warningHandler((warning) -> out.println("ferrite: warning: " + warning));
    }

    /**
     * The stage instances of the demo's plan, from a pipeline built but never started.
     */
    private static int planInstances(final Path root, final DemoResult result)
    {
        try (Ferrite probe = Ferrite.launch(new Ferrite.Context().directory(root)
            .threadingMode(ThreadingMode.INVOKER).memoryBudgetBytes(1L << 20)))
        {
            final Pipeline pipeline = probe.pipeline(JOB);
            DemoPipeline.build(pipeline, result.trades, result.telemetry, result.limits, root.resolve(RESULTS),
                () -> 0, 0);
            final String plan = pipeline.explain();
            final Matcher matcher = INSTANCES.matcher(plan);
            if (!matcher.find())
            {
                throw new IllegalStateException("no instance count in the plan:\n" + plan);
            }
            return Integer.parseInt(matcher.group(1));
        }
    }

    private void printHeader(final DemoResult result, final boolean temporary)
    {
        out.printf(Locale.ROOT, "ferrite demo: trades for %,d symbols -> VWAP and volume per symbol over %d s " +
            "windows every %d s -> risk-limit alerts; telemetry of %d services -> latency p50/p90/p99/p99.9/max " +
            "per service per %d s%n", options.symbols, DemoPipeline.VWAP_WINDOW.toSeconds(),
            DemoPipeline.VWAP_SLIDE.toSeconds(), TelemetryGenerator.SERVICES.length,
            DemoPipeline.ROLLUP_WINDOW.toSeconds());
        out.printf(Locale.ROOT, "ferrite demo: %,d events/s (%,d trades + %,d telemetry) for %d s, open loop; " +
            "latency recorded after a %d s warm-up%n", options.tradeRate() + options.telemetryRate(),
            options.tradeRate(), options.telemetryRate(), options.seconds, options.warmupSeconds);
        out.printf(Locale.ROOT, "ferrite demo: threading %s%n", result.threading);
        out.printf(Locale.ROOT, "ferrite demo: job directory %s (journals, a checkpoint every second; %s)%n",
            result.jobDirectory.toAbsolutePath(), options.keep ? "kept (--keep)" :
            "deleted at the end" + (temporary ? "" : " with the results folder beside it") + "; --keep keeps it");
    }

    private static String indent(final String text)
    {
        final StringBuilder indented = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            indented.append("  | ").append(line).append(System.lineSeparator());
        }
        return indented.toString();
    }

    private static void collect(
        final Job job, final Ferrite ferrite, final DemoPipeline.Sinks sinks, final DemoResult result)
    {
        result.drain(sinks);
        final LatencySink[] all = sinks.all();
        for (int i = 0; i < all.length; i++)
        {
            final DemoResult.Stream stream = result.streams.get(i);
            stream.results = all[i].results();
            stream.inWarmup = all[i].inWarmup();
            stream.atEnd = all[i].atEnd();
        }
        result.memoryBudgetBytes = ferrite.memoryManager().budgetBytes();
        result.memoryPeakBytes = ferrite.memoryManager().peakUsedBytes();
        result.lastCheckpointId = job.lastCheckpoint();
        result.checkpointsCompleted = Math.max(0, job.lastCheckpoint() - Math.max(0, job.restoredCheckpoint()));
        result.lastCheckpointDurationNs = job.lastCheckpointDurationNs();
        result.lastCheckpointSizeBytes = job.lastCheckpointSizeBytes();
        result.restoredCheckpoint = job.restoredCheckpoint();
        result.recoveryTimeNs = job.recoveryTimeNs();
        result.replayedRecords = job.replayedRecords();
    }
}
