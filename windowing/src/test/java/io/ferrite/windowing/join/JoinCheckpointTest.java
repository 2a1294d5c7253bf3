package io.ferrite.windowing.join;

import static io.ferrite.windowing.CheckpointBytes.assertSameOutput;
import static io.ferrite.windowing.join.PairRecorder.LEFT_LENGTH;
import static io.ferrite.windowing.join.PairRecorder.RIGHT_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.windowing.CheckpointBytes;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * Checkpoints of {@link WindowJoin} and {@link IntervalJoin}: a randomized out-of-order stream of left and right
 * records (late ones included) and watermarks, with output limits that leave firings and queued pairs unfinished, is
 * run once uninterrupted and once with checkpoints at random points — snapshot into bytes, close the join, build a
 * fresh one, restore, go on — and both runs must emit the same pairs (and refuse the same records) in the same
 * order; a restored join snapshots to the bytes it was restored from. Plus: another configuration is refused with a
 * message saying what differs, a flipped byte is caught, and a snapshot allocates nothing per key or record. Seeded
 * ({@code -Dferrite.test.seed=...} changes the base seed); every message names its seed and configuration.
 */
class JoinCheckpointTest
{
    private static final long BASE_SEED = Long.getLong("ferrite.test.seed", 0x501A_C4ECL);
    private static final long BUDGET_BYTES = 64L << 20;
    private static final int ALL = Integer.MAX_VALUE;
    private static final String OWNER = "join";
    private static final long[] KEY_POOL = {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40};
    private static final long MAX_CALLS = 10_000_000;

    /**
     * Either join, behind one face.
     */
    interface Join extends AutoCloseable
    {
        boolean onRecord(boolean left, long key, long timestamp, DirectBuffer record);

        boolean hasPending();

        /**
         * Emit queued pairs; the window join has none outside its firings.
         */
        void emitPending(int limit);

        boolean advanceWatermark(long watermark, int limit);

        boolean endOfStream(int limit);

        long watermark();

        long lateRecords();

        long allocatedBytes();

        void snapshot(SnapshotWriter writer) throws IOException;

        void restore(SnapshotReader reader) throws IOException;

        @Override
        void close();
    }

    /**
     * A join's configuration, and the time scale of the stream it gets.
     */
    static final class Config
    {
        final String name;
        final SlicedWindows windows;
        final long lower;
        final long upper;
        final int leftLength;
        final int rightLength;
        final long scale;

        Config(final SlicedWindows windows, final long lower, final long upper, final int leftLength,
            final int rightLength)
        {
            this.windows = windows;
            this.lower = lower;
            this.upper = upper;
            this.leftLength = leftLength;
            this.rightLength = rightLength;
            this.scale = null != windows ? windows.size() : Math.max(5, Math.max(Math.abs(lower), Math.abs(upper)));
            this.name = (null != windows ? "window join " + windows : "interval join [" + lower + ", " + upper + "]") +
                (leftLength != LEFT_LENGTH || rightLength != RIGHT_LENGTH ?
                " records " + leftLength + "/" + rightLength : "");
        }

        static Config window(final SlicedWindows windows)
        {
            return new Config(windows, 0, 0, LEFT_LENGTH, RIGHT_LENGTH);
        }

        static Config interval(final long lower, final long upper)
        {
            return new Config(null, lower, upper, LEFT_LENGTH, RIGHT_LENGTH);
        }

