package io.ferrite.perf.latency;

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
import io.ferrite.perf.harness.ThreadingChoice;

/**
 * The latency harness's report folder — {@code latency.hgrm} (Ferrite's percentile distribution, HdrHistogram's
 * format, microseconds), {@code latency.hlog} (written during the run: one interval histogram a second),
 * {@code hiccups.hgrm}, for windowed workloads {@code latency-window-end.hgrm} (Jet's convention), with a baseline
 * {@code baseline.hgrm} and {@code baseline.hlog} (and {@code baseline-window-end.hgrm}), {@code latency.png}, and
 * {@code summary.json} — and the summary table on standard output.
 */
final class LatencyReport
{
    static final String EVENT_CONVENTION = "sink arrival minus the event's intended time (the open-loop schedule's: " +
        "event n is due n periods after the first, whenever it was really made); events in the warm-up not recorded";
    static final String WINDOW_CONVENTION = "sink arrival minus the intended time of the event that closed the " +
        "window (the first event with an event time at or after the window's end: its watermark, time - 1, reached " +
        "end - 1 and fired the window); event time is the intended time; results whose closing event was due in " +
        "the warm-up, and windows closed by the end of the input, not recorded";
    static final String WINDOW_END_CONVENTION = "sink arrival minus the window's end (Hazelcast Jet's convention)";
    static final String BASELINE = "a hand-built LMAX Disruptor pipeline: heap events on Disruptor rings, one ring " +
        "per Ferrite stage boundary, the same work per stage, polled (EventPoller) by Agrona agents run in the same " +
        "threading mode with the same idle strategy as Ferrite's stages";

    private LatencyReport()
    {
    }

    /**
     * Write the report folder's files but the logs (written during the run).
     *
     * @param result the run.
     * @param dir    the folder, which exists.
     * @return the files of the folder, the logs included.
     * @throws IOException if a file cannot be written.
     */
    static List<String> write(final LatencyResult result, final Path dir) throws IOException
    {
        final List<String> files = new ArrayList<>();
        final boolean windowed = result.options.workload.windowed;
        Histograms.writeHgrm(dir.resolve("latency.hgrm"), result.ferrite.latency);
        files.add("latency.hgrm");
        files.add("latency.hlog");
        if (windowed)
        {
            Histograms.writeHgrm(dir.resolve("latency-window-end.hgrm"), result.ferrite.fromWindowEnd);
            files.add("latency-window-end.hgrm");
        }
        Histograms.writeHgrm(dir.resolve("hiccups.hgrm"), result.ferrite.hiccups);
        files.add("hiccups.hgrm");
        final Measured baseline = result.baseline;
        if (null != baseline)
        {
            Histograms.writeHgrm(dir.resolve("baseline.hgrm"), baseline.latency);
            files.add("baseline.hgrm");
            files.add("baseline.hlog");
            if (windowed)
            {
                Histograms.writeHgrm(dir.resolve("baseline-window-end.hgrm"), baseline.fromWindowEnd);
                files.add("baseline-window-end.hgrm");
            }
        }
        final PercentilePlot plot = new PercentilePlot(String.format(Locale.ROOT,
            "ferrite latency: %s, %,d events/s, %s threading, %d cores", result.options.workload.label,
            result.options.rate, result.threading.mode(), Runtime.getRuntime().availableProcessors()))
            .add("ferrite", result.ferrite.latency);
        if (null != baseline)
        {
            plot.add("disruptor baseline", baseline.latency);
        }
        plot.add("machine hiccups in the ferrite run after the warm-up (a 1 ms sleep waking late)",
            result.ferrite.hiccups);
        try
        {
            plot.write(dir.resolve("latency.png"));
            files.add("latency.png");
        }
        catch (final RuntimeException | Error ex)
        {
            // AWT reports a machine without fonts as an Error; the rest of the report is still worth having.
            System.err.println("ferrite latency: latency.png not written: " + ex);
        }
        Files.writeString(dir.resolve("summary.json"), summaryJson(result), StandardCharsets.UTF_8);
        files.add("summary.json");
        return files;
    }

