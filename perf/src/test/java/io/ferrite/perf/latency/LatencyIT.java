package io.ferrite.perf.latency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.memory.MemoryManager;
import io.ferrite.perf.harness.Histograms;
import io.ferrite.perf.harness.MiniJson;
import io.ferrite.perf.harness.Schedule;

/**
 * The latency harness end to end: each workload for two seconds at a small rate with the Disruptor baseline, and
 * passthrough once without it. Checks the report folder parses and agrees with itself, and that Ferrite's and the
 * baseline's results both equal a plain-Java computation over the same generated input.
 */
class LatencyIT
{
    private static final long RATE = 4_000;
    private static final int SECONDS = 2;
    private static final Pattern PROGRESS = Pattern.compile(
        "(?m)^\\s+\\d+ s\\s+(ferrite|disruptor)\\s+[\\d,]+ events/s\\s+.*generator lag max [\\d.]+ ms$");
    private static final Pattern HGRM_LINE = Pattern.compile(
        "^\\s+(\\d+\\.\\d{3}) (\\d\\.\\d{12})\\s+(\\d+)(\\s+(\\d+\\.\\d{2}|Infinity))?$");
    private static final Pattern HGRM_TOTAL = Pattern.compile(
        "#\\[Max\\s+=\\s+([\\d.]+), Total count\\s+=\\s+(\\d+)]");

    @TempDir
    static Path dir;

    private static final Map<Workload, LatencyResult> RESULTS = new EnumMap<>(Workload.class);
    private static final Map<Workload, String> OUTPUTS = new EnumMap<>(Workload.class);
    private static LatencyResult alone;
    private static Path aloneDir;

