package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.memory.csv.MalformedRecordException;

class NexmarkFileSourceTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer record = new UnsafeBuffer(new byte[NexmarkSchemas.EVENT.recordLength()]);

    @Test
    void shouldGiveLineKPlusOneForRecordKInAnyOrderOfAsking() throws Exception
    {
        final List<NexmarkEvent> events = new NexmarkGenerator(2, 10_000).events(1_000);
        final Path file = dir.resolve("events.csv");
        NexmarkCsv.write(file, events);
        try (NexmarkFileSource source = new NexmarkFileSource(file))
        {
            // A resumed job asks for a later record first, then goes on in order; a replay starts again lower.
            for (final int first : new int[]{700, 0, 999, 350})
            {
                for (int k = first; k < Math.min(first + 60, 1_000); k++)
                {
                    assertEquals(events.get(k), read(source, k), "record " + k);
                }
            }
            assertFalse(next(source, 1_000), "past the last line");
            assertFalse(next(source, 5_000), "far past the last line");
            assertEquals(events.get(3), read(source, 3));
        }
    }

    @Test
    void shouldStopAtAMalformedLineWithItsFileLineAndColumn() throws Exception
    {
        final Path file = dir.resolve("bad.csv");
        Files.writeString(file, "B,1000,1001,5,1767225600000\nQ,1,2\n", StandardCharsets.US_ASCII);
        try (NexmarkFileSource source = new NexmarkFileSource(file))
        {
            assertTrue(next(source, 0));
            final MalformedRecordException ex = assertThrows(MalformedRecordException.class, () -> next(source, 1));
            assertEquals(file.toString(), ex.source());
            assertEquals(2, ex.lineNumber());
            assertEquals(1, ex.column());
        }
    }

    @Test
    void shouldEndAtTrailingEmptyLinesButStopAtAnEmptyLineInside() throws Exception
    {
        final String bid = "B,1000,1001,5,1767225600000\n";
        final Path trailing = dir.resolve("trailing.csv");
        Files.writeString(trailing, bid + bid + "\n\n", StandardCharsets.US_ASCII);
        try (NexmarkFileSource source = new NexmarkFileSource(trailing))
        {
            assertTrue(next(source, 0));
            assertTrue(next(source, 1));
            assertFalse(next(source, 2), "the empty lines at the end are the end");
        }
        final Path inside = dir.resolve("inside.csv");
        Files.writeString(inside, bid + "\n" + bid, StandardCharsets.US_ASCII);
        try (NexmarkFileSource source = new NexmarkFileSource(inside))
        {
            assertTrue(next(source, 0));
            final MalformedRecordException ex = assertThrows(MalformedRecordException.class, () -> next(source, 1));
            assertEquals(2, ex.lineNumber(), ex.getMessage());
        }
    }

    private boolean next(final NexmarkFileSource source, final long sequence)
    {
        record.setMemory(0, record.capacity(), (byte)0);
        return source.next(sequence, record, 0);
    }

    private NexmarkEvent read(final NexmarkFileSource source, final long sequence)
    {
        assertTrue(next(source, sequence), "record " + sequence);
        return NexmarkSource.read(record, 0);
    }
}
