package io.ferrite.queues.committed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.queues.journal.Journal;

/**
 * Random sequences of what an engine does to its output journal — outputs, checkpoint barriers, manifests, commits
 * (sometimes late, sometimes lost to a crash), crashes with recovery of the latest manifest, new roll cycles — against
 * a plain-Java model of the job's surviving outputs. A read-committed reader polled at random moments, and resumed
 * after every crash, must always have delivered a prefix of the committed outputs, and exactly them once drained.
 * Fixed seeds plus a fresh one; {@code -Dferrite.test.seed=N} replays one seed.
 */
class CommittedJournalModelTest
{
    private static final long[] FIXED_SEEDS = { 1, 2, 17, 0x5eedL };

    @TempDir
    Path root;

    @Test
    void shouldDeliverExactlyTheCommittedOutputsOfTheSurvivingRun()
    {
        final Long requested = Long.getLong("ferrite.test.seed");
        final List<Long> seeds = new ArrayList<>();
        if (null != requested)
        {
            seeds.add(requested);
        }
        else
        {
            for (final long seed : FIXED_SEEDS)
            {
                seeds.add(seed);
            }
            seeds.add(System.nanoTime());
        }
        for (final long seed : seeds)
        {
            try
            {
                new Run(seed, root.resolve("seed-" + seed)).run();
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError("seed=" + seed + " (replay with -Dferrite.test.seed=" + seed + "): " +
                    ex.getMessage(), ex);
            }
        }
    }

    /**
     * One random run and its model.
     */
    private static final class Run
    {
        private final Random random;
        private final Path dir;
        private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[128]);

        /** The surviving run's outputs in journal order, as {index, seq, length}; voided ones are removed. */
        private final List<long[]> lineage = new ArrayList<>();
        /** What the reader delivered, as {index, seq, length}. */
        private final List<long[]> delivered = new ArrayList<>();
        private long committedPosition = -1;
        private long nextSeq;
        private long nextCheckpointId = 1;
        private long[] barrier;
        private long[] manifest;
        private boolean manifestCommitted;
        private long lastCommittedId = CommittedJournal.NO_CHECKPOINT;
        private int crashes;
        private int voidedOutputs;

        private CommittedJournal journal;
        private ReadCommittedReader reader;

        Run(final long seed, final Path dir)
        {
            this.random = new Random(seed);
            this.dir = dir;
        }

        void run()
        {
            journal = open();
            try
            {
                journal.recover(CommittedJournal.NO_CHECKPOINT, -1);
                reader = journal.reader(-1);
                final int steps = 400 + random.nextInt(400);
                for (int step = 0; step < steps; step++)
                {
                    step();
                }
                drainAndCheck();
                crash();
                drainAndCheck();
                assertEquals(expected().size(), ReadCommittedReader.readAllCommitted(journal.journal(),
                    this::checkPayload), "a fresh reader delivers the same outputs");
                assertEquals(committedPosition, journal.committedIndex());
                assertTrue(crashes > 0 && voidedOutputs > 0, "the run crashed and voided outputs: crashes=" +
                    crashes + " voided=" + voidedOutputs);
            }
            finally
            {
                journal.close();
            }
        }

        private void step()
        {
            final int r = random.nextInt(100);
            if (r < 45)
            {
                final long seq = nextSeq++;
                final int length = 8 + random.nextInt(100);
                payload.putLong(0, seq);
                for (int i = 8; i < length; i++)
                {
                    payload.putByte(i, (byte)(seq + i));
                }
                final long index = journal.append(payload, 0, length);
                assertEquals(index, journal.position());
                lineage.add(new long[]{ index, seq, length });
            }
            else if (r < 55)
            {
                if (null == barrier)
                {
                    barrier = new long[]{ nextCheckpointId++, journal.position() };
                }
            }
            else if (r < 63)
            {
                if (null != barrier)
                {
                    manifest = barrier;
                    barrier = null;
                    manifestCommitted = false;
                    if (random.nextInt(4) != 0)
                    {
                        commitManifest();
                    }
                }
            }
            else if (r < 67)
            {
                if (null != manifest && !manifestCommitted)
                {
                    commitManifest();
                }
            }
            else if (r < 80)
            {
                poll(1 + random.nextInt(8));
            }
            else if (r < 83)
            {
                drainAndCheck();
            }
            else if (r < 86)
            {
                reader.close();
                reader = journal.reader(lastDelivered());
            }
            else if (r < 90)
            {
                clockMs.addAndGet(1000);
            }
            else if (r < 95)
            {
                crash();
            }
        }