    static String summaryJson(final LatencyResult result)
    {
        final LatencyOptions options = result.options;
        final Measured ferrite = result.ferrite;
        final Measured baseline = result.baseline;
        final boolean windowed = options.workload.windowed;
        final JsonWriter json = new JsonWriter().beginObject();
        json.field("workload", options.workload.label);
        json.field("workload_shape", options.workload.shape);
        if (windowed)
        {
            json.field("window_ms", options.windowMs);
            json.field("slide_ms", options.slideMs);
        }
        json.field("seed", options.seed);
        json.field("seconds", (long)options.seconds);
        json.field("warmup_seconds", (long)options.warmupSeconds);
        json.field("target_rate", options.rate);
        json.field("achieved_rate", ferrite.achievedRate);
        json.field("events", ferrite.events);
        json.field("completed", ferrite.completed);
        json.field("elapsed_seconds", ferrite.elapsedSeconds);
        json.field("stages", (long)ferrite.stages);
        json.field("results", ferrite.results);
        json.field("results_in_warmup", ferrite.resultsInWarmup);
        json.field("results_closed_by_end_of_input", ferrite.resultsAtEnd);
        json.field("latency_convention", windowed ? WINDOW_CONVENTION : EVENT_CONVENTION);
        percentiles(json, "", ferrite.latency);
        if (windowed)
        {
            json.beginObject("latency_from_window_end");
            json.field("convention", WINDOW_END_CONVENTION);
            percentiles(json, "", ferrite.fromWindowEnd);
            json.endObject();
        }
        json.field("generator_max_lag_us", ferrite.generatorMaxLagNs / 1000.0);
        json.field("generator_max_lag_after_warmup_us", ferrite.generatorMaxLagAfterWarmupNs / 1000.0);
        json.field("hiccups", "how late a thread sleeping 1 ms at a time woke, after the warm-up: stalls any " +
            "thread saw too");
        json.field("hiccup_p50_us", ferrite.hiccups.getValueAtPercentile(50) / 1000.0);
        json.field("hiccup_p99_us", ferrite.hiccups.getValueAtPercentile(99) / 1000.0);
        json.field("hiccup_max_us", ferrite.hiccups.getMaxValue() / 1000.0);
        final ThreadingChoice threading = result.threading;
        json.field("threading", threading.mode().name());
        json.field("threading_idle_strategy", threading.idleStrategy());
        json.field("threading_reason", threading.reason());
        if (null != baseline)
        {
            json.field("baseline", "disruptor");
            json.field("baseline_description", BASELINE);
            json.field("baseline_ran", options.baselineFirst ? "before ferrite" : "after ferrite");
            json.field("baseline_stages", (long)baseline.stages);
            json.field("baseline_completed", baseline.completed);
            json.field("baseline_events", baseline.events);
            json.field("baseline_achieved_rate", baseline.achievedRate);
            json.field("baseline_results", baseline.results);
            json.field("baseline_results_equal", ferrite.sameResultsAs(baseline));
            percentiles(json, "baseline_", baseline.latency);
            if (windowed)
            {
                json.beginObject("baseline_latency_from_window_end");
                json.field("convention", WINDOW_END_CONVENTION);
                percentiles(json, "", baseline.fromWindowEnd);
                json.endObject();
            }
            json.field("baseline_generator_max_lag_us", baseline.generatorMaxLagNs / 1000.0);
            json.field("baseline_generator_max_lag_after_warmup_us", baseline.generatorMaxLagAfterWarmupNs / 1000.0);
            json.field("baseline_hiccup_p99_us", baseline.hiccups.getValueAtPercentile(99) / 1000.0);
            json.field("baseline_hiccup_max_us", baseline.hiccups.getMaxValue() / 1000.0);
            json.field("ratio_p50", ratio(ferrite.latency, baseline.latency, 50));
            json.field("ratio_p99", ratio(ferrite.latency, baseline.latency, 99));
        }
        MachineInfo.write(json);
        return json.endObject().toString();
    }

