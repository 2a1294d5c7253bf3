package io.ferrite.windowing.aggregate;

import static io.ferrite.windowing.aggregate.LogLinearHistogram.NULL_VALUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;

/**
 * The histogram accumulator against an exact sorted-array reference, against HdrHistogram, and as a sliding window
 * built by merging and subtracting slices; its edge cases; and its zero allocation.
 */
class LogLinearHistogramTest
{
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final String OWNER = "histogram-test";
    private static final long BUDGET_BYTES = 64L << 20;
    private static final int SEGMENT_BYTES = 8 << 20;
    private static final int BASE_OFFSET = 8; // Not cache-line aligned: offsets must be honoured, not assumed.
    private static final long HIGHEST = (1L << 36) - 1; // About 69 s in nanoseconds.
    private static final double[] PERCENTILES = {50.0, 90.0, 99.0, 99.9, 100.0};
    private static final double[] MORE_PERCENTILES = {0.1, 1.0, 12.5, 25.0, 33.3, 75.0, 99.99, 99.999};
    private static final int[] SUB_BUCKET_BITS = {1, 4, 7, 10};

    private MemoryManager memory;
    private MemorySegment segment;
    private UnsafeBuffer buffer;

    enum Distribution
    {
        SMALL_UNIFORM,
        LOG_UNIFORM,
        LATENCY_WITH_OUTLIERS,
        FEW_DISTINCT;

        long next(final Random random, final long highest)
        {
            switch (this)
            {
                case SMALL_UNIFORM:
                    return random.nextInt(1000);
                case LOG_UNIFORM:
                    return Math.min(highest, (long)Math.exp(random.nextDouble() * Math.log(highest)) - 1);
                case LATENCY_WITH_OUTLIERS:
                    if (random.nextInt(100) == 0)
                    {
                        return 1_000_000 + (long)(random.nextDouble() * 100_000_000);
                    }
                    return 20_000 + (long)(-Math.log(1.0 - random.nextDouble()) * 5_000);
                case FEW_DISTINCT:
                    final long[] values = {0, 1, 7, 255, 256, 1000, 123_456_789};
                    return values[random.nextInt(values.length)];
                default:
                    throw new IllegalStateException(name());
            }
        }
    }

    @BeforeEach
    void allocate()
    {
        memory = new MemoryManager(BUDGET_BYTES);
        segment = memory.allocate(OWNER, SEGMENT_BYTES);
        buffer = segment.buffer();
    }

    @AfterEach
    void release()
    {
        segment.release();
        assertEquals(0, memory.usedBytes());
        memory.close();
    }

