package io.ferrite.windowing;

import static io.ferrite.windowing.CheckpointBytes.assertSameOutput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.windowing.aggregate.AggregatesReference;
import io.ferrite.windowing.aggregate.AggregatesReference.Part;

/**
 * Checkpoints of every {@link WindowOperator}: a randomized out-of-order stream (records late and within the
 * lateness, watermarks forward, still and backward, processing time for early results, output limits that leave
 * calls unfinished) is run once uninterrupted and once with checkpoints at random points — snapshot into bytes, close
 * the operator, build a fresh one, restore, go on — and the two runs must emit the same results (the refused records
 * included) in the same order, and a restored operator must snapshot to the very bytes it was restored from. Plus: a
 * checkpoint is refused by an operator of another configuration, with a message saying what differs; a flipped byte
 * is caught; and a snapshot allocates nothing per key. Seeded ({@code -Dferrite.test.seed=...} changes the base
 * seed); every message names its seed and configuration.
 */
class WindowOperatorCheckpointTest
{
    private static final long BASE_SEED = Long.getLong("ferrite.test.seed", 0xC4EC_9017L);
    private static final long BUDGET_BYTES = 64L << 20;
    private static final int ALL = Integer.MAX_VALUE;
    private static final String OWNER = "op";
    private static final long[] KEY_POOL = {0, -1, 1, 42, 7, -7_000_000_000L, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final int RECORD_OFFSET = 8;
    private static final int V_OFFSET = AggregatesReference.INPUT.field("v").offset();

    private static final Part[] SUBTRACTABLE = {Part.COUNT, Part.SUM_V, Part.AVG_V, Part.PCT};
    private static final Part[] EVERYTHING = Part.values();

    /**
     * An operator's configuration, and the time scale of the stream it gets.
     */
    static final class Config
    {
        final String name;
        final WindowAssigner assigner;
        final Part[] parts;
        final long lateness;
        final long early;
        final long scale;

        Config(final WindowAssigner assigner, final Part[] parts, final long lateness, final long early,
            final long scale)
        {
            this.assigner = assigner;
            this.parts = parts;
            this.lateness = lateness;
            this.early = early;
            this.scale = scale;
            this.name = assigner + " lateness=" + lateness + " early=" + early + " parts=" +
                (parts == EVERYTHING ? "all" : parts == SUBTRACTABLE ? "subtractable" : List.of(parts).toString());
        }

        WindowOperator create(final MemoryManager memoryManager, final WindowOutput output)
        {
            return assigner.newOperator(memoryManager, OWNER, AggregatesReference.aggregate(parts), lateness, early,
                output);
        }

        int accumulatorLength()
        {
            return AggregatesReference.aggregate(parts).accumulatorLength();
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    static Stream<Config> configs()
    {
        return Stream.of(
            new Config(WindowAssigner.tumbling(10), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.tumbling(7, -4), EVERYTHING, 12, 4, 7),
            new Config(WindowAssigner.tumbling(10), SUBTRACTABLE, 5, 3, 10),
            new Config(WindowAssigner.sliding(10, 4), EVERYTHING, 23, 5, 10),
            new Config(WindowAssigner.sliding(12, 3, 5), SUBTRACTABLE, 7, 0, 12),
            new Config(WindowAssigner.sliding(20, 3), SUBTRACTABLE, 0, 6, 20),
            new Config(WindowAssigner.sliding(100, 30, 7), SUBTRACTABLE, 50, 20, 100),
            new Config(WindowAssigner.sliding(6, 1), EVERYTHING, 4, 2, 6),
            new Config(WindowAssigner.sliding(10, 2), SUBTRACTABLE, 0, 0, 10),
            new Config(WindowAssigner.sliding(30, 4, 3), SUBTRACTABLE, 0, 0, 30),
            new Config(WindowAssigner.session(10), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.session(7), SUBTRACTABLE, 15, 5, 7),
            new Config(WindowAssigner.session(25), EVERYTHING, 40, 9, 25),
            new Config(WindowAssigner.count(5), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.count(12, 4), SUBTRACTABLE, 0, 0, 10),
            new Config(WindowAssigner.count(7, 3), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.count(1), SUBTRACTABLE, 0, 0, 10),
            new Config(WindowAssigner.global(Trigger.count(3)), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.global(Trigger.continuousCount(4)), SUBTRACTABLE, 0, 0, 10),
            new Config(WindowAssigner.global(new NewHigh()), EVERYTHING, 0, 0, 10));
    }

    /**
     * A trigger with state: fires when a record's {@code v} is the key's highest yet, purges on a negative one.
     */
    static final class NewHigh implements Trigger
    {
        @Override
        public int stateLength()
        {
            return 16;
        }

        @Override
        public byte onRecord(final MutableDirectBuffer state, final int stateOffset, final DirectBuffer record,
            final int recordOffset, final long timestamp, final long count)
        {
            final long value = record.getLong(recordOffset + V_OFFSET);
            if (value < -900)
            {
                return FIRE_AND_PURGE;
            }
            if (0 == state.getLong(stateOffset) || value > state.getLong(stateOffset + 8))
            {
                state.putLong(stateOffset, 1);
                state.putLong(stateOffset + 8, value);
                return FIRE;
            }
            return CONTINUE;
        }

        @Override
        public String toString()
        {
            return "newHigh";
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The stream.
    // ---------------------------------------------------------------------------------------------------------------

    private static final int RECORD = 0;
    private static final int WATERMARK = 1;
    private static final int PROCESSING_TIME = 2;
    private static final int TELL_TIME = 3;

    /**
     * One call: a record, a watermark, a processing time (with output, or only telling the time).
     */
    record Op(int type, long key, long time, long v, double d, long lat, long id, boolean emit)
    {
        @Override
        public String toString()
        {
            switch (type)
            {
                case RECORD:
                    return "record key=" + key + " ts=" + time + " id=" + id;
                case WATERMARK:
                    return "watermark " + time;
                case PROCESSING_TIME:
                    return "processing time " + time;
                default:
                    return "tell time " + time;
            }
        }
    }

    private static List<Op> stream(final SplittableRandom random, final Config config, final int operations)
    {
        final long size = config.scale;
        final long lateness = config.lateness;
        final long period = Math.max(1, config.early);
        final long[] keys = pickKeys(random);
        final long disorder = random.nextLong(0, 2 * size + 1);
        long frontier = random.nextLong(-5 * size, 5 * size + 1);
        long watermark = Long.MIN_VALUE;
        long now = random.nextLong(0, 1_000);
        long id = 0;
        final List<Op> ops = new ArrayList<>();
        for (int i = 0; i < operations; i++)
        {
            final int dice = random.nextInt(100);
            if (dice < 66)
            {
                final long key = keys[random.nextInt(keys.length)];
                final int kind = random.nextInt(100);
                final long ts;
                if (kind < 9 && watermark > Long.MIN_VALUE)
                {
                    // Late, often beyond the lateness: refused, or LATE updates of closed windows.
                    ts = watermark - random.nextLong(0, 3 * size + 2 * lateness + 1);
                }
                else if (kind < 13)
                {
                    ts = frontier + random.nextLong(0, size + 1);
                }
                else
                {
                    ts = frontier - random.nextLong(0, disorder + 1);
                }
                // Now and then a batch of records before their results are emitted.
                ops.add(new Op(RECORD, key, ts, value(random), random.nextLong(-1_000_000, 1_000_001),
                    latency(random), id++, random.nextInt(4) != 0));
                frontier += random.nextInt(4) == 0 ? random.nextInt(3) * Math.max(1, size / 10) : 0;
            }
            else if (dice < 84)
            {
                final int kind = random.nextInt(100);
                final long next;
                if (kind < 60)
                {
                    next = frontier - disorder - random.nextLong(0, size + 1);
                }
                else if (kind < 70)
                {
                    next = watermark; // Not moving.
                }
                else if (kind < 80)
                {
                    next = watermark > Long.MIN_VALUE + size ? watermark - 1 - random.nextLong(size) : watermark;
                }
                else
                {
                    // A big jump: windows fire in bulk, and records behind it are late.
                    next = frontier + random.nextLong(0, 6 * size + 1);
                    frontier = next + random.nextLong(0, size + 1);
                }
                ops.add(new Op(WATERMARK, 0, next, 0, 0, 0, 0, true));
                watermark = Math.max(watermark, next);
            }
            else if (dice < 95)
            {
                now += random.nextLong(0, 2 * period + 1);
                ops.add(new Op(random.nextInt(4) == 0 ? TELL_TIME : PROCESSING_TIME, 0, now, 0, 0, 0, 0, true));
            }
            else
            {
                frontier += random.nextLong(0, 3 * size); // A gap: some windows stay empty.
            }
        }
        return ops;
    }

    private static long[] pickKeys(final SplittableRandom random)
    {
        final long[] pool = KEY_POOL.clone();
        for (int i = pool.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final long t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        final long[] keys = new long[1 + random.nextInt(pool.length)];
        System.arraycopy(pool, 0, keys, 0, keys.length);
        return keys;
    }

    private static long value(final SplittableRandom random)
    {
        final int kind = random.nextInt(20);
        if (kind == 0)
        {
            return Long.MAX_VALUE - random.nextInt(1_000); // Sums wrap; subtraction must undo the wrap exactly.
        }
        return random.nextLong(-1_000, 1_001);
    }

    private static long latency(final SplittableRandom random)
    {
        return random.nextInt(10) == 0 ? random.nextLong(0, 1L << 40) : random.nextLong(0, 300);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running it.
    // ---------------------------------------------------------------------------------------------------------------

    private static final int NOTHING_DUE = 0;
    private static final int PENDING_DUE = 1;
    private static final int WATERMARK_DUE = 2;
    private static final int PROCESSING_DUE = 3;
    private static final long MAX_CALLS = 10_000_000;

    /**
     * Drives an operator — and, after each checkpoint, its restored successor — through a stream, writing what
     * comes out as text. A call that did not finish (limited output) is finished before the next operation, and
     * queued results before the next operation that is not a record, so a checkpoint taken between them catches the
     * operator with results still due.
     */
    static final class Run implements WindowOutput
    {
        final List<String> out = new ArrayList<>();
        final int limit;
        final int accumulatorLength;
        final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength() + 16]);
        WindowOperator operator;
        int due = NOTHING_DUE;
        long dueTime;

        Run(final int limit, final int accumulatorLength)
        {
            this.limit = limit;
            this.accumulatorLength = accumulatorLength;
        }

        @Override
        public void onWindow(final long key, final long start, final long end, final byte firing, final long count,
            final DirectBuffer accumulator, final int accumulatorOffset)
        {
            out.add(key + " [" + start + ", " + end + ") " + Firing.name(firing) + " n=" + count + " " +
                CheckpointBytes.hex(accumulator, accumulatorOffset, accumulatorLength));
        }

        void apply(final Op op)
        {
            if (RECORD != op.type() || PENDING_DUE != due)
            {
                finishDue();
            }
            switch (op.type())
            {
                case RECORD:
                    new AggregatesReference.Rec(op.key(), op.time(), op.v(), op.d(), op.lat(), op.id())
                        .write(record, RECORD_OFFSET);
                    if (!operator.onRecord(op.key(), op.time(), record, RECORD_OFFSET))
                    {
                        out.add("refused " + op + " missed [" + operator.missedWindowStart() + ", " +
                            operator.missedWindowEnd() + ") late=" + operator.lateRecords());
                    }
                    if (op.emit())
                    {
                        operator.emitPending(limit);
                    }
                    due = operator.hasPending() ? PENDING_DUE : NOTHING_DUE;
                    break;
                case WATERMARK:
                    due = operator.advanceWatermark(op.time(), limit) ? NOTHING_DUE : WATERMARK_DUE;
                    dueTime = op.time();
                    break;
                case PROCESSING_TIME:
                    operator.onProcessingTime(op.time(), limit);
                    due = operator.nextProcessingTime() <= op.time() ? PROCESSING_DUE : NOTHING_DUE;
                    dueTime = op.time();
                    break;
                default:
                    operator.onProcessingTime(op.time(), 0);
                    break;
            }
        }

        void finishDue()
        {
            long calls = 0;
            switch (due)
            {
                case PENDING_DUE:
                    while (operator.hasPending())
                    {
                        assertTrue(calls++ < MAX_CALLS, "emitPending never drains");
                        operator.emitPending(limit);
                    }
                    break;
                case WATERMARK_DUE:
                    while (!operator.advanceWatermark(dueTime, limit))
                    {
                        assertTrue(calls++ < MAX_CALLS, "advanceWatermark never finishes");
                    }
                    break;
                case PROCESSING_DUE:
                    while (operator.nextProcessingTime() <= dueTime)
                    {
                        assertTrue(calls++ < MAX_CALLS, "onProcessingTime never finishes");
                        operator.onProcessingTime(dueTime, limit);
                    }
                    break;
                default:
                    break;
            }
            due = NOTHING_DUE;
        }

        void end()
        {
            finishDue();
            long calls = 0;
            while (!operator.endOfStream(limit))
            {
                assertTrue(calls++ < MAX_CALLS, "endOfStream never finishes");
            }
            out.add("end: watermark " + operator.watermark() + " late " + operator.lateRecords());
        }
    }

    /**
     * Checkpoints taken and how many caught the operator with results due, over a test's runs.
     */
    static final class Stats
    {
        int checkpoints;
        int midCall;
        long results;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void shouldContinueFromACheckpointExactlyAsWithout(final Config config)
    {
        final Stats stats = new Stats();
        for (int run = 0; run < 12; run++)
        {
            final long seed = BASE_SEED * 31 + config.name.hashCode() * 1_000_003L + run;
            runWithCheckpoints(seed, config, 500 + 100 * (run % 4), stats);
        }
        assertTrue(stats.checkpoints >= 12, config + ": checkpoints " + stats.checkpoints);
        assertTrue(stats.results > 500, config + ": too few results to mean much: " + stats.results);
        System.out.println("checkpoints of " + config + ": " + stats.checkpoints + " taken, " + stats.midCall +
            " with results due, " + stats.results + " results");
    }

    private static void runWithCheckpoints(final long seed, final Config config, final int operations,
        final Stats stats)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int limit = new int[]{1, 2, 3, ALL}[random.nextInt(4)];
        final List<Op> ops = stream(random, config, operations);
        final TreeSet<Integer> points = new TreeSet<>();
        final int checkpoints = 1 + random.nextInt(3);
        while (points.size() < checkpoints)
        {
            points.add(random.nextInt(ops.size() + 1));
        }
        final long opportunitySeed = random.nextLong();
        final String context = "seed=" + seed + " " + config + " limit=" + limit + " checkpoints at " + points;

        final Run uninterrupted = new Run(limit, config.accumulatorLength());
        final long endBytes;
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            WindowOperator operator = config.create(memoryManager, uninterrupted))
        {
            uninterrupted.operator = operator;
            ops.forEach(uninterrupted::apply);
            uninterrupted.end();
            endBytes = operator.allocatedBytes();
        }

        // Besides the chosen points, checkpoints now and then while results are due.
        final SplittableRandom opportunities = new SplittableRandom(opportunitySeed);
        final Run checkpointed = new Run(limit, config.accumulatorLength());
        final List<Integer> taken = new ArrayList<>();
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
        {
            checkpointed.operator = config.create(memoryManager, checkpointed);
            try
            {
                int midCall = 0;
                for (int i = 0; i <= ops.size(); i++)
                {
                    final boolean due = checkpointed.due != NOTHING_DUE;
                    if (points.contains(i) || (due && midCall < 6 && opportunities.nextInt(3) == 0))
                    {
                        stats.checkpoints++;
                        stats.midCall += due ? 1 : 0;
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
                assertEquals(endBytes, checkpointed.operator.allocatedBytes(),
                    context + ": memory after the end of the stream");
            }
            finally
            {
                checkpointed.operator.close();
            }
        }
        assertSameOutput(context + " (taken at " + taken + ")", uninterrupted.out, checkpointed.out);
        stats.results += uninterrupted.out.size();
    }

    /**
     * Snapshot the run's operator, close it, restore a fresh one from the bytes and let the run go on with it.
     */
    private static void checkpoint(final MemoryManager memoryManager, final Config config, final Run run,
        final String context)
    {
        final byte[] bytes = CheckpointBytes.snapshot(run.operator::snapshot);
        run.operator.close();
        run.operator = config.create(memoryManager, run);
        try
        {
            CheckpointBytes.restore(bytes, run.operator::restore);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(context + ": restore failed", ex);
        }
        assertArrayEquals(bytes, CheckpointBytes.snapshot(run.operator::snapshot),
            context + ": the restored operator's snapshot differs from the one it was restored from");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Refusals.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * A checkpoint of a little state: a few records and a watermark.
     */
    private static byte[] checkpointOf(final MemoryManager memoryManager, final Config config, final long seed)
    {
        final Run run = new Run(ALL, config.accumulatorLength());
        try (WindowOperator operator = config.create(memoryManager, run))
        {
            run.operator = operator;
            stream(new SplittableRandom(seed), config, 200).forEach(run::apply);
            return CheckpointBytes.snapshot(operator::snapshot);
        }
    }

    private static SnapshotCorruptedException assertRefused(final Config taken, final Config restoring,
        final String expected)
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES))
        {
            final byte[] bytes = checkpointOf(memoryManager, taken, 17);
            final Run run = new Run(ALL, restoring.accumulatorLength());
            try (WindowOperator operator = restoring.create(memoryManager, run))
            {
                final SnapshotCorruptedException ex = CheckpointBytes.restoreFails(bytes, operator::restore,
                    taken + " into " + restoring);
                assertTrue(ex.getMessage().contains(expected), () -> "expected \"" + expected + "\" in: " +
                    ex.getMessage());
                assertTrue(ex.getMessage().contains(OWNER), ex::getMessage);
                return ex;
            }
        }
    }

    @Test
    void shouldRefuseACheckpointTakenWithAnotherConfigurationSayingWhatDiffers()
    {
        final SnapshotCorruptedException slide = assertRefused(
            new Config(WindowAssigner.sliding(10_000, 1_000), EVERYTHING, 0, 0, 10_000),
            new Config(WindowAssigner.sliding(10_000, 500), EVERYTHING, 0, 0, 10_000),
            "checkpoint taken with sliding 10000/1000, this operator is sliding 10000/500");
        assertEquals(12 + 8, slide.offset(), "the offset of the slide in the header");
        assertRefused(
            new Config(WindowAssigner.tumbling(10), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.sliding(10, 5), EVERYTHING, 0, 0, 10),
            "checkpoint taken with tumbling 10, this operator is sliding 10/5");
        assertRefused(
            new Config(WindowAssigner.tumbling(10, 3), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.tumbling(10, 4), EVERYTHING, 0, 0, 10),
            "checkpoint taken with offset 3, this operator is offset 4");
        assertRefused(
            new Config(WindowAssigner.tumbling(10), EVERYTHING, 5, 0, 10),
            new Config(WindowAssigner.tumbling(10), EVERYTHING, 0, 0, 10),
            "checkpoint taken with allowed lateness 5, this operator is allowed lateness 0");
        assertRefused(
            new Config(WindowAssigner.sliding(10, 5), EVERYTHING, 5, 3, 10),
            new Config(WindowAssigner.sliding(10, 5), EVERYTHING, 7, 0, 10),
            "checkpoint taken with allowed lateness 5 and early results every 3, this operator is allowed " +
                "lateness 7 and no early results");
        final int everything = AggregatesReference.aggregate(EVERYTHING).accumulatorLength();
        final int subtractable = AggregatesReference.aggregate(SUBTRACTABLE).accumulatorLength();
        assertRefused(
            new Config(WindowAssigner.sliding(10, 5), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.sliding(10, 5), SUBTRACTABLE, 0, 0, 10),
            "checkpoint taken with an accumulator of " + everything + " bytes and an aggregate that does not " +
                "subtract, this operator is an accumulator of " + subtractable + " bytes and an aggregate that " +
                "subtracts");
        assertRefused(
            new Config(WindowAssigner.session(10), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.session(20), EVERYTHING, 0, 0, 10),
            "checkpoint taken with session gap 10, this operator is session gap 20");
        assertRefused(
            new Config(WindowAssigner.session(10), EVERYTHING, 0, 4, 10),
            new Config(WindowAssigner.session(10), EVERYTHING, 0, 0, 10),
            "checkpoint taken with early results every 4, this operator is no early results");
        assertRefused(
            new Config(WindowAssigner.count(10), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.count(10, 5), EVERYTHING, 0, 0, 10),
            "checkpoint taken with count(10), this operator is count(10 every 5)");
        assertRefused(
            new Config(WindowAssigner.global(Trigger.count(3)), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.global(new NewHigh()), EVERYTHING, 0, 0, 10),
            "checkpoint taken with trigger state of 0 bytes, this operator is trigger state of 16 bytes");
        // Another kind of operator altogether.
        assertRefused(
            new Config(WindowAssigner.tumbling(10), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.session(10), EVERYTHING, 0, 0, 10),
            "bad magic 0x" + Integer.toHexString(SlicingWindowOperator.SNAPSHOT_MAGIC) + ", expected 0x" +
                Integer.toHexString(SessionWindowOperator.SNAPSHOT_MAGIC));
        assertRefused(
            new Config(WindowAssigner.count(3), EVERYTHING, 0, 0, 10),
            new Config(WindowAssigner.global(Trigger.count(3)), EVERYTHING, 0, 0, 10),
            "bad magic");
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
            assertEquals(0, memoryManager.usedBytes(), "the operator is closed");
            final TreeSet<Integer> positions = new TreeSet<>();
            for (int i = 0; i < Math.min(bytes.length, 96); i++)
            {
                positions.add(i); // The header and the first structure's.
            }
            for (int i = bytes.length - 16; i < bytes.length; i++)
            {
                positions.add(i); // The last structure's entries and the trailer.
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
                final Run run = new Run(ALL, config.accumulatorLength());
                try (WindowOperator operator = config.create(memoryManager, run))
                {
                    CheckpointBytes.restoreFails(corrupted, operator::restore, "seed=" + seed + " " + config +
                        ": byte " + position + " of " + bytes.length + " ^ 0x" + Integer.toHexString(mask & 0xFF));
                }
                assertEquals(0, memoryManager.usedBytes(), "memory left by a failed restore");
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
                final WindowOperator operator = config.create(memoryManager, new Run(ALL, 8));
                final byte[] bytes = CheckpointBytes.snapshot(operator::snapshot);
                operator.close();
                assertThrows(IllegalStateException.class, () -> CheckpointBytes.snapshot(operator::snapshot),
                    config::toString);
                assertThrows(IllegalStateException.class, () -> CheckpointBytes.restore(bytes, operator::restore),
                    config::toString);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Allocation.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldSnapshotWithoutAllocatingPerKeyOrWindow() throws IOException
    {
        final Part[] small = {Part.COUNT, Part.SUM_V, Part.AVG_V};
        final Config[] configs = {
            new Config(WindowAssigner.sliding(100, 10), small, 50, 20, 100),
            new Config(WindowAssigner.session(10), small, 30, 5, 10),
            new Config(WindowAssigner.count(10, 5), small, 0, 0, 10),
            new Config(WindowAssigner.global(new NewHigh()), small, 0, 0, 10)};
        for (final Config config : configs)
        {
            try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
                WindowOperator operator = config.create(memoryManager, (k, s, e, f, c, a, o) -> { }))
            {
                final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength()]);
                for (int i = 0; i < 20_000; i++)
                {
                    record.putLong(V_OFFSET, i % 97);
                    operator.onRecord(i % 3_000, i / 20, record, 0);
                    operator.emitPending(ALL);
                    if (i % 1_000 == 0)
                    {
                        operator.onProcessingTime(i, 0);
                    }
                }
                operator.advanceWatermark(900, ALL);
                final SnapshotWriter writer = new SnapshotWriter(CheckpointBytes.discarding());
                final long[] allocated = CheckpointBytes.measureAllocation(() ->
                {
                    try
                    {
                        operator.snapshot(writer);
                    }
                    catch (final IOException ex)
                    {
                        throw new AssertionError(ex);
                    }
                });
                assertTrue(writer.bodyLength() > 12L * 3_000 * 8, config + ": the snapshots hold the state");
                CheckpointBytes.assertNothingAllocatedPerEntry("snapshots of " + config, allocated);
            }
        }
    }
}
