package io.ferrite.windowing.join;

import static io.ferrite.windowing.join.PairRecorder.LEFT_LENGTH;
import static io.ferrite.windowing.join.PairRecorder.RIGHT_LENGTH;
import static io.ferrite.windowing.join.PairRecorder.assertSamePairs;
import static io.ferrite.windowing.join.WindowJoinTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.windowing.join.PairRecorder.Pair;

class IntervalJoinTest
{
    private static final long BUDGET = 64L << 20;
    private static final long[] KEYS = {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40};

    private final UnsafeBuffer leftRecord = new UnsafeBuffer(new byte[LEFT_LENGTH]);
    private final UnsafeBuffer rightRecord = new UnsafeBuffer(new byte[RIGHT_LENGTH]);

    @Test
    void shouldMatchNaiveModelOnRandomOutOfOrderStreams()
    {
        for (long seed = 1; seed <= 40; seed++)
        {
            runAgainstModel(seed, 0);
        }
    }

    @Test
    void shouldMatchNaiveModelNearTheEndsOfTheLongRange()
    {
        for (long seed = 101; seed <= 110; seed++)
        {
            runAgainstModel(seed, Long.MAX_VALUE);
            runAgainstModel(seed, Long.MIN_VALUE);
        }
    }

    @Test
    void shouldEmitEachPairOnceWhenTheSecondRecordArrives()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, -2, 3, recorder))
        {
            assertTrue(left(join, 1, 10, 1));
            assertFalse(join.hasPending());
            assertTrue(right(join, 1, 13, 2));
            assertTrue(join.hasPending());
            assertEquals(List.of(), recorder.pairs(), "pairs wait for emitPending");
            drain(join);
            assertTrue(right(join, 1, 14, 3), "outside [8, 13]");
            assertFalse(join.hasPending());
            assertTrue(right(join, 2, 10, 4), "another key");
            assertFalse(join.hasPending());
            assertTrue(left(join, 1, 11, 5));
            drain(join);
            assertEquals(List.of(
                new Pair(1, 1, 10, 2, 13, 8, 14),
                new Pair(1, 5, 11, 2, 13, 9, 15),
                new Pair(1, 5, 11, 3, 14, 9, 15)), recorder.take());
        }
    }

    @Test
    void shouldOrderARecordsPairsByTimestampThenArrivalAndResumeOnePairPerCall()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, 0, 10, recorder))
        {
            final long[] timestamps = {5, 3, 3, 4, 7, 11};
            for (int i = 0; i < timestamps.length; i++)
            {
                assertTrue(right(join, 1, timestamps[i], i));
                assertFalse(join.hasPending());
            }
            assertTrue(left(join, 1, 1, 100));
            for (int i = 0; i < 4; i++)
            {
                assertTrue(join.hasPending());
                assertThrows(IllegalStateException.class, () -> right(join, 1, 2, 200));
                assertEquals(1, join.emitPending(1));
            }
            assertFalse(join.advanceWatermark(50, 0), "pairs queued: the watermark waits");
            assertEquals(Long.MIN_VALUE, join.watermark());
            assertFalse(join.advanceWatermark(50, 1));
            assertTrue(join.advanceWatermark(50, 1), "the last pair goes out, then the watermark advances");
            assertEquals(50, join.watermark());
            assertEquals(0, join.emitPending(1));
            assertEquals(List.of(
                new Pair(1, 100, 1, 1, 3, 1, 12),
                new Pair(1, 100, 1, 2, 3, 1, 12),
                new Pair(1, 100, 1, 3, 4, 1, 12),
                new Pair(1, 100, 1, 0, 5, 1, 12),
                new Pair(1, 100, 1, 4, 7, 1, 12),
                new Pair(1, 100, 1, 5, 11, 1, 12)), recorder.take());
            assertThrows(IllegalArgumentException.class, () -> join.emitPending(-1));
        }
    }

    @Test
    void shouldJoinOnlyEqualTimestampsWhenLowerEqualsUpper()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, 0, 0, recorder))
        {
            assertEquals(1, join.bucketWidth());
            assertTrue(left(join, 7, 100, 1));
            assertTrue(right(join, 7, 99, 2));
            assertTrue(right(join, 7, 101, 3));
            assertTrue(right(join, 7, 100, 4));
            drain(join);
            assertTrue(left(join, 7, 100, 5));
            drain(join);
            assertEquals(List.of(new Pair(7, 1, 100, 4, 100, 100, 101), new Pair(7, 5, 100, 4, 100, 100, 101)),
                recorder.take());
        }
    }

    @Test
    void shouldJoinWithNegativeBoundsAndFreeByTheirRules()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, -10, -3, recorder))
        {
            assertTrue(right(join, 4, 90, 1));
            assertTrue(right(join, 4, 89, 2));
            assertTrue(left(join, 4, 100, 3));
            drain(join);
            assertTrue(right(join, 4, 97, 4));
            drain(join);
            assertTrue(right(join, 4, 98, 5));
            assertFalse(join.hasPending());
            assertEquals(List.of(new Pair(4, 3, 100, 1, 90, 90, 98), new Pair(4, 3, 100, 4, 97, 90, 98)),
                recorder.take());
            // A left record can no longer match at a.ts + upper = 97; rights at b.ts - lower: 99, 100, 107, 108.
            assertTrue(join.advanceWatermark(100, 10));
            assertEquals(2, join.storedRecords(), "the rights at 97 and 98 can still match lefts above 100");
            assertTrue(join.advanceWatermark(108, 10));
            assertEquals(0, join.storedRecords());
        }
    }

    @Test
    void shouldClampWindowsAndMatchAcrossTheWholeRangeWithExtremeBounds()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, Long.MIN_VALUE, Long.MAX_VALUE, recorder))
        {
            assertEquals(Long.MAX_VALUE, join.bucketWidth());
            assertTrue(right(join, 1, Long.MIN_VALUE + 1, 1));
            assertTrue(right(join, 1, Long.MAX_VALUE, 2));
            assertTrue(left(join, 1, 0, 3));
            drain(join);
            assertTrue(left(join, 1, -5, 4));
            drain(join);
            assertEquals(List.of(
                new Pair(1, 3, 0, 1, Long.MIN_VALUE + 1, Long.MIN_VALUE, Long.MAX_VALUE),
                new Pair(1, 3, 0, 2, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE),
                // -5 + MIN_VALUE clamps; -5 + MAX_VALUE + 1 is exact, and MAX_VALUE is above -5 + MAX_VALUE.
                new Pair(1, 4, -5, 1, Long.MIN_VALUE + 1, Long.MIN_VALUE, Long.MAX_VALUE - 4)), recorder.take());
            assertTrue(join.endOfStream(10));
            assertEquals(0, join.storedRecords());
        }
    }

    @Test
    void shouldClampTheWindowEndNearTheTopOfTheRange()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, 2, 10, recorder))
        {
            assertTrue(left(join, 9, Long.MAX_VALUE - 3, 1));
            assertTrue(right(join, 9, Long.MAX_VALUE, 2));
            drain(join);
            assertTrue(left(join, 9, Long.MAX_VALUE - 1, 3), "its interval starts above the range: no match");
            assertFalse(join.hasPending());
            assertEquals(List.of(new Pair(9, 1, Long.MAX_VALUE - 3, 2, Long.MAX_VALUE, Long.MAX_VALUE - 1,
                Long.MAX_VALUE)), recorder.take());
            assertTrue(join.advanceWatermark(Long.MAX_VALUE - 1, 1));
            assertFalse(left(join, 9, Long.MAX_VALUE - 1, 4));
            assertEquals(1, join.lateRecords());
            assertTrue(join.endOfStream(1));
            assertFalse(right(join, 9, Long.MAX_VALUE, 5));
            assertEquals(0, join.storedRecords());
        }
    }

    @Test
    void shouldScanOnlyTheBucketsOverlappingTheInterval()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, -5, 5, recorder))
        {
            assertEquals(10, join.bucketWidth());
            for (int ts = 0; ts < 20_000; ts++)
            {
                assertTrue(right(join, 3, ts, ts));
            }
            final long before = join.scannedRecords();
            assertTrue(left(join, 3, 10_003, 1));
            drain(join);
            assertEquals(11, recorder.take().size());
            assertEquals(20, join.scannedRecords() - before, "two buckets of ten records, not the key's 20000");
        }
    }

    @Test
    void shouldReturnToItsEmptyFootprintOnceTheWatermarkPassesEverything()
    {
        final long[] pairs = new long[1];
        final JoinOutput counter =
            (key, left, leftOffset, leftTs, right, rightOffset, rightTs, start, end) -> pairs[0]++;
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, -3, 7, counter))
        {
            final long empty = join.allocatedBytes();
            for (int round = 0; round < 2; round++)
            {
                final long base = round * 1_000_000L;
                for (int i = 0; i < 40_000; i++)
                {
                    assertTrue((i & 1) == 0 ? left(join, i % 7, base + i, i) : right(join, i % 7, base + i, i));
                    while (join.hasPending())
                    {
                        join.emitPending(100);
                    }
                }
                assertTrue(join.allocatedBytes() > 4 * empty, "the tables must have grown for this test to mean it");
                // The last left (base + 39998) is unmatchable at +7, the last right (base + 39999) at +3.
                assertTrue(join.advanceWatermark(base + 40_004, 1));
                assertEquals(1, join.storedRecords(), "the left at base + 39998 could still match");
                assertTrue(join.advanceWatermark(base + 40_005, 1));
                assertEquals(0, join.storedRecords());
                assertEquals(empty, join.allocatedBytes(), "round " + round);
            }
            assertTrue(pairs[0] > 0);
        }
    }

    @Test
    void shouldNotTakeARecordWhenItsPairsOrItsStateCannotBeHeld()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, -1_000_000, 1_000_000, recorder))
        {
            assertTrue(left(join, 1, 10, 1));
            final MemorySegment hog = memory.allocate("hog", memory.availableBytes());
            assertThrows(MemoryBudgetExceededException.class, () -> right(join, 1, 11, 2));
            assertFalse(join.hasPending());
            assertEquals(1, join.storedRecords());
            hog.release();
            assertTrue(right(join, 1, 11, 2));
            drain(join);
            assertEquals(List.of(new Pair(1, 1, 10, 2, 11, 10 - 1_000_000, 10 + 1_000_001)), recorder.take());
        }

        final long empty;
        try (MemoryManager probe = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(probe, -1_000_000, 1_000_000, recorder))
        {
            empty = join.allocatedBytes();
        }
        try (MemoryManager memory = new MemoryManager(empty + MemoryManager.Context.PAGE_SIZE_DEFAULT);
            IntervalJoin join = newJoin(memory, -1_000_000, 1_000_000, recorder))
        {
            long lefts = 0;
            long rights = 0;
            long expectedPairs = 0;
            boolean refused = false;
            for (int i = 0; i < 100_000 && !refused; i++)
            {
                try
                {
                    if ((i & 1) == 0)
                    {
                        assertTrue(left(join, 1, i, i));
                        expectedPairs += rights;
                        lefts++;
                    }
                    else
                    {
                        assertTrue(right(join, 1, i, i));
                        expectedPairs += lefts;
                        rights++;
                    }
                }
                catch (final MemoryBudgetExceededException ex)
                {
                    refused = true;
                }
                drain(join);
            }
            assertTrue(refused, "the budget must run out for this test to mean it");
            assertFalse(join.hasPending());
            assertEquals(lefts + rights, join.storedRecords());
            assertEquals(expectedPairs, recorder.take().size());
            assertTrue(join.endOfStream(1));
            assertEquals(0, join.storedRecords());
        }
    }

    @Test
    void shouldRejectBadConstructorArgumentsWithClearMessages()
    {
        final PairRecorder out = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET))
        {
            assertMessage(IllegalArgumentException.class,
                "interval lower bound must not exceed its upper bound: owner=j lower=5 upper=4",
                () -> new IntervalJoin(memory, "j", 5, 4, 8, 8, out));
            assertMessage(NullPointerException.class, "memoryManager",
                () -> new IntervalJoin(null, "j", 0, 1, 8, 8, out));
            assertMessage(IllegalArgumentException.class, "owner must be named",
                () -> new IntervalJoin(memory, "", 0, 1, 8, 8, out));
            assertMessage(IllegalArgumentException.class, "left record length out of range [0, 65528]",
                () -> new IntervalJoin(memory, "j", 0, 1, 65_529, 8, out));
            assertMessage(IllegalArgumentException.class, "rightRecordLength=-3",
                () -> new IntervalJoin(memory, "j", 0, 1, 8, -3, out));
            assertMessage(NullPointerException.class, "output must not be null",
                () -> new IntervalJoin(memory, "j", 0, 1, 8, 8, null));
            final IntervalJoin first = new IntervalJoin(memory, "j", 0, 1, 8, 8, out);
            try
            {
                assertMessage(IllegalArgumentException.class, "owner already holds memory: owner=j",
                    () -> new IntervalJoin(memory, "j", 0, 1, 8, 8, out));
            }
            finally
            {
                first.close();
            }
            first.close();
            assertThrows(IllegalStateException.class, () -> first.onLeft(1, 1, leftRecord, 0));
            assertEquals(0, memory.usedBytes());
        }
    }

    private void runAgainstModel(final long seed, final long origin)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long lower = random.nextInt(-30, 30);
        final long upper = random.nextInt(4) == 0 ? lower : lower + random.nextInt(40);
        final int keyCount = 1 + random.nextInt(5);
        final int jitter = random.nextInt(40);
        final int watermarkEvery = 1 + random.nextInt(40);
        final int events = 2_000;
        // About 2000 time units pass: streams near the ends start within a window of MIN_VALUE or reach MAX_VALUE.
        final long base = Long.MIN_VALUE == origin ? origin + random.nextInt(0, 30) :
            Long.MAX_VALUE == origin ? origin - 1_950 - random.nextInt(0, 50) : random.nextInt(-1_000, 1_000);
        final String context = "seed=" + seed + " origin=" + origin + " between(" + lower + ", " + upper + ") keys=" +
            keyCount + " jitter=" + jitter;

        final PairRecorder recorder = new PairRecorder();
        final IntervalModel model = new IntervalModel(lower, upper);
        try (MemoryManager memory = new MemoryManager(BUDGET);
            IntervalJoin join = newJoin(memory, lower, upper, recorder))
        {
            final long empty = join.allocatedBytes();
            final int[] limits = {1, 2, 3, 7, 1_000};
            long time = base;
            long maxTimestamp = Long.MIN_VALUE;
            final List<Pair> expected = new ArrayList<>();
            for (int id = 0; id < events; id++)
            {
                time = JoinSupport.addClamped(time, random.nextInt(3));
                final long timestamp = JoinSupport.subtractClamped(time, random.nextInt(jitter + 1));
                maxTimestamp = Math.max(maxTimestamp, timestamp);
                final boolean isLeft = random.nextBoolean();
                final long key = KEYS[random.nextInt(keyCount)];
                final List<Pair> pairs = model.offer(isLeft, key, timestamp, id);
                final boolean taken = isLeft ? left(join, key, timestamp, id) : right(join, key, timestamp, id);
                assertEquals(null != pairs, taken, context + " record " + id + " ts=" + timestamp + " wm=" +
                    model.watermark);
                if (null != pairs)
                {
                    expected.addAll(pairs);
                }
                if (0 == random.nextInt(watermarkEvery))
                {
                    // advanceWatermark emits what is queued first.
                    final long watermark = JoinSupport.subtractClamped(maxTimestamp, random.nextInt(2 * jitter + 2));
                    int calls = 0;
                    while (!join.advanceWatermark(watermark, limits[random.nextInt(limits.length)]))
                    {
                        assertTrue(join.hasPending(), context);
                        assertTrue(++calls < 1_000_000);
                    }
                    model.advance(watermark);
                    assertEquals(model.watermark, join.watermark(), context);
                    assertEquals(model.stored.size(), join.storedRecords(), context + " stored after " + watermark);
                }
                else
                {
                    while (join.hasPending())
                    {
                        assertTrue(join.emitPending(limits[random.nextInt(limits.length)]) > 0, context);
                    }
                }
                assertSamePairs(expected, recorder.take(), context + " after record " + id);
                expected.clear();
            }
            assertTrue(join.endOfStream(1));
            assertEquals(model.lateRecords, join.lateRecords(), context);
            assertEquals(0, join.storedRecords(), context);
            assertEquals(empty, join.allocatedBytes(), context + ": memory must return to the empty footprint");
            assertTrue(model.pairs > 0, context + ": a run with no pairs tests little");
        }
    }

    private static void drain(final IntervalJoin join)
    {
        while (join.hasPending())
        {
            assertTrue(join.emitPending(1) == 1);
        }
    }

    private IntervalJoin newJoin(final MemoryManager memory, final long lower, final long upper, final JoinOutput out)
    {
        return new IntervalJoin(memory, "join", lower, upper, LEFT_LENGTH, RIGHT_LENGTH, out);
    }

    private boolean left(final IntervalJoin join, final long key, final long timestamp, final long id)
    {
        PairRecorder.fill(leftRecord, 0, id, LEFT_LENGTH);
        return join.onLeft(key, timestamp, leftRecord, 0);
    }

    private boolean right(final IntervalJoin join, final long key, final long timestamp, final long id)
    {
        PairRecorder.fill(rightRecord, 0, id, RIGHT_LENGTH);
        return join.onRight(key, timestamp, rightRecord, 0);
    }

    /**
     * The naive reference: every record kept in a list; a record's pairs are found by testing the definition against
     * every earlier record of the other side, in exact arithmetic. The stored list models the documented freeing: by
     * bucket, once the bucket's latest record can no longer match (the rule's time clamped to the long range).
     */
    static final class IntervalModel
    {
        private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
        private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);

        record Rec(boolean left, long key, long ts, long id)
        {
        }

        private final long lower;
        private final long upper;
        private final long width;
        private final Map<Long, List<Rec>> byKey = new HashMap<>();
        final List<Rec> stored = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        long lateRecords;
        long pairs;

        IntervalModel(final long lower, final long upper)
        {
            this.lower = lower;
            this.upper = upper;
            this.width = Math.max(1, upper - lower);
        }

        List<Pair> offer(final boolean left, final long key, final long ts, final long id)
        {
            if (ts <= watermark)
            {
                lateRecords++;
                return null;
            }
            final List<Rec> matches = new ArrayList<>();
            final List<Rec> sameKey = byKey.computeIfAbsent(key, (k) -> new ArrayList<>());
            for (final Rec other : sameKey)
            {
                if (other.left() != left &&
                    (left ? matches(ts, other.ts()) : matches(other.ts(), ts)))
                {
                    matches.add(other);
                }
            }
            // Stable: equal timestamps stay in arrival order.
            matches.sort(Comparator.comparingLong(Rec::ts));
            final List<Pair> out = new ArrayList<>();
            for (final Rec other : matches)
            {
                final long leftTs = left ? ts : other.ts();
                out.add(new Pair(key, left ? id : other.id(), leftTs, left ? other.id() : id, left ? other.ts() : ts,
                    clamp(big(leftTs).add(big(lower))), clamp(big(leftTs).add(big(upper)).add(BigInteger.ONE))));
            }
            final Rec rec = new Rec(left, key, ts, id);
            sameKey.add(rec);
            stored.add(rec);
            pairs += out.size();
            return out;
        }

        void advance(final long newWatermark)
        {
            watermark = Math.max(watermark, newWatermark);
            final Map<List<Long>, Long> latest = new HashMap<>();
            for (final Rec rec : stored)
            {
                latest.merge(bucketOf(rec), rec.ts(), Math::max);
            }
            stored.removeIf((rec) ->
            {
                final long maxTs = latest.get(bucketOf(rec));
                // Clamped: at the watermark MAX_VALUE nothing more can come, so everything goes.
                final long unmatchableAt = clamp(rec.left() ? big(maxTs).add(big(upper)) :
                    big(maxTs).subtract(big(lower)));
                return unmatchableAt <= watermark;
            });
        }

        private List<Long> bucketOf(final Rec rec)
        {
            return List.of(rec.left() ? 1L : 0L, rec.key(), Math.floorDiv(rec.ts(), width));
        }

        /**
         * {@code a.ts + lower <= b.ts <= a.ts + upper}, that is {@code lower <= b.ts - a.ts <= upper}, exactly.
         */
        private boolean matches(final long leftTs, final long rightTs)
        {
            final long difference;
            try
            {
                difference = Math.subtractExact(rightTs, leftTs);
            }
            catch (final ArithmeticException ex)
            {
                // Beyond the long range, so beyond any bound.
                return false;
            }
            return lower <= difference && difference <= upper;
        }

        private static BigInteger big(final long value)
        {
            return BigInteger.valueOf(value);
        }

        private static long clamp(final BigInteger value)
        {
            return value.max(MIN).min(MAX).longValueExact();
        }
    }
}
