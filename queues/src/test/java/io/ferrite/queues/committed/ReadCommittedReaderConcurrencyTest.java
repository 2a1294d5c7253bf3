package io.ferrite.queues.committed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.queues.journal.Journal;

/**
 * A read-committed reader on its own thread follows a writer that appends, commits, voids and rolls to new files at
 * the same time: it sees every kept output once, in order, and never an output that was later voided — the writer
 * marks those "doomed" in their payload. Bounded, and both threads back off instead of spinning.
 */
class ReadCommittedReaderConcurrencyTest
{
    private static final long KEEP = 0x4b45455000000000L;
    private static final long DOOMED = 0x444f4f4d00000000L;
    private static final long KIND_MASK = 0xffffffff00000000L;

    @TempDir
    Path dir;

    @Test
    void shouldFollowTheWriterAndSeeOnlyCommittedOutputs() throws InterruptedException
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
        final AtomicLong keptWritten = new AtomicLong();
        final AtomicBoolean writerDone = new AtomicBoolean();
        final AtomicBoolean writerFailed = new AtomicBoolean();
        final AtomicLong received = new AtomicLong();
        final AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        try (CommittedJournal journal = CommittedJournal.open(new Journal.Context().directory(dir)
            .roll(Journal.Roll.SECONDLY).clockMs(clockMs::get)))
        {
            final Thread readerThread = new Thread(() ->
            {
                final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 500_000);
                try (ReadCommittedReader reader = ReadCommittedReader.open(journal.journal(), -1))
                {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (System.nanoTime() - deadline < 0 && !writerFailed.get())
                    {
                        final boolean done = writerDone.get();
                        final int n = reader.poll((index, buffer, offset, length) ->
                            check(buffer, offset, length, index, received), 1 + (int)(received.get() % 64));
                        if (done && 0 == n && received.get() == keptWritten.get())
                        {
                            return;
                        }
                        idle.idle(n);
                    }
                    throw new AssertionError("reader timed out: received " + received.get() + " of " +
                        keptWritten.get());
                }
                catch (final Throwable ex)
                {
                    readerFailure.set(ex);
                }
            }, "read-committed-reader");
            readerThread.start();

            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            final IdleStrategy writerIdle = new BackoffIdleStrategy(0, 0, 10_000, 100_000);
            long kept = 0;
            long checkpointId = 0;
            try
            {
                for (int round = 0; round < 300 && null == readerFailure.get(); round++)
                {
                    final int keep = 1 + random.nextInt(20);
                    for (int i = 0; i < keep; i++)
                    {
                        journal.append(payload, 0, fill(payload, KEEP | kept++));
                    }
                    final long barrier = journal.position();
                    checkpointId++;
                    final int doomed = random.nextInt(5);
                    for (int i = 0; i < doomed; i++)
                    {
                        journal.append(payload, 0, fill(payload, DOOMED | i));
                    }
                    switch (random.nextInt(3))
                    {
                        case 0:
                            // checkpoint completes, then the job restarts from it: the doomed outputs are voided
                            journal.commit(checkpointId, barrier);
                            journal.recover(checkpointId, barrier);
                            break;
                        case 1:
                            // crash between the manifest and the commit marker
                            journal.recover(checkpointId, barrier);
                            break;
                        default:
                            // the doomed outputs are voided by a restart from the previous checkpoint...
                            journal.recover(checkpointId - 1, journal.committedIndex());
                            // ...which replays the kept outputs: they are written again, this time to stay
                            kept -= keep;
                            for (int i = 0; i < keep; i++)
                            {
                                journal.append(payload, 0, fill(payload, KEEP | kept++));
                            }
                            journal.commit(checkpointId, journal.position());
                            break;
                    }
                    keptWritten.set(kept);
                    if (round % 50 == 49)
                    {
                        clockMs.addAndGet(1000);
                    }
                    if (round % 8 == 0)
                    {
                        writerIdle.idle(0);
                    }
                    if (round % 100 == 99)
                    {
                        // let the reader catch up with the tail, so that it follows the rest as it is written
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        while (received.get() < kept && null == readerFailure.get())
                        {
                            assertTrue(System.nanoTime() - deadline < 0, "reader did not catch up");
                            writerIdle.idle(0);
                        }
                    }
                }
            }
            catch (final RuntimeException | Error ex)
            {
                writerFailed.set(true);
                throw ex;
            }
            finally
            {
                // the reader stops before the journal closes under it
                writerDone.set(true);
                readerThread.join(TimeUnit.SECONDS.toMillis(90));
            }
            assertFalse(readerThread.isAlive(), "reader thread did not finish");
            assertNull(readerFailure.get(), () -> "seed=" + seed + ": " + readerFailure.get());
            assertEquals(kept, received.get(), "seed=" + seed);
            assertTrue(kept > 300);
        }
    }

    private static int fill(final UnsafeBuffer payload, final long tag)
    {
        payload.putLong(0, tag);
        for (int i = 8; i < 64; i += 8)
        {
            payload.putLong(i, tag * 31 + i);
        }
        return 64;
    }

    private static void check(
        final DirectBuffer buffer, final int offset, final int length, final long index, final AtomicLong received)
    {
        final long tag = buffer.getLong(offset);
        if ((tag & KIND_MASK) != KEEP)
        {
            throw new AssertionError("delivered an output that was voided: tag 0x" + Long.toHexString(tag) +
                " at index " + index);
        }
        final long seq = tag & ~KIND_MASK;
        if (seq != received.get())
        {
            throw new AssertionError("expected output " + received.get() + ", got " + seq + " at index " + index);
        }
        for (int i = 8; i < length; i += 8)
        {
            if (buffer.getLong(offset + i) != tag * 31 + i)
            {
                throw new AssertionError("output " + seq + " damaged at byte " + i);
            }
        }
        received.incrementAndGet();
    }
}
