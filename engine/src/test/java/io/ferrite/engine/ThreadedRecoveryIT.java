package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.queues.committed.ReadCommittedReader;
import io.ferrite.queues.journal.Journal;

/**
 * Recovery with real stage threads: a job stopped after a checkpoint with records journaled past it is started again
 * on the same directory in the shared threading mode, replays its journal on its stage thread (a Chronicle tailer
 * belongs to the thread that first uses it, and recovery runs on the thread that builds the job), and commits every
 * record exactly once.
 */
class ThreadedRecoveryIT
{
    private static final long RECORDS = 50_000;

    @TempDir
    Path dir;

    private final Schema event = Schema.builder("event").timestamp("time", TimeUnit.MILLISECONDS).int64("seq").build();
    private final TimestampField time = event.timestampField("time");
    private final Int64Field seq = event.int64Field("seq");

    @Test
    void shouldReplayOnTheStageThreadAfterARestart() throws Exception
    {
        final AtomicLong seen = new AtomicLong();
        try (Ferrite ferrite = launch())
        {
            final Job job = pipeline(ferrite, seen, true).start();
            while (seen.get() < RECORDS / 4)
            {
                Thread.sleep(5);
            }
            final long id = job.checkpoint();
            assertTrue(job.awaitCheckpoint(id, 30, TimeUnit.SECONDS), "checkpoint " + id);
            final long atCheckpoint = seen.get();
            while (seen.get() < atCheckpoint + 2_000)
            {
                Thread.sleep(5);
            }
            job.cancel();
        }
        try (Ferrite ferrite = launch())
        {
            final Job job = pipeline(ferrite, seen, false).start();
            assertTrue(job.restoredCheckpoint() > 0, "restored a checkpoint");
            assertTrue(job.await(60, TimeUnit.SECONDS), () -> "the restarted job did not finish:\n" + job.explain());
            assertNull(job.failure());
            assertTrue(job.replayedRecords() > 0, "replayed " + job.replayedRecords());
            assertTrue(job.recoveryTimeNs() >= 0, "caught up");
        }
        final List<Long> committed = new ArrayList<>();
        try (Journal journal = Journal.open(new Journal.Context().directory(dir.resolve("job").resolve("sinks")
            .resolve("out")).maxPayloadLength(64 + OutputIdentity.LENGTH + 8)))
        {
            ReadCommittedReader.readAllCommitted(journal, (index, buffer, offset, length) ->
                committed.add(buffer.getLong(offset + seq.offset())));
        }
        assertEquals(RECORDS, committed.size(), "committed records");
        for (int i = 0; i < committed.size(); i++)
        {
            assertEquals(i, committed.get(i), "record " + i);
        }
    }

    private Pipeline pipeline(final Ferrite ferrite, final AtomicLong seen, final boolean slow)
    {
        final Pipeline pipeline = ferrite.pipeline("job");
        pipeline.generator("events", event, new SourceOptions().maxRecords(RECORDS), (sequence, out) ->
        {
            out.put(time, sequence);
            out.put(seq, sequence);
            return true;
        })
            .map("count", event, (in, out) ->
            {
                seen.incrementAndGet();
                if (slow)
                {
                    LockSupport.parkNanos(2_000);
                }
                out.put(time, in.get(time));
                out.put(seq, in.get(seq));
            })
            .sinkToCommittedJournal("out");
        return pipeline;
    }

    private Ferrite launch()
    {
        return Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.SHARED)
            .idleStrategySupplier(BackoffIdleStrategy::new)
            .memoryBudgetBytes(64L * 1024 * 1024));
    }
}
