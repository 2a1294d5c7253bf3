package io.ferrite.engine.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountersFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExposeCountersToAReaderOfTheFile() throws IOException
    {
        try (CountersFile file = CountersFile.create(dir, 16))
        {
            final AtomicCounter in = file.newCounter("stage vwap: records in", 1);
            final AtomicCounter out = file.newCounter("stage vwap: records out", 2);
            in.increment();
            in.increment();
            out.setRelease(7);

            try (CountersFile.Reader reader = CountersFile.openReader(dir))
            {
                final CountersReader counters = reader.counters();
                assertEquals(ProcessHandle.current().pid(), reader.pid());
                assertEquals("stage vwap: records in", counters.getCounterLabel(in.id()));
                assertEquals(2, counters.getCounterValue(in.id()));
                assertEquals(7, counters.getCounterValue(out.id()));
                assertEquals(2, counters.getCounterTypeId(out.id()));

                in.increment();
                assertEquals(3, counters.getCounterValue(in.id()), "the reader sees updates live");
            }
            in.close();
            out.close();
        }
        assertTrue(Files.exists(dir.resolve(CountersFileDescriptor.FILE_NAME)), "kept for post-mortem reading");
    }

    @Test
    void shouldExplainAMissingOrForeignFile() throws IOException
    {
        final NoSuchFileException missing = assertThrows(NoSuchFileException.class,
            () -> CountersFile.openReader(dir));
        assertTrue(missing.getReason().contains("no counters file"), missing.getReason());

        Files.write(dir.resolve(CountersFileDescriptor.FILE_NAME), new byte[200]);
        final IOException foreign = assertThrows(IOException.class, () -> CountersFile.openReader(dir));
        assertTrue(foreign.getMessage().contains("not a Ferrite counters file"), foreign.getMessage());

        Files.write(dir.resolve(CountersFileDescriptor.FILE_NAME), new byte[10]);
        final IOException tiny = assertThrows(IOException.class, () -> CountersFile.openReader(dir));
        assertTrue(tiny.getMessage().contains("too short"), tiny.getMessage());
    }
}
