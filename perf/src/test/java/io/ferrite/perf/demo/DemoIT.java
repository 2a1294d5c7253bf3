package io.ferrite.perf.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.memory.MemoryManager;
import io.ferrite.perf.harness.MiniJson;
import io.ferrite.perf.harness.Schedule;

/**
 * The demo end to end, for three seconds at a small rate: the report folder, and the results checked against plain
 * Java computations over the same generated input.
 */
class DemoIT
{
    private static final Pattern PROGRESS = Pattern.compile(
        "(?m)^\\s+\\d+ s\\s+[\\d,]+ events/s\\s+.*watermark lag .* memory [\\d.]+ of \\d+ MiB  gc \\d+$");
    private static final Pattern HGRM_LINE = Pattern.compile(
        "(?m)^\\s+\\d+\\.\\d+ \\d\\.\\d{12}\\s+\\d+\\s+\\d+\\.\\d{2}$");

    @TempDir
    static Path dir;

    private static DemoResult result;
    private static String output;
    private static Path report;

    @BeforeAll
    static void runDemo() throws Exception
    {
        report = dir.resolve("report");
        final DemoOptions options = DemoOptions.parse("--seconds", "3", "--rate", "5000", "--symbols", "20",
            "--warmup", "1", "--dir", dir.resolve("work").toString(), "--out", report.toString(),
            "--threading", "shared", "--seed", "7");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            result = Demo.execute(options, out);
        }
        output = bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintProgressEverySecondAndTheSummary()
    {
        assertTrue(result.completed, output);
        assertTrue(output.contains("threading SHARED (back-off): 4 stage instances"), output);
        assertTrue(PROGRESS.matcher(output).results().count() >= 2, "a progress line a second:\n" + output);
        assertTrue(output.contains("end-to-end latency, microseconds"), output);
        assertTrue(output.contains("report: "), output);
        assertEquals(12_000, result.tradeEvents);
        assertEquals(3_000, result.telemetryEvents);
        assertTrue(result.checkpointsCompleted >= 1, output);
        assertFalse(Files.exists(dir.resolve("work").resolve(DemoRun.JOB)), "the job's files are deleted");
        assertEquals(0L, MemoryManager.processNativeBytes(), "the engine freed every off-heap byte");
    }

    @Test
    void shouldWriteAReportFolderThatParses() throws IOException
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> summary = (Map<String, Object>)MiniJson.parse(
            Files.readString(report.resolve("summary.json")));
        for (final String key : new String[]{"events", "seconds", "events_per_second", "p50_us", "p90_us", "p99_us",
            "p999_us", "max_us", "samples", "latency_convention", "threading", "cores", "jdk", "heap_max_bytes",
            "memory_budget_bytes", "checkpoints_completed", "recovery", "hiccups", "streams"})
        {
            assertTrue(summary.containsKey(key), "summary.json has " + key + ": " + summary.keySet());
        }
        assertEquals(15_000.0, summary.get("events"));
        assertEquals("SHARED", summary.get("threading"));
        assertTrue((Double)summary.get("samples") > 0, "latencies were recorded after the warm-up");
        assertTrue((Double)summary.get("p50_us") <= (Double)summary.get("p99_us"));
        assertTrue((Double)summary.get("p99_us") <= (Double)summary.get("max_us"));
        @SuppressWarnings("unchecked")
        final Map<String, Object> garbage = (Map<String, Object>)summary.get("garbage");
        @SuppressWarnings("unchecked")
        final Map<String, Object> run = (Map<String, Object>)garbage.get("run");
        assertTrue((Double)run.get("job_threads") >= 2, "the job's threads were found: " + run);
        assertTrue((Double)run.get("all_threads_allocated_bytes") >= (Double)run.get("job_threads_allocated_bytes"),
            run.toString());
        assertTrue((Double)run.get("collections") >= 0, run.toString());
        assertTrue(garbage.get("steady_state") instanceof Map, "steady state measured: " + garbage);

        final String hgrm = Files.readString(report.resolve("latency.hgrm"));
        assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"), hgrm);
        assertTrue(HGRM_LINE.matcher(hgrm).results().count() >= 3, hgrm);
        assertTrue(hgrm.contains("#[Max     ="), hgrm);
        assertTrue(Files.readString(report.resolve("hiccups.hgrm")).contains("#[Max     ="));

