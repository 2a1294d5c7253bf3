package io.ferrite.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.AggregatesReference;
import io.ferrite.windowing.aggregate.AggregatesReference.Part;
import io.ferrite.windowing.aggregate.AggregatesReference.Rec;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * The column layout of sliding windows that subtract ({@link ColumnarSlidingOperator}), against the reference through
 * {@link SlicedDriver}: random streams with disorder, small output limits (records arrive while a boundary is half
 * swept), records beyond the ring, records before the first window before anything fired, and the fallback to the hash
 * layout (sparse keys, the ends of the time range) and back. Each message names the seed.
 */
class ColumnarSlidingOperatorTest
{
    private static final long BASE_SEED = 0x5EED_C01L;
    private static final Part[] SUBTRACTABLE = {Part.COUNT, Part.SUM_V, Part.AVG_V};
    private static final long[][] SHAPES = {{10, 1}, {10, 2}, {12, 3}, {10, 4}, {30, 10}, {100, 7}};
    private static final int[] LIMITS = {1, 3, Integer.MAX_VALUE};

    private static ColumnarSlidingOperator columnar(final SlicedDriver driver)
    {
        return assertInstanceOf(ColumnarSlidingOperator.class, driver.operator());
    }

    @Test
    void shouldMatchTheReferenceOnRandomStreams()
    {
        for (int shape = 0; shape < SHAPES.length; shape++)
        {
            for (final int limit : LIMITS)
            {
                final long seed = BASE_SEED + shape * 31L + limit;
                final long size = SHAPES[shape][0];
                final long slide = SHAPES[shape][1];
                try (MemoryManager memoryManager = new MemoryManager(64L << 20);
                    SlicedDriver driver = new SlicedDriver(memoryManager, "seed=" + seed, size, slide, shape, false,
                        0, 0, limit, SUBTRACTABLE))
                {
                    final ColumnarSlidingOperator operator = columnar(driver);
                    // Disorder within the ring's margin and no gaps: the columns hold everything.
                    runRandom(new SplittableRandom(seed), driver, size, 40, 2_000, false);
                    assertTrue(operator.isColumnar(), driver.message("fell back: " + operator));
                    // Gaps: records far ahead wait beyond the ring, and earlier ones after them may need the hash
                    // layout for a while.
                    runRandom(new SplittableRandom(seed + 1), driver, size, 40, 2_000, true);
                    driver.endOfStream();
                    assertTrue(operator.isColumnar(), driver.message("did not return to columns: " + operator));
                }
            }
        }
    }

    /**
     * Records with timestamps spread around a frontier that moves forward, by an eighth of a window (within the ring's
     * margin); the watermark trails it; with {@code gaps}, the frontier sometimes jumps a window or more.
     */
    private static void runRandom(
        final SplittableRandom random,
        final SlicedDriver driver,
        final long size,
        final int keys,
        final int steps,
        final boolean gaps)
    {
        long frontier = Math.max(driver.maxTimestamp(), random.nextLong(-3 * size, 3 * size));
        final long disorder = Math.max(2, size / 8);
        for (int step = 0; step < steps; step++)
        {
            final int dice = random.nextInt(100);
            if (dice < 80)
            {
                final long ts = frontier + random.nextLong(-disorder, disorder + 1);
                driver.record(random.nextInt(keys), ts, random.nextLong(-1_000, 1_000), 0, random.nextLong(1, 500));
            }
            else if (dice < 97)
            {
                frontier += random.nextLong(0, Math.max(2, size / 4));
                driver.watermark(Math.max(driver.watermark(), frontier - disorder));
            }
            else if (gaps)
            {
                frontier += random.nextLong(size, 3 * size); // A gap: windows empty out, rows are freed.
            }
        }
    }

    @Test
    void shouldHoldRecordsBeyondTheRingUntilItReachesThem()
    {
        try (MemoryManager memoryManager = new MemoryManager(64L << 20);
            SlicedDriver driver = new SlicedDriver(memoryManager, "far future", 10, 2, 0, false, 0, 0, 2,
                SUBTRACTABLE))
        {
            final ColumnarSlidingOperator operator = columnar(driver);
            driver.record(1, 5, 10, 0, 1);
            driver.record(1, 500, 20, 0, 1);   // Far beyond the ring: overflow.
            driver.record(2, 47, 30, 0, 1);    // Beyond it too (the ring holds 16 slices of 2 from -4).
            driver.record(2, 503, 40, 0, 1);
            driver.record(3, 9_999, 50, 0, 1);
            driver.watermark(20);              // The columns empty: the ring starts again from the overflow.
            assertTrue(operator.isColumnar(), driver.message("fell back: " + operator));
            driver.record(1, 48, 60, 0, 1);
            driver.watermark(60);
            driver.watermark(495);
            driver.record(3, 9_990, 70, 0, 1);
            driver.watermark(9_000);
            assertTrue(operator.isColumnar(), driver.message("fell back: " + operator));
            driver.endOfStream();
        }
    }

