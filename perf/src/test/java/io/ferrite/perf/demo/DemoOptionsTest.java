package io.ferrite.perf.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.perf.harness.ThreadingChoice;

class DemoOptionsTest
{
    @Test
    void shouldDefaultToTwentySecondsOfTwoHundredThousandEventsPerSecond()
    {
        final DemoOptions options = DemoOptions.parse();
        assertEquals(20, options.seconds);
        assertEquals(200_000, options.tradeRate() + options.telemetryRate());
        assertEquals(160_000, options.tradeRate());
        assertEquals(300, options.symbols);
        assertEquals(Path.of("ferrite-report"), options.out);
        assertEquals(null, options.dir);
    }

    @Test
    void shouldRejectBadOptionsWithExitCodeTwoAndSayWhatIsWrong()
    {
        assertRejected("--seconds expects a whole number, not 'ten'", "--seconds", "ten");
        assertRejected("--seconds must be between 1 and 86400, not 0", "--seconds", "0");
        assertRejected("unknown option '--bogus'", "--bogus", "1");
        assertRejected("--rate needs a value", "--rate");
        assertRejected("--threading expects auto, shared or dedicated, not 'many'", "--threading", "many");
        assertRejected("--warmup (5 s) must be shorter than --seconds (3 s)", "--seconds", "3", "--warmup", "5");
    }

    @Test
    void shouldPrintTheOptionsForHelp()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Demo.run(new String[]{"--help"}, print(out), print(err)));
        final String text = out.toString(StandardCharsets.UTF_8);
        for (final String option : new String[]{"--seconds", "--dir", "--keep", "--out", "--symbols", "--rate"})
        {
            assertTrue(text.contains(option), text);
        }
    }

    @Test
    void shouldShareOneThreadUnlessEveryStageInstanceAndOneMoreHaveACore()
    {
        assertEquals(ThreadingMode.SHARED, ThreadingChoice.choose("auto", 2, 4).mode());
        assertEquals(ThreadingMode.SHARED, ThreadingChoice.choose("auto", 4, 4).mode());
        final ThreadingChoice dedicated = ThreadingChoice.choose("auto", 5, 4);
        assertEquals(ThreadingMode.DEDICATED, dedicated.mode());
        assertEquals("busy-spin", dedicated.idleStrategy());
        final ThreadingChoice forced = ThreadingChoice.choose("dedicated", 2, 4);
        assertEquals(ThreadingMode.DEDICATED, forced.mode());
        assertEquals("back-off", forced.idleStrategy(), "never more spinning threads than cores");
        assertTrue(ThreadingChoice.choose("auto", 2, 4).reason().contains("4 stage instances, 2 cores"));
    }

    private static void assertRejected(final String message, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Demo.run(args, print(out), print(err)));
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(message), text);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    private static PrintStream print(final ByteArrayOutputStream bytes)
    {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
