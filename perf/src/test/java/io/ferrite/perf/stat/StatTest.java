package io.ferrite.perf.stat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.counters.CountersFile;

class StatTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPrintValuesAndRatesOfEveryCounter() throws IOException
    {
        try (CountersFile file = CountersFile.create(dir, 8);
            CountersFile.Reader reader = CountersFile.openReader(dir))
        {
            final AtomicCounter records = file.newCounter("stage map: records in", 1);
            records.set(1000);
            final Int2ObjectHashMap<long[]> previous = new Int2ObjectHashMap<>();
            final String first = Stat.render(reader, previous, 0, true);
            assertTrue(first.contains("stage map: records in"), first);
            assertTrue(first.contains("1,000"), first);
            assertTrue(first.contains("running"), first);

            records.set(3000);
            final String second = Stat.render(reader, previous, 2_000_000_000L, true);
            assertTrue(second.contains("3,000"), second);
            assertTrue(second.contains(" 1,000  stage map"), "2,000 more in 2 s is 1,000 per second:\n" + second);
        }
    }
}