    private static double ratio(final Histogram candidate, final Histogram baseline, final double percentile)
    {
        if (candidate.getTotalCount() == 0 || baseline.getTotalCount() == 0)
        {
            return Double.NaN;
        }
        return (double)candidate.getValueAtPercentile(percentile) / Math.max(1, baseline.getValueAtPercentile(
            percentile));
    }

    private static void percentiles(final JsonWriter json, final String prefix, final Histogram h)
    {
        json.field(prefix + "samples", h.getTotalCount());
        final boolean empty = h.getTotalCount() == 0;
        json.field(prefix + "p50_us", empty ? Double.NaN : h.getValueAtPercentile(50) / 1000.0);
        json.field(prefix + "p90_us", empty ? Double.NaN : h.getValueAtPercentile(90) / 1000.0);
        json.field(prefix + "p99_us", empty ? Double.NaN : h.getValueAtPercentile(99) / 1000.0);
        json.field(prefix + "p999_us", empty ? Double.NaN : h.getValueAtPercentile(99.9) / 1000.0);
        json.field(prefix + "p9999_us", empty ? Double.NaN : h.getValueAtPercentile(99.99) / 1000.0);
        json.field(prefix + "max_us", empty ? Double.NaN : h.getMaxValue() / 1000.0);
    }

    /**
     * The summary table.
     *
     * @param result the run.
     * @return the table's text.
     */
    static String table(final LatencyResult result)
    {
        final StringBuilder sb = new StringBuilder();
        final LatencyOptions options = result.options;
        sb.append(String.format(Locale.ROOT, "%nferrite latency: %s, asked for %,d events/s for %d s; latency in " +
            "microseconds from the %s, after a %d s warm-up%n", options.workload.label, options.rate,
            options.seconds, options.workload.windowed ? "intended time of the event that closed the window" :
            "event's intended time", options.warmupSeconds));
        sb.append(String.format(Locale.ROOT, "%-12s %11s %9s %9s %9s %9s %9s %9s %9s %9s %12s%n", "", "events/s",
            "samples", "p50", "p90", "p99", "p99.9", "p99.99", "max", "gen lag", "hiccup p99"));
        row(sb, result.ferrite);
        if (null != result.baseline)
        {
            row(sb, result.baseline);
            sb.append(String.format(Locale.ROOT, "ferrite / baseline: p50 %.2f, p99 %.2f; results %s%n",
                ratio(result.ferrite.latency, result.baseline.latency, 50),
                ratio(result.ferrite.latency, result.baseline.latency, 99),
                result.ferrite.sameResultsAs(result.baseline) ? "equal (" + result.ferrite.results + ")" :
                "DIFFER (" + result.ferrite.results + " vs " + result.baseline.results + ")"));
        }
        sb.append(String.format(Locale.ROOT, "threading %s%n", result.threading));
        return sb.toString();
    }

    private static void row(final StringBuilder sb, final Measured m)
    {
        final Histogram h = m.latency;
        sb.append(String.format(Locale.ROOT, "%-12s %,11.0f %,9d %9s %9s %9s %9s %9s %9s %9s %12s%n", m.name,
            m.achievedRate, h.getTotalCount(), us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), us(h, 99.99),
            h.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%,.0f", h.getMaxValue() / 1000.0),
            String.format(Locale.ROOT, "%,.0f", m.generatorMaxLagNs / 1000.0),
            String.format(Locale.ROOT, "%,.0f", m.hiccups.getValueAtPercentile(99) / 1000.0)));
    }

    private static String us(final Histogram histogram, final double percentile)
    {
        return histogram.getTotalCount() == 0 ? "-" :
            String.format(Locale.ROOT, "%,.0f", histogram.getValueAtPercentile(percentile) / 1000.0);
    }
}