        final byte[] png = Files.readAllBytes(report.resolve("latency.png"));
        assertTrue(png.length > 1000, "latency.png has " + png.length + " bytes");
        assertArrayEquals(new byte[]{(byte)0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        final BufferedImage image = ImageIO.read(report.resolve("latency.png").toFile());
        assertNotNull(image);
        assertEquals(960, image.getWidth());
    }

    @Test
    void shouldComputeVwapAndVolumeAsPlainJavaDoes() throws IOException
    {
        final TradeGenerator trades = result.trades;
        final Schedule schedule = trades.schedule();
        // symbol -> window start -> {trades, volume}, and the notional in cents beside it
        final Map<String, TreeMap<Long, long[]>> counts = new TreeMap<>();
        final Map<String, Map<Long, long[]>> notionals = new HashMap<>();
        for (long n = 0; n < schedule.maxRecords(); n++)
        {
            final long time = schedule.eventTimeUs(n);
            final int symbol = trades.symbolOf(n, time);
            final double price = trades.priceOf(n, symbol, time);
            final long quantity = trades.quantityOf(n);
            final long lastStart = Math.floorDiv(time, 1_000_000L) * 1_000_000L;
            for (int k = 0; k < 10; k++)
            {
                final long start = lastStart - k * 1_000_000L;
                final long[] c = counts.computeIfAbsent(trades.name(symbol), (s) -> new TreeMap<>())
                    .computeIfAbsent(start, (s) -> new long[2]);
                c[0]++;
                c[1] += quantity;
                notionals.computeIfAbsent(trades.name(symbol), (s) -> new HashMap<>())
                    .computeIfAbsent(start, (s) -> new long[1])[0] += Math.round(price * 100.0) * quantity;
            }
        }

        final List<Map<String, String>> rows = readCsv(report.resolve(DemoPipeline.VWAP_CSV));
        final Set<String> expectedWindows = new TreeSet<>();
        counts.forEach((symbol, windows) -> windows.keySet().forEach((start) -> expectedWindows.add(symbol + "@" +
            start)));
        final Set<String> actualWindows = new TreeSet<>();
        for (final Map<String, String> row : rows)
        {
            final String symbol = row.get("symbol");
            final long start = Long.parseLong(row.get("window_start"));
            assertTrue(actualWindows.add(symbol + "@" + start), "one result per window: " + row);
            assertEquals(start + 10_000_000L, Long.parseLong(row.get("window_end")), row.toString());
            final long[] c = counts.get(symbol).get(start);
            assertNotNull(c, "a window with no trades: " + row);
            assertEquals(c[0], Long.parseLong(row.get("trades")), row.toString());
            assertEquals(c[1], Long.parseLong(row.get("volume")), row.toString());
            final long notionalCents = notionals.get(symbol).get(start)[0];
            assertEquals(notionalCents / 100.0, Double.parseDouble(row.get("notional")), row.toString());
            assertEquals(notionalCents / (100.0 * c[1]), Double.parseDouble(row.get("vwap")), row.toString());
        }
        assertEquals(expectedWindows, actualWindows);
    }

    @Test
    void shouldAlertExactlyOnTheWindowsAboveTheirLimits() throws IOException
    {
        final Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < result.trades.symbols(); i++)
        {
            index.put(result.trades.name(i), i);
        }
        final Set<String> breaches = new TreeSet<>();
        for (final Map<String, String> row : readCsv(report.resolve(DemoPipeline.VWAP_CSV)))
        {
            final int symbol = index.get(row.get("symbol"));
            if (Long.parseLong(row.get("volume")) > result.limits.volumeLimit(symbol) ||
                Double.parseDouble(row.get("notional")) > result.limits.notionalLimit(symbol))
            {
                breaches.add(row.get("symbol") + "@" + row.get("window_start"));
            }
        }
        final Set<String> alerts = new TreeSet<>();
        for (final Map<String, String> row : readCsv(report.resolve(DemoPipeline.ALERTS_CSV)))
        {
            final int symbol = index.get(row.get("symbol"));
            assertEquals(result.limits.volumeLimit(symbol), Long.parseLong(row.get("volume_limit")), row.toString());
            assertEquals(result.limits.notionalLimit(symbol), Double.parseDouble(row.get("notional_limit")),
                row.toString());
            assertTrue(Long.parseLong(row.get("volume")) > Long.parseLong(row.get("volume_limit")) ||
                Double.parseDouble(row.get("notional")) > Double.parseDouble(row.get("notional_limit")),
                row.toString());
            alerts.add(row.get("symbol") + "@" + row.get("window_start"));
        }
        assertFalse(alerts.isEmpty(), "the bursts breach limits");
        assertEquals(breaches, alerts);
    }

