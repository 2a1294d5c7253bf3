package io.ferrite.windowing;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * The test aggregate of the session, count and global window tests, over records holding one int64 value at offset
 * 0: count, sum, lowest and highest timestamp, and a checksum of (timestamp, value) pairs. All are commutative, so a
 * reference that recomputes a window from its records in any order gets the same bytes; the timestamps and the
 * checksum show a record put in the wrong window, lost or counted twice.
 */
final class CountSumAggregate implements AggregateFunction
{
    static final int COUNT = 0;
    static final int SUM = 8;
    static final int MIN_TS = 16;
    static final int MAX_TS = 24;
    static final int CHECKSUM = 32;
    static final int LENGTH = 40;

    @Override
    public int accumulatorLength()
    {
        return LENGTH;
    }

    @Override
    public void create(final MutableDirectBuffer accumulator, final int offset)
    {
        accumulator.putLong(offset + MIN_TS, Long.MAX_VALUE);
        accumulator.putLong(offset + MAX_TS, Long.MIN_VALUE);
    }

    @Override
    public void add(
        final MutableDirectBuffer accumulator,
        final int offset,
        final DirectBuffer record,
        final int recordOffset,
        final long timestamp)
    {
        final long value = record.getLong(recordOffset);
        accumulator.putLong(offset + COUNT, accumulator.getLong(offset + COUNT) + 1);
        accumulator.putLong(offset + SUM, accumulator.getLong(offset + SUM) + value);
        accumulator.putLong(offset + MIN_TS, Math.min(accumulator.getLong(offset + MIN_TS), timestamp));
        accumulator.putLong(offset + MAX_TS, Math.max(accumulator.getLong(offset + MAX_TS), timestamp));
        accumulator.putLong(offset + CHECKSUM, accumulator.getLong(offset + CHECKSUM) + mix(timestamp, value));
    }

    @Override
    public void merge(
        final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
    {
        accumulator.putLong(offset + COUNT, accumulator.getLong(offset + COUNT) + other.getLong(otherOffset + COUNT));
        accumulator.putLong(offset + SUM, accumulator.getLong(offset + SUM) + other.getLong(otherOffset + SUM));
        accumulator.putLong(offset + MIN_TS,
            Math.min(accumulator.getLong(offset + MIN_TS), other.getLong(otherOffset + MIN_TS)));
        accumulator.putLong(offset + MAX_TS,
            Math.max(accumulator.getLong(offset + MAX_TS), other.getLong(otherOffset + MAX_TS)));
        accumulator.putLong(offset + CHECKSUM,
            accumulator.getLong(offset + CHECKSUM) + other.getLong(otherOffset + CHECKSUM));
    }

    @Override
    public void declareResult(final Schema.Builder builder)
    {
        builder.int64("count").int64("sum").int64("minTs").int64("maxTs").int64("checksum");
    }

    @Override
    public ResultWriter bindResult(final Schema outputSchema)
    {
        final Int64Field count = outputSchema.int64Field("count");
        final Int64Field sum = outputSchema.int64Field("sum");
        final Int64Field minTs = outputSchema.int64Field("minTs");
        final Int64Field maxTs = outputSchema.int64Field("maxTs");
        final Int64Field checksum = outputSchema.int64Field("checksum");
        return (accumulator, offset, output, outputOffset) ->
        {
            count.put(output, outputOffset, accumulator.getLong(offset + COUNT));
            sum.put(output, outputOffset, accumulator.getLong(offset + SUM));
            minTs.put(output, outputOffset, accumulator.getLong(offset + MIN_TS));
            maxTs.put(output, outputOffset, accumulator.getLong(offset + MAX_TS));
            checksum.put(output, outputOffset, accumulator.getLong(offset + CHECKSUM));
        };
    }

    static long mix(final long timestamp, final long value)
    {
        return Long.rotateLeft(timestamp * 0x9E3779B97F4A7C15L, 23) ^ (value * 0xC2B2AE3D27D4EB4FL + 0x165667B1L);
    }

    /**
     * One result, decoded: what the operator said and what the accumulator held.
     */
    record Emission(long key, long start, long end, byte firing, long count, long aggregateCount, long sum,
        long minTs, long maxTs, long checksum)
    {
        /**
         * The result a window of these {@code (timestamp, value)} records must give.
         */
        static Emission of(final long key, final long start, final long end, final byte firing,
            final List<long[]> records)
        {
            long sum = 0;
            long minTs = Long.MAX_VALUE;
            long maxTs = Long.MIN_VALUE;
            long checksum = 0;
            for (final long[] record : records)
            {
                sum += record[1];
                minTs = Math.min(minTs, record[0]);
                maxTs = Math.max(maxTs, record[0]);
                checksum += mix(record[0], record[1]);
            }
            return new Emission(key, start, end, firing, records.size(), records.size(), sum, minTs, maxTs, checksum);
        }

        @Override
        public String toString()
        {
            return "Emission{key=" + key + ", [" + start + ", " + end + "), " + Firing.name(firing) + ", count=" +
                count + ", aggregateCount=" + aggregateCount + ", sum=" + sum + ", ts=[" + minTs + ", " + maxTs +
                "], checksum=" + checksum + '}';
        }
    }

    /**
     * A window output that keeps every result, decoded.
     */
    static final class Recorder implements WindowOutput
    {
        final List<Emission> emissions = new ArrayList<>();

        @Override
        public void onWindow(final long key, final long start, final long end, final byte firing, final long count,
            final DirectBuffer accumulator, final int accumulatorOffset)
        {
            emissions.add(new Emission(key, start, end, firing, count,
                accumulator.getLong(accumulatorOffset + COUNT),
                accumulator.getLong(accumulatorOffset + SUM),
                accumulator.getLong(accumulatorOffset + MIN_TS),
                accumulator.getLong(accumulatorOffset + MAX_TS),
                accumulator.getLong(accumulatorOffset + CHECKSUM)));
        }

        List<Emission> drain()
        {
            final List<Emission> drained = new ArrayList<>(emissions);
            emissions.clear();
            return drained;
        }
    }

    /**
     * A window output that allocates nothing: it folds every result into a checksum.
     */
    static final class Folding implements WindowOutput
    {
        long results;
        long checksum;

        @Override
        public void onWindow(final long key, final long start, final long end, final byte firing, final long count,
            final DirectBuffer accumulator, final int accumulatorOffset)
        {
            results++;
            checksum = checksum * 31 + key + start + end + firing + count +
                accumulator.getLong(accumulatorOffset + SUM);
        }
    }
}
