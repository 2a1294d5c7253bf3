package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * A checkpoint makes no garbage in proportion to the state: the stages serialize into snapshot buffers and a snapshot
 * writer they keep from one checkpoint to the next. Every stage runs on the test thread (invoker mode), which
 * publishes, triggers the checkpoints, drives the stages through them and measures its own allocation. The state is a
 * window of 5,000 keys, a few hundred kilobytes per checkpoint; what a checkpoint may still allocate on the stage
 * thread is its acknowledgement (a few dozen bytes per stage).
 */
class CheckpointAllocationTest
{
    private static final int KEYS = 5_000;
    private static final int CHECKPOINTS = 20;
    private static final long ALLOWED_BYTES_PER_CHECKPOINT = 1_024;
    private static final long BASE_TIME = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Schema event = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("amount").build();
    private final TimestampField time = event.timestampField("time");
    private final Int64Field account = event.int64Field("account");
    private final Int64Field amount = event.int64Field("amount");

    @Test
    void checkpointsDoNotAllocateInProportionToTheState() throws Exception
    {
        SteadyStateAllocationTest.awayFromAnHourlyRoll();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .warningHandler((warning) -> { })
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("checkpoints");
            final Publisher events = pipeline.publisher("events", event, new SourceOptions());
            final long[] sunk = new long[1];
            pipeline.stream(events)
                .keyBy("account", 1)
                .window(Windows.tumbling(Duration.ofHours(1)))
                .aggregate("hourly", Aggregates.of(Aggregates.count("n"), Aggregates.sum(event, "amount", "amount")))
                .sink("count", (record) -> sunk[0]++);
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();

            long next = publish(producer, job, 0, KEYS);
            for (int i = 0; i < 3; i++)
            {
                next = publish(producer, job, next, 100);
                checkpoint(job);
            }
            final long sizeBytes = job.lastCheckpointSizeBytes();

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < CHECKPOINTS; i++)
            {
                next = publish(producer, job, next, 100);
                checkpoint(job);
            }
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            System.out.println("CheckpointAllocationTest: " + allocated + " bytes allocated over " + CHECKPOINTS +
                " checkpoints of " + sizeBytes + " bytes each");

            events.end(new NoOpIdleStrategy());
            assertTrue(job.await(30, TimeUnit.SECONDS));
            assertTrue(sizeBytes > 50L * KEYS, "the state is too small to tell: " + sizeBytes + " bytes");
            assertTrue(allocated < ALLOWED_BYTES_PER_CHECKPOINT * CHECKPOINTS, allocated + " bytes allocated over " +
                CHECKPOINTS + " checkpoints of " + sizeBytes + " bytes");
            assertEquals(KEYS, sunk[0], "one window per key, fired at the end");
        }
    }

    private static void checkpoint(final Job job) throws InterruptedException
    {
        final long id = job.checkpoint();
        assertTrue(id > 0, "checkpoint refused");
        assertTrue(job.awaitCheckpoint(id, 30, TimeUnit.SECONDS), "checkpoint " + id + " did not complete");
    }

    /**
     * Publish {@code count} records from {@code from} on, one per key in turn, within the first hour; drive the job
     * until it is idle.
     */
    private long publish(final Publisher.Producer producer, final Job job, final long from, final long count)
    {
        for (long i = from; i < from + count; i++)
        {
            while (!producer.tryClaim())
            {
                job.doWork();
            }
            producer.record().put(time, BASE_TIME + i % 1_000).put(account, i % KEYS).put(amount, i);
            producer.commit();
        }
        while (job.doWork() > 0)
        {
            Thread.onSpinWait();
        }
        return from + count;
    }
}
