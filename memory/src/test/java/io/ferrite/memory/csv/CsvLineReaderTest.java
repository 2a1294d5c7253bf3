package io.ferrite.memory.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLineReaderTest
{
    @TempDir
    Path dir;

    private List<String> readAll(final Path file, final int maxLine, final int chunk) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        try (CsvLineReader reader = new CsvLineReader(file, maxLine, chunk))
        {
            int length;
            while ((length = reader.next()) >= 0)
            {
                lines.add(reader.buffer().getStringWithoutLengthAscii(reader.lineOffset(), length));
                assertEquals(lines.size(), reader.lineNumber());
            }
        }
        return lines;
    }

    @Test
    void shouldReadLinesSpanningChunksWithAndWithoutAFinalNewline() throws IOException
    {
        final Random random = new Random(5);
        final List<String> expected = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            final StringBuilder line = new StringBuilder();
            for (int j = random.nextInt(60); j > 0; j--)
            {
                line.append((char)('a' + random.nextInt(26)));
            }
            expected.add(line.toString());
            text.append(line).append('\n');
        }
        final Path withNewline = dir.resolve("a.csv");
        Files.writeString(withNewline, text, StandardCharsets.US_ASCII);
        final Path without = dir.resolve("b.csv");
        Files.writeString(without, text.substring(0, text.length() - 1), StandardCharsets.US_ASCII);

        for (final int chunk : new int[]{ 64, 100, 4096 })
        {
            assertEquals(expected, readAll(withNewline, 62, chunk), "chunk " + chunk);
            assertEquals(expected, readAll(without, 62, chunk), "chunk " + chunk);
        }
    }

    @Test
    void shouldLeaveCarriageReturnsAndEmptyLinesToTheCaller() throws IOException
    {
        final Path file = dir.resolve("crlf.csv");
        Files.writeString(file, "a,1\r\n\r\n\nb,2", StandardCharsets.US_ASCII);
        assertEquals(List.of("a,1\r", "\r", "", "b,2"), readAll(file, 10, 64));
        final Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertEquals(List.of(), readAll(empty, 10, 64));
    }

    @Test
    void shouldRejectALineLongerThanTheLimitNamingFileAndLine() throws IOException
    {
        final Path file = dir.resolve("long.csv");
        Files.writeString(file, "ok\n" + "x".repeat(300) + "\nok\n", StandardCharsets.US_ASCII);
        try (CsvLineReader reader = new CsvLineReader(file, 100, 64))
        {
            assertEquals(2, reader.next());
            final MalformedRecordException ex = assertThrows(MalformedRecordException.class, reader::next);
            assertEquals(2, ex.lineNumber());
            assertTrue(ex.getMessage().contains("long.csv line 2"), ex.getMessage());
            assertTrue(ex.reason().contains("longer than 100 bytes"), ex.reason());
        }
        try (CsvLineReader reader = new CsvLineReader(file, 100))
        {
            assertEquals(2, reader.next());
            assertThrows(MalformedRecordException.class, reader::next, "caught with the default chunk size too");
        }
        final Path last = dir.resolve("last.csv");
        Files.writeString(last, "x".repeat(101), StandardCharsets.US_ASCII);
        try (CsvLineReader reader = new CsvLineReader(last, 100, 4096))
        {
            assertThrows(MalformedRecordException.class, reader::next);
        }
    }

    @Test
    void shouldNotAllocatePerLine() throws IOException
    {
        final Path file = dir.resolve("many.csv");
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.append(i).append(",sym").append(i % 100).append(',').append(i * 0.5).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            try (CsvLineReader reader = new CsvLineReader(file, 128))
            {
                reader.next();
                final long before = threads.getCurrentThreadAllocatedBytes();
                long lines = 1;
                while (reader.next() >= 0)
                {
                    lines++;
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertEquals(200_000, lines);
            }
        }
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes reading 200,000 lines");
    }
}
