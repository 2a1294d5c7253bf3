package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.counters.CountersFile;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;

/**
 * A sink that is slow for a while, then fast, behind a journaled generator in the shared threading mode: the rings
 * fill and the source stops taking input (back-pressure reaches the source; what the generator has not given is not
 * made), off-heap memory does not grow while the sink is slow, nothing is dropped or reordered, and once the sink is
 * fast the job drains the rest at the fast sink's pace.
 */
class SlowSinkIT
{
    private static final long RECORDS = 200_000;
    private static final long SLOW_RECORDS = 3_000;
    private static final long SLOW_NANOS = 200_000;

    @TempDir
    Path dir;

    private final Schema event = Schema.builder("event").timestamp("time", TimeUnit.MILLISECONDS).int64("seq").build();
    private final TimestampField time = event.timestampField("time");
    private final Int64Field seq = event.int64Field("seq");

    @Test
    void shouldHoldBackTheSourceWhileTheSinkIsSlowAndDrainWhenItSpeedsUp() throws Exception
    {
        final AtomicLong received = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong fastStartNs = new AtomicLong();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.SHARED)
            .idleStrategySupplier(BackoffIdleStrategy::new)
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("slow");
            pipeline.generator("events", event, new SourceOptions().maxRecords(RECORDS).ringCapacity(1024),
                (sequence, out) ->
                {
                    out.put(time, sequence);
                    out.put(seq, sequence);
                    return true;
                })
                .map("copy", event, (in, out) ->
                {
                    out.put(time, in.get(time));
                    out.put(seq, in.get(seq));
                })
                .sink("slow-then-fast", (record) ->
                {
                    final long n = received.getAndIncrement();
                    if (record.get(seq) != n)
                    {
                        outOfOrder.incrementAndGet();
                    }
                    if (n < SLOW_RECORDS)
                    {
                        LockSupport.parkNanos(SLOW_NANOS);
                    }
                    else if (n == SLOW_RECORDS)
                    {
                        fastStartNs.set(System.nanoTime());
                    }
                });
            final Job job = pipeline.start();

            // While the sink is slow: the source is held back, and memory stays where the start put it.
            long memoryWhileSlow = 0;
            long firstMemory = -1;
            long pressuredSourceIn = -1;
            while (received.get() < SLOW_RECORDS - 500)
            {
                final long used = ferrite.memoryManager().usedBytes();
                firstMemory = firstMemory < 0 ? used : firstMemory;
                memoryWhileSlow = Math.max(memoryWhileSlow, used);
                pressuredSourceIn = sourceRecordsIn(job);
                Thread.sleep(20);
            }
            final long sourceIn = pressuredSourceIn;
            assertTrue(sourceIn > 0 && sourceIn < SLOW_RECORDS * 4, () -> "the source ran ahead of a slow sink: it " +
                "took " + sourceIn + " records while the sink had " + received.get() + "\n" + job.explain());
            assertEquals(firstMemory, memoryWhileSlow, "off-heap memory grew while the sink was slow");

            assertTrue(job.await(60, TimeUnit.SECONDS), () -> "the job did not drain once the sink was fast:\n" +
                job.explain());
            assertNull(job.failure());
            final long fastNs = System.nanoTime() - fastStartNs.get();
            assertEquals(RECORDS, received.get(), "records received");
            assertEquals(0, outOfOrder.get(), "records out of order");
            // The fast phase took far less than the slow pace would have (200 µs a record: 39 s for the rest).
            assertTrue(fastNs < (RECORDS - SLOW_RECORDS) * SLOW_NANOS / 4,
                () -> "the fast phase took " + fastNs / 1_000_000 + " ms");
        }
    }

    private static long sourceRecordsIn(final Job job) throws IOException
    {
        final long[] value = {-1};
        try (CountersFile.Reader reader = CountersFile.openReader(job.directory()))
        {
            final CountersReader counters = reader.counters();
            counters.forEach((counterId, type, key, label) ->
            {
                if (type == Job.RECORDS_IN_TYPE_ID && label.equals("stage events: records in"))
                {
                    value[0] = counters.getCounterValue(counterId);
                }
            });
        }
        return value[0];
    }
}
