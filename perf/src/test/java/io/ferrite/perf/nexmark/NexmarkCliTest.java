package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NexmarkCliTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void genShouldWriteTheSameBytesForTheSameSeedAndOthersForAnother() throws Exception
    {
        final Path a = dir.resolve("a.csv");
        final Path b = dir.resolve("b.csv");
        final Path c = dir.resolve("c.csv");
        assertEquals(0, execute("gen", "--events", "3000", "--seed", "4", "--out", a.toString()));
        assertEquals(0, execute("gen", "--events", "3000", "--seed", "4", "--out", b.toString()));
        assertEquals(0, execute("gen", "--events", "3000", "--seed", "5", "--out", c.toString()));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
        assertEquals(new NexmarkGenerator(4, 10_000).events(3_000), NexmarkCsv.read(a));
    }

    @Test
    void runShouldWriteTheQuerysLinesWithoutAHeaderFromAFileOrFromMemory() throws Exception
    {
        final Path events = dir.resolve("events.csv");
        assertEquals(0, execute("gen", "--events", "20000", "--seed", "6", "--out", events.toString()));
        final Path fromFile = dir.resolve("q3-file.csv");
        final Path fromMemory = dir.resolve("q3-memory.csv");
        assertEquals(0, execute("run", "--query", "q3", "--in", events.toString(), "--out", fromFile.toString(),
            "--parallelism", "2"));
        final String printed = out.toString(StandardCharsets.US_ASCII);
        assertTrue(printed.contains("events 20000\n"), printed);
        assertTrue(printed.contains("\nseconds "), printed);
        assertTrue(printed.contains("\nevents_per_s "), printed);
        assertEquals(0, execute("run", "--query", "q3", "--events", "20000", "--seed", "6", "--out",
            fromMemory.toString()));
        final List<String> expected = new Q3().reference(new NexmarkGenerator(6, 10_000).events(20_000));
        assertTrue(expected.size() > 10, "q3 results: " + expected.size());
        assertEquals(expected, sorted(fromFile));
        assertEquals(expected, sorted(fromMemory));
    }

    @Test
    void runShouldStopAtAMalformedLineNamingFileLineAndColumn() throws Exception
    {
        final Path events = dir.resolve("bad.csv");
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : new NexmarkGenerator(1, 10_000).events(100))
        {
            lines.add(NexmarkCsv.format(event));
        }
        lines.set(57, "B,1000,1001,cheap,1767225600000");
        Files.write(events, lines, StandardCharsets.US_ASCII);
        assertEquals(1, execute("run", "--query", "q0", "--in", events.toString(), "--out",
            dir.resolve("out.csv").toString()));
        final String message = err.toString(StandardCharsets.US_ASCII);
        assertTrue(message.contains(events + " line 58, column 4 (price)"), message);
    }

    @Test
    void shouldRejectBadArgumentsNamingThem() throws Exception
    {
        final Path events = dir.resolve("events.csv");
        Files.writeString(events, "B,1000,1001,5,1767225600000\n");
        final String o = dir.resolve("o.csv").toString();
        rejects("unknown query 'q99'", "run", "--query", "q99", "--in", events.toString(), "--out", o);
        rejects("--out FILE is needed", "run", "--query", "q1", "--in", events.toString());
        rejects("either --in FILE or --events N, not neither", "run", "--query", "q1", "--out", o);
        rejects("not both", "run", "--query", "q1", "--in", events.toString(), "--events", "5", "--out", o);
        rejects("--events must not be negative: -5", "run", "--query", "q1", "--events", "-5", "--out", o);
        rejects("--events must not be negative: -1", "gen", "--events", "-1", "--out", o);
        rejects("--parallelism must be at least 1: 0", "run", "--query", "q1", "--events", "5", "--out", o,
            "--parallelism", "0");
        rejects("--in: cannot read", "run", "--query", "q1", "--in", dir.resolve("missing.csv").toString(),
            "--out", o);
        rejects("--events: not a whole number: 'many'", "gen", "--events", "many", "--out", o);
        rejects("unknown option --bogus for gen", "gen", "--events", "1", "--out", o, "--bogus", "1");
        rejects("--query Q", "run", "--in", events.toString(), "--out", o);
        rejects("unknown command 'frobnicate'", "frobnicate");
        rejects("--out: cannot write", "gen", "--events", "1", "--out", dir.resolve("no/such/dir.csv").toString());
        rejects("--events needs a value", "gen", "--events");
        assertFalse(Files.exists(dir.resolve("o.csv")), "a rejected command wrote nothing");
    }

    private void rejects(final String message, final String... args)
    {
        err.reset();
        assertEquals(2, execute(args), String.join(" ", args));
        final String printed = err.toString(StandardCharsets.US_ASCII);
        assertTrue(printed.startsWith("nexmark: ") && printed.contains(message), printed);
        assertTrue(printed.contains("usage: scripts/ferrite nexmark"), printed);
    }

    private int execute(final String... args)
    {
        out.reset();
        return new NexmarkCli(new PrintStream(out, true, StandardCharsets.US_ASCII),
            new PrintStream(err, true, StandardCharsets.US_ASCII)).execute(args);
    }

    private static List<String> sorted(final Path file) throws Exception
    {
        final List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.US_ASCII));
        lines.sort(null);
        return lines;
    }
}
