package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.memory.csv.MalformedRecordException;

class NexmarkCsvTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatItWrites() throws Exception
    {
        final List<NexmarkEvent> events = new NexmarkGenerator(5, 10_000).events(5_000);
        final Path file = dir.resolve("events.csv");
        NexmarkCsv.write(file, events);
        assertEquals(events, NexmarkCsv.read(file));
        final List<String> lines = Files.readAllLines(file);
        assertEquals(5_000, lines.size());
        assertTrue(lines.get(0).startsWith("P,1000,"), lines.get(0));
        assertTrue(lines.get(1).startsWith("A,1000,"), lines.get(1));
        assertTrue(lines.get(4).matches("B,\\d+,\\d+,\\d+,\\d+"), lines.get(4));
        assertEquals(8, lines.get(0).split(",", -1).length);
        assertEquals(10, lines.get(1).split(",", -1).length);
    }

    @Test
    void shouldNameFileLineAndColumnOfAMalformedLine()
    {
        final NexmarkCsv csv = new NexmarkCsv();
        final String name = "x".repeat(NexmarkSchemas.NAME_LENGTH + 1);
        check(csv, "X,1,2,3,4", 1, "kind", "expected P, A or B");
        check(csv, "B,1,2,3", 5, "dateTime", "wrong column count");
        check(csv, "B,1,2,3,4,5", 6, null, "wrong column count");
        check(csv, "B,1,two,3,4", 3, "bidder", "");
        check(csv, "P,1," + name + ",e@x.com,1234 1234 1234 1234,Kent,WA,5", 3, "name", "too long");
        check(csv, "A,1,item,desc,10,20,notatime,40,1000,10", 7, "dateTime", "");
        check(csv, "", 1, "kind", "expected P, A or B");
    }

    @Test
    void shouldRefuseToWriteAStringHoldingAComma()
    {
        final NexmarkEvent person = new NexmarkEvent.Person(1, "a,b", "e", "c", "Kent", "WA", 1);
        assertThrows(IllegalArgumentException.class, () -> NexmarkCsv.format(person));
    }

    private static void check(
        final NexmarkCsv csv, final String line, final int column, final String field, final String reason)
    {
        final MalformedRecordException ex =
            assertThrows(MalformedRecordException.class, () -> csv.parse("events.csv", 42, line), line);
        assertEquals("events.csv", ex.source());
        assertEquals(42, ex.lineNumber());
        assertEquals(column, ex.column(), ex.getMessage());
        assertEquals(field, ex.fieldName(), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason) && ex.getMessage().startsWith("events.csv line 42, column "),
            ex.getMessage());
    }
}