    @Test
    void shouldMoveTheRingBackForEarlierRecordsBeforeTheFirstFiring()
    {
        try (MemoryManager memoryManager = new MemoryManager(64L << 20);
            SlicedDriver driver = new SlicedDriver(memoryManager, "lower", 12, 3, 0, false, 0, 0, Integer.MAX_VALUE,
                SUBTRACTABLE))
        {
            final ColumnarSlidingOperator operator = columnar(driver);
            driver.record(1, 100, 1, 0, 1);
            driver.record(2, 103, 2, 0, 1);
            driver.record(1, 95, 3, 0, 1);     // Earlier windows: the running accumulators give back cells.
            driver.record(3, 91, 4, 0, 1);
            assertTrue(operator.isColumnar(), driver.message("fell back while the ring still fits: " + operator));
            driver.record(2, 40, 5, 0, 1);     // Too early for the ring: the hash layout takes over.
            assertFalse(operator.isColumnar(), driver.message("did not fall back"));
            driver.watermark(104);
            driver.record(2, 110, 6, 0, 1);
            driver.watermark(200);             // Empty again: back to columns.
            assertTrue(operator.isColumnar(), driver.message("did not return to columns"));
            driver.record(2, 210, 7, 0, 1);
            driver.record(2, 204, 8, 0, 1);
            driver.endOfStream();
        }
    }

    @Test
    void shouldFallBackForSparseKeysAndReturnWhenEmpty()
    {
        final long seed = BASE_SEED + 7;
        try (MemoryManager memoryManager = new MemoryManager(256L << 20);
            SlicedDriver driver = new SlicedDriver(memoryManager, "sparse seed=" + seed, 100, 1, 0, false, 0, 0, 50,
                SUBTRACTABLE))
        {
            final ColumnarSlidingOperator operator = columnar(driver);
            operator.sparseColumnBytes(0);
            final SplittableRandom random = new SplittableRandom(seed);
            // Every key once per window at a random slice: a cell in a hundred is live.
            for (long t = 0; t < 300; t++)
            {
                for (int i = 0; i < 20 && operator.isColumnar(); i++)
                {
                    driver.record(random.nextLong(0, 5_000), t, 1 + random.nextInt(9), 0, 1);
                }
                if (!operator.isColumnar())
                {
                    break;
                }
            }
            assertFalse(operator.isColumnar(), driver.message("sparse keys stayed in columns"));
            driver.watermark(150);
            for (int i = 0; i < 200; i++)
            {
                driver.record(random.nextLong(0, 5_000), 151 + random.nextInt(100), 1, 0, 1);
            }
            driver.watermark(1_000);
            assertTrue(operator.isColumnar(), driver.message("did not return to columns once empty"));
            driver.endOfStream();
        }
    }

    @Test
    void shouldFallBackAtTheEndsOfTheTimeRange()
    {
        try (MemoryManager memoryManager = new MemoryManager(64L << 20);
            SlicedDriver driver = new SlicedDriver(memoryManager, "ends", 10, 5, 0, false, 0, 0, 4, SUBTRACTABLE))
        {
            final ColumnarSlidingOperator operator = columnar(driver);
            driver.record(1, 7, 1, 0, 1);
            driver.record(2, Long.MAX_VALUE - 3, 2, 0, 1);
            assertFalse(operator.isColumnar(), driver.message("kept columns at the end of the range"));
            driver.record(1, 9, 3, 0, 1);
            driver.watermark(100);
            driver.endOfStream();
            assertTrue(operator.isColumnar(), driver.message("did not return to columns"));
        }
    }

