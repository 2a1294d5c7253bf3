package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;

/**
 * Cancel, close and pinning of running jobs on real threads.
 */
class JobLifecycleTest
{
    private static final Schema TICK = Schema.builder("tick")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("key").int64("value").build();
    private static final TimestampField TIME = TICK.timestampField("time");
    private static final Int64Field KEY = TICK.int64Field("key");
    private static final Int64Field VALUE = TICK.int64Field("value");

    @TempDir
    Path dir;

    @Test
    void cancelStopsAnUnboundedJobAndCloseFreesEverything() throws Exception
    {
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.DEDICATED)
            .idleStrategySupplier(BackoffIdleStrategy::new)
            .memoryBudgetBytes(32L * 1024 * 1024)))
        {
            final AtomicLong seen = new AtomicLong();
            final Pipeline pipeline = ferrite.pipeline("endless");
            pipeline.generator("ticks", TICK, new SourceOptions().journaled(false), (sequence, out) ->
            {
                out.put(TIME, sequence).put(KEY, sequence % 7).put(VALUE, sequence);
                return true;
            })
                .keyBy("key", 2)
                .process("count", TICK, TICK, (in, ctx, out) -> ctx.state().put(VALUE, ctx.state().get(VALUE) + 1))
                .sink("never", (record) -> seen.incrementAndGet());
            final Job job = pipeline.start();
            assertFalse(job.recoverable(), "an unjournaled generator cannot be replayed");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (countersRecordsIn(job) < 10_000 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(countersRecordsIn(job) >= 10_000, "the generator runs");
            assertFalse(job.await(50, TimeUnit.MILLISECONDS), "an endless job does not complete on its own");

            job.cancel();
            assertTrue(job.await(5, TimeUnit.SECONDS));
            assertFalse(job.isDone(), "cancelled, not completed");
            assertNull(job.failure());
            assertEquals(0, seen.get());
            job.close();
            assertEquals(0, ferrite.memoryManager().usedBytes(), ferrite.memoryManager().toString());
        }
    }

    @Test
    void producerWaitingOnAFullRingIsReleasedWhenTheJobIsClosed() throws Exception
    {
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .memoryBudgetBytes(32L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("stalled");
            final Publisher ticks = pipeline.publisher("ticks", TICK, new SourceOptions().ringCapacity(4));
            pipeline.stream(ticks).sink("out", (record) -> { });
            final Job job = pipeline.start();
            final Publisher.Producer producer = ticks.newProducer();
            for (int i = 0; i < 4; i++)
            {
                assertTrue(producer.tryClaim());
                producer.record().put(TIME, i);
                producer.commit();
            }
            assertFalse(producer.tryClaim(), "nobody drives the invoker job, so the ring stays full");

            final Thread closer = new Thread(() ->
            {
                try
                {
                    Thread.sleep(100);
                }
                catch (final InterruptedException ignore)
                {
                    Thread.currentThread().interrupt();
                }
                job.close();
            });
            closer.start();
            final IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> producer.claim(new BackoffIdleStrategy()));
            assertTrue(thrown.getMessage().contains("ticks"), thrown.getMessage());
            closer.join();
            assertThrows(IllegalStateException.class, ticks::newProducer);
        }
    }

    @Test
    void dedicatedStagesArePinnedToTheGivenCoresAndExplainSaysSo() throws Exception
    {
        final int cores = Runtime.getRuntime().availableProcessors();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.DEDICATED)
            .idleStrategySupplier(BackoffIdleStrategy::new)
            .cores(0, cores > 1 ? 1 : 0)
            .memoryBudgetBytes(32L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("pinned");
            final CollectingSink out = pipeline.generator("ticks", TICK, new SourceOptions().maxRecords(1_000),
                (sequence, record) ->
                {
                    record.put(TIME, sequence).put(KEY, sequence % 3).put(VALUE, sequence);
                    return true;
                })
                .keyBy("key", 1)
                .process("last", TICK, null, (in, ctx, collector) ->
                {
                    collector.begin().copyFrom(in);
                    collector.emit();
                })
                .collect("out");
            final Job job = pipeline.start();
            assertTrue(job.await(20, TimeUnit.SECONDS));
            assertEquals(1_000, out.size());
            final String plan = job.explain();
            assertTrue(plan.contains("ferrite-pinned-ticks (core 0)"), plan);
            assertTrue(plan.contains("ferrite-pinned-last (core " + (cores > 1 ? 1 : 0) + ")"), plan);
            assertTrue(plan.contains("cores [0, "), plan);
        }
    }

    private static long countersRecordsIn(final Job job) throws Exception
    {
        try (io.ferrite.engine.counters.CountersFile.Reader reader =
            io.ferrite.engine.counters.CountersFile.openReader(job.directory()))
        {
            final long[] value = {0};
            reader.counters().forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (label.equals("stage ticks: records in"))
                {
                    value[0] = reader.counters().getCounterValue(counterId);
                }
            });
            return value[0];
        }
    }
}
