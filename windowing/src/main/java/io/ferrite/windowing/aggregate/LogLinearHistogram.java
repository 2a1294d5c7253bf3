package io.ferrite.windowing.aggregate;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A log-linear histogram of non-negative {@code long} values (latencies) for percentiles, kept in memory the caller
 * provides: a flyweight layout, configured once, that reads and writes accumulators at {@code (buffer, offset)} and
 * allocates nothing. One instance serves any number of accumulators of its layout, for example one per key and
 * window slice as the values of an off-heap hash table.
 * <p>
 * <b>Buckets.</b> With {@code S = 2^subBucketBits}, values in {@code [0, 2S)} each have a bucket of their own, and
 * every further power of two {@code [S·2^g, S·2^(g+1))}, {@code g ≥ 1}, is split into {@code S} buckets of width
 * {@code 2^g}:
 * <pre>
 *   index:  0 1 2 ... 2S-1 | 2S ......... 3S-1 | 3S ......... 4S-1 | ...  (g + 1)S ... (g + 2)S - 1
 *   values: 0 1 2 ... 2S-1 | 2S ......... 4S-1 | 4S ......... 8S-1 | ...  S·2^g ... S·2^(g+1) - 1
 *   width:  1              | 2                 | 4                 | ...  2^g
 * </pre>
 * so {@code index(v) = (g << subBucketBits) + (v >>> g)} with {@code g = max(0, floor(log2(v)) - subBucketBits)}.
 * These are HdrHistogram's buckets for a lowest discernible value of 1: 1, 2 and 3 significant digits there are
 * 4, 7 and 10 sub-bucket bits here. The counts reach a whole power of two, so {@link #highestTrackableValue()} is the
 * requested highest value rounded up to {@code 2^n - 1}.
 * <p>
 * <b>Error bound.</b> A bucket of width {@code 2^g} starts at {@code S·2^g} or above, so a value reported for a
 * bucket (its highest equivalent value) is at most {@code 2^g - 1} above any value {@code v} in it:
 * {@code v ≤ reported < v·(1 + 2^-subBucketBits)}, exact below {@code 2S}. With 7 sub-bucket bits the relative error
 * is below 1/128, under 0.8%; {@link #maxRelativeError()} gives it.
 * <p>
 * <b>Layout</b> of an accumulator of {@link #lengthBytes()} bytes, native byte order, every field 8-byte aligned
 * when {@code offset} is:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Total Count                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Overflow Count                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                              Min                              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                              Max                              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Count at Index 0                       ...
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                              ...                             ...
 *  +---------------------------------------------------------------+
 *  |                 Count at Index countsLength - 1               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * All-zero bytes are an empty accumulator, so zeroed memory (a new segment, a new hash-table value) needs no
 * {@link #clear(MutableDirectBuffer, int)}. Min and max mean something only while the total count is positive. The
 * bytes do not name their layout: the caller keeps track of which layout a region holds.
 * <p>
 * <b>Overflow.</b> A value above {@link #highestTrackableValue()} is counted in the top bucket and in the overflow
 * count; the max stays exact. Percentiles that fall among overflowed values report the highest trackable value.
 * <p>
 * <b>Min and max.</b> Exact after {@code record} and {@code clear}, and after {@code merge} of exact ones. After
 * {@code subtract} the removed values cannot be told apart from the ones left, so min and max become bounds
 * recomputed from the buckets left: min is the old min raised to the lowest non-empty bucket's lowest value, max the
 * old max lowered to the highest non-empty bucket's highest value (kept as it is while overflowed values remain).
 * Both are then on the safe side of the true min and max and in the same bucket, so within the error bound:
 * {@code min ≤ true min} and {@code max ≥ true max}. A bound stays a bound through later merges and subtracts.
 * <p>
 * <b>Note:</b> The layout is immutable and threadsafe; an accumulator's bytes are not, and belong to one thread.
 */
public final class LogLinearHistogram
{
    /**
     * Returned by {@link #min}, {@link #max} and {@link #valueAtPercentile} for an empty accumulator; never a value.
     */
    public static final long NULL_VALUE = -1;

    /**
     * The fewest sub-bucket bits: relative error below 1/2.
     */
    public static final int MIN_SUB_BUCKET_BITS = 1;

    /**
     * The most sub-bucket bits: relative error below 2^-20, counts of at most a few hundred megabytes.
     */
    public static final int MAX_SUB_BUCKET_BITS = 20;

    /**
     * Offset of the total count, a {@code long}.
     */
    public static final int TOTAL_COUNT_OFFSET = 0;

    /**
     * Offset of the count of values above the highest trackable value, a {@code long}.
     */
    public static final int OVERFLOW_COUNT_OFFSET = 8;

    /**
     * Offset of the min, a {@code long}.
     */
    public static final int MIN_OFFSET = 16;

    /**
     * Offset of the max, a {@code long}.
     */
    public static final int MAX_OFFSET = 24;

    /**
     * Offset of the first bucket's count; the counts are {@code long}s.
     */
    public static final int COUNTS_OFFSET = 32;

    private final int subBucketBits;
    private final long subBucketMask;
    private final int groupBase;
    private final int countsLength;
    private final long highestTrackableValue;
    private final int lengthBytes;

    /**
     * A layout.
     *
     * @param subBucketBits         buckets per power of two as a power of two, {@value #MIN_SUB_BUCKET_BITS} to
     *                              {@value #MAX_SUB_BUCKET_BITS}: the relative error is below
     *                              {@code 2^-subBucketBits}.
     * @param highestTrackableValue the highest value to count without overflow, at least 1; rounded up to
     *                              {@code 2^n - 1}.
     * @throws IllegalArgumentException if either is out of range.
     */
    public LogLinearHistogram(final int subBucketBits, final long highestTrackableValue)
    {
        if (subBucketBits < MIN_SUB_BUCKET_BITS || subBucketBits > MAX_SUB_BUCKET_BITS)
        {
            throw new IllegalArgumentException("sub-bucket bits out of range [" + MIN_SUB_BUCKET_BITS + ", " +
                MAX_SUB_BUCKET_BITS + "]: subBucketBits=" + subBucketBits);
        }
        if (highestTrackableValue < 1)
        {
            throw new IllegalArgumentException(
                "highest trackable value must be at least 1: highestTrackableValue=" + highestTrackableValue);
        }
        this.subBucketBits = subBucketBits;
        this.subBucketMask = (2L << subBucketBits) - 1;
        this.groupBase = 63 - subBucketBits;
        final int topGroup = group(highestTrackableValue);
        // At most 44 << 20 counts with the bounds above: the length always fits an int.
        this.countsLength = (topGroup + 2) << subBucketBits;
        this.highestTrackableValue = (subBucketMask << topGroup) | ((1L << topGroup) - 1);
        this.lengthBytes = COUNTS_OFFSET + (countsLength << 3);
    }

    /**
     * The accumulator's fixed size.
     *
     * @return the bytes one accumulator of this layout occupies, a multiple of 8.
     */
    public int lengthBytes()
    {
        return lengthBytes;
    }

    /**
     * Buckets per power of two, as a power of two.
     *
     * @return the sub-bucket bits.
     */
    public int subBucketBits()
    {
        return subBucketBits;
    }

    /**
     * The highest value counted without overflow: the configured one rounded up to {@code 2^n - 1}.
     *
     * @return the highest trackable value.
     */
    public long highestTrackableValue()
    {
        return highestTrackableValue;
    }

    /**
     * The number of buckets.
     *
     * @return the counts in the layout.
     */
    public int countsLength()
    {
        return countsLength;
    }

    /**
     * The bound on a reported value's error relative to the true one: {@code 2^-subBucketBits}, exclusive.
     *
     * @return the maximum relative error.
     */
    public double maxRelativeError()
    {
        return 1.0 / (1L << subBucketBits);
    }

    /**
     * The lowest value in the same bucket as {@code value}.
     *
     * @param value a non-negative value.
     * @return the bucket's lowest value.
     */
    public long lowestEquivalentValue(final long value)
    {
        final int group = group(value);
        return (value >>> group) << group;
    }

    /**
     * The highest value in the same bucket as {@code value}: what a percentile landing in that bucket reports.
     *
     * @param value a non-negative value.
     * @return the bucket's highest value.
     */
    public long highestEquivalentValue(final long value)
    {
        final int group = group(value);
        return ((value >>> group) << group) + ((1L << group) - 1);
    }

    /**
     * Empty an accumulator: zero all its bytes.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     */
    public void clear(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.setMemory(offset, lengthBytes, (byte)0);
    }

    /**
     * Record one value.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     * @param value  the value, not negative.
     * @throws IllegalArgumentException if the value is negative.
     */
    public void record(final MutableDirectBuffer buffer, final int offset, final long value)
    {
        record(buffer, offset, value, 1);
    }

    /**
     * Record a value {@code count} times.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     * @param value  the value, not negative.
     * @param count  how many times, not negative; 0 changes nothing.
     * @throws IllegalArgumentException if the value or the count is negative.
     */
    public void record(final MutableDirectBuffer buffer, final int offset, final long value, final long count)
    {
        if ((value | count) < 0)
        {
            throw new IllegalArgumentException(
                "histogram values and counts must not be negative: value=" + value + " count=" + count);
        }
        if (0 == count)
        {
            return;
        }

        final int index;
        if (value > highestTrackableValue)
        {
            index = countsLength - 1;
            final int overflowOffset = offset + OVERFLOW_COUNT_OFFSET;
            buffer.putLong(overflowOffset, buffer.getLong(overflowOffset) + count);
        }
        else
        {
            index = index(value);
        }
        final int countOffset = offset + COUNTS_OFFSET + (index << 3);
        buffer.putLong(countOffset, buffer.getLong(countOffset) + count);

        final long total = buffer.getLong(offset + TOTAL_COUNT_OFFSET);
        if (0 == total)
        {
            buffer.putLong(offset + MIN_OFFSET, value);
            buffer.putLong(offset + MAX_OFFSET, value);
        }
        else if (value < buffer.getLong(offset + MIN_OFFSET))
        {
            buffer.putLong(offset + MIN_OFFSET, value);
        }
        else if (value > buffer.getLong(offset + MAX_OFFSET))
        {
            buffer.putLong(offset + MAX_OFFSET, value);
        }
        buffer.putLong(offset + TOTAL_COUNT_OFFSET, total + count);
    }

    /**
     * Add the source's counts to the target's, as if the target had recorded the source's values too. Min and max
     * stay exact if they were. Both accumulators must be of this layout; they may be the same one.
     *
     * @param target       the buffer holding the accumulator to add to.
     * @param targetOffset where it starts.
     * @param source       the buffer holding the accumulator to add.
     * @param sourceOffset where it starts.
     */
    public void merge(
        final MutableDirectBuffer target, final int targetOffset, final DirectBuffer source, final int sourceOffset)
    {
        final long sourceTotal = source.getLong(sourceOffset + TOTAL_COUNT_OFFSET);
        if (0 == sourceTotal)
        {
            return;
        }
        final long targetTotal = target.getLong(targetOffset + TOTAL_COUNT_OFFSET);
        final long sourceMin = source.getLong(sourceOffset + MIN_OFFSET);
        final long sourceMax = source.getLong(sourceOffset + MAX_OFFSET);

        final int targetCounts = targetOffset + COUNTS_OFFSET;
        final int sourceCounts = sourceOffset + COUNTS_OFFSET;
        for (int i = 0, length = countsLength; i < length; i++)
        {
            final long count = source.getLong(sourceCounts + (i << 3));
            if (0 != count)
            {
                final int countOffset = targetCounts + (i << 3);
                target.putLong(countOffset, target.getLong(countOffset) + count);
            }
        }

        final int overflowOffset = targetOffset + OVERFLOW_COUNT_OFFSET;
        target.putLong(overflowOffset,
            target.getLong(overflowOffset) + source.getLong(sourceOffset + OVERFLOW_COUNT_OFFSET));
        if (0 == targetTotal)
        {
            target.putLong(targetOffset + MIN_OFFSET, sourceMin);
            target.putLong(targetOffset + MAX_OFFSET, sourceMax);
        }
        else
        {
            target.putLong(targetOffset + MIN_OFFSET, Math.min(target.getLong(targetOffset + MIN_OFFSET), sourceMin));
            target.putLong(targetOffset + MAX_OFFSET, Math.max(target.getLong(targetOffset + MAX_OFFSET), sourceMax));
        }
        target.putLong(targetOffset + TOTAL_COUNT_OFFSET, targetTotal + sourceTotal);
    }

    /**
     * Deduct the source's counts from the target's: the target's counts become exactly what they would be had the
     * source's values never been recorded into it, as a sliding window needs when its oldest slice expires. Min and
     * max become bounds (see the class comment); subtracting everything leaves all-zero bytes, as
     * {@link #clear(MutableDirectBuffer, int)} does. Both accumulators must be of this layout; they may be the same
     * one.
     *
     * @param target       the buffer holding the accumulator to deduct from.
     * @param targetOffset where it starts.
     * @param source       the buffer holding the accumulator to deduct.
     * @param sourceOffset where it starts.
     * @throws IllegalArgumentException if any source count exceeds the target's: the source was not recorded into
     *                                  the target. The target is then unchanged.
     */
    public void subtract(
        final MutableDirectBuffer target, final int targetOffset, final DirectBuffer source, final int sourceOffset)
    {
        final long sourceTotal = source.getLong(sourceOffset + TOTAL_COUNT_OFFSET);
        if (0 == sourceTotal)
        {
            return;
        }
        final long targetTotal = target.getLong(targetOffset + TOTAL_COUNT_OFFSET);
        final long sourceOverflow = source.getLong(sourceOffset + OVERFLOW_COUNT_OFFSET);
        final long targetOverflow = target.getLong(targetOffset + OVERFLOW_COUNT_OFFSET);
        if (sourceTotal > targetTotal || sourceOverflow > targetOverflow)
        {
            throw new IllegalArgumentException("cannot subtract a histogram that was not recorded into the target: " +
                "targetTotal=" + targetTotal + " sourceTotal=" + sourceTotal + " targetOverflow=" + targetOverflow +
                " sourceOverflow=" + sourceOverflow);
        }

        final int targetCounts = targetOffset + COUNTS_OFFSET;
        final int sourceCounts = sourceOffset + COUNTS_OFFSET;
        int lowestIndex = -1;
        int highestIndex = -1;
        for (int i = 0, length = countsLength; i < length; i++)
        {
            final int countOffset = targetCounts + (i << 3);
            final long targetCount = target.getLong(countOffset);
            final long remaining = targetCount - source.getLong(sourceCounts + (i << 3));
            if (remaining < 0)
            {
                undoSubtract(target, targetCounts, source, sourceCounts, i);
                throw new IllegalArgumentException("cannot subtract a histogram that was not recorded into the " +
                    "target: index=" + i + " lowestEquivalentValue=" + lowestValueAt(i) + " targetCount=" +
                    targetCount + " sourceCount=" + (targetCount - remaining));
            }
            if (0 != remaining)
            {
                lowestIndex = lowestIndex < 0 ? i : lowestIndex;
                highestIndex = i;
            }
            target.putLong(countOffset, remaining);
        }

        final long remainingTotal = targetTotal - sourceTotal;
        final long remainingOverflow = targetOverflow - sourceOverflow;
        if (0 == remainingTotal)
        {
            target.putLong(targetOffset + MIN_OFFSET, 0);
            target.putLong(targetOffset + MAX_OFFSET, 0);
        }
        else
        {
            final long oldMin = target.getLong(targetOffset + MIN_OFFSET);
            final long oldMax = target.getLong(targetOffset + MAX_OFFSET);
            target.putLong(targetOffset + MIN_OFFSET, Math.max(oldMin, lowestValueAt(lowestIndex)));
            target.putLong(targetOffset + MAX_OFFSET,
                remainingOverflow > 0 ? oldMax : Math.min(oldMax, highestValueAt(highestIndex)));
        }
        target.putLong(targetOffset + OVERFLOW_COUNT_OFFSET, remainingOverflow);
        target.putLong(targetOffset + TOTAL_COUNT_OFFSET, remainingTotal);
    }

    /**
     * The number of values recorded.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     * @return the total count.
     */
    public long totalCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TOTAL_COUNT_OFFSET);
    }

    /**
     * The number of values recorded above {@link #highestTrackableValue()}.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     * @return the overflow count.
     */
    public long overflowCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + OVERFLOW_COUNT_OFFSET);
    }

    /**
     * The smallest value: exact, or after a subtract a lower bound in the true min's bucket.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     * @return the min, or {@link #NULL_VALUE} when empty.
     */
    public long min(final DirectBuffer buffer, final int offset)
    {
        return 0 == buffer.getLong(offset + TOTAL_COUNT_OFFSET) ? NULL_VALUE : buffer.getLong(offset + MIN_OFFSET);
    }

    /**
     * The largest value, overflowed ones included: exact, or after a subtract an upper bound in the true max's
     * bucket.
     *
     * @param buffer the buffer holding the accumulator.
     * @param offset where it starts.
     * @return the max, or {@link #NULL_VALUE} when empty.
     */
    public long max(final DirectBuffer buffer, final int offset)
    {
        return 0 == buffer.getLong(offset + TOTAL_COUNT_OFFSET) ? NULL_VALUE : buffer.getLong(offset + MAX_OFFSET);
    }

    /**
     * The value at a percentile, as HdrHistogram defines it: of the smallest bucket such that at least
     * {@code percentile}% of the values are in it or below, the highest equivalent value, but no more than
     * {@link #max}. That is within the error bound above the exact percentile of the recorded values, the one at
     * rank {@code max(1, ceil(percentile / 100 · totalCount))}. Percentile 100 is the max unless values overflowed;
     * percentile 0 is the {@link #min}. Takes time linear in {@link #countsLength()}.
     *
     * @param buffer     the buffer holding the accumulator.
     * @param offset     where it starts.
     * @param percentile the percentile, 0 to 100.
     * @return the value, or {@link #NULL_VALUE} when empty.
     * @throws IllegalArgumentException if the percentile is outside [0, 100] or NaN.
     */
    public long valueAtPercentile(final DirectBuffer buffer, final int offset, final double percentile)
    {
        if (!(percentile >= 0.0 && percentile <= 100.0))
        {
            throw new IllegalArgumentException("percentile out of range [0, 100]: percentile=" + percentile);
        }
        final long total = buffer.getLong(offset + TOTAL_COUNT_OFFSET);
        if (0 == total)
        {
            return NULL_VALUE;
        }
        if (0.0 == percentile)
        {
            return buffer.getLong(offset + MIN_OFFSET);
        }

        // A few ulps absorb the rounding of the decimal percentile and of the product: 99.9% of 1000 is rank 999.
        final double fractionalRank = percentile * total / 100.0;
        final long rank = Math.min(total, Math.max(1L, (long)Math.ceil(fractionalRank - 4 * Math.ulp(fractionalRank))));
        final long max = buffer.getLong(offset + MAX_OFFSET);
        final int counts = offset + COUNTS_OFFSET;
        long cumulative = 0;
        for (int i = 0, length = countsLength; i < length; i++)
        {
            cumulative += buffer.getLong(counts + (i << 3));
            if (cumulative >= rank)
            {
                return Math.min(highestValueAt(i), max);
            }
        }

        return max;
    }

    @Override
    public String toString()
    {
        return "LogLinearHistogram{subBucketBits=" + subBucketBits + ", highestTrackableValue=" +
            highestTrackableValue + ", countsLength=" + countsLength + ", lengthBytes=" + lengthBytes + '}';
    }

    private int group(final long value)
    {
        return groupBase - Long.numberOfLeadingZeros(value | subBucketMask);
    }

    private int index(final long value)
    {
        final int group = group(value);
        return (group << subBucketBits) + (int)(value >>> group);
    }

    private long lowestValueAt(final int index)
    {
        final int group = Math.max(0, (index >>> subBucketBits) - 1);
        return (long)(index - (group << subBucketBits)) << group;
    }

    private long highestValueAt(final int index)
    {
        final int group = Math.max(0, (index >>> subBucketBits) - 1);
        return ((long)(index - (group << subBucketBits)) << group) + ((1L << group) - 1);
    }

    private void undoSubtract(
        final MutableDirectBuffer target,
        final int targetCounts,
        final DirectBuffer source,
        final int sourceCounts,
        final int endIndex)
    {
        for (int i = 0; i < endIndex; i++)
        {
            final int countOffset = targetCounts + (i << 3);
            target.putLong(countOffset, target.getLong(countOffset) + source.getLong(sourceCounts + (i << 3)));
        }
    }
}