    /**
     * Records, snapshots and restores between calls of a boundary that ran out of output space: the columns against
     * the hash layout driven the same way (the driver finishes every boundary before the next call, this does not).
     * Under a limit the two emit in different orders across keys, so each key's results are compared at the end.
     */
    @Test
    void shouldTakeRecordsAndCheckpointsWhileABoundaryIsHalfFired() throws Exception
    {
        for (int round = 0; round < 12; round++)
        {
            final long seed = BASE_SEED + 1_000 + round;
            final SplittableRandom random = new SplittableRandom(seed);
            final long size = 20 + random.nextInt(40);
            final long slide = 1 + random.nextInt(5);
            final SlicedWindows windows = WindowAssigner.sliding(size, slide).sliced();
            final AggregateFunction aggregate = AggregatesReference.aggregate(SUBTRACTABLE);
            final int accLength = aggregate.accumulatorLength();
            final Map<Long, List<String>> expected = new HashMap<>();
            final Map<Long, List<String>> actual = new HashMap<>();
            try (MemoryManager memoryManager = new MemoryManager(64L << 20))
            {
                final WindowOperator hash = new SlicingWindowOperator(memoryManager, "hash", windows, aggregate, 0, 0,
                    recorder(expected, accLength));
                final WindowOutput columnsOutput = recorder(actual, accLength);
                WindowOperator columns = new ColumnarSlidingOperator(memoryManager, "columns", windows, aggregate,
                    columnsOutput);
                final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength()]);
                long frontier = 0;
                long watermark = Long.MIN_VALUE;
                boolean halfFired = false;
                boolean pending = false;
                int restores = 0;
                for (int step = 0; step < 4_000; step++)
                {
                    final int dice = random.nextInt(100);
                    if (dice < 75)
                    {
                        // Late records (some dropped) only once the closed windows are out; see the class comment of
                        // ColumnarSlidingOperator.
                        final long ts = pending ? Math.max(watermark + 1, frontier + random.nextLong(0, size / 4 + 1)) :
                            frontier + random.nextLong(-size, size / 4 + 1);
                        final long key = random.nextInt(30);
                        new Rec(key, ts, random.nextLong(-100, 100), 0, 1, step).write(record, 0);
                        assertEquals(hash.onRecord(key, ts, record, 0), columns.onRecord(key, ts, record, 0),
                            "seed=" + seed + " step " + step + ": onRecord");
                    }
                    else if (dice < 95)
                    {
                        frontier += random.nextInt(1 + (int)slide * 3);
                        watermark = Math.max(watermark, frontier - size / 4 - 1);
                        final int limit = random.nextInt(4);
                        // Not the return values: the columns may have empty boundaries left where the hash layout
                        // has no timer, but the same results must be out.
                        pending = !hash.advanceWatermark(watermark, limit);
                        pending |= !columns.advanceWatermark(watermark, limit);
                        halfFired |= pending;
                    }
                    else
                    {
                        final WindowOperator taken = columns;
                        final byte[] bytes = CheckpointBytes.snapshot(taken::snapshot);
                        taken.close();
                        columns = new ColumnarSlidingOperator(memoryManager, "columns", windows, aggregate,
                            columnsOutput);
                        CheckpointBytes.restore(bytes, columns::restore);
                        restores++;
                    }
                }
                endStream(hash, "seed=" + seed + ": hash layout");
                endStream(columns, "seed=" + seed + ": columns");
                assertEquals(expected, actual,
                    () -> "seed=" + seed + " at the end: " + firstDifference(expected, actual));
                assertTrue(halfFired && restores > 0, "seed=" + seed + ": no half-fired boundary or no restore");
                hash.close();
                columns.close();
            }
        }
    }

    private static String firstDifference(final Map<Long, List<String>> expected, final Map<Long, List<String>> actual)
    {
        final java.util.TreeSet<Long> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (final long key : keys)
        {
            final List<String> e = expected.getOrDefault(key, List.of());
            final List<String> a = actual.getOrDefault(key, List.of());
            for (int i = 0; i < Math.max(e.size(), a.size()); i++)
            {
                final String x = i < e.size() ? e.get(i) : "nothing";
                final String y = i < a.size() ? a.get(i) : "nothing";
                if (!x.equals(y))
                {
                    return "key " + key + " result " + i + ": expected " + x + ", was " + y;
                }
            }
        }
        return "none";
    }

    private static void endStream(final WindowOperator operator, final String what)
    {
        for (int calls = 0; !operator.endOfStream(3); calls++)
        {
            assertTrue(calls < 1_000_000, what + ": endOfStream never finishes");
        }
    }

    private static WindowOutput recorder(final Map<Long, List<String>> emissions, final int accLength)
    {
        return (key, start, end, firing, count, accumulator, offset) -> emissions
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(start + ".." + end + " " + firing + " n=" + count + " " +
                CheckpointBytes.hex(accumulator, offset, accLength));
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        try (MemoryManager memoryManager = new MemoryManager(256L << 20))
        {
            final long[] results = new long[1];
            final WindowOperator operator = WindowAssigner.sliding(1_000, 10).newOperator(memoryManager, "op",
                AggregatesReference.aggregate(SUBTRACTABLE), 0, 0,
                (key, start, end, firing, count, accumulator, offset) -> results[0] += count);
            assertInstanceOf(ColumnarSlidingOperator.class, operator);
            final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength()]);
            final long[] time = new long[1];
            final long[] allocated = CountedAllocations.measure(() ->
            {
                for (int i = 0; i < 50_000; i++)
                {
                    final long t = ++time[0];
                    record.putLong(0, t);
                    operator.onRecord(t % 1_000, t, record, 0);
                    if (t % 50 == 0)
                    {
                        operator.advanceWatermark(t - 20, Integer.MAX_VALUE);
                    }
                }
            });
            CountedAllocations.assertSteadyStateAllocatesNothing("columnar sliding windows, 50,000 records a round",
                allocated);
            assertTrue(results[0] > 0);
            operator.close();
        }
    }
}