        private void commitManifest()
        {
            journal.commit(manifest[0], manifest[1]);
            manifestCommitted = true;
            committedPosition = manifest[1];
            lastCommittedId = manifest[0];
            assertEquals(lastCommittedId, journal.lastCommittedCheckpointId());
        }

        private void crash()
        {
            crashes++;
            reader.close();
            journal.close();
            journal = open();
            barrier = null;
            assertEquals(lastCommittedId, journal.lastCommittedCheckpointId(), "found by the scan on opening");
            assertEquals(committedPosition, journal.committedIndex(), "found by the scan on opening");
            if (null == manifest)
            {
                journal.recover(CommittedJournal.NO_CHECKPOINT, -1);
                voidedOutputs += lineage.size();
                lineage.clear();
                nextCheckpointId = random.nextBoolean() ? 1 : nextCheckpointId;
            }
            else
            {
                journal.recover(manifest[0], manifest[1]);
                manifestCommitted = true;
                lastCommittedId = manifest[0];
                committedPosition = manifest[1];
                final int before = lineage.size();
                lineage.removeIf((output) -> output[0] > manifest[1]);
                voidedOutputs += before - lineage.size();
                // An engine may reuse the ids of checkpoints that never completed, or keep counting.
                nextCheckpointId = random.nextBoolean() ? manifest[0] + 1 : nextCheckpointId;
            }
            assertEquals(committedPosition, journal.committedIndex());
            reader = journal.reader(lastDelivered());
        }

        private void poll(final int limit)
        {
            final int n = reader.poll(this::onDelivered, limit);
            assertTrue(n >= 0 && n <= limit);
            checkPrefix();
        }

        private void drainAndCheck()
        {
            while (reader.poll(this::onDelivered, 1 + random.nextInt(16)) > 0)
            {
                checkPrefix();
            }
            final List<long[]> expected = expected();
            assertEquals(expected.size(), delivered.size(), "every committed output is delivered");
            checkPrefix();
            assertEquals(committedPosition, reader.committedIndex());
        }

        private void onDelivered(final long index, final DirectBuffer buffer, final int offset, final int length)
        {
            checkPayload(index, buffer, offset, length);
            delivered.add(new long[]{ index, buffer.getLong(offset), length });
        }

        private void checkPayload(final long index, final DirectBuffer buffer, final int offset, final int length)
        {
            final long seq = buffer.getLong(offset);
            for (int i = 8; i < length; i++)
            {
                if (buffer.getByte(offset + i) != (byte)(seq + i))
                {
                    throw new AssertionError("output " + seq + " at index " + index + " damaged at byte " + i);
                }
            }
        }

        private void checkPrefix()
        {
            final List<long[]> expected = expected();
            assertTrue(delivered.size() <= expected.size(), () -> "delivered " + delivered.size() +
                " outputs, only " + expected.size() + " committed; last delivered seq " +
                delivered.get(delivered.size() - 1)[1]);
            for (int i = 0; i < delivered.size(); i++)
            {
                final long[] want = expected.get(i);
                final long[] got = delivered.get(i);
                if (want[0] != got[0] || want[1] != got[1] || want[2] != got[2])
                {
                    throw new AssertionError("delivery " + i + ": expected seq " + want[1] + " at index " + want[0] +
                        " (" + want[2] + " bytes), got seq " + got[1] + " at index " + got[0] + " (" + got[2] +
                        " bytes)");
                }
            }
        }

        private List<long[]> expected()
        {
            final List<long[]> expected = new ArrayList<>();
            for (final long[] output : lineage)
            {
                if (output[0] <= committedPosition)
                {
                    expected.add(output);
                }
            }
            return expected;
        }

        private long lastDelivered()
        {
            return delivered.isEmpty() ? -1 : delivered.get(delivered.size() - 1)[0];
        }

        private CommittedJournal open()
        {
            return CommittedJournal.open(new Journal.Context().directory(dir).roll(Journal.Roll.SECONDLY)
                .clockMs(clockMs::get));
        }
    }
}
