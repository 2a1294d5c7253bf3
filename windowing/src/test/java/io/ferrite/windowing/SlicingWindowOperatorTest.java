package io.ferrite.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;
import io.ferrite.windowing.aggregate.AggregatesReference;
import io.ferrite.windowing.aggregate.AggregatesReference.Part;

/**
 * Tumbling and sliding windows against {@link SlicedReference}, a model that keeps every record and recomputes each
 * window from scratch: randomized (seeded, printed in every message; {@code -Dferrite.test.seed=...} changes the base
 * seed) over window shapes, lateness, limits, early results and aggregates that subtract and that recombine; plus
 * hand-checked cases for early results, late records, the ends of the time range, memory and allocation. A failing
 * randomized run prints its own seed and configuration: {@code runRandom} with them replays it alone.
 */
class SlicingWindowOperatorTest
{
    private static final long BASE_SEED = Long.getLong("ferrite.test.seed", 0x5EED_F00DL);
    private static final long BUDGET_BYTES = 64L << 20;
    private static final int ALL = Integer.MAX_VALUE;
    private static final long[] KEY_POOL = {0, -1, 1, 42, -7_000_000_000L, Long.MIN_VALUE, Long.MAX_VALUE};

    private static final Part[] SUBTRACTABLE = {Part.COUNT, Part.SUM_V, Part.AVG_V, Part.PCT};
    private static final Part[] RECOMBINED = {
        Part.SUM_D, Part.MIN_V, Part.MAX_V, Part.MIN_D, Part.MAX_D, Part.AVG_D, Part.FIRST, Part.LAST};
    private static final Part[] EVERYTHING = Part.values();

    /**
     * A window shape.
     */
    static final class Shape
    {
        final String name;
        final long size;
        final long slide;
        final long offset;
        final boolean tumbling;