    static Stream<Arguments> runs()
    {
        final List<Arguments> runs = new ArrayList<>();
        for (final int bits : SUB_BUCKET_BITS)
        {
            for (final Distribution distribution : Distribution.values())
            {
                runs.add(Arguments.of(bits, distribution));
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "subBucketBits={0} distribution={1}")
    @MethodSource("runs")
    void shouldReportPercentilesWithinRelativeErrorOfExactReference(final int bits, final Distribution distribution)
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(bits, HIGHEST);
        final int offset = offset(histogram, 0);
        final Random random = new Random(SEED + 31L * bits + distribution.ordinal());
        final int[] sizes = {1, 2, 7, 100, 1000, 1 + random.nextInt(30_000), 1 + random.nextInt(30_000)};

        for (final int size : sizes)
        {
            histogram.clear(buffer, offset);
            final long[] sorted = recordRandom(histogram, offset, random, distribution, size, null).sorted();
            final String run = "seed=" + SEED + " subBucketBits=" + bits + " distribution=" + distribution +
                " count=" + sorted.length;

            assertEquals(sorted.length, histogram.totalCount(buffer, offset), run);
            assertEquals(0, histogram.overflowCount(buffer, offset), run);
            assertEquals(sorted[0], histogram.min(buffer, offset), run);
            assertEquals(sorted[sorted.length - 1], histogram.max(buffer, offset), run);
            assertEquals(sorted[0], histogram.valueAtPercentile(buffer, offset, 0.0), run);
            assertEquals(sorted[sorted.length - 1], histogram.valueAtPercentile(buffer, offset, 100.0), run);
            for (final double percentile : PERCENTILES)
            {
                assertPercentile(histogram, offset, sorted, percentile, run);
            }
            for (final double percentile : MORE_PERCENTILES)
            {
                assertPercentile(histogram, offset, sorted, percentile, run);
            }
            for (int i = 0; i < 20; i++)
            {
                assertPercentile(histogram, offset, sorted, random.nextDouble() * 100.0, run);
            }
        }
    }

    @ParameterizedTest(name = "subBucketBits={0}")
    @ValueSource(ints = {4, 7, 10})
    void shouldAgreeWithHdrHistogramOfTheSameSignificantDigits(final int bits)
    {
        final int significantDigits = 4 == bits ? 1 : 7 == bits ? 2 : 3;
        final LogLinearHistogram histogram = new LogLinearHistogram(bits, HIGHEST);
        final int offset = offset(histogram, 0);
        final Random random = new Random(SEED + bits);

        for (final Distribution distribution : Distribution.values())
        {
            histogram.clear(buffer, offset);
            final Histogram hdr = new Histogram(histogram.highestTrackableValue(), significantDigits);
            final long[] sorted = recordRandom(histogram, offset, random, distribution, 20_000, hdr).sorted();
            final long max = sorted[sorted.length - 1];
            final String run = "seed=" + SEED + " subBucketBits=" + bits + " distribution=" + distribution;

            assertEquals(hdr.getTotalCount(), histogram.totalCount(buffer, offset), run);
            for (final double percentile : PERCENTILES)
            {
                assertEquals(Math.min(hdr.getValueAtPercentile(percentile), max),
                    histogram.valueAtPercentile(buffer, offset, percentile), run + " percentile=" + percentile);
            }
            for (int i = 0; i < 100; i++)
            {
                final double percentile = random.nextDouble() * 100.0;
                assertEquals(Math.min(hdr.getValueAtPercentile(percentile), max),
                    histogram.valueAtPercentile(buffer, offset, percentile), run + " percentile=" + percentile);
            }
            for (final long value : sorted)
            {
                assertEquals(hdr.lowestEquivalentValue(value), histogram.lowestEquivalentValue(value), run);
                assertEquals(hdr.highestEquivalentValue(value), histogram.highestEquivalentValue(value), run);
            }
        }
    }

    @ParameterizedTest(name = "subBucketBits={0}")
    @ValueSource(ints = {1, 4, 7, 10})
    void shouldMergeAsIfRecordedTogether(final int bits)
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(bits, HIGHEST);
        final Random random = new Random(SEED - bits);
        final int target = offset(histogram, 0);
        final int source = offset(histogram, 1);
        final int together = offset(histogram, 2);
        final int empty = offset(histogram, 3);
        final String run = "seed=" + SEED + " subBucketBits=" + bits;

        for (final Distribution distribution : Distribution.values())
        {
            histogram.clear(buffer, target);
            histogram.clear(buffer, source);
            histogram.clear(buffer, together);
            final long targetSeed = random.nextLong();
            final long sourceSeed = random.nextLong();
            recordRandom(histogram, target, new Random(targetSeed), distribution, 5_000, null);
            recordRandom(histogram, together, new Random(targetSeed), distribution, 5_000, null);
            recordRandom(histogram, source, new Random(sourceSeed), Distribution.LOG_UNIFORM, 3_000, null);
            recordRandom(histogram, together, new Random(sourceSeed), Distribution.LOG_UNIFORM, 3_000, null);

            histogram.merge(buffer, target, buffer, source);
            assertArrayEquals(bytes(histogram, together), bytes(histogram, target), run + " " + distribution);

            histogram.merge(buffer, target, buffer, empty);
            assertArrayEquals(bytes(histogram, together), bytes(histogram, target), run + " merge of empty");

            histogram.merge(buffer, empty, buffer, target);
            assertArrayEquals(bytes(histogram, target), bytes(histogram, empty), run + " merge into empty");
            histogram.clear(buffer, empty);
        }

        histogram.merge(buffer, target, buffer, target);
        assertEquals(2 * histogram.totalCount(buffer, together), histogram.totalCount(buffer, target), run);
        assertEquals(histogram.min(buffer, together), histogram.min(buffer, target), run);
        assertEquals(histogram.max(buffer, together), histogram.max(buffer, target), run);
        for (final double percentile : PERCENTILES)
        {
            assertEquals(histogram.valueAtPercentile(buffer, together, percentile),
                histogram.valueAtPercentile(buffer, target, percentile), run + " self-merge percentile=" + percentile);
        }
    }