    @Test
    void shouldRollUpEveryTelemetryEventIntoItsServiceAndSecond() throws IOException
    {
        final TelemetryGenerator telemetry = result.telemetry;
        final Schedule schedule = telemetry.schedule();
        final Map<String, long[]> expected = new TreeMap<>();
        for (long n = 0; n < schedule.maxRecords(); n++)
        {
            final long start = Math.floorDiv(schedule.eventTimeUs(n), 1_000_000L) * 1_000_000L;
            final long[] e = expected.computeIfAbsent(TelemetryGenerator.SERVICES[telemetry.serviceOf(n)] + "@" +
                start, (k) -> new long[2]);
            e[0]++;
            e[1] = Math.max(e[1], telemetry.latencyOf(n));
        }
        final Map<String, long[]> actual = new TreeMap<>();
        for (final Map<String, String> row : readCsv(report.resolve(DemoPipeline.TELEMETRY_CSV)))
        {
            final long p50 = Long.parseLong(row.get("latency_p50"));
            final long p99 = Long.parseLong(row.get("latency_p99"));
            final long max = Long.parseLong(row.get("latency_max"));
            assertTrue(p50 <= p99 && p99 <= max, row.toString());
            actual.put(row.get("service") + "@" + row.get("window_start"),
                new long[]{Long.parseLong(row.get("count")), max});
        }
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((window, e) ->
        {
            final long[] a = actual.get(window);
            assertEquals(e[0], a[0], window);
            // The maximum is reported as the top of its histogram bucket: within 2^-7 above the exact one.
            assertTrue(a[1] >= e[1] && a[1] <= e[1] + e[1] / 128 + 1, window + ": " + a[1] + " for " + e[1]);
        });
    }

    @Test
    void shouldKeepTheJobFilesWhenAskedAndStartAfreshOnThemNextTime() throws Exception
    {
        final Path work = dir.resolve("kept");
        final String[] args = {"--seconds", "1", "--warmup", "0", "--rate", "1000", "--symbols", "5",
            "--dir", work.toString(), "--keep", "--out", dir.resolve("kept-report").toString()};
        final ByteArrayOutputStream first = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(first, true, StandardCharsets.UTF_8))
        {
            assertTrue(Demo.execute(DemoOptions.parse(args), out).completed);
        }
        assertTrue(Files.isDirectory(work.resolve(DemoRun.JOB).resolve("checkpoints")), first.toString());
        assertTrue(Files.exists(work.resolve(DemoRun.RESULTS).resolve(DemoPipeline.VWAP_CSV)));

        final ByteArrayOutputStream second = new ByteArrayOutputStream();
        final DemoResult again;
        try (PrintStream out = new PrintStream(second, true, StandardCharsets.UTF_8))
        {
            again = Demo.execute(DemoOptions.parse(args), out);
        }
        final String text = second.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("holds an earlier run's journals and checkpoints: deleting them"), text);
        assertTrue(again.completed, text);
        assertEquals(-1, again.restoredCheckpoint, text);
        assertEquals(800 + 200, again.events());
    }

    static List<Map<String, String>> readCsv(final Path file) throws IOException
    {
        final List<String> lines = Files.readAllLines(file);
        final String[] header = lines.get(0).split(",");
        final List<Map<String, String>> rows = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] values = line.split(",");
            assertEquals(header.length, values.length, file + ": " + line);
            final Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++)
            {
                row.put(header[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
