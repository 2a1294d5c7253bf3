package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ferrite.engine.Ferrite;
import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.RecordView;
import io.ferrite.engine.RecordWriter;
import io.ferrite.engine.SinkFunction;

/**
 * Once warmed up, q5, q7, q8 and q11 allocate nothing per record: the whole job runs on the test thread (invoker
 * mode), fed by an allocation-free generator of NEXMark events in the union schema and ending in a counting sink, and
 * the thread measures its own allocation over a stretch of events in which windows keep opening, firing and being
 * freed.
 */
class NexmarkQueriesAllocationTest
{
    private static final long WARM_UP = 100_000;
    private static final long MEASURED = 200_000;
    private static final long ALLOWED_BYTES = 64 * 1024;
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static final long INTERVAL_MS = 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"q5", "q7", "q8", "q11"})
    void shouldNotAllocatePerRecordOnceWarmedUp(final String name) throws Exception
    {
        final NexmarkQuery query = switch (name)
        {
            case "q5" -> new Q5();
            case "q7" -> new Q7();
            case "q8" -> new Q8();
            default -> new Q11();
        };
        final Events events = new Events();
        final Tally tally = new Tally();
        try (Ferrite ferrite = QueryRunner.launch(dir))
        {
            final Pipeline pipeline = ferrite.pipeline(name);
            query.build(NexmarkSource.split(pipeline.generator("events", NexmarkSchemas.EVENT,
                NexmarkSource.options().journaled(false).maxRecords(WARM_UP + MEASURED + 1), events)), 2)
                .sink("tally", tally);
            try (Job job = pipeline.start())
            {
                runUntil(job, events, WARM_UP);
                final long resultsBefore = tally.records;
                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long threadId = Thread.currentThread().getId();
                final long probe = threads.getThreadAllocatedBytes(threadId);
                final long overhead = threads.getThreadAllocatedBytes(threadId) - probe;
                final long before = threads.getThreadAllocatedBytes(threadId);
                runUntil(job, events, WARM_UP + MEASURED);
                final long allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;
                final long results = tally.records - resultsBefore;
                System.out.println("NexmarkQueriesAllocationTest " + name + ": " + allocated + " bytes allocated " +
                    "over " + MEASURED + " events, " + results + " results");

                assertTrue(job.await(60, TimeUnit.SECONDS));
                assertTrue(results > 100, name + ": windows fired while measured: " + results);
                assertTrue(allocated < ALLOWED_BYTES, name + ": " + allocated + " bytes allocated over " + MEASURED +
                    " events in steady state");
            }
        }
        assertEquals(WARM_UP + MEASURED + 1, events.made);
    }

    private static void runUntil(final Job job, final Events events, final long made)
    {
        while (events.made < made)
        {
            job.doWork();
        }
    }

    /**
     * Counts the results.
     */
    private static final class Tally implements SinkFunction
    {
        long records;

        @Override
        public void accept(final RecordView record)
        {
            records++;
        }
    }

    /**
     * NEXMark events with the 1:3:46 pattern, ids from 1000 and up to 3 s of disorder, from a hash of the sequence
     * (no state but counts, no allocation).
     */
    private static final class Events implements GeneratorFunction
    {
        long made;

        @Override
        public boolean next(final long sequence, final RecordWriter out)
        {
            made = sequence + 1;
            final long hash = mix(sequence);
            final long dateTime = BASE_TIME + sequence * INTERVAL_MS - Math.floorMod(hash, 3_001L);
            final long group = sequence / 50;
            final long offset = sequence % 50;
            final long persons = group + 1;
            out.put(NexmarkSource.TIME, dateTime);
            if (offset == 0)
            {
                out.putSymbolAsLong(NexmarkSource.KIND, NexmarkSource.KIND_PERSON)
                    .put(NexmarkSource.ID, 1000 + group)
                    .put(NexmarkSource.NAME, "Walter Abrams")
                    .put(NexmarkSource.STATE, "CA");
            }
            else if (offset <= 3)
            {
                final long auctions = group * 3 + offset;
                out.putSymbolAsLong(NexmarkSource.KIND, NexmarkSource.KIND_AUCTION)
                    .put(NexmarkSource.ID, 1000 + auctions - 1)
                    .put(NexmarkSource.SELLER, 1000 + persons - 1 - Math.floorMod(hash >>> 20, Math.min(persons, 10)))
                    .put(NexmarkSource.CATEGORY, 10 + Math.floorMod(hash >>> 30, 5L));
            }
            else
            {
                final long auctions = group * 3 + 3;
                final long auction = 1000 + auctions - 1 - Math.floorMod(hash >>> 20, Math.min(auctions, 40));
                out.putSymbolAsLong(NexmarkSource.KIND, NexmarkSource.KIND_BID)
                    .put(NexmarkSource.AUCTION, auction)
                    .put(NexmarkSource.BIDDER, 1000 + Math.floorMod(hash >>> 30, persons))
                    .put(NexmarkSource.PRICE, 100 + Math.floorMod(hash >>> 40, 400L));
            }
            return true;
        }

        private static long mix(final long value)
        {
            long x = value * 0x9E3779B97F4A7C15L;
            x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
            x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
            return x ^ (x >>> 31);
        }
    }
}
