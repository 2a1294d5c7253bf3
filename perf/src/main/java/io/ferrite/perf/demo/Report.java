package io.ferrite.perf.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

import io.ferrite.perf.harness.Histograms;
import io.ferrite.perf.harness.JsonWriter;
import io.ferrite.perf.harness.MachineInfo;
import io.ferrite.perf.harness.PercentilePlot;

/**
 * The demo's report: the summary table on standard output, and the report folder — {@code latency.hgrm} (the
 * percentile distribution of every result's latency, from the closing event), {@code latency-window-end.hgrm} (the
 * same results from the window's end), {@code hiccups.hgrm}, {@code latency.png}, {@code summary.json}, and the
 * results as CSV (copied there by the run).
 */
final class Report
{
    static final String CONVENTION = "result arrival at the sink minus the intended time of the event that closed " +
        "the window (the first event at or after the window's end, whose watermark fired it); event time is the " +
        "intended emission time; results in the warm-up and windows closed by the end of the input not recorded";
    static final String WINDOW_END_CONVENTION = "result arrival at the sink minus the window's end (Hazelcast " +
        "Jet's convention)";

    private Report()
    {
    }

    /**
     * Write the report folder.
     *
     * @param result the run's figures.
     * @param dir    the folder, which exists and holds the CSVs.
     * @return the files written, the CSVs included.
     * @throws IOException if a file cannot be written.
     */
    static List<String> write(final DemoResult result, final Path dir) throws IOException
    {
        final List<String> files = new ArrayList<>();
        Histograms.writeHgrm(dir.resolve("latency.hgrm"), result.allFromClosing);
        files.add("latency.hgrm");
        Histograms.writeHgrm(dir.resolve("latency-window-end.hgrm"), result.allFromWindowEnd);
        files.add("latency-window-end.hgrm");
        Histograms.writeHgrm(dir.resolve("hiccups.hgrm"), result.hiccups);
        files.add("hiccups.hgrm");
        final PercentilePlot plot = new PercentilePlot(String.format(Locale.ROOT,
            "ferrite demo: end-to-end latency of window results, %,.0f events/s, %s threading, %d cores",
            result.eventsPerSecond(), result.threading.mode(), result.cores))
            .add("all results, from the closing event", result.allFromClosing);
        for (final DemoResult.Stream stream : result.streams)
        {
            plot.add(stream.name, stream.fromClosing);
        }
        plot.add("machine hiccups (a 1 ms sleep waking late)", result.hiccups);
        try
        {
            plot.write(dir.resolve("latency.png"));
            files.add("latency.png");
        }
        catch (final RuntimeException | Error ex)
        {
            // AWT reports a machine without fonts as an Error; the rest of the report is still worth having.
            System.err.println("ferrite demo: latency.png not written: " + ex);
        }
        Files.writeString(dir.resolve("summary.json"), summaryJson(result), StandardCharsets.UTF_8);
        files.add("summary.json");
        files.add(DemoPipeline.VWAP_CSV);
        files.add(DemoPipeline.ALERTS_CSV);
        files.add(DemoPipeline.TELEMETRY_CSV);
        return files;
    }