        Shape(final long size, final long slide, final long offset, final boolean tumbling)
        {
            this.size = size;
            this.slide = slide;
            this.offset = offset;
            this.tumbling = tumbling;
            this.name = (tumbling ? "tumbling(" + size : "sliding(" + size + ", " + slide) + ", " + offset + ")";
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    static Stream<Shape> shapes()
    {
        return Stream.of(
            new Shape(10, 10, 0, true),
            new Shape(7, 7, -4, true),
            new Shape(10, 5, 0, false),
            new Shape(10, 4, 0, false), // slide does not divide size: slices of 2
            new Shape(12, 3, 5, false),
            new Shape(9, 9, 2, false), // slide == size through sliding()
            new Shape(15, 6, -1, false), // slices of 3, a negative offset
            new Shape(6, 1, 0, false),
            new Shape(1, 1, 0, true), // Every timestamp its own window.
            new Shape(20, 3, 0, false), // Slices of 1, 7 windows per record.
            new Shape(100, 30, 7, false)); // Slices of 10; time scaled up to match.
    }

    /**
     * Counts over a test's runs, to check the randomized runs did exercise what they claim to.
     */
    static final class Stats
    {
        long onTime;
        long late;
        long early;
        long refused;
        long runs;

        void add(final SlicedDriver driver)
        {
            runs++;
            refused += driver.operator().lateRecords();
            for (final List<String> emissions : driver.actual().values())
            {
                for (final String emission : emissions)
                {
                    onTime += emission.contains(" ON_TIME ") ? 1 : 0;
                    late += emission.contains(" LATE ") ? 1 : 0;
                    early += emission.contains(" EARLY ") ? 1 : 0;
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void shouldMatchTheReferenceForSubtractableRecombinedAndMixedAggregates(final Shape shape)
    {
        final Stats stats = new Stats();
        final long[] latenesses = {0, 2 * shape.size + 3};
        final Part[][] sets = {SUBTRACTABLE, RECOMBINED, EVERYTHING};
        int run = 0;
        for (final long lateness : latenesses)
        {
            for (final int limit : new int[]{ALL, 1})
            {
                for (final Part[] parts : sets)
                {
                    final long seed = seed(shape, run++);
                    final long early = parts == EVERYTHING ? 1 + shape.size / 2 : 0;
                    runRandom(seed, shape, lateness, early, limit, 1_000, parts, stats);
                }
            }
        }
        // A lateness of 1: windows expire one step after they close.
        runRandom(seed(shape, run), shape, 1, 2, ALL, 1_000, EVERYTHING, stats);
        assertTrue(stats.onTime > 1_000, () -> shape + ": too few ON_TIME results to mean much: " + stats.onTime);
        assertTrue(stats.late > 100, () -> shape + ": too few LATE results to mean much: " + stats.late);
        assertTrue(stats.early > 100, () -> shape + ": too few EARLY results to mean much: " + stats.early);
        assertTrue(stats.refused > 100, () -> shape + ": too few refused records to mean much: " + stats.refused);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void shouldMatchTheReferenceForEachAggregateAlone(final Shape shape)
    {
        final Stats stats = new Stats();
        int run = 1_000;
        for (final Part part : Part.values())
        {
            final long seed = seed(shape, run++);
            final SplittableRandom random = new SplittableRandom(seed);
            final long lateness = random.nextBoolean() ? 0 : shape.size;
            final int limit = random.nextBoolean() ? ALL : 1;
            runRandom(seed, shape, lateness, 0, limit, 600, new Part[]{part}, stats);
        }
        assertTrue(stats.onTime > 500, () -> shape + ": too few ON_TIME results to mean much: " + stats.onTime);
    }

    private static long seed(final Shape shape, final int run)
    {
        return BASE_SEED * 31 + shape.name.hashCode() * 1_000_003L + run;
    }

    private static void runRandom(
        final long seed,
        final Shape shape,
        final long lateness,
        final long earlyPeriod,
        final int limit,
        final int operations,
        final Part[] parts,
        final Stats stats)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long size = shape.size;
        final long scale = Math.max(1, size / 10); // About as many records per window whatever the size.
        final long[] keys = pickKeys(random);
        final long disorder = random.nextLong(0, 2 * size + 1);
        long frontier = random.nextLong(-5 * size, 5 * size + 1);
        long now = 0;
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = new SlicedDriver(memoryManager, "seed=" + seed + " keys=" + keys.length,
                shape.size, shape.slide, shape.offset, shape.tumbling, lateness, earlyPeriod, limit, parts))
        {
            for (int i = 0; i < operations; i++)
            {
                final int dice = random.nextInt(100);
                final long watermark = driver.watermark();
                if (dice < 70)
                {
                    final long key = keys[random.nextInt(keys.length)];
                    final int kind = random.nextInt(100);
                    final long ts;
                    if (kind < 8 && watermark > Long.MIN_VALUE)
                    {
                        // Late, often beyond the lateness: refused, or LATE updates of closed windows.
                        ts = watermark - random.nextLong(0, 3 * size + 2 * lateness + 1);
                    }
                    else if (kind < 12)
                    {
                        ts = frontier + random.nextLong(0, size + 1);
                    }
                    else
                    {
                        ts = frontier - random.nextLong(0, disorder + 1);
                    }
                    driver.record(key, ts, value(random), random.nextLong(-1_000_000, 1_000_001), latency(random));
                    frontier += random.nextInt(4) == 0 ? random.nextInt(3) * scale : 0;
                }
                else if (dice < 88)
                {
                    final int kind = random.nextInt(100);
                    if (kind < 60)
                    {
                        driver.watermark(frontier - disorder - random.nextLong(0, size + 1));
                    }
                    else if (kind < 72)
                    {
                        driver.watermark(watermark); // Not moving.
                    }
                    else if (kind < 82)
                    {
                        // Going back: ignored.
                        driver.watermark(watermark > Long.MIN_VALUE + size ? watermark - 1 - random.nextLong(size) :
                            watermark);
                    }
                    else
                    {
                        // A big jump: windows fire in bulk, and records behind it are late.
                        final long jump = frontier + random.nextLong(0, 6 * size + 1);
                        driver.watermark(jump);
                        frontier = jump + random.nextLong(0, size + 1);
                    }
                }
                else if (dice < 96 && earlyPeriod > 0)
                {
                    now += random.nextLong(0, 2 * earlyPeriod + 1);
                    driver.processingTime(now);
                }
                else
                {
                    frontier += random.nextLong(0, 3 * size); // A gap: some windows stay empty.
                }
            }
            if (random.nextBoolean())
            {
                driver.passEverything();
            }
            driver.endOfStream();
            stats.add(driver);
        }
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
        final int count = 1 + random.nextInt(pool.length);
        final long[] keys = new long[count];
        System.arraycopy(pool, 0, keys, 0, count);
        return keys;
    }

    private static long value(final SplittableRandom random)
    {
        final int kind = random.nextInt(20);
        if (kind == 0)
        {
            return Long.MAX_VALUE - random.nextInt(1_000); // Sums wrap; subtraction must undo the wrap exactly.
        }
        if (kind == 1)
        {
            return Long.MIN_VALUE + random.nextInt(1_000);
        }
        return random.nextLong(-1_000, 1_001);
    }

    private static long latency(final SplittableRandom random)
    {
        final int kind = random.nextInt(20);
        if (kind == 0)
        {
            return random.nextLong(0, 1L << 40); // Mostly above the highest trackable value.
        }
        if (kind < 4)
        {
            return random.nextLong(0, AggregatesReference.PCT_HIGHEST + 1);
        }
        return random.nextLong(0, 200);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Hand-checked cases.
    // ---------------------------------------------------------------------------------------------------------------

    private static String onTime(final long start, final long end, final long count, final long sum)
    {
        return result(start, end, Firing.ON_TIME, count, sum);
    }

    private static String result(final long start, final long end, final byte firing, final long count, final long sum)
    {
        return SlicedReference.emission(start, end, firing, count, "n=" + count + " sum_v=" + sum);
    }

    private static SlicedDriver countAndSum(
        final MemoryManager memoryManager,
        final String context,
        final long size,
        final long slide,
        final boolean tumbling,
        final long lateness,
        final long earlyPeriod)
    {
        return new SlicedDriver(memoryManager, context, size, slide, 0, tumbling, lateness, earlyPeriod, ALL,
            Part.COUNT, Part.SUM_V);
    }

    @Test
    void shouldEmitNothingWhenEmpty()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "empty", 10, 4, false, 5, 3))
        {
            final WindowOperator operator = driver.operator();
            assertEquals(Long.MIN_VALUE, operator.watermark());
            assertFalse(operator.hasPending());
            assertEquals(0, operator.emitPending(ALL));
            assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
            driver.watermark(-100);
            driver.watermark(1_000);
            driver.processingTime(1_000);
            driver.watermark(Long.MAX_VALUE - 1);
            driver.endOfStream();
            assertTrue(driver.actual().isEmpty(), () -> "emitted " + driver.actual());
            assertEquals(0, operator.lateRecords());
            driver.assertBaselineMemory("empty");
        }
    }

    @Test
    void shouldFireTumblingWindowsAroundTheEpochAndBeforeIt()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "epoch", 10, 10, true, 0, 0))
        {
            driver.record(1, -1, 5, 0, 0);
            driver.record(1, 0, 7, 0, 0);
            driver.record(1, -10, 11, 0, 0);
            driver.record(1, -11, 13, 0, 0);
            driver.watermark(-2);
            assertEquals(List.of(onTime(-20, -10, 1, 13)), driver.actual().get(1L));
            driver.watermark(-1);
            assertEquals(List.of(onTime(-20, -10, 1, 13), onTime(-10, 0, 2, 16)), driver.actual().get(1L));
            assertFalse(driver.record(1, -1, 1, 0, 0), "late beyond lateness 0");
            assertEquals(-10, driver.operator().missedWindowStart());
            assertEquals(0, driver.operator().missedWindowEnd());
            driver.endOfStream();
            assertEquals(List.of(onTime(-20, -10, 1, 13), onTime(-10, 0, 2, 16), onTime(0, 10, 1, 7)),
                driver.actual().get(1L));
        }
    }