    @BeforeAll
    static void runEveryWorkload() throws Exception
    {
        for (final Workload workload : Workload.values())
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
            {
                final List<String> args = new ArrayList<>(Arrays.asList("--workload", workload.label,
                    "--rate", Long.toString(RATE), "--seconds", Integer.toString(SECONDS), "--warmup", "1",
                    "--threading", "shared", "--seed", "7", "--baseline", "disruptor",
                    "--out", dir.resolve(workload.label).toString()));
                if (workload == Workload.VWAP)
                {
                    args.add("--baseline-first");
                }
                RESULTS.put(workload, Latency.execute(LatencyOptions.parse(args.toArray(new String[0])), out, true));
            }
            OUTPUTS.put(workload, bytes.toString(StandardCharsets.UTF_8));
        }
        aloneDir = dir.resolve("alone");
        try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        {
            alone = Latency.execute(LatencyOptions.parse("--workload", "passthrough", "--rate", "2000",
                "--seconds", "2", "--warmup", "1", "--out", aloneDir.toString()), out, false);
        }
    }

    @Test
    void shouldCompleteBothRunsWithAProgressLineASecondAndFreeEveryOffHeapByte()
    {
        for (final Workload workload : Workload.values())
        {
            final LatencyResult result = RESULTS.get(workload);
            final String output = OUTPUTS.get(workload);
            assertTrue(result.ferrite.completed, output);
            assertTrue(result.baseline.completed, output);
            assertEquals(RATE * SECONDS, result.ferrite.events, output);
            assertEquals(RATE * SECONDS, result.baseline.events, output);
            final List<String> lines = new ArrayList<>();
            final Matcher matcher = PROGRESS.matcher(output);
            while (matcher.find())
            {
                lines.add(matcher.group(1));
            }
            assertTrue(lines.contains("ferrite") && lines.contains("disruptor"), "progress lines:\n" + output);
            assertEquals(workload == Workload.VWAP ? "disruptor" : "ferrite", lines.get(0), "which ran first");
            assertTrue(output.contains("results equal"), output);
        }
        assertTrue(alone.ferrite.completed);
        assertNull(alone.baseline);
        assertEquals(0L, MemoryManager.processNativeBytes(), "the engine freed every off-heap byte");
    }

    @Test
    void shouldGiveTheSameResultsOnFerriteAndTheBaselineAsPlainJava()
    {
        for (final Workload workload : Workload.values())
        {
            final LatencyResult result = RESULTS.get(workload);
            final List<String> expected = reference(result.options);
            assertFalse(expected.isEmpty());
            assertEquals(expected, sorted(result.ferrite.capture), workload + ": Ferrite");
            assertEquals(expected, sorted(result.baseline.capture), workload + ": the Disruptor baseline");
            assertTrue(result.ferrite.sameResultsAs(result.baseline), workload.label);
        }
    }

    @Test
    void shouldWriteAReportFolderThatParsesAndAgreesWithItself() throws IOException
    {
        for (final Workload workload : Workload.values())
        {
            final Path report = dir.resolve(workload.label);
            final Map<String, Object> summary = summary(report);
            checkSummary(workload, summary, true);
            checkHgrm(report.resolve("latency.hgrm"), summary, "");
            checkHgrm(report.resolve("baseline.hgrm"), summary, "baseline_");
            checkHlog(report.resolve("latency.hlog"), RESULTS.get(workload).ferrite.latency);
            checkHlog(report.resolve("baseline.hlog"), RESULTS.get(workload).baseline.latency);
            assertTrue(Files.readString(report.resolve("hiccups.hgrm")).contains("#[Max     ="));
            assertEquals(workload.windowed, Files.exists(report.resolve("latency-window-end.hgrm")), workload.label);
            checkPng(report.resolve("latency.png"));
        }
    }

    @Test
    void shouldLeaveTheBaselineOutWhenNotAsked() throws IOException
    {
        final Map<String, Object> summary = summary(aloneDir);
        checkSummary(Workload.PASSTHROUGH, summary, false);
        checkHgrm(aloneDir.resolve("latency.hgrm"), summary, "");
        checkHlog(aloneDir.resolve("latency.hlog"), alone.ferrite.latency);
        assertFalse(Files.exists(aloneDir.resolve("baseline.hgrm")));
        assertFalse(summary.containsKey("baseline_p50_us"), summary.keySet().toString());
        assertFalse(summary.containsKey("ratio_p99"), summary.keySet().toString());
        checkPng(aloneDir.resolve("latency.png"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(final Path report) throws IOException
    {
        return (Map<String, Object>)MiniJson.parse(Files.readString(report.resolve("summary.json")));
    }

    private static void checkSummary(final Workload workload, final Map<String, Object> summary, final boolean baseline)
    {
        final List<String> keys = new ArrayList<>(Arrays.asList("p50_us", "p90_us", "p99_us", "p999_us", "p9999_us",
            "max_us", "samples", "target_rate", "achieved_rate", "generator_max_lag_us", "hiccup_p99_us",
            "hiccup_max_us", "cpu_model", "cores", "jdk", "gc", "heap_max_bytes", "jvm_flags", "threading",
            "latency_convention", "warmup_seconds", "results"));
        if (baseline)
        {
            keys.addAll(Arrays.asList("baseline_p50_us", "baseline_p90_us", "baseline_p99_us", "baseline_p999_us",
                "baseline_p9999_us", "baseline_max_us", "baseline_achieved_rate", "ratio_p50", "ratio_p99",
                "baseline_results_equal", "baseline_hiccup_p99_us"));
        }
        if (workload.windowed)
        {
            keys.add("latency_from_window_end");
        }
        for (final String key : keys)
        {
            assertTrue(summary.containsKey(key), workload.label + ": summary.json has " + key + ": " +
                summary.keySet());
        }
        assertEquals(workload.label, summary.get("workload"));
        if (baseline)
        {
            assertEquals(workload == Workload.VWAP ? "before ferrite" : "after ferrite", summary.get("baseline_ran"));
        }
        for (final String prefix : baseline ? new String[]{"", "baseline_"} : new String[]{""})
        {
            assertTrue((Double)summary.get(prefix + "samples") > 0, prefix + "latencies recorded after the warm-up");
            double last = 0;
            for (final String p : new String[]{"p50_us", "p90_us", "p99_us", "p999_us", "p9999_us", "max_us"})
            {
                final double value = (Double)summary.get(prefix + p);
                assertTrue(value >= last, prefix + p + " = " + value + " below the percentile before it, " + last);
                last = value;
            }
            final double rate = (Double)summary.get(prefix + "achieved_rate");
            final double target = (Double)summary.get("target_rate");
            // Loose: a stall of the shared test machine at the end of a 2 s run stretches it.
            assertTrue(Math.abs(rate - target) < 0.15 * target, prefix + "achieved " + rate + " for " + target);
        }
        assertTrue((Double)summary.get("generator_max_lag_us") >= 0);
        assertTrue((Double)summary.get("hiccup_max_us") >= (Double)summary.get("hiccup_p99_us"));
        if (baseline)
        {
            assertEquals(Boolean.TRUE, summary.get("baseline_results_equal"));
            final double ratio = (Double)summary.get("ratio_p99");
            final double expected = (Double)summary.get("p99_us") / (Double)summary.get("baseline_p99_us");
            assertEquals(expected, ratio, 0.01 + expected * 0.01, "ratio_p99");
        }
    }

    /**
     * The .hgrm, line by line: HdrHistogram's percentile distribution, its totals the summary's.
     */
    private static void checkHgrm(final Path file, final Map<String, Object> summary, final String prefix)
        throws IOException
    {
        final List<String> lines = Files.readAllLines(file);
        assertEquals("       Value     Percentile TotalCount 1/(1-Percentile)", lines.get(0), file.toString());
        double lastValue = -1;
        double lastPercentile = -1;
        long lastCount = -1;
        double p50 = Double.NaN;
        int parsed = 0;
        Matcher total = null;
        for (final String line : lines.subList(1, lines.size()))
        {
            if (line.isEmpty())
            {
                continue;
            }
            final Matcher matcher = HGRM_LINE.matcher(line);
            if (matcher.matches())
            {
                final double value = Double.parseDouble(matcher.group(1));
                final double percentile = Double.parseDouble(matcher.group(2));
                final long count = Long.parseLong(matcher.group(3));
                assertTrue(value >= lastValue && percentile >= lastPercentile && count >= lastCount, line);
                if (Double.isNaN(p50) && percentile >= 0.5)
                {
                    p50 = value;
                }
                lastValue = value;
                lastPercentile = percentile;
                lastCount = count;
                parsed++;
                continue;
            }
            final Matcher totals = HGRM_TOTAL.matcher(line);
            if (totals.find())
            {
                total = totals;
                continue;
            }
            assertTrue(line.startsWith("#["), file + ": not a line of the format: " + line);
        }
        assertTrue(parsed >= 3, file + ": " + parsed + " percentile lines");
        assertNotNull(total, file + ": no totals line");
        assertEquals((Double)summary.get(prefix + "samples"), Double.parseDouble(total.group(2)), file.toString());
        assertEquals((Double)summary.get(prefix + "samples"), (double)lastCount, file.toString());
        assertEquals((Double)summary.get(prefix + "max_us"), Double.parseDouble(total.group(1)), 0.001,
            file.toString());
        assertEquals((Double)summary.get(prefix + "max_us"), lastValue, 0.001, file.toString());
        assertEquals((Double)summary.get(prefix + "p50_us"), p50, 0.001, file + ": the 50th percentile");
    }

    /**
     * The .hlog through HdrHistogram's own reader: one interval a second, adding up to the run's histogram.
     */
    private static void checkHlog(final Path file, final Histogram total) throws IOException
    {
        final HistogramLogReader reader = new HistogramLogReader(file.toFile());
        final Histogram sum = Histograms.newHistogram();
        int intervals = 0;
        double lastEnd = 0;
        EncodableHistogram interval;
        while (null != (interval = reader.nextIntervalHistogram()))
        {
            final Histogram histogram = (Histogram)interval;
            final double start = histogram.getStartTimeStamp() / 1000.0;
            final double end = histogram.getEndTimeStamp() / 1000.0;
            // A second a tick; a busy machine can delay the tick.
            assertTrue(end - start <= 3.0 && end >= start, file + ": interval " + start + " to " + end);
            assertTrue(start >= lastEnd - 0.001, file + ": intervals in order");
            lastEnd = end;
            sum.add(histogram);
            intervals++;
        }
        reader.close();
        assertTrue(intervals >= SECONDS, file + ": " + intervals + " intervals");
        assertEquals(total.getTotalCount(), sum.getTotalCount(), file.toString());
        assertEquals(total.getMaxValue(), sum.getMaxValue(), file.toString());
        assertEquals(total.getValueAtPercentile(99), sum.getValueAtPercentile(99), file.toString());
    }

    private static void checkPng(final Path file) throws IOException
    {
        final byte[] png = Files.readAllBytes(file);
        assertArrayEquals(new byte[]{(byte)0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        final BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image);
        assertEquals(960, image.getWidth());
    }

    private static List<String> sorted(final List<String> results)
    {
        final List<String> copy = new ArrayList<>(results);
        copy.sort(null);
        return copy;
    }

    /**
     * Every result of a workload, computed in plain Java from the generated input, sorted.
     */
    private static List<String> reference(final LatencyOptions options)
    {
        final Schedule schedule = Schedule.withEventOrigin(() -> 0, options.rate, options.maxRecords(),
            LatencyRun.EVENT_ORIGIN_US);
        final LatencyInput input = new LatencyInput(options.seed);
        final long slide = options.slideUs();
        final long slices = options.workload.windowed ? options.windowUs() / slide : 0;
        final List<String> results = new ArrayList<>();
        // window end -> key -> {count, sum a, sum b}
        final TreeMap<Long, TreeMap<Long, long[]>> windows = new TreeMap<>();
        for (long n = 0; n < options.maxRecords(); n++)
        {
            final long time = schedule.eventTimeUs(n);
            final long key;
            final long a;
            final long b;
            if (options.workload == Workload.Q5)
            {
                key = input.auction(n, time);
                a = 0;
                b = 0;
            }
            else
            {
                key = input.symbol(n);
                a = input.quantity(n);
                b = input.priceCents(n) * a;
            }
            if (options.workload == Workload.PASSTHROUGH)
            {
                results.add(FerriteWorkloads.passthroughText(n, key, a, b));
                continue;
            }
            final long slice = Math.floorDiv(time, slide);
            for (long end = (slice + 1) * slide; end <= (slice + slices) * slide; end += slide)
            {
                final long[] sums = windows.computeIfAbsent(end, (e) -> new TreeMap<>())
                    .computeIfAbsent(key, (k) -> new long[3]);
                sums[0]++;
                sums[1] += a;
                sums[2] += b;
            }
        }
        windows.forEach((end, keys) ->
        {
            final long start = end - options.windowUs();
            if (options.workload == Workload.VWAP)
            {
                keys.forEach((symbol, s) -> results.add(FerriteWorkloads.vwapText(symbol, start, end, s[0], s[1],
                    s[2], FerriteWorkloads.vwapOf(s[2], s[1]))));
                return;
            }
            final long max = keys.values().stream().mapToLong((s) -> s[0]).max().orElseThrow();
            final List<Long> tied = new ArrayList<>();
            keys.forEach((auction, s) ->
            {
                if (s[0] == max)
                {
                    tied.add(auction);
                }
            });
            for (final long auction : tied.subList(0, Math.min(tied.size(), Q5.MAX_TIES)))
            {
                results.add(FerriteWorkloads.q5Text(start, end, auction, max, tied.size()));
            }
        });
        results.sort(null);
        return results;
    }
}
