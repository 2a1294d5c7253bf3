package io.ferrite.windowing.join;

import static io.ferrite.windowing.join.PairRecorder.LEFT_LENGTH;
import static io.ferrite.windowing.join.PairRecorder.RIGHT_LENGTH;
import static io.ferrite.windowing.join.PairRecorder.assertSamePairs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.windowing.assigner.SlicedWindows;
import io.ferrite.windowing.join.PairRecorder.Pair;

class WindowJoinTest
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
    void shouldFireWindowAtZeroWhenWatermarkReachesEndMinusOne()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.tumbling(10, 0), recorder))
        {
            assertTrue(left(join, 5, 0, 1));
            assertTrue(right(join, 5, 9, 2));
            assertTrue(right(join, 5, 10, 3));
            assertTrue(left(join, 6, 3, 4));
            assertTrue(join.advanceWatermark(8, 100));
            assertEquals(List.of(), recorder.take());
            assertTrue(join.advanceWatermark(9, 100));
            assertEquals(List.of(new Pair(5, 1, 0, 2, 9, 0, 10)), recorder.take());
            assertFalse(left(join, 5, 9, 5), "window [0, 10) has fired: a record in it is late");
            assertEquals(1, join.lateRecords());
            assertTrue(left(join, 5, 10, 6));
            assertTrue(join.endOfStream(100));
            assertEquals(List.of(new Pair(5, 6, 10, 3, 10, 10, 20)), recorder.take());
            assertEquals(Long.MAX_VALUE, join.watermark());
        }
    }

    @Test
    void shouldEmitNothingAndFreeEverythingWhenOneSideIsEmpty()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.sliding(100, 10, 0), recorder))
        {
            final long empty = join.allocatedBytes();
            for (int i = 0; i < 20_000; i++)
            {
                assertTrue(left(join, i % 13, i, i));
            }
            assertTrue(join.allocatedBytes() > empty, "the tables must have grown for this test to mean something");
            assertTrue(join.advanceWatermark(20_000 + 100, 1));
            assertEquals(List.of(), recorder.take());
            assertEquals(0, join.storedRecords());
            assertEquals(empty, join.allocatedBytes());
        }
    }

    @Test
    void shouldStoreASlidingRecordOnceAndPairItInEveryWindow()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.sliding(30, 10, 0), recorder))
        {
            assertTrue(left(join, 1, 25, 1));
            assertTrue(right(join, 1, 29, 2));
            assertEquals(2, join.storedRecords());
            assertTrue(join.endOfStream(100));
            assertEquals(List.of(
                new Pair(1, 1, 25, 2, 29, 0, 30),
                new Pair(1, 1, 25, 2, 29, 10, 40),
                new Pair(1, 1, 25, 2, 29, 20, 50)), recorder.take());
        }
    }

    @Test
    void shouldJoinOnlyInWindowsThatHadNotFiredWhenARecordCame()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.sliding(30, 10, 0), recorder))
        {
            assertTrue(left(join, 1, 25, 1));
            assertTrue(join.advanceWatermark(29, 100));
            assertTrue(right(join, 1, 26, 2), "windows [10, 40) and [20, 50) are still open");
            assertTrue(join.endOfStream(100));
            assertEquals(List.of(new Pair(1, 1, 25, 2, 26, 10, 40), new Pair(1, 1, 25, 2, 26, 20, 50)),
                recorder.take());
        }
    }

    @Test
    void shouldOrderByWindowEndThenKeyThenArrival()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.sliding(20, 10, 0), recorder))
        {
            assertTrue(left(join, 7, 15, 1));
            assertTrue(left(join, -3, 12, 2));
            assertTrue(right(join, 7, 5, 3));
            assertTrue(left(join, 7, 3, 4));
            assertTrue(right(join, -3, 18, 5));
            assertTrue(right(join, 7, 11, 6));
            assertTrue(join.endOfStream(1_000));
            assertEquals(List.of(
                new Pair(7, 4, 3, 3, 5, -10, 10),
                // [0, 20) key -3, then key 7: lefts in arrival order (15 before 3), rights in arrival order
                new Pair(-3, 2, 12, 5, 18, 0, 20),
                new Pair(7, 1, 15, 3, 5, 0, 20),
                new Pair(7, 1, 15, 6, 11, 0, 20),
                new Pair(7, 4, 3, 3, 5, 0, 20),
                new Pair(7, 4, 3, 6, 11, 0, 20),
                // [10, 30)
                new Pair(-3, 2, 12, 5, 18, 10, 30),
                new Pair(7, 1, 15, 6, 11, 10, 30)), recorder.take());
        }
    }

    @Test
    void shouldResumeAWindowLargerThanTheLimitOnePairPerCall()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.tumbling(10, 0), recorder))
        {
            for (int i = 0; i < 3; i++)
            {
                assertTrue(left(join, 1, i, i));
            }
            for (int i = 0; i < 4; i++)
            {
                assertTrue(right(join, 1, 9 - i, 10 + i));
            }
            assertTrue(left(join, 2, 1, 20));
            assertTrue(right(join, 2, 1, 21));
            final List<Pair> pairs = new ArrayList<>();
            for (int call = 1; call <= 12; call++)
            {
                assertFalse(join.advanceWatermark(9, 1), "call " + call);
                assertTrue(join.hasPending());
                assertThrows(IllegalStateException.class, () -> left(join, 1, 50, 99));
                final List<Pair> taken = recorder.take();
                assertEquals(1, taken.size(), "call " + call);
                pairs.addAll(taken);
            }
            assertTrue(join.advanceWatermark(9, 1), "the last pair, key 2's");
            assertFalse(join.hasPending());
            pairs.addAll(recorder.take());
            assertEquals(13, pairs.size());
            for (int i = 0; i < 12; i++)
            {
                assertEquals(new Pair(1, i / 4, i / 4, 10 + i % 4, 9 - i % 4, 0, 10), pairs.get(i));
            }
            assertEquals(new Pair(2, 20, 1, 21, 1, 0, 10), pairs.get(12));
            assertTrue(left(join, 1, 50, 99));
            assertTrue(join.endOfStream(1));
        }
    }

    @Test
    void shouldMakeNoProgressOnWindowsWithPairsWhenLimitIsZero()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.tumbling(10, 0), recorder))
        {
            assertTrue(left(join, 1, 1, 1));
            assertTrue(right(join, 1, 2, 2));
            assertFalse(join.advanceWatermark(9, 0));
            assertEquals(List.of(), recorder.take());
            assertTrue(join.advanceWatermark(9, 1));
            assertEquals(1, recorder.take().size());
            assertThrows(IllegalArgumentException.class, () -> join.advanceWatermark(9, -1));
        }
    }

    @Test
    void shouldFireClampedWindowsAtTheTopOnlyOnTheFinalWatermark()
    {
        final PairRecorder recorder = new PairRecorder();
        final SlicedWindows windows = SlicedWindows.tumbling(100, 0);
        final long top = windows.lastWindowStart(Long.MAX_VALUE);
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, windows, recorder))
        {
            assertTrue(left(join, 3, Long.MAX_VALUE, 1));
            assertTrue(right(join, 3, top, 2));
            assertTrue(right(join, 3, top - 1, 3));
            assertTrue(left(join, 3, top - 100, 4));
            assertTrue(join.advanceWatermark(Long.MAX_VALUE - 1, 100));
            assertEquals(List.of(new Pair(3, 4, top - 100, 3, top - 1, top - 100, top)), recorder.take());
            assertTrue(right(join, 3, Long.MAX_VALUE - 1, 5), "the top window fires only at MAX_VALUE");
            assertTrue(join.advanceWatermark(Long.MAX_VALUE, 100));
            assertEquals(List.of(new Pair(3, 1, Long.MAX_VALUE, 2, top, top, Long.MAX_VALUE),
                new Pair(3, 1, Long.MAX_VALUE, 5, Long.MAX_VALUE - 1, top, Long.MAX_VALUE)), recorder.take());
            assertFalse(left(join, 3, Long.MAX_VALUE, 6));
        }
    }

    @Test
    void shouldKeepTheTrueEndOfAWindowClampedAtTheBottomOfTheLongRange()
    {
        final PairRecorder recorder = new PairRecorder();
        final SlicedWindows windows = SlicedWindows.tumbling(1_000, 7);
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, windows, recorder))
        {
            // floorMod(MIN_VALUE, 1000) = 192: windows start at MIN_VALUE + 815 + k * 1000, the one below is clamped.
            assertEquals(Long.MIN_VALUE + 815, windows.lastWindowStart(Long.MIN_VALUE + 815), "the premise");
            assertEquals(Long.MIN_VALUE, windows.lastWindowStart(Long.MIN_VALUE + 814), "the premise");
            assertTrue(left(join, 1, Long.MIN_VALUE + 1, 1));
            assertTrue(right(join, 1, Long.MIN_VALUE + 814, 2));
            assertTrue(right(join, 1, Long.MIN_VALUE + 815, 3));
            assertTrue(left(join, 1, Long.MIN_VALUE, 4));
            assertTrue(join.advanceWatermark(Long.MIN_VALUE + 814, 100));
            assertEquals(List.of(
                new Pair(1, 1, Long.MIN_VALUE + 1, 2, Long.MIN_VALUE + 814, Long.MIN_VALUE, Long.MIN_VALUE + 815),
                new Pair(1, 4, Long.MIN_VALUE, 2, Long.MIN_VALUE + 814, Long.MIN_VALUE, Long.MIN_VALUE + 815)),
                recorder.take());
            assertEquals(1, join.storedRecords());
            assertTrue(join.endOfStream(100));
            assertEquals(List.of(), recorder.take());
            assertEquals(0, join.storedRecords());
        }
    }

    @Test
    void shouldReturnToItsEmptyFootprintAfterGrowing()
    {
        final long[] pairs = new long[1];
        final JoinOutput counter =
            (key, left, leftOffset, leftTs, right, rightOffset, rightTs, start, end) -> pairs[0]++;
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.sliding(100, 10, 0), counter))
        {
            final long empty = join.allocatedBytes();
            assertEquals(memory.usedBytes("join"), empty);
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < 30_000; i++)
                {
                    final long ts = round * 100_000L + i;
                    assertTrue((i & 1) == 0 ? left(join, i % 5, ts, i) : right(join, i % 5, ts, i));
                }
                assertTrue(join.allocatedBytes() > 4 * empty, "the tables must have grown for this test to mean it");
                while (!join.advanceWatermark(round * 100_000L + 50_000, 10_000))
                {
                    assertTrue(join.hasPending());
                }
                assertEquals(0, join.storedRecords());
                assertEquals(empty, join.allocatedBytes(), "round " + round);
            }
            assertTrue(pairs[0] > 0);
        }
    }

    @Test
    void shouldNotTakeARecordWhenTheStateCannotGrow()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.tumbling(1_000_000, 0), recorder))
        {
            // Leave two pages: enough for some growth, not for all.
            final MemorySegment hog =
                memory.allocate("hog", memory.availableBytes() - 2L * memory.pageSizeBytes());
            long lefts = 0;
            long rights = 0;
            boolean refused = false;
            for (int i = 0; i < 100_000 && !refused; i++)
            {
                try
                {
                    if ((i & 1) == 0)
                    {
                        assertTrue(left(join, 1, i, i));
                        lefts++;
                    }
                    else
                    {
                        assertTrue(right(join, 1, i, i));
                        rights++;
                    }
                }
                catch (final MemoryBudgetExceededException ex)
                {
                    refused = true;
                }
            }
            assertTrue(refused, "the budget must run out for this test to mean it");
            assertEquals(lefts + rights, join.storedRecords());
            hog.release();
            assertTrue(join.endOfStream(Integer.MAX_VALUE));
            assertEquals(lefts * rights, recorder.take().size(), "the refused record must not be joined");
        }
    }

    @Test
    void shouldGatherTheWindowAgainWhenItsListsCouldNotGrow()
    {
        final PairRecorder recorder = new PairRecorder();
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, SlicedWindows.tumbling(10, 0), recorder))
        {
            for (int i = 0; i < 3; i++)
            {
                assertTrue(left(join, 1, i, i));
                assertTrue(right(join, 1, i, 10 + i));
            }
            final MemorySegment hog = memory.allocate("hog", memory.availableBytes());
            assertThrows(MemoryBudgetExceededException.class, () -> join.advanceWatermark(9, 100));
            assertFalse(join.hasPending());
            hog.release();
            assertTrue(join.advanceWatermark(9, 100));
            final List<Pair> pairs = recorder.take();
            assertEquals(9, pairs.size());
            assertEquals(new Pair(1, 0, 0, 10, 0, 0, 10), pairs.get(0));
            assertEquals(new Pair(1, 2, 2, 12, 2, 0, 10), pairs.get(8));
            assertEquals(0, join.storedRecords());
        }
    }

    @Test
    void shouldRejectBadConstructorArgumentsWithClearMessages()
    {
        final PairRecorder out = new PairRecorder();
        final SlicedWindows windows = SlicedWindows.tumbling(10, 0);
        try (MemoryManager memory = new MemoryManager(BUDGET))
        {
            assertMessage(NullPointerException.class, "memoryManager",
                () -> new WindowJoin(null, "j", windows, 8, 8, out));
            assertMessage(IllegalArgumentException.class, "owner must be named",
                () -> new WindowJoin(memory, "", windows, 8, 8, out));
            assertMessage(IllegalArgumentException.class, "owner must be named",
                () -> new WindowJoin(memory, null, windows, 8, 8, out));
            assertMessage(IllegalArgumentException.class, "windows must not be null",
                () -> new WindowJoin(memory, "j", null, 8, 8, out));
            assertMessage(IllegalArgumentException.class, "left record length out of range [0, 65520]",
                () -> new WindowJoin(memory, "j", windows, -1, 8, out));
            assertMessage(IllegalArgumentException.class, "rightRecordLength=70000",
                () -> new WindowJoin(memory, "j", windows, 8, 70_000, out));
            assertMessage(NullPointerException.class, "output must not be null",
                () -> new WindowJoin(memory, "j", windows, 8, 8, null));
            final WindowJoin first = new WindowJoin(memory, "j", windows, 8, 8, out);
            try
            {
                assertMessage(IllegalArgumentException.class, "owner already holds memory: owner=j",
                    () -> new WindowJoin(memory, "j", windows, 8, 8, out));
            }
            finally
            {
                first.close();
            }
            first.close();
            assertThrows(IllegalStateException.class, () -> first.advanceWatermark(1, 1));
            assertEquals(0, memory.usedBytes());
            assertEquals(0, first.allocatedBytes());
        }
    }

    static void assertMessage(final Class<? extends Throwable> type, final String part, final Runnable action)
    {
        final Throwable thrown = assertThrows(type, action::run);
        assertTrue(thrown.getMessage().contains(part), "message '" + thrown.getMessage() + "' lacks '" + part + "'");
    }

    private void runAgainstModel(final long seed, final long origin)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long slide = 1 + random.nextInt(20);
        final long size = random.nextInt(3) == 0 ? slide :
            slide * (1 + random.nextInt(4)) + (random.nextBoolean() ? 0 : random.nextInt((int)slide));
        final long offset = random.nextInt(-60, 60);
        final SlicedWindows windows = SlicedWindows.sliding(size, slide, offset);
        final int keyCount = 1 + random.nextInt(5);
        final int jitter = random.nextInt(40);
        final int watermarkEvery = 1 + random.nextInt(40);
        final int events = 2_000;
        // About 2000 time units pass: streams near the ends start within a window of MIN_VALUE or reach MAX_VALUE.
        final long base = Long.MIN_VALUE == origin ? origin + random.nextInt(0, 30) :
            Long.MAX_VALUE == origin ? origin - 1_950 - random.nextInt(0, 50) : random.nextInt(-1_000, 1_000);
        final String context = "seed=" + seed + " origin=" + origin + " " + windows + " keys=" + keyCount +
            " jitter=" + jitter;

        final PairRecorder recorder = new PairRecorder();
        final WindowModel model = new WindowModel(size, slide, offset);
        try (MemoryManager memory = new MemoryManager(BUDGET);
            WindowJoin join = newJoin(memory, windows, recorder))
        {
            final long empty = join.allocatedBytes();
            long time = base;
            long maxTimestamp = Long.MIN_VALUE;
            for (int id = 0; id < events; id++)
            {
                time = JoinSupport.addClamped(time, random.nextInt(3));
                final long timestamp = JoinSupport.subtractClamped(time, random.nextInt(jitter + 1));
                maxTimestamp = Math.max(maxTimestamp, timestamp);
                final boolean isLeft = random.nextBoolean();
                final long key = KEYS[random.nextInt(keyCount)];
                final boolean expected = model.offer(isLeft, key, timestamp, id);
                final boolean taken = isLeft ? left(join, key, timestamp, id) : right(join, key, timestamp, id);
                assertEquals(expected, taken, context + " record " + id + " ts=" + timestamp + " wm=" +
                    model.watermark);
                if (0 == random.nextInt(watermarkEvery))
                {
                    final long watermark = JoinSupport.subtractClamped(maxTimestamp, random.nextInt(2 * jitter + 2));
                    drain(join, watermark, random);
                    assertSamePairs(model.advance(watermark), recorder.take(), context + " watermark " + watermark);
                    assertEquals(model.storedRecords(), join.storedRecords(), context + " stored after " + watermark);
                    assertEquals(model.watermark, join.watermark(), context);
                }
            }
            drain(join, Long.MAX_VALUE, random);
            assertSamePairs(model.advance(Long.MAX_VALUE), recorder.take(), context + " end of stream");
            assertEquals(model.lateRecords, join.lateRecords(), context);
            assertEquals(0, join.storedRecords(), context);
            assertEquals(empty, join.allocatedBytes(), context + ": memory must return to the empty footprint");
            assertTrue(model.pairs > 0 || size < 3, context + ": a run with no pairs tests little");
        }
    }

    private static void drain(final WindowJoin join, final long watermark, final SplittableRandom random)
    {
        final int[] limits = {1, 2, 3, 7, 1_000};
        int calls = 0;
        while (!join.advanceWatermark(watermark, limits[random.nextInt(limits.length)]))
        {
            assertTrue(join.hasPending());
            assertTrue(++calls < 1_000_000);
        }
        assertFalse(join.hasPending());
    }

    private WindowJoin newJoin(final MemoryManager memory, final SlicedWindows windows, final JoinOutput output)
    {
        return new WindowJoin(memory, "join", windows, LEFT_LENGTH, RIGHT_LENGTH, output);
    }

    private boolean left(final WindowJoin join, final long key, final long timestamp, final long id)
    {
        PairRecorder.fill(leftRecord, 0, id, LEFT_LENGTH);
        return join.onLeft(key, timestamp, leftRecord, 0);
    }

    private boolean right(final WindowJoin join, final long key, final long timestamp, final long id)
    {
        PairRecorder.fill(rightRecord, 0, id, RIGHT_LENGTH);
        return join.onRight(key, timestamp, rightRecord, 0);
    }

    /**
     * The naive reference: every record in a list with the windows it joined in, computed with exact arithmetic
     * from the definition (starts {@code offset + k * slide}, ends clamped to MAX_VALUE); each watermark fires the
     * windows it passes and pairs records from scratch.
     */
    static final class WindowModel
    {
        private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
        private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);

        record Window(long start, long end)
        {
            long firingTime()
            {
                return end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1;
            }
        }

        record Rec(boolean left, long key, long ts, long id, List<Window> windows, long latestFiringTime)
        {
        }

        private final long size;
        private final long slide;
        private final long offset;
        private final List<Rec> live = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        long lateRecords;
        long pairs;

        WindowModel(final long size, final long slide, final long offset)
        {
            this.size = size;
            this.slide = slide;
            this.offset = offset;
        }

        boolean offer(final boolean left, final long key, final long ts, final long id)
        {
            final List<Window> all = windowsOf(ts);
            final long latestFiringTime = all.get(0).firingTime();
            if (latestFiringTime <= watermark)
            {
                lateRecords++;
                return false;
            }
            final List<Window> open = new ArrayList<>();
            for (final Window window : all)
            {
                if (window.firingTime() > watermark)
                {
                    open.add(window);
                }
            }
            live.add(new Rec(left, key, ts, id, open, latestFiringTime));
            return true;
        }

        List<Pair> advance(final long newWatermark)
        {
            final List<Pair> out = new ArrayList<>();
            if (newWatermark <= watermark)
            {
                return out;
            }
            final TreeSet<long[]> due = new TreeSet<>(Comparator.<long[]>comparingLong((w) -> w[1])
                .thenComparingLong((w) -> w[2]).thenComparingLong((w) -> w[0]));
            for (final Rec rec : live)
            {
                for (final Window window : rec.windows())
                {
                    if (window.firingTime() > watermark && window.firingTime() <= newWatermark)
                    {
                        due.add(new long[]{window.start(), window.end(), rec.key()});
                    }
                }
            }
            for (final long[] fired : due)
            {
                final Window window = new Window(fired[0], fired[1]);
                final long key = fired[2];
                for (final Rec left : live)
                {
                    if (!left.left() || left.key() != key || !left.windows().contains(window))
                    {
                        continue;
                    }
                    for (final Rec right : live)
                    {
                        if (!right.left() && right.key() == key && right.windows().contains(window))
                        {
                            out.add(new Pair(key, left.id(), left.ts(), right.id(), right.ts(), window.start(),
                                window.end()));
                        }
                    }
                }
            }
            watermark = newWatermark;
            live.removeIf((rec) -> rec.latestFiringTime() <= newWatermark);
            pairs += out.size();
            return out;
        }

        long storedRecords()
        {
            return live.size();
        }

        /**
         * Latest first.
         */
        private List<Window> windowsOf(final long ts)
        {
            final BigInteger t = BigInteger.valueOf(ts);
            final BigInteger slideBig = BigInteger.valueOf(slide);
            final BigInteger sizeBig = BigInteger.valueOf(size);
            BigInteger start = t.subtract(t.subtract(BigInteger.valueOf(offset)).mod(slideBig));
            final List<Window> windows = new ArrayList<>();
            while (start.add(sizeBig).compareTo(t) > 0)
            {
                windows.add(new Window(start.max(MIN).longValueExact(), start.add(sizeBig).min(MAX).longValueExact()));
                start = start.subtract(slideBig);
            }
            return windows;
        }
    }
}