    @Test
    void shouldUpdateClosedWindowsWithLateRecordsWithinTheLateness()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "late", 10, 5, false, 5, 0))
        {
            // Windows [-5, 5), [0, 10), [5, 15), [10, 20)...
            driver.record(7, 3, 1, 0, 0);
            driver.record(7, 8, 10, 0, 0);
            driver.watermark(9);
            final List<String> expected = new ArrayList<>(List.of(onTime(-5, 5, 1, 1), onTime(0, 10, 2, 11)));
            assertEquals(expected, driver.actual().get(7L));
            // ts 6 is in [0, 10) (closed, expires at 14) and [5, 15) (open): one LATE, the open one fires later.
            assertTrue(driver.record(7, 6, 100, 0, 0));
            expected.add(result(0, 10, Firing.LATE, 3, 111));
            assertEquals(expected, driver.actual().get(7L));
            // ts 4 is in [-5, 5) (expired at 8 <= 9) and [0, 10): only [0, 10) is updated.
            assertTrue(driver.record(7, 4, 1_000, 0, 0));
            expected.add(result(0, 10, Firing.LATE, 4, 1_111));
            assertEquals(expected, driver.actual().get(7L));
            driver.watermark(14);
            expected.add(onTime(5, 15, 2, 110));
            assertEquals(expected, driver.actual().get(7L));
            // [0, 10) has now expired, so ts 4 (latest window [0, 10)) is refused; ts 9 still updates [5, 15).
            assertFalse(driver.record(7, 4, 1, 0, 0));
            assertEquals(0, driver.operator().missedWindowStart());
            assertEquals(10, driver.operator().missedWindowEnd());
            assertEquals(1, driver.operator().lateRecords());
            assertTrue(driver.record(7, 9, 10_000, 0, 0));
            expected.add(result(5, 15, Firing.LATE, 3, 10_110));
            assertEquals(expected, driver.actual().get(7L));
            // [10, 20) closes empty and fires nothing; a late record makes it non-empty: LATE, though nothing
            // preceded it. [5, 15) has expired by then (14 + 5 <= 19).
            driver.watermark(19);
            assertEquals(expected, driver.actual().get(7L));
            assertTrue(driver.record(7, 12, 5, 0, 0));
            expected.add(result(10, 20, Firing.LATE, 1, 5));
            assertEquals(expected, driver.actual().get(7L));
            driver.endOfStream();
            assertEquals(expected, driver.actual().get(7L));
        }
    }

    @Test
    void shouldEmitQueuedLateResultsBeforeAWatermarkThatExpiresTheirWindows()
    {
        // advanceWatermark runs emitPending first: a LATE result queued by an accepted record goes out, even when the
        // new watermark expires its window. The record was accepted; its update must not vanish.
        final List<String> emitted = new ArrayList<>();
        final AggregateFunction aggregate = AggregatesReference.aggregate(Part.COUNT, Part.SUM_V);
        final Schema outputSchema = AggregatesReference.outputSchema(aggregate);
        final AggregateFunction.ResultWriter writer = aggregate.bindResult(outputSchema);
        final int sumAt = outputSchema.field("sum_v").offset();
        final UnsafeBuffer out = new UnsafeBuffer(new byte[outputSchema.recordLength()]);
        final WindowOutput output = (key, start, end, firing, count, accumulator, offset) ->
        {
            writer.write(accumulator, offset, out, 0);
            emitted.add(key + " " + result(start, end, firing, count, out.getLong(sumAt)));
        };
        final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength()]);
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            WindowOperator operator = WindowAssigner.tumbling(10).newOperator(memoryManager, "op", aggregate, 5, 0,
                output))
        {
            record.putLong(AggregatesReference.INPUT.field("v").offset(), 1);
            assertTrue(operator.onRecord(1, 3, record, 0));
            assertTrue(operator.advanceWatermark(9, ALL));
            assertEquals(List.of("1 " + onTime(0, 10, 1, 1)), emitted);
            record.putLong(AggregatesReference.INPUT.field("v").offset(), 10);
            assertTrue(operator.onRecord(1, 4, record, 0), "within the lateness: 9 + 5 > 9");
            assertTrue(operator.hasPending());
            assertTrue(operator.advanceWatermark(100, ALL));
            assertEquals(List.of("1 " + onTime(0, 10, 1, 1), "1 " + result(0, 10, Firing.LATE, 2, 11)), emitted);
            assertFalse(operator.hasPending());
            assertTrue(operator.endOfStream(ALL));
        }
    }

    @Test
    void shouldEmitEarlyResultsOfOpenWindowsOncePerArming()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "early", 10, 10, true, 0, 100))
        {
            final WindowOperator operator = driver.operator();
            assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
            driver.record(1, 1, 5, 0, 0); // Arms key 1 at 0 + 100.
            driver.record(1, 12, 7, 0, 0);
            driver.processingTime(40);
            driver.record(2, 3, 1, 0, 0); // Arms key 2 at 40 + 100.
            assertEquals(100, operator.nextProcessingTime());
            driver.processingTime(99);
            assertNull(driver.actual().get(1L));
            driver.processingTime(100);
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 5), result(10, 20, Firing.EARLY, 1, 7)),
                driver.actual().get(1L));
            assertNull(driver.actual().get(2L));
            assertEquals(140, operator.nextProcessingTime());
            driver.processingTime(250);
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 1)), driver.actual().get(2L));
            // Not re-armed without a record.
            assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
            driver.processingTime(1_000);
            assertEquals(2, driver.actual().get(1L).size());
            driver.record(1, 4, 10, 0, 0); // Arms key 1 at 1000 + 100.
            assertEquals(1_100, operator.nextProcessingTime());
            driver.watermark(9);
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 5), result(10, 20, Firing.EARLY, 1, 7),
                onTime(0, 10, 2, 15)), driver.actual().get(1L));
            driver.processingTime(1_100);
            // Only the open window: [0, 10) has closed.
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 5), result(10, 20, Firing.EARLY, 1, 7),
                onTime(0, 10, 2, 15), result(10, 20, Firing.EARLY, 1, 7)), driver.actual().get(1L));
            driver.endOfStream();
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 5), result(10, 20, Firing.EARLY, 1, 7),
                onTime(0, 10, 2, 15), result(10, 20, Firing.EARLY, 1, 7), onTime(10, 20, 1, 7)),
                driver.actual().get(1L));
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 1), onTime(0, 10, 1, 1)), driver.actual().get(2L));
        }
    }

    @Test
    void shouldEmitEarlyResultsOfEveryOpenSlidingWindowInOrder()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "early sliding", 10, 5, false, 0, 50))
        {
            driver.watermark(4); // [-5, 5) is closed: no early result for it.
            driver.record(3, 7, 2, 0, 0); // [0, 10) and [5, 15).
            driver.record(3, 12, 3, 0, 0); // [5, 15) and [10, 20).
            driver.processingTime(50);
            assertEquals(List.of(result(0, 10, Firing.EARLY, 1, 2), result(5, 15, Firing.EARLY, 2, 5),
                result(10, 20, Firing.EARLY, 1, 3)), driver.actual().get(3L));
            assertEquals(Long.MAX_VALUE, driver.operator().nextProcessingTime());
        }
    }

    @Test
    void shouldEmitEarlyResultsOfFarApartWindowsWithoutVisitingTheGap()
    {
        // One record with a stray far-future timestamp: early results are of the two non-empty windows, at a cost
        // that must not grow with the (empty) event time between them.
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "early far apart", 10, 5, false, 0, 10))
        {
            driver.record(1, 3, 1, 0, 0);
            driver.record(1, 1_000_000_003L, 2, 0, 0);
            driver.processingTime(10);
            assertEquals(List.of(result(-5, 5, Firing.EARLY, 1, 1), result(0, 10, Firing.EARLY, 1, 1),
                result(999_999_995L, 1_000_000_005L, Firing.EARLY, 1, 2),
                result(1_000_000_000L, 1_000_000_010L, Firing.EARLY, 1, 2)), driver.actual().get(1L));
            driver.endOfStream();
        }
    }

    @Test
    void shouldKeepOneEarlyTimerPerKeyWhileTheKeysStateIsFreed()
    {
        // The early timer is armed by a record and fires once; the key's windows all closing (and its state being
        // freed, lateness 0) in between must not make the next record arm a second one.
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "early timer across state", 10, 10, true, 0, 100))
        {
            driver.record(1, 5, 1, 0, 0); // Arms key 1 at 100.
            driver.watermark(9);
            assertEquals(List.of(onTime(0, 10, 1, 1)), driver.actual().get(1L));
            driver.processingTime(50);
            driver.record(1, 15, 2, 0, 0); // Key 1 already has a timer, at 100.
            assertEquals(100, driver.operator().nextProcessingTime());
            driver.processingTime(100);
            assertEquals(List.of(onTime(0, 10, 1, 1), result(10, 20, Firing.EARLY, 1, 2)), driver.actual().get(1L));
            assertEquals(Long.MAX_VALUE, driver.operator().nextProcessingTime(), "no second timer for key 1");
            driver.processingTime(150);
            assertEquals(List.of(onTime(0, 10, 1, 1), result(10, 20, Firing.EARLY, 1, 2)), driver.actual().get(1L));
            driver.endOfStream();
        }
    }

    @Test
    void shouldFireWindowsAtTheTopOfTheTimeRangeOnTheFinalWatermark()
    {
        for (final Shape shape : List.of(new Shape(10, 10, 0, true), new Shape(10, 4, 0, false),
            new Shape(10, 5, 3, false), new Shape(7, 2, 1, false)))
        {
            for (final long lateness : new long[]{0, 20})
            {
                try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
                    SlicedDriver driver = new SlicedDriver(memoryManager, "top " + shape, shape.size, shape.slide,
                        shape.offset, shape.tumbling, lateness, 0, ALL, Part.COUNT, Part.SUM_V, Part.MAX_V))
                {
                    final long max = Long.MAX_VALUE;
                    driver.record(5, max - 1, 1, 0, 0);
                    driver.record(5, max, 2, 0, 0);
                    driver.record(5, max - 15, 4, 0, 0);
                    driver.record(-5, max - 3, 8, 0, 0);
                    driver.watermark(max - 12);
                    driver.watermark(max - 2);
                    // A window whose end clamped to MAX fires only on the final watermark, never at MAX - 1.
                    driver.watermark(max - 1);
                    driver.record(5, max - 1, 16, 0, 0);
                    driver.endOfStream();
                    assertTrue(driver.actual().get(5L).get(driver.actual().get(5L).size() - 1).contains(", " + max +
                        ") ON_TIME"), () -> driver.context() + " " + driver.actual());
                    assertFalse(driver.record(5, max, 1, 0, 0), "everything is late after the end of the stream");
                }
            }
        }
    }

    @Test
    void shouldFireEveryWindowAtTheEndOfTheStream()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "eos", 10, 4, false, 3, 0))
        {
            final long[] keys = {0, -1, Long.MIN_VALUE, 99};
            for (int i = 0; i < 200; i++)
            {
                driver.record(keys[i % keys.length], (i * 37L) % 1_000 - 500, i, 0, 0);
            }
            driver.endOfStream();
            // The driver compared every result with the reference; here, that every key did get its windows.
            for (final long key : keys)
            {
                assertTrue(driver.actual().get(key).size() >= 50, () -> key + ": " + driver.actual().get(key));
            }
        }
    }

    @Test
    void shouldReturnToItsInitialMemoryWithManyKeys()
    {
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = new SlicedDriver(memoryManager, "many keys", 10, 4, 0, false, 7, 3, ALL,
                Part.COUNT, Part.SUM_V, Part.MIN_V))
        {
            final SplittableRandom random = new SplittableRandom(BASE_SEED);
            for (int round = 0; round < 2; round++)
            {
                final long base = round * 1_000L;
                for (int i = 0; i < 5_000; i++)
                {
                    final long key = random.nextLong(-1_500, 1_500);
                    driver.record(key, base + random.nextLong(0, 60), random.nextLong(-9, 10), 0, 0);
                    if (i % 500 == 0)
                    {
                        driver.watermark(base + i / 100);
                        driver.processingTime(round * 10_000L + i / 100);
                    }
                }
                assertTrue(driver.operator().allocatedBytes() > driver.baselineBytes(), "the state grew");
                driver.processingTime(round * 10_000L + 5_000); // Fires every early timer: they are state too.
                driver.passEverything();
            }
            driver.endOfStream();
        }
    }

    /**
     * A window result consumer that allocates nothing: it folds the results into a checksum.
     */
    static final class SlicedChecksum implements WindowOutput
    {
        long results;
        long checksum;

        @Override
        public void onWindow(
            final long key,
            final long start,
            final long end,
            final byte firing,
            final long count,
            final DirectBuffer accumulator,
            final int accumulatorOffset)
        {
            results++;
            checksum = checksum * 31 + key + start + count + accumulator.getLong(accumulatorOffset);
        }
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final AggregateFunction aggregate = Aggregates.of(Part.COUNT.create(), Part.SUM_V.create(),
            Part.AVG_V.create(), Part.PCT.create());
        assertTrue(aggregate.canSubtract());
        final SlicedChecksum output = new SlicedChecksum();
        final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength()]);
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            WindowOperator operator = WindowAssigner.sliding(1_000, 100)
                .newOperator(memoryManager, "op", aggregate, 200, 50, output))
        {
            final long[] time = {0};
            final Runnable batch = () ->
            {
                for (int i = 0; i < 200_000; i++)
                {
                    final long t = time[0]++;
                    final long key = i & 63;
                    // Mostly in order, every 61st record 0 to 1499 behind: LATE updates, and some refused.
                    final long ts = i % 61 == 0 ? t - (i * 7919L) % 1_500 : t;
                    record.putLong(AggregatesReference.INPUT.field("v").offset(), i);
                    record.putLong(AggregatesReference.INPUT.field("lat").offset(), i & 1023);
                    operator.onRecord(key, ts, record, 0);
                    operator.emitPending(ALL);
                    if ((i & 127) == 0)
                    {
                        while (!operator.advanceWatermark(t - 50, ALL))
                        {
                            // Loop until done.
                        }
                    }
                    if ((i & 4095) == 0)
                    {
                        operator.onProcessingTime(t, ALL);
                    }
                }
            };
            batch.run(); // Warm-up: tables and queues reach their steady size, the JIT compiles the paths.
            batch.run();
            final long resultsBefore = output.results;
            final long before = threads.getCurrentThreadAllocatedBytes();
            batch.run();
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(output.results - resultsBefore > 10_000, "windows fired: " + (output.results - resultsBefore));
            // getCurrentThreadAllocatedBytes itself may allocate a few dozen bytes, and the TLAB-based accounting is
            // coarse; anything in the operator allocating per record or per window would show as megabytes.
            assertTrue(allocated < 2_048, "allocated " + allocated + " bytes in steady state");
            assertTrue(operator.lateRecords() > 0, "some records were refused");
            while (!operator.endOfStream(ALL))
            {
                // Loop until done.
            }
        }
    }

    @Test
    void shouldDetectAWrongResult()
    {
        // The driver's checks are not vacuous: an expectation the operator does not meet must fail them.
        try (MemoryManager memoryManager = new MemoryManager(BUDGET_BYTES);
            SlicedDriver driver = countAndSum(memoryManager, "self-check", 10, 10, true, 0, 0))
        {
            driver.record(1, 1, 1, 0, 0);
            driver.watermark(9);
            assertEquals(List.of(onTime(0, 10, 1, 1)), driver.actual().get(1L));
            driver.reference().expectExtra(1L, onTime(10, 20, 1, 1));
            assertThrows(AssertionError.class, driver::check, "a missing result must fail the check");
        }
    }
}