    /**
     * The summary table.
     *
     * @param result the run's figures.
     * @return the table's text.
     */
    static String table(final DemoResult result)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nferrite demo: %,d events in %.1f s: %,.0f events/s (asked for %,d)" +
            "%s;%nsampled every second, the generators were at most %.1f ms behind their schedule and the " +
            "watermarks at most %.1f ms behind the clock%n",
            result.events(), result.elapsedSeconds, result.eventsPerSecond(), result.options.rate,
            result.completed ? "" : " -- INCOMPLETE, cancelled", result.generatorMaxBehindNs / 1e6,
            Math.max(0, result.watermarkMaxLagUs) / 1000.0));
        sb.append(String.format(Locale.ROOT, "threading %s, %s idle strategy, %d cores%n",
            result.threading.mode(), result.threading.idleStrategy(), result.cores));
        sb.append(String.format(Locale.ROOT, "%nend-to-end latency, microseconds, from the intended time of the " +
            "event that closed the window, after a %d s warm-up:%n", result.options.warmupSeconds));
        sb.append(String.format(Locale.ROOT, "%-30s %9s %9s %9s %9s %9s %9s %9s%n",
            "", "results", "measured", "p50", "p90", "p99", "p99.9", "max"));
        long results = 0;
        for (final DemoResult.Stream stream : result.streams)
        {
            row(sb, stream.name, Long.toString(stream.results), stream.fromClosing);
            results += stream.results;
        }
        row(sb, "all", Long.toString(results), result.allFromClosing);
        row(sb, "all, from the window end (Jet)", "", result.allFromWindowEnd);
        row(sb, "machine hiccups (1 ms sleeps)", "", result.hiccups);
        sb.append(String.format(Locale.ROOT,
            "%ncheckpoints: %d completed, the last (#%d) took %.1f ms, %,d bytes; %s%n",
            result.checkpointsCompleted, result.lastCheckpointId, result.lastCheckpointDurationNs / 1e6,
            result.lastCheckpointSizeBytes, result.restoredCheckpoint < 0 ? "started fresh (no checkpoint to " +
            "recover from)" : String.format(Locale.ROOT, "recovered from checkpoint %d: %,d records replayed in " +
            "%.1f ms", result.restoredCheckpoint, result.replayedRecords, result.recoveryTimeNs / 1e6)));
        sb.append(String.format(Locale.ROOT, "memory: peak %.1f MiB of a %.0f MiB budget%n",
            result.memoryPeakBytes / 1048576.0, result.memoryBudgetBytes / 1048576.0));
        garbage(sb, result);
        return sb.toString();
    }

    private static void garbage(final StringBuilder sb, final DemoResult result)
    {
        final GarbageMeter.Figures steady = result.steadyGarbage;
        final GarbageMeter.Figures run = result.runGarbage;
        if (null != steady)
        {
            sb.append(String.format(Locale.ROOT, "garbage in steady state (%.1f s from the end of the warm-up): " +
                "%d collections (%d ms); the job's %d threads allocated %s, the whole JVM %s%n",
                result.steadyGarbageSeconds, steady.collections(), steady.collectionMs(), steady.jobThreads(),
                bytes(steady.jobAllocated()), bytes(steady.allAllocated())));
        }
        if (null != run)
        {
            sb.append(String.format(Locale.ROOT, "garbage over the whole run: %d collections (%d ms); the job's " +
                "threads allocated %s, the whole JVM %s; heap max %.0f MiB%n", run.collections(), run.collectionMs(),
                bytes(run.jobAllocated()), bytes(run.allAllocated()), Runtime.getRuntime().maxMemory() / 1048576.0));
        }
    }

    private static String bytes(final long bytes)
    {
        return bytes < 0 ? "(not counted by this JVM)" : String.format(Locale.ROOT, "%,d bytes", bytes);
    }

    private static void garbageJson(final JsonWriter json, final String name, final GarbageMeter.Figures figures)
    {
        if (null == figures)
        {
            json.nullField(name);
            return;
        }
        json.beginObject(name);
        json.field("collections", figures.collections());
        json.field("collection_ms", figures.collectionMs());
        json.field("job_threads", (long)figures.jobThreads());
        json.field("job_threads_allocated_bytes", figures.jobAllocated());
        json.field("all_threads_allocated_bytes", figures.allAllocated());
        json.endObject();
    }

    private static void row(final StringBuilder sb, final String name, final String results, final Histogram h)
    {
        sb.append(String.format(Locale.ROOT, "%-30s %9s %,9d %9s %9s %9s %9s %9s%n", name,
            results.isEmpty() ? "" : String.format(Locale.ROOT, "%,d", Long.parseLong(results)), h.getTotalCount(),
            us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), h.getTotalCount() == 0 ? "-" :
            String.format(Locale.ROOT, "%,.0f", h.getMaxValue() / 1000.0)));
    }

    private static String us(final Histogram histogram, final double percentile)
    {
        return histogram.getTotalCount() == 0 ? "-" :
            String.format(Locale.ROOT, "%,.0f", histogram.getValueAtPercentile(percentile) / 1000.0);
    }

    static String summaryJson(final DemoResult result)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        json.field("job", "trades -> notional -> keyBy symbol -> sliding window 10 s every 1 s: VWAP and volume " +
            "-> vwap.csv, risk limits -> alerts.csv; telemetry -> keyBy service -> tumbling window 1 s: latency " +
            "p50/p90/p99/p99.9/max -> telemetry.csv");
        json.field("completed", result.completed);
        json.field("events", result.events());
        json.field("trade_events", result.tradeEvents);
        json.field("telemetry_events", result.telemetryEvents);
        json.field("seconds", result.elapsedSeconds);
        json.field("requested_seconds", (long)result.options.seconds);
        json.field("events_per_second", result.eventsPerSecond());
        json.field("requested_events_per_second", result.options.rate);
        json.field("symbols", (long)result.options.symbols);
        json.field("seed", result.options.seed);
        json.field("warmup_seconds", (long)result.options.warmupSeconds);
        json.field("latency_convention", CONVENTION);
        percentiles(json, result.allFromClosing);
        json.beginObject("latency_from_window_end");
        json.field("convention", WINDOW_END_CONVENTION);
        percentiles(json, result.allFromWindowEnd);
        json.endObject();
        json.beginObject("streams");
        for (final DemoResult.Stream stream : result.streams)
        {
            json.beginObject(stream.name);
            json.field("results", stream.results);
            json.field("results_in_warmup", stream.inWarmup);
            json.field("results_closed_by_end_of_input", stream.atEnd);
            percentiles(json, stream.fromClosing);
            json.endObject();
        }
        json.endObject();
        json.beginObject("hiccups");
        json.field("what", "how late a thread sleeping 1 ms at a time woke: stalls any thread of the job saw too");
        percentiles(json, result.hiccups);
        json.endObject();
        json.field("generator_max_behind_ms", result.generatorMaxBehindNs / 1e6);
        json.field("watermark_max_lag_ms", Math.max(0, result.watermarkMaxLagUs) / 1000.0);
        json.field("threading", result.threading.mode().name());
        json.field("threading_idle_strategy", result.threading.idleStrategy());
        json.field("threading_reason", result.threading.reason());
        MachineInfo.write(json);
        json.field("memory_budget_bytes", result.memoryBudgetBytes);
        json.field("memory_peak_bytes", result.memoryPeakBytes);
        json.beginObject("garbage");
        json.field("what", "collections and heap bytes allocated: steady state is from the end of the warm-up to " +
            "the end of the generators' time, run is from the job's start to its end; job threads are the engine's " +
            "(named ferrite-...), all threads include the demo's progress, hiccup meter and the JDK's");
        json.field("steady_state_seconds", result.steadyGarbageSeconds);
        garbageJson(json, "steady_state", result.steadyGarbage);
        garbageJson(json, "run", result.runGarbage);
        json.endObject();
        json.field("checkpoints_completed", result.checkpointsCompleted);
        json.field("checkpoint_last_id", result.lastCheckpointId);
        json.field("checkpoint_last_duration_ms", result.lastCheckpointDurationNs / 1e6);
        json.field("checkpoint_last_size_bytes", result.lastCheckpointSizeBytes);
        if (result.restoredCheckpoint < 0)
        {
            json.nullField("recovery");
        }
        else
        {
            json.beginObject("recovery");
            json.field("restored_checkpoint", result.restoredCheckpoint);
            json.field("replayed_records", result.replayedRecords);
            json.field("recovery_time_ms", result.recoveryTimeNs / 1e6);
            json.endObject();
        }
        return json.endObject().toString();
    }

    private static void percentiles(final JsonWriter json, final Histogram h)
    {
        json.field("samples", h.getTotalCount());
        final boolean empty = h.getTotalCount() == 0;
        json.field("p50_us", empty ? Double.NaN : h.getValueAtPercentile(50) / 1000.0);
        json.field("p90_us", empty ? Double.NaN : h.getValueAtPercentile(90) / 1000.0);
        json.field("p99_us", empty ? Double.NaN : h.getValueAtPercentile(99) / 1000.0);
        json.field("p999_us", empty ? Double.NaN : h.getValueAtPercentile(99.9) / 1000.0);
        json.field("max_us", empty ? Double.NaN : h.getMaxValue() / 1000.0);
    }


}