        Join create(final MemoryManager memoryManager, final JoinOutput output)
        {
            return null != windows ?
                windowJoin(new WindowJoin(memoryManager, OWNER, windows, leftLength, rightLength, output)) :
                intervalJoin(new IntervalJoin(memoryManager, OWNER, lower, upper, leftLength, rightLength, output));
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    static Join windowJoin(final WindowJoin join)
    {
        return new Join()
        {
            @Override
            public boolean onRecord(final boolean left, final long key, final long timestamp, final DirectBuffer record)
            {
                return left ? join.onLeft(key, timestamp, record, 0) : join.onRight(key, timestamp, record, 0);
            }

            @Override
            public boolean hasPending()
            {
                return join.hasPending();
            }

            @Override
            public void emitPending(final int limit)
            {
            }

            @Override
            public boolean advanceWatermark(final long watermark, final int limit)
            {
                return join.advanceWatermark(watermark, limit);
            }

            @Override
            public boolean endOfStream(final int limit)
            {
                return join.endOfStream(limit);
            }

            @Override
            public long watermark()
            {
                return join.watermark();
            }

            @Override
            public long lateRecords()
            {
                return join.lateRecords();
            }

            @Override
            public long allocatedBytes()
            {
                return join.allocatedBytes();
            }

            @Override
            public void snapshot(final SnapshotWriter writer) throws IOException
            {
                join.snapshot(writer);
            }

            @Override
            public void restore(final SnapshotReader reader) throws IOException
            {
                join.restore(reader);
            }

            @Override
            public void close()
            {
                join.close();
            }
        };
    }

    static Join intervalJoin(final IntervalJoin join)
    {
        return new Join()
        {
            @Override
            public boolean onRecord(final boolean left, final long key, final long timestamp, final DirectBuffer record)
            {
                return left ? join.onLeft(key, timestamp, record, 0) : join.onRight(key, timestamp, record, 0);
            }

            @Override
            public boolean hasPending()
            {
                return join.hasPending();
            }

            @Override
            public void emitPending(final int limit)
            {
                join.emitPending(limit);
            }

            @Override
            public boolean advanceWatermark(final long watermark, final int limit)
            {
                return join.advanceWatermark(watermark, limit);
            }

            @Override
            public boolean endOfStream(final int limit)
            {
                return join.endOfStream(limit);
            }

            @Override
            public long watermark()
            {
                return join.watermark();
            }

            @Override
            public long lateRecords()
            {
                return join.lateRecords();
            }

            @Override
            public long allocatedBytes()
            {
                return join.allocatedBytes();
            }

            @Override
            public void snapshot(final SnapshotWriter writer) throws IOException
            {
                join.snapshot(writer);
            }

            @Override
            public void restore(final SnapshotReader reader) throws IOException
            {
                join.restore(reader);
            }

            @Override
            public void close()
            {
                join.close();
            }
        };
    }

    static Stream<Config> configs()
    {
        return Stream.of(
            Config.window(SlicedWindows.tumbling(10, 0)),
            Config.window(SlicedWindows.tumbling(7, -4)),
            Config.window(SlicedWindows.sliding(10, 4, 0)),
            Config.window(SlicedWindows.sliding(12, 3, 5)),
            Config.window(SlicedWindows.sliding(30, 10, 0)),
            Config.interval(-5, 5),
            Config.interval(0, 0),
            Config.interval(2, 9),
            Config.interval(-15, -3),
            Config.interval(-20, 20));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The stream.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * A record (left or right) or, with no side, a watermark.
     */
    record Op(boolean record, boolean left, long key, long time, long id, boolean emit)
    {
        @Override
        public String toString()
        {
            return record ? (left ? "left" : "right") + " key=" + key + " ts=" + time + " id=" + id :
                "watermark " + time;
        }
    }

    private static List<Op> stream(final SplittableRandom random, final Config config, final int operations)
    {
        final long size = config.scale;
        final long[] keys = new long[1 + random.nextInt(4)];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = KEY_POOL[random.nextInt(KEY_POOL.length)];
        }
        final long disorder = random.nextLong(0, 2 * size + 1);
        long frontier = random.nextLong(-5 * size, 5 * size + 1);
        long watermark = Long.MIN_VALUE;
        long id = 0;
        final List<Op> ops = new ArrayList<>();
        for (int i = 0; i < operations; i++)
        {
            final int dice = random.nextInt(100);
            if (dice < 75)
            {
                final long ts;
                final int kind = random.nextInt(100);
                if (kind < 8 && watermark > Long.MIN_VALUE)
                {
                    ts = watermark - random.nextLong(0, 2 * size + 1); // Late: refused, or not for every window.
                }
                else
                {
                    ts = frontier - random.nextLong(0, disorder + 1);
                }
                ops.add(new Op(true, random.nextBoolean(), keys[random.nextInt(keys.length)], ts, id++,
                    random.nextInt(4) != 0));
                frontier += random.nextInt(3) == 0 ? random.nextLong(0, Math.max(2, size / 3)) : 0;
            }
            else if (dice < 95)
            {
                final int kind = random.nextInt(100);
                final long next;
                if (kind < 70)
                {
                    next = frontier - disorder - random.nextLong(0, size + 1);
                }
                else if (kind < 80)
                {
                    next = watermark;
                }
                else
                {
                    next = frontier + random.nextLong(0, 3 * size + 1);
                    frontier = next + random.nextLong(0, size + 1);
                }
                ops.add(new Op(false, false, 0, next, 0, true));
                watermark = Math.max(watermark, next);
            }
            else
            {
                frontier += random.nextLong(0, 3 * size);
            }
        }
        return ops;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running it.
    // ---------------------------------------------------------------------------------------------------------------

    private static final int NOTHING_DUE = 0;
    private static final int PENDING_DUE = 1;
    private static final int WATERMARK_DUE = 2;

    /**
     * Drives a join — and, after each checkpoint, its restored successor — through a stream, writing what comes out
     * as text. An unfinished call is finished before the next operation, so a checkpoint taken between them catches
     * the join with pairs due.
     */
    static final class Run implements JoinOutput
    {
        final List<String> out = new ArrayList<>();
        final int limit;
        final Config config;
        final UnsafeBuffer leftRecord;
        final UnsafeBuffer rightRecord;
        Join join;
        int due = NOTHING_DUE;
        long dueTime;

        Run(final Config config, final int limit)
        {
            this.config = config;
            this.limit = limit;
            this.leftRecord = new UnsafeBuffer(new byte[Math.max(8, config.leftLength)]);
            this.rightRecord = new UnsafeBuffer(new byte[Math.max(8, config.rightLength)]);
        }

        @Override
        public void onPair(final long key, final DirectBuffer left, final int leftOffset, final long leftTimestamp,
            final DirectBuffer right, final int rightOffset, final long rightTimestamp, final long windowStart,
            final long windowEnd)
        {
            out.add(key + " L" + PairRecorder.checkedId(left, leftOffset, config.leftLength) + "@" + leftTimestamp +
                " R" + PairRecorder.checkedId(right, rightOffset, config.rightLength) + "@" + rightTimestamp + " [" +
                windowStart + ", " + windowEnd + ")");
        }

        void apply(final Op op)
        {
            finishDue();
            if (op.record())
            {
                final UnsafeBuffer record = op.left() ? leftRecord : rightRecord;
                PairRecorder.fill(record, 0, op.id(), op.left() ? config.leftLength : config.rightLength);
                if (!join.onRecord(op.left(), op.key(), op.time(), record))
                {
                    out.add("refused " + op + " late=" + join.lateRecords());
                }
                if (op.emit())
                {
                    join.emitPending(limit);
                }
                due = join.hasPending() ? PENDING_DUE : NOTHING_DUE;
            }
            else
            {
                due = join.advanceWatermark(op.time(), limit) ? NOTHING_DUE : WATERMARK_DUE;
                dueTime = op.time();
            }
        }

        void finishDue()
        {
            long calls = 0;
            if (PENDING_DUE == due)
            {
                while (join.hasPending())
                {
                    assertTrue(calls++ < MAX_CALLS, "emitPending never drains");
                    join.emitPending(limit);
                }
            }
            else if (WATERMARK_DUE == due)
            {
                while (!join.advanceWatermark(dueTime, limit))
                {
                    assertTrue(calls++ < MAX_CALLS, "advanceWatermark never finishes");
                }
            }
            due = NOTHING_DUE;
        }

        void end()
        {
            finishDue();
            long calls = 0;
            while (!join.endOfStream(limit))
            {
                assertTrue(calls++ < MAX_CALLS, "endOfStream never finishes");
            }
            assertFalse(join.hasPending());
            out.add("end: watermark " + join.watermark() + " late " + join.lateRecords());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void shouldContinueFromACheckpointExactlyAsWithout(final Config config)
    {
        int checkpoints = 0;
        int midCall = 0;
        long pairs = 0;
        for (int run = 0; run < 16; run++)
        {
            final long seed = BASE_SEED * 31 + config.name.hashCode() * 1_000_003L + run;
            final int[] counts = runWithCheckpoints(seed, config, 400 + 100 * (run % 4));
            checkpoints += counts[0];
            midCall += counts[1];
            pairs += counts[2];
        }
        assertTrue(midCall >= 10, config + ": too few checkpoints with pairs due: " + midCall);
        assertTrue(pairs > 1_000, config + ": too few pairs to mean much: " + pairs);
        System.out.println("checkpoints of " + config + ": " + checkpoints + " taken, " + midCall +
            " with pairs due, " + pairs + " lines of output");
    }

    /**
     * @return checkpoints taken, of which with pairs due, and output lines.
     */
    private static int[] runWithCheckpoints(final long seed, final Config config, final int operations)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int limit = new int[]{1, 2, 3, 7, ALL}[random.nextInt(5)];
        final List<Op> ops = stream(random, config, operations);
        final TreeSet<Integer> points = new TreeSet<>();
        final int chosen = 1 + random.nextInt(3);
        while (points.size() < chosen)
        {
            points.add(random.nextInt(ops.size() + 1));
        }
        final SplittableRandom opportunities = new SplittableRandom(random.nextLong());
        final String context = "seed=" + seed + " " + config + " limit=" + limit + " checkpoints at " + points;

        final Run uninterrupted = new Run(config, limit);
        final long endBytes;
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            Join join = config.create(memoryManager, uninterrupted))
        {
            uninterrupted.join = join;
            ops.forEach(uninterrupted::apply);
            uninterrupted.end();
            endBytes = join.allocatedBytes();
        }

        final Run checkpointed = new Run(config, limit);
        final List<Integer> taken = new ArrayList<>();
        int midCall = 0;
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
        {
            checkpointed.join = config.create(memoryManager, checkpointed);
            try
            {
                for (int i = 0; i <= ops.size(); i++)
                {
                    final boolean due = checkpointed.due != NOTHING_DUE;
                    if (points.contains(i) || (due && midCall < 6 && opportunities.nextInt(2) == 0))
                    {
                        midCall += due ? 1 : 0;
                        taken.add(i);
                        checkpoint(memoryManager, config, checkpointed, context + " at operation " + i);
                    }
                    if (i < ops.size())
                    {
                        checkpointed.apply(ops.get(i));
                    }
                }
                checkpointed.end();
                assertEquals(endBytes, checkpointed.join.allocatedBytes(),
                    context + ": memory after the end of the stream");
            }
            finally
            {
                checkpointed.join.close();
            }
        }
        assertSameOutput(context + " (taken at " + taken + ")", uninterrupted.out, checkpointed.out);
        return new int[]{taken.size(), midCall, uninterrupted.out.size()};
    }

    private static void checkpoint(final MemoryManager memoryManager, final Config config, final Run run,
        final String context)
    {
        final boolean pending = run.join.hasPending();
        final byte[] bytes = CheckpointBytes.snapshot(run.join::snapshot);
        run.join.close();
        run.join = config.create(memoryManager, run);
        try
        {
            CheckpointBytes.restore(bytes, run.join::restore);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(context + ": restore failed", ex);
        }
        assertEquals(pending, run.join.hasPending(), context + ": hasPending after the restore");
        assertArrayEquals(bytes, CheckpointBytes.snapshot(run.join::snapshot),
            context + ": the restored join's snapshot differs from the one it was restored from");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Refusals.
    // ---------------------------------------------------------------------------------------------------------------

    private static byte[] checkpointOf(final MemoryManager memoryManager, final Config config, final long seed)
    {
        final Run run = new Run(config, ALL);
        try (Join join = config.create(memoryManager, run))
        {
            run.join = join;
            stream(new SplittableRandom(seed), config, 300).forEach(run::apply);
            run.finishDue();
            return CheckpointBytes.snapshot(join::snapshot);
        }
    }

    private static void assertRefused(final Config taken, final Config restoring, final String expected)
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
        {
            final byte[] bytes = checkpointOf(memoryManager, taken, 23);
            try (Join join = restoring.create(memoryManager, new Run(restoring, ALL)))
            {
                final SnapshotCorruptedException ex = CheckpointBytes.restoreFails(bytes, join::restore,
                    taken + " into " + restoring);
                assertTrue(ex.getMessage().contains(expected), () -> "expected \"" + expected + "\" in: " +
                    ex.getMessage());
                assertTrue(ex.getMessage().contains(OWNER), ex::getMessage);
            }
        }
    }

    @Test
    void shouldRefuseACheckpointTakenWithAnotherConfigurationSayingWhatDiffers()
    {
        assertRefused(
            Config.window(SlicedWindows.sliding(10_000, 1_000, 0)),
            Config.window(SlicedWindows.sliding(10_000, 500, 0)),
            "checkpoint taken with sliding 10000/1000, this operator is sliding 10000/500");
        assertRefused(
            Config.window(SlicedWindows.tumbling(10, 2)),
            Config.window(SlicedWindows.tumbling(10, 3)),
            "checkpoint taken with offset 2, this operator is offset 3");
        assertRefused(
            Config.window(SlicedWindows.tumbling(10, 0)),
            new Config(SlicedWindows.tumbling(10, 0), 0, 0, LEFT_LENGTH + 1, RIGHT_LENGTH),
            "checkpoint taken with left records of " + LEFT_LENGTH + " bytes, this operator is left records of " +
                (LEFT_LENGTH + 1) + " bytes");
        assertRefused(
            Config.interval(-5, 5),
            Config.interval(-5, 6),
            "checkpoint taken with interval [-5, 5], this operator is interval [-5, 6]");
        assertRefused(
            Config.interval(0, 0),
            new Config(null, 0, 0, LEFT_LENGTH, RIGHT_LENGTH - 1),
            "checkpoint taken with right records of " + RIGHT_LENGTH + " bytes, this operator is right records of " +
                (RIGHT_LENGTH - 1) + " bytes");
        assertRefused(
            Config.interval(0, 10),
            Config.window(SlicedWindows.tumbling(10, 0)),
            "bad magic 0x" + Integer.toHexString(IntervalJoin.SNAPSHOT_MAGIC) + ", expected 0x" +
                Integer.toHexString(WindowJoin.SNAPSHOT_MAGIC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void shouldCatchAFlippedByte(final Config config)
    {
        final long seed = BASE_SEED + config.name.hashCode();
        final SplittableRandom random = new SplittableRandom(seed);
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
        {
            final byte[] bytes = checkpointOf(memoryManager, config, seed);
            final TreeSet<Integer> positions = new TreeSet<>();
            for (int i = 0; i < Math.min(bytes.length, 128); i++)
            {
                positions.add(i); // The header, the scalars, the first structure's header.
            }
            for (int i = bytes.length - 16; i < bytes.length; i++)
            {
                positions.add(i);
            }
            while (positions.size() < Math.min(bytes.length, 400))
            {
                positions.add(random.nextInt(bytes.length));
            }
            for (final int position : positions)
            {
                final byte[] corrupted = bytes.clone();
                final int mask = 1 << random.nextInt(8) | (random.nextInt(4) == 0 ? 0xFF : 0);
                corrupted[position] ^= (byte)mask;
                try (Join join = config.create(memoryManager, new Run(config, ALL)))
                {
                    CheckpointBytes.restoreFails(corrupted, join::restore, "seed=" + seed + " " + config + ": byte " +
                        position + " of " + bytes.length + " ^ 0x" + Integer.toHexString(mask & 0xFF));
                }
                assertEquals(0, memoryManager.usedBytes(), "memory left by a failed restore");
            }
        }
    }

    @Test
    void shouldCatchAFlippedByteInTheStateOfAnUnfinishedFiring()
    {
        // Corrupted firing state must be refused without walking the tables it names: the pairs are gathered
        // again only by the next call, once the caller has verified the checkpoint.
        for (final Config config : new Config[]{Config.window(SlicedWindows.sliding(10, 5, 0)),
            Config.interval(-10, 10)})
        {
            try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
            {
                final Run run = new Run(config, 1);
                final byte[] bytes;
                try (Join join = config.create(memoryManager, run))
                {
                    run.join = join;
                    for (int i = 0; i < 40; i++)
                    {
                        PairRecorder.fill(run.leftRecord, 0, i, config.leftLength);
                        PairRecorder.fill(run.rightRecord, 0, 1000 + i, config.rightLength);
                        assertTrue(join.onRecord(true, 7, i % 5, run.leftRecord));
                        run.due = PENDING_DUE;
                        run.finishDue();
                        assertTrue(join.onRecord(false, 7, i % 5, run.rightRecord));
                        if (i < 39)
                        {
                            run.due = PENDING_DUE;
                            run.finishDue();
                        }
                    }
                    join.advanceWatermark(100, 1);
                    assertTrue(join.hasPending(), config + ": pairs due");
                    bytes = CheckpointBytes.snapshot(join::snapshot);
                }
                for (int position = 0; position < bytes.length; position++)
                {
                    for (final int mask : new int[]{0x01, 0x80, 0xFF})
                    {
                        final byte[] corrupted = bytes.clone();
                        corrupted[position] ^= (byte)mask;
                        try (Join join = config.create(memoryManager, new Run(config, ALL)))
                        {
                            CheckpointBytes.restoreFails(corrupted, join::restore, config + ": byte " + position +
                                " ^ 0x" + Integer.toHexString(mask));
                        }
                    }
                }
                assertEquals(0, memoryManager.usedBytes(), "memory left by failed restores");
            }
        }
    }

    @Test
    void shouldRefuseToSnapshotOrRestoreWhenClosed()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
        {
            for (final Config config : configs().toList())
            {
                final Join join = config.create(memoryManager, new Run(config, ALL));
                final byte[] bytes = CheckpointBytes.snapshot(join::snapshot);
                join.close();
                assertThrows(IllegalStateException.class, () -> CheckpointBytes.snapshot(join::snapshot),
                    config::toString);
                assertThrows(IllegalStateException.class, () -> CheckpointBytes.restore(bytes, join::restore),
                    config::toString);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Allocation.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldSnapshotWithoutAllocatingPerKeyOrRecord()
    {
        for (final Config config : new Config[]{Config.window(SlicedWindows.sliding(100, 10, 0)),
            Config.interval(-50, 50)})
        {
            try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
                Join join = config.create(memoryManager, (k, l, lo, lt, r, ro, rt, ws, we) -> { }))
            {
                final UnsafeBuffer left = new UnsafeBuffer(new byte[LEFT_LENGTH]);
                final UnsafeBuffer right = new UnsafeBuffer(new byte[RIGHT_LENGTH]);
                for (int i = 0; i < 20_000; i++)
                {
                    PairRecorder.fill(left, 0, i, LEFT_LENGTH);
                    PairRecorder.fill(right, 0, i, RIGHT_LENGTH);
                    join.onRecord(i % 2 == 0, i % 2_000, i / 50, i % 2 == 0 ? left : right);
                    while (join.hasPending())
                    {
                        join.emitPending(ALL);
                    }
                }
                final SnapshotWriter writer = new SnapshotWriter(CheckpointBytes.discarding());
                final long[] allocated = CheckpointBytes.measureAllocation(() ->
                {
                    try
                    {
                        join.snapshot(writer);
                    }
                    catch (final IOException ex)
                    {
                        throw new AssertionError(ex);
                    }
                });
                assertTrue(writer.bodyLength() > 12L * 20_000 * LEFT_LENGTH, config + ": the snapshots hold the state");
                CheckpointBytes.assertNothingAllocatedPerEntry("snapshots of " + config, allocated);
            }
        }
    }
}