    @Test
    void shouldBeEmptyAfterSubtractingEverythingRecorded()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, 1_000_000);
        final int target = offset(histogram, 0);
        final int source = offset(histogram, 1);
        final Random random = new Random(SEED);
        for (int i = 0; i < 10_000; i++)
        {
            final long value = Distribution.LOG_UNIFORM.next(random, 1L << 30);
            final long count = 1 + random.nextInt(3);
            histogram.record(buffer, target, value, count);
            histogram.record(buffer, source, value, count);
        }
        assertTrue(histogram.overflowCount(buffer, target) > 0, "seed=" + SEED);

        histogram.subtract(buffer, target, buffer, source);

        assertArrayEquals(new byte[histogram.lengthBytes()], bytes(histogram, target), "seed=" + SEED);
        assertEquals(0, histogram.totalCount(buffer, target));
        assertEquals(NULL_VALUE, histogram.valueAtPercentile(buffer, target, 50.0));

        histogram.subtract(buffer, source, buffer, source);
        assertArrayEquals(new byte[histogram.lengthBytes()], bytes(histogram, source), "seed=" + SEED);
    }

    @ParameterizedTest(name = "subBucketBits={0}")
    @ValueSource(ints = {1, 4, 7, 10})
    void shouldSlideWindowExactlyByMergingNewSlicesAndSubtractingExpiredOnes(final int bits)
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(bits, HIGHEST);
        final int slicesInWindow = 4;
        final int window = offset(histogram, 0);
        final int fresh = offset(histogram, 1);
        final Random random = new Random(SEED ^ bits);
        final List<long[]> liveSlices = new ArrayList<>();

        for (int step = 0; step < 60; step++)
        {
            final int slice = offset(histogram, 2 + step % (slicesInWindow + 1));
            histogram.clear(buffer, slice);
            final int size = 0 == step % 7 ? 0 : 1 + random.nextInt(2_000);
            final Distribution distribution = Distribution.values()[random.nextInt(Distribution.values().length)];
            liveSlices.add(recordRandom(histogram, slice, random, distribution, size, null).sorted());
            histogram.merge(buffer, window, buffer, slice);
            if (liveSlices.size() > slicesInWindow)
            {
                histogram.subtract(buffer, window, buffer, offset(histogram, 2 + (step - slicesInWindow) %
                    (slicesInWindow + 1)));
                liveSlices.remove(0);
            }

            histogram.clear(buffer, fresh);
            for (int i = 0; i < slicesInWindow && step - i >= 0; i++)
            {
                histogram.merge(buffer, fresh, buffer, offset(histogram, 2 + (step - i) % (slicesInWindow + 1)));
            }
            final String run = "seed=" + SEED + " subBucketBits=" + bits + " step=" + step;
            final byte[] expectedBytes = bytes(histogram, fresh);
            final byte[] actualBytes = bytes(histogram, window);
            assertArrayEquals(Arrays.copyOfRange(expectedBytes, 0, LogLinearHistogram.MIN_OFFSET),
                Arrays.copyOfRange(actualBytes, 0, LogLinearHistogram.MIN_OFFSET), run + " totals");
            assertArrayEquals(Arrays.copyOfRange(expectedBytes, LogLinearHistogram.COUNTS_OFFSET, expectedBytes.length),
                Arrays.copyOfRange(actualBytes, LogLinearHistogram.COUNTS_OFFSET, actualBytes.length), run + " counts");

            final long[] sorted = concat(liveSlices);
            if (0 == sorted.length)
            {
                assertEquals(NULL_VALUE, histogram.min(buffer, window), run);
                assertEquals(NULL_VALUE, histogram.max(buffer, window), run);
                continue;
            }
            final long min = histogram.min(buffer, window);
            final long max = histogram.max(buffer, window);
            final long trueMin = sorted[0];
            final long trueMax = sorted[sorted.length - 1];
            assertTrue(min <= trueMin && histogram.lowestEquivalentValue(min) ==
                histogram.lowestEquivalentValue(trueMin), run + " min=" + min + " trueMin=" + trueMin);
            assertTrue(max >= trueMax && histogram.lowestEquivalentValue(max) ==
                histogram.lowestEquivalentValue(trueMax), run + " max=" + max + " trueMax=" + trueMax);
            assertEquals(min, histogram.valueAtPercentile(buffer, window, 0.0), run);
            for (final double percentile : PERCENTILES)
            {
                assertPercentile(histogram, window, sorted, percentile, run);
            }
        }
    }

    @Test
    void shouldRankDecimalPercentilesExactlyDespiteFloatingPointRounding()
    {
        // Values below 2^15 have buckets of their own here, so every percentile must be the exact one; naively,
        // ceil(50.02 * 10000 / 100.0) is 5003, not 5002.
        final LogLinearHistogram histogram = new LogLinearHistogram(14, 10_000);
        final int offset = offset(histogram, 0);
        final long[] sorted = new long[10_000];
        for (int i = 0; i < sorted.length; i++)
        {
            sorted[i] = i + 1;
            histogram.record(buffer, offset, i + 1);
        }
        for (int hundredths = 1; hundredths <= 10_000; hundredths++)
        {
            final double percentile = hundredths / 100.0;
            assertEquals(exactPercentile(sorted, percentile), histogram.valueAtPercentile(buffer, offset, percentile),
                "percentile=" + percentile);
        }
        assertEquals(7, histogram.valueAtPercentile(buffer, offset, 0.07));
        assertEquals(5002, histogram.valueAtPercentile(buffer, offset, 50.02));
    }

    @Test
    void shouldRejectSubtractingValuesNeverRecordedAndLeaveTargetUnchanged()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, 1000);
        final int target = offset(histogram, 0);
        final int source = offset(histogram, 1);
        histogram.record(buffer, target, 10);
        histogram.record(buffer, target, 20);
        histogram.record(buffer, target, 30);
        histogram.record(buffer, source, 10);
        histogram.record(buffer, source, 25);
        final byte[] before = bytes(histogram, target);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> histogram.subtract(buffer, target, buffer, source));
        assertTrue(ex.getMessage().contains("lowestEquivalentValue=25"), ex.getMessage());
        assertArrayEquals(before, bytes(histogram, target));

        histogram.record(buffer, source, 20, 5);
        assertThrows(IllegalArgumentException.class, () -> histogram.subtract(buffer, target, buffer, source));
        assertArrayEquals(before, bytes(histogram, target));

        histogram.clear(buffer, source);
        histogram.record(buffer, source, 5000);
        assertThrows(IllegalArgumentException.class, () -> histogram.subtract(buffer, target, buffer, source));
        assertArrayEquals(before, bytes(histogram, target));
    }

    @Test
    void shouldClampValuesAboveHighestTrackableIntoTopBucketAndCountOverflow()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, 1000);
        assertEquals(1023, histogram.highestTrackableValue());
        final int offset = offset(histogram, 0);
        final int overflowed = offset(histogram, 1);

        histogram.record(buffer, offset, 5);
        histogram.record(buffer, offset, 1023);
        histogram.record(buffer, offset, 5000);
        histogram.record(buffer, offset, Long.MAX_VALUE);

        assertEquals(4, histogram.totalCount(buffer, offset));
        assertEquals(2, histogram.overflowCount(buffer, offset));
        assertEquals(5, histogram.min(buffer, offset));
        assertEquals(Long.MAX_VALUE, histogram.max(buffer, offset));
        assertEquals(5, histogram.valueAtPercentile(buffer, offset, 25.0));
        assertEquals(1023, histogram.valueAtPercentile(buffer, offset, 50.0));
        assertEquals(1023, histogram.valueAtPercentile(buffer, offset, 99.0));
        assertEquals(1023, histogram.valueAtPercentile(buffer, offset, 100.0));

        histogram.record(buffer, overflowed, 5000);
        histogram.subtract(buffer, offset, buffer, overflowed);
        assertEquals(1, histogram.overflowCount(buffer, offset));
        assertEquals(Long.MAX_VALUE, histogram.max(buffer, offset), "max kept while overflowed values remain");

        histogram.clear(buffer, overflowed);
        histogram.record(buffer, overflowed, Long.MAX_VALUE);
        histogram.subtract(buffer, offset, buffer, overflowed);
        assertEquals(0, histogram.overflowCount(buffer, offset));
        assertEquals(1023, histogram.max(buffer, offset), "max bounded by the top bucket once overflow is gone");
        assertEquals(1023, histogram.valueAtPercentile(buffer, offset, 100.0));
        assertEquals(2, histogram.totalCount(buffer, offset));
    }

    @Test
    void shouldRecordUpToLongMaxValueWithoutOverflowWhenConfiguredSo()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, histogram.highestTrackableValue());
        final int offset = offset(histogram, 0);
        histogram.record(buffer, offset, Long.MAX_VALUE);
        histogram.record(buffer, offset, 0);

        assertEquals(0, histogram.overflowCount(buffer, offset));
        assertEquals(Long.MAX_VALUE, histogram.valueAtPercentile(buffer, offset, 100.0));
        assertEquals(0, histogram.valueAtPercentile(buffer, offset, 50.0));
        assertEquals(Long.MAX_VALUE, histogram.highestEquivalentValue(Long.MAX_VALUE));
    }

    @Test
    void shouldRejectNegativeValuesAndCountsAndLeaveHistogramUnchanged()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, HIGHEST);
        final int offset = offset(histogram, 0);
        histogram.record(buffer, offset, 42);
        final byte[] before = bytes(histogram, offset);

        final IllegalArgumentException value =
            assertThrows(IllegalArgumentException.class, () -> histogram.record(buffer, offset, -1));
        assertTrue(value.getMessage().contains("value=-1"), value.getMessage());
        final IllegalArgumentException minValue =
            assertThrows(IllegalArgumentException.class, () -> histogram.record(buffer, offset, Long.MIN_VALUE, 3));
        assertTrue(minValue.getMessage().contains("value=" + Long.MIN_VALUE), minValue.getMessage());
        final IllegalArgumentException count =
            assertThrows(IllegalArgumentException.class, () -> histogram.record(buffer, offset, 7, -2));
        assertTrue(count.getMessage().contains("count=-2"), count.getMessage());

        assertArrayEquals(before, bytes(histogram, offset));
    }

    @Test
    void shouldDefineAnEmptyHistogramAsZeroedBytes()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, HIGHEST);
        final int offset = offset(histogram, 0);
        assertEmpty(histogram, offset);

        histogram.record(buffer, offset, 7, 0);
        assertEmpty(histogram, offset);

        histogram.record(buffer, offset, 123_456);
        histogram.record(buffer, offset, HIGHEST + 1);
        histogram.clear(buffer, offset);
        assertEmpty(histogram, offset);
        assertArrayEquals(new byte[histogram.lengthBytes()], bytes(histogram, offset));

        histogram.record(buffer, offset, 123_456);
        assertEquals(123_456, histogram.min(buffer, offset));
        assertEquals(123_456, histogram.max(buffer, offset));
        assertEquals(123_456, histogram.valueAtPercentile(buffer, offset, 0.0));
        assertEquals(123_456, histogram.valueAtPercentile(buffer, offset, 0.001));
        assertEquals(123_456, histogram.valueAtPercentile(buffer, offset, 100.0));
    }

    @Test
    void shouldRejectPercentilesOutsideZeroToHundred()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(7, HIGHEST);
        final int offset = offset(histogram, 0);
        histogram.record(buffer, offset, 1);
        final double[] invalid = {-0.001, 100.001, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (final double percentile : invalid)
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> histogram.valueAtPercentile(buffer, offset, percentile));
            assertTrue(ex.getMessage().contains("percentile=" + percentile), ex.getMessage());
        }
    }

    @ParameterizedTest(name = "subBucketBits={0}")
    @ValueSource(ints = {1, 4, 7, 10})
    void shouldTileValuesWithContiguousBucketsWithinTheErrorBound(final int bits)
    {
        final LogLinearHistogram histogram = new LogLinearHistogram(bits, HIGHEST);
        final long subBuckets = 1L << bits;
        assertEquals(0, histogram.lengthBytes() % 8);
        assertEquals(LogLinearHistogram.COUNTS_OFFSET + 8L * histogram.countsLength(), histogram.lengthBytes());
        assertTrue(histogram.highestTrackableValue() >= HIGHEST);
        assertEquals(0, histogram.highestTrackableValue() & (histogram.highestTrackableValue() + 1), "2^n - 1");

        long value = 0;
        int buckets = 0;
        while (true)
        {
            final long highest = histogram.highestEquivalentValue(value);
            final long width = highest - value + 1;
            final String bucket = "subBucketBits=" + bits + " bucket=" + buckets + " lowest=" + value;
            assertEquals(value, histogram.lowestEquivalentValue(value), bucket);
            assertEquals(value, histogram.lowestEquivalentValue(highest), bucket);
            assertEquals(highest, histogram.highestEquivalentValue(highest), bucket);
            // Any value v in the bucket is reported as at most v + width - 1 < v + v / S.
            assertTrue(value < 2 * subBuckets ? 1 == width : width * subBuckets <= value, bucket);
            buckets++;
            if (highest == histogram.highestTrackableValue())
            {
                break;
            }
            value = highest + 1;
        }
        assertEquals(histogram.countsLength(), buckets);
    }

    @Test
    void shouldRejectInvalidLayouts()
    {
        assertThrows(IllegalArgumentException.class, () -> new LogLinearHistogram(0, HIGHEST));
        assertThrows(IllegalArgumentException.class, () -> new LogLinearHistogram(21, HIGHEST));
        assertThrows(IllegalArgumentException.class, () -> new LogLinearHistogram(7, 0));
        assertThrows(IllegalArgumentException.class, () -> new LogLinearHistogram(7, -1));
        assertEquals(3, new LogLinearHistogram(1, 1).highestTrackableValue());
        assertEquals(1.0 / 128, new LogLinearHistogram(7, HIGHEST).maxRelativeError());
    }

    @Test
    void shouldNotAllocateOnAnyOperation()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final LogLinearHistogram histogram = new LogLinearHistogram(7, HIGHEST);
        final int first = offset(histogram, 0);
        final int second = offset(histogram, 1);

        long checksum = 0;
        int loud = 0;
        for (int round = 0; round < 8; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            checksum += exercise(histogram, buffer, first, second);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round >= 2 && allocated >= 512)
            {
                // One JVM-side blip of a kilobyte or so may land in a measured round when other tests share the
                // JVM (see CountedAllocations); an allocation per operation would show in every round, far larger.
                loud++;
                assertTrue(loud <= 1 && allocated < 16 * 1024, "allocated " + allocated + " bytes in round " + round);
            }
        }
        assertTrue(checksum != 0);
    }

    private static long exercise(
        final LogLinearHistogram histogram, final UnsafeBuffer buffer, final int first, final int second)
    {
        long checksum = 0;
        long value = 1;
        for (int iteration = 0; iteration < 200; iteration++)
        {
            histogram.clear(buffer, first);
            histogram.clear(buffer, second);
            for (int i = 0; i < 1_000; i++)
            {
                value = value * 6364136223846793005L + 1442695040888963407L;
                final long latency = (value >>> 30) & 0xFF_FFFF_FFFFL;
                histogram.record(buffer, first, latency);
                histogram.record(buffer, second, latency >>> 8, 3);
            }
            histogram.merge(buffer, first, buffer, second);
            histogram.subtract(buffer, first, buffer, second);
            checksum += histogram.totalCount(buffer, first) + histogram.overflowCount(buffer, first);
            checksum += histogram.min(buffer, first) + histogram.max(buffer, first);
            checksum += histogram.valueAtPercentile(buffer, first, 50.0);
            checksum += histogram.valueAtPercentile(buffer, first, 99.9);
            checksum += histogram.valueAtPercentile(buffer, first, 0.0);
            checksum += histogram.lowestEquivalentValue(value >>> 1) + histogram.highestEquivalentValue(value >>> 1);
        }
        return checksum;
    }

    private Reference recordRandom(
        final LogLinearHistogram histogram,
        final int offset,
        final Random random,
        final Distribution distribution,
        final int size,
        final Histogram hdr)
    {
        final Reference reference = new Reference();
        while (reference.size < size)
        {
            final long value = distribution.next(random, histogram.highestTrackableValue());
            final long count = 0 == random.nextInt(10) ? Math.min(size - reference.size, 1 + random.nextInt(4)) : 1;
            histogram.record(buffer, offset, value, count);
            reference.add(value, count);
            if (null != hdr)
            {
                hdr.recordValueWithCount(value, count);
            }
        }
        return reference;
    }

    private void assertPercentile(
        final LogLinearHistogram histogram,
        final int offset,
        final long[] sorted,
        final double percentile,
        final String run)
    {
        final long expected = exactPercentile(sorted, percentile);
        final long actual = histogram.valueAtPercentile(buffer, offset, percentile);
        final Supplier<String> context = () -> run + " percentile=" + percentile + " expected=" + expected +
            " actual=" + actual;
        assertTrue(actual == expected ||
            (actual > expected && actual - expected < expected * histogram.maxRelativeError()), context);
        assertEquals(histogram.lowestEquivalentValue(expected), histogram.lowestEquivalentValue(actual), context);
    }

    private static long exactPercentile(final long[] sorted, final double percentile)
    {
        final long rank = BigDecimal.valueOf(percentile)
            .multiply(BigDecimal.valueOf(sorted.length))
            .divide(BigDecimal.valueOf(100))
            .setScale(0, RoundingMode.CEILING)
            .longValueExact();
        return sorted[(int)Math.max(1, rank) - 1];
    }

    private void assertEmpty(final LogLinearHistogram histogram, final int offset)
    {
        assertEquals(0, histogram.totalCount(buffer, offset));
        assertEquals(0, histogram.overflowCount(buffer, offset));
        assertEquals(NULL_VALUE, histogram.min(buffer, offset));
        assertEquals(NULL_VALUE, histogram.max(buffer, offset));
        assertEquals(NULL_VALUE, histogram.valueAtPercentile(buffer, offset, 0.0));
        assertEquals(NULL_VALUE, histogram.valueAtPercentile(buffer, offset, 50.0));
        assertEquals(NULL_VALUE, histogram.valueAtPercentile(buffer, offset, 100.0));
    }

    private int offset(final LogLinearHistogram histogram, final int slot)
    {
        final int offset = BASE_OFFSET + slot * histogram.lengthBytes();
        assertTrue(offset + histogram.lengthBytes() <= buffer.capacity(), "segment too small for slot " + slot);
        return offset;
    }

    private byte[] bytes(final LogLinearHistogram histogram, final int offset)
    {
        final byte[] bytes = new byte[histogram.lengthBytes()];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static long[] concat(final List<long[]> slices)
    {
        int length = 0;
        for (final long[] slice : slices)
        {
            length += slice.length;
        }
        final long[] all = new long[length];
        int position = 0;
        for (final long[] slice : slices)
        {
            System.arraycopy(slice, 0, all, position, slice.length);
            position += slice.length;
        }
        Arrays.sort(all);
        return all;
    }

    private static final class Reference
    {
        private long[] values = new long[64];
        private int size;

        void add(final long value, final long count)
        {
            for (long i = 0; i < count; i++)
            {
                if (size == values.length)
                {
                    values = Arrays.copyOf(values, size * 2);
                }
                values[size++] = value;
            }
        }

        long[] sorted()
        {
            final long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return sorted;
        }
    }
}
