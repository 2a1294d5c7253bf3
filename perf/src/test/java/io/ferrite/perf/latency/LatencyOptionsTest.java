package io.ferrite.perf.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class LatencyOptionsTest
{
    @Test
    void shouldTakeTheDefaultsThatSuitASmallMachine()
    {
        final LatencyOptions options = LatencyOptions.parse("--workload", "vwap", "--out", "r");
        assertEquals(Workload.VWAP, options.workload);
        assertEquals(Path.of("r"), options.out);
        assertEquals(100_000, options.rate);
        assertEquals(20, options.seconds);
        assertEquals(5, options.warmupSeconds);
        assertEquals(1_000, options.windowMs);
        assertEquals(10, options.slideMs);
        assertFalse(options.baseline);
        final LatencyOptions q5 = LatencyOptions.parse("--workload", "q5", "--out", "r", "--baseline", "disruptor",
            "--window-ms", "10000", "--slide-ms", "2000", "--rate", "1_000");
        assertTrue(q5.baseline);
        assertFalse(q5.baselineFirst);
        assertTrue(LatencyOptions.parse("--workload", "q5", "--out", "r", "--baseline-first", "--baseline",
            "disruptor").baselineFirst);
        assertEquals(10_000, q5.windowMs);
        assertEquals(2_000, q5.slideMs);
        assertEquals(1_000, q5.rate);
    }

    @Test
    void shouldRejectBadArgumentsWithAClearMessage()
    {
        rejects("--workload expects passthrough, vwap or q5, not 'q7'", "--workload", "q7", "--out", "r");
        rejects("--rate must be between 1 and 50000000, not 0", "--workload", "vwap", "--rate", "0", "--out", "r");
        rejects("--rate must be between 1 and 50000000, not -5", "--workload", "vwap", "--rate", "-5", "--out", "r");
        rejects("--rate expects a whole number, not 'fast'", "--workload", "vwap", "--rate", "fast", "--out", "r");
        rejects("--out is required", "--workload", "vwap");
        rejects("--workload is required", "--out", "r");
        rejects("unknown option '--colour'", "--workload", "vwap", "--out", "r", "--colour", "red");
        rejects("unknown option '--colour'", "--workload", "vwap", "--out", "r", "--colour");
        rejects("--out needs a value", "--workload", "vwap", "--out");
        rejects("--baseline expects disruptor, not 'flink'", "--workload", "vwap", "--out", "r", "--baseline",
            "flink");
        rejects("--warmup (5 s) must be shorter than --seconds (5 s)", "--workload", "vwap", "--out", "r",
            "--seconds", "5");
        rejects("--slide-ms (300) must divide --window-ms (1000)", "--workload", "vwap", "--out", "r",
            "--slide-ms", "300");
        rejects("--window-ms and --slide-ms apply to vwap and q5, not to passthrough", "--workload", "passthrough",
            "--out", "r", "--window-ms", "100");
        rejects("--baseline-first needs --baseline disruptor", "--workload", "q5", "--out", "r", "--baseline-first");
        rejects("--threading expects auto, shared or dedicated, not 'many'", "--workload", "q5", "--out", "r",
            "--threading", "many");
    }

    @Test
    void shouldExitWithTwoAndSayWhyOnBadArguments()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            code = Latency.run(new String[]{"--workload", "nexmark", "--out", "r"}, o, e);
        }
        assertEquals(2, code);
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("ferrite latency: --workload expects passthrough, vwap or q5, not 'nexmark'"), text);
        assertTrue(text.contains("--help lists the options"), text);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintTheUsageForHelp()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8))
        {
            code = Latency.run(new String[]{"--help"}, o, o);
        }
        assertEquals(0, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--baseline B"));
    }

    private static void rejects(final String message, final String... args)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> LatencyOptions.parse(args));
        assertTrue(ex.getMessage().contains(message), "'" + ex.getMessage() + "' says '" + message + "'");
    }
}
