package io.ferrite.windowing.aggregate;

import java.math.BigDecimal;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.FieldType;
import io.ferrite.memory.schema.Schema;

/**
 * The built-in aggregates: count, sum, min, max, average, first, last (by timestamp), percentiles and the XOR of an
 * integer field, and {@link #of(AggregateFunction...) composites} of several. Each is an {@link AggregateFunction}
 * over a fixed-size accumulator; fields are resolved when the aggregate is made, never per record.
 * <p>
 * Which can {@link AggregateFunction#canSubtract() subtract} (and so slide a window by adding the newest slice and
 * deducting the oldest, at a cost independent of size/slide): count; sum and average of integer fields; percentiles;
 * XOR. Sums and averages of floating-point fields, min, max, first and last recombine a window's slices when it fires:
 * floating-point subtraction would drift from the exact result over a long run, and the others cannot be undone. A
 * composite subtracts when all its parts do.
 * <p>
 * Integer sums wrap on overflow, as Java's {@code long} arithmetic does (and so stay exact under subtraction).
 * <p>
 * <b>Note:</b> Every aggregate is immutable and threadsafe.
 */
public final class Aggregates
{
    /**
     * The percentiles {@link #percentiles(Schema, String, String, int, long)} reports: p50, p90, p99 and p99.9.
     */
    private static final double[] DEFAULT_PERCENTILES = {50.0, 90.0, 99.0, 99.9};

    private Aggregates()
    {
    }

    /**
     * The number of records, as an int64 result field.
     *
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction count(final String resultName)
    {
        return new Count(resultName);
    }

    /**
     * The sum of a numeric field: int64 for integer (and boolean, timestamp) fields, float64 for floating-point ones.
     *
     * @param input      the input schema.
     * @param fieldName  the field summed.
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction sum(final Schema input, final String fieldName, final String resultName)
    {
        return new Sum(numeric(input, fieldName, "sum"), resultName);
    }

    /**
     * The minimum of a numeric field: int64 for integer fields, float64 for floating-point ones.
     *
     * @param input      the input schema.
     * @param fieldName  the field.
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction min(final Schema input, final String fieldName, final String resultName)
    {
        return new Extreme(numeric(input, fieldName, "min"), resultName, true);
    }

    /**
     * The maximum of a numeric field: int64 for integer fields, float64 for floating-point ones.
     *
     * @param input      the input schema.
     * @param fieldName  the field.
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction max(final Schema input, final String fieldName, final String resultName)
    {
        return new Extreme(numeric(input, fieldName, "max"), resultName, false);
    }

    /**
     * The bitwise XOR of an integer field over the records, as int64: a fingerprint of a set of distinct values (event
     * ids) in which a lost record and a duplicated one cannot cancel out, as they can in a count or a sum. Smaller
     * integer fields (and booleans, timestamps) are sign-extended to 64 bits first. It subtracts exactly
     * ({@code x ^ x = 0}).
     *
     * @param input      the input schema.
     * @param fieldName  an integer field.
     * @param resultName the result field's name.
     * @return the aggregate.
     * @throws IllegalArgumentException if the field is missing, a symbol or a floating-point field.
     */
    public static AggregateFunction xor(final Schema input, final String fieldName, final String resultName)
    {
        final Field field = numeric(input, fieldName, "xor");
        if (isFloating(field))
        {
            throw new IllegalArgumentException("xor: field '" + fieldName + "' of schema '" + input.name() + "' is " +
                field.type() + "; xor needs an integer field");
        }
        return new Xor(field, resultName);
    }

    /**
     * The mean of a numeric field, as float64.
     *
     * @param input      the input schema.
     * @param fieldName  the field.
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction average(final Schema input, final String fieldName, final String resultName)
    {
        return new Average(numeric(input, fieldName, "average"), resultName);
    }

    /**
     * The value of a field in the record with the earliest timestamp (on a tie, the one that arrived first), as a
     * field of the same type.
     *
     * @param input      the input schema.
     * @param fieldName  the field, of any type.
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction first(final Schema input, final String fieldName, final String resultName)
    {
        return new FirstLast(field(input, fieldName, "first"), resultName, true);
    }

    /**
     * The value of a field in the record with the latest timestamp (on a tie, the one that arrived last), as a field
     * of the same type.
     *
     * @param input      the input schema.
     * @param fieldName  the field, of any type.
     * @param resultName the result field's name.
     * @return the aggregate.
     */
    public static AggregateFunction last(final Schema input, final String fieldName, final String resultName)
    {
        return new FirstLast(field(input, fieldName, "last"), resultName, false);
    }

    /**
     * p50, p90, p99, p99.9 and the maximum of a non-negative integer field (a latency, a size), from a
     * {@link LogLinearHistogram}: result fields {@code <prefix>_p50}, {@code _p90}, {@code _p99}, {@code _p99_9} and
     * {@code _max}, int64.
     *
     * @param input                 the input schema.
     * @param fieldName             an integer field; a negative value is an error naming it.
     * @param prefix                the result fields' prefix.
     * @param subBucketBits         the histogram's precision: relative error below {@code 2^-subBucketBits} (7
     *                              bits: under 0.8%; HdrHistogram's 2 significant digits).
     * @param highestTrackableValue the highest value tracked exactly (higher values report this one).
     * @return the aggregate.
     */
    public static AggregateFunction percentiles(
        final Schema input,
        final String fieldName,
        final String prefix,
        final int subBucketBits,
        final long highestTrackableValue)
    {
        return percentiles(input, fieldName, prefix, subBucketBits, highestTrackableValue, DEFAULT_PERCENTILES);
    }

    /**
     * Chosen percentiles and the maximum of a non-negative integer field, from a {@link LogLinearHistogram}: result
     * fields {@code <prefix>_p<percentile>} (a decimal point written as {@code _}: {@code p99_9}) and
     * {@code <prefix>_max}, int64.
     * <p>
     * Each value is reported as HdrHistogram reports it: the highest value of its bucket, so within the stated
     * relative error above the exact value — the maximum too (add {@link #max} for an exact one). This also makes a
     * window's result the same whether it was built by adding and deducting slices or from scratch.
     *
     * @param input                 the input schema.
     * @param fieldName             an integer field; a negative value is an error naming it.
     * @param prefix                the result fields' prefix.
     * @param subBucketBits         the histogram's precision.
     * @param highestTrackableValue the highest value tracked exactly (higher values report this one).
     * @param percentiles           the percentiles, each in (0, 100].
     * @return the aggregate.
     */
    public static AggregateFunction percentiles(
        final Schema input,
        final String fieldName,
        final String prefix,
        final int subBucketBits,
        final long highestTrackableValue,
        final double... percentiles)
    {
        final Field field = numeric(input, fieldName, "percentiles");
        if (field.type() == FieldType.FLOAT32 || field.type() == FieldType.FLOAT64)
        {
            throw new IllegalArgumentException("percentiles: field '" + fieldName + "' of schema '" + input.name() +
                "' is " + field.type() + "; percentiles are of integer values (scale a floating-point value into " +
                "an integer unit first, e.g. microseconds)");
        }
        if (percentiles.length == 0)
        {
            throw new IllegalArgumentException("percentiles: name at least one percentile");
        }
        for (final double p : percentiles)
        {
            if (!(p > 0.0 && p <= 100.0))
            {
                throw new IllegalArgumentException("percentiles: " + p + " is not in (0, 100]");
            }
        }
        return new Percentiles(field, prefix, new LogLinearHistogram(subBucketBits, highestTrackableValue),
            percentiles.clone());
    }

    /**
     * Several aggregates side by side: one accumulator holding each part's, all result fields in order.
     *
     * @param parts the aggregates.
     * @return the composite.
     */
    public static AggregateFunction of(final AggregateFunction... parts)
    {
        if (parts.length == 0)
        {
            throw new IllegalArgumentException("a composite aggregate needs at least one part");
        }
        for (final AggregateFunction part : parts)
        {
            if (null == part)
            {
                throw new NullPointerException("a composite aggregate's part is null: " + Arrays.toString(parts));
            }
        }
        return parts.length == 1 ? parts[0] : new Composite(parts.clone());
    }

    private static Field field(final Schema input, final String fieldName, final String aggregate)
    {
        if (!input.hasField(fieldName))
        {
            throw new IllegalArgumentException(aggregate + ": schema '" + input.name() + "' has no field '" +
                fieldName + "'; fields: " + input.fields());
        }
        return input.field(fieldName);
    }

    private static Field numeric(final Schema input, final String fieldName, final String aggregate)
    {
        final Field field = field(input, fieldName, aggregate);
        if (field.type() == FieldType.SYMBOL)
        {
            throw new IllegalArgumentException(aggregate + ": field '" + fieldName + "' of schema '" + input.name() +
                "' is a symbol; " + aggregate + " needs a numeric field");
        }
        return field;
    }

    private static boolean isFloating(final Field field)
    {
        return field.type() == FieldType.FLOAT32 || field.type() == FieldType.FLOAT64;
    }

    static long readLong(final Field field, final DirectBuffer buffer, final int recordOffset)
    {
        final int at = recordOffset + field.offset();
        switch (field.type())
        {
            case INT8:
            case BOOLEAN:
                return buffer.getByte(at);
            case INT16:
                return buffer.getShort(at);
            case INT32:
                return buffer.getInt(at);
            default:
                return buffer.getLong(at);
        }
    }

    static double readDouble(final Field field, final DirectBuffer buffer, final int recordOffset)
    {
        final int at = recordOffset + field.offset();
        switch (field.type())
        {
            case FLOAT32:
                return buffer.getFloat(at);
            case FLOAT64:
                return buffer.getDouble(at);
            default:
                return readLong(field, buffer, recordOffset);
        }
    }

    private static Field resolve(final Schema output, final String name, final FieldType type)
    {
        if (!output.hasField(name) || output.field(name).type() != type)
        {
            throw new IllegalArgumentException("output schema '" + output.name() + "' has no " + type + " field '" +
                name + "' for an aggregate's result; fields: " + output.fields());
        }
        return output.field(name);
    }

    private static final class Count implements AggregateFunction
    {
        private final String resultName;

        Count(final String resultName)
        {
            this.resultName = resultName;
        }

        @Override
        public int accumulatorLength()
        {
            return 8;
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            accumulator.putLong(offset, accumulator.getLong(offset) + 1);
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            accumulator.putLong(offset, accumulator.getLong(offset) + other.getLong(otherOffset));
        }

        @Override
        public boolean canSubtract()
        {
            return true;
        }

        @Override
        public void subtract(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            accumulator.putLong(offset, accumulator.getLong(offset) - other.getLong(otherOffset));
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            builder.int64(resultName);
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final int at = resolve(outputSchema, resultName, FieldType.INT64).offset();
            return (acc, offset, out, outOffset) -> out.putLong(outOffset + at, acc.getLong(offset));
        }

        @Override
        public String toString()
        {
            return "count -> " + resultName;
        }
    }

    private static final class Sum implements AggregateFunction
    {
        private final Field field;
        private final String resultName;
        private final boolean floating;

        Sum(final Field field, final String resultName)
        {
            this.field = field;
            this.resultName = resultName;
            this.floating = isFloating(field);
        }

        @Override
        public int accumulatorLength()
        {
            return 8;
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            if (floating)
            {
                accumulator.putDouble(offset, accumulator.getDouble(offset) + readDouble(field, record, recordOffset));
            }
            else
            {
                accumulator.putLong(offset, accumulator.getLong(offset) + readLong(field, record, recordOffset));
            }
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            if (floating)
            {
                accumulator.putDouble(offset, accumulator.getDouble(offset) + other.getDouble(otherOffset));
            }
            else
            {
                accumulator.putLong(offset, accumulator.getLong(offset) + other.getLong(otherOffset));
            }
        }

        @Override
        public boolean canSubtract()
        {
            return !floating;
        }

        @Override
        public void subtract(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            if (floating)
            {
                AggregateFunction.super.subtract(accumulator, offset, other, otherOffset);
            }
            accumulator.putLong(offset, accumulator.getLong(offset) - other.getLong(otherOffset));
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            if (floating)
            {
                builder.float64(resultName);
            }
            else
            {
                builder.int64(resultName);
            }
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final int at = resolve(outputSchema, resultName, floating ? FieldType.FLOAT64 : FieldType.INT64).offset();
            return (acc, offset, out, outOffset) -> out.putLong(outOffset + at, acc.getLong(offset));
        }

        @Override
        public String toString()
        {
            return "sum(" + field.name() + ") -> " + resultName;
        }
    }

    private static final class Extreme implements AggregateFunction
    {
        private final Field field;
        private final String resultName;
        private final boolean floating;
        private final boolean min;

        Extreme(final Field field, final String resultName, final boolean min)
        {
            this.field = field;
            this.resultName = resultName;
            this.floating = isFloating(field);
            this.min = min;
        }

        @Override
        public int accumulatorLength()
        {
            return 8;
        }

        @Override
        public void create(final MutableDirectBuffer accumulator, final int offset)
        {
            if (floating)
            {
                accumulator.putDouble(offset, min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            }
            else
            {
                accumulator.putLong(offset, min ? Long.MAX_VALUE : Long.MIN_VALUE);
            }
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            if (floating)
            {
                combineDouble(accumulator, offset, readDouble(field, record, recordOffset));
            }
            else
            {
                combineLong(accumulator, offset, readLong(field, record, recordOffset));
            }
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            if (floating)
            {
                combineDouble(accumulator, offset, other.getDouble(otherOffset));
            }
            else
            {
                combineLong(accumulator, offset, other.getLong(otherOffset));
            }
        }

        private void combineLong(final MutableDirectBuffer accumulator, final int offset, final long value)
        {
            final long current = accumulator.getLong(offset);
            accumulator.putLong(offset, min ? Math.min(current, value) : Math.max(current, value));
        }

        private void combineDouble(final MutableDirectBuffer accumulator, final int offset, final double value)
        {
            final double current = accumulator.getDouble(offset);
            accumulator.putDouble(offset, min ? Math.min(current, value) : Math.max(current, value));
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            if (floating)
            {
                builder.float64(resultName);
            }
            else
            {
                builder.int64(resultName);
            }
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final int at = resolve(outputSchema, resultName, floating ? FieldType.FLOAT64 : FieldType.INT64).offset();
            return (acc, offset, out, outOffset) -> out.putLong(outOffset + at, acc.getLong(offset));
        }

        @Override
        public String toString()
        {
            return (min ? "min(" : "max(") + field.name() + ") -> " + resultName;
        }
    }

    private static final class Xor implements AggregateFunction
    {
        private final Field field;
        private final String resultName;

        Xor(final Field field, final String resultName)
        {
            this.field = field;
            this.resultName = resultName;
        }

        @Override
        public int accumulatorLength()
        {
            return 8;
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            accumulator.putLong(offset, accumulator.getLong(offset) ^ readLong(field, record, recordOffset));
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            accumulator.putLong(offset, accumulator.getLong(offset) ^ other.getLong(otherOffset));
        }

        @Override
        public boolean canSubtract()
        {
            return true;
        }

        @Override
        public void subtract(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            // XOR is its own inverse.
            accumulator.putLong(offset, accumulator.getLong(offset) ^ other.getLong(otherOffset));
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            builder.int64(resultName);
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final int at = resolve(outputSchema, resultName, FieldType.INT64).offset();
            return (acc, offset, out, outOffset) -> out.putLong(outOffset + at, acc.getLong(offset));
        }

        @Override
        public String toString()
        {
            return "xor(" + field.name() + ") -> " + resultName;
        }
    }

    private static final class Average implements AggregateFunction
    {
        private final Field field;
        private final String resultName;
        private final boolean floating;

        Average(final Field field, final String resultName)
        {
            this.field = field;
            this.resultName = resultName;
            this.floating = isFloating(field);
        }

        @Override
        public int accumulatorLength()
        {
            return 16;
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            if (floating)
            {
                accumulator.putDouble(offset, accumulator.getDouble(offset) + readDouble(field, record, recordOffset));
            }
            else
            {
                accumulator.putLong(offset, accumulator.getLong(offset) + readLong(field, record, recordOffset));
            }
            accumulator.putLong(offset + 8, accumulator.getLong(offset + 8) + 1);
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            if (floating)
            {
                accumulator.putDouble(offset, accumulator.getDouble(offset) + other.getDouble(otherOffset));
            }
            else
            {
                accumulator.putLong(offset, accumulator.getLong(offset) + other.getLong(otherOffset));
            }
            accumulator.putLong(offset + 8, accumulator.getLong(offset + 8) + other.getLong(otherOffset + 8));
        }

        @Override
        public boolean canSubtract()
        {
            return !floating;
        }

        @Override
        public void subtract(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            if (floating)
            {
                AggregateFunction.super.subtract(accumulator, offset, other, otherOffset);
            }
            accumulator.putLong(offset, accumulator.getLong(offset) - other.getLong(otherOffset));
            accumulator.putLong(offset + 8, accumulator.getLong(offset + 8) - other.getLong(otherOffset + 8));
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            builder.float64(resultName);
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final int at = resolve(outputSchema, resultName, FieldType.FLOAT64).offset();
            final boolean isFloating = floating;
            return (acc, offset, out, outOffset) ->
            {
                final long count = acc.getLong(offset + 8);
                final double sum = isFloating ? acc.getDouble(offset) : acc.getLong(offset);
                out.putDouble(outOffset + at, count == 0 ? Double.NaN : sum / count);
            };
        }

        @Override
        public String toString()
        {
            return "average(" + field.name() + ") -> " + resultName;
        }
    }

    private static final class FirstLast implements AggregateFunction
    {
        private static final int TIMESTAMP = 0;
        private static final int SET = 8;
        private static final int VALUE = 16;

        private final Field field;
        private final String resultName;
        private final boolean first;

        FirstLast(final Field field, final String resultName, final boolean first)
        {
            this.field = field;
            this.resultName = resultName;
            this.first = first;
        }

        @Override
        public int accumulatorLength()
        {
            return VALUE + field.width();
        }

        private boolean replaces(final boolean set, final long current, final long candidate)
        {
            return !set || (first ? candidate < current : candidate >= current);
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            if (replaces(accumulator.getByte(offset + SET) != 0, accumulator.getLong(offset + TIMESTAMP), timestamp))
            {
                accumulator.putLong(offset + TIMESTAMP, timestamp);
                accumulator.putByte(offset + SET, (byte)1);
                accumulator.putBytes(offset + VALUE, record, recordOffset + field.offset(), field.width());
            }
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            if (other.getByte(otherOffset + SET) != 0 && replaces(
                accumulator.getByte(offset + SET) != 0, accumulator.getLong(offset + TIMESTAMP),
                other.getLong(otherOffset + TIMESTAMP)))
            {
                accumulator.putBytes(offset, other, otherOffset, VALUE + field.width());
            }
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            builder.like(resultName, field);
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final Field out = resolve(outputSchema, resultName, field.type());
            if (out.width() != field.width())
            {
                throw new IllegalArgumentException("output schema '" + outputSchema.name() + "' field '" + resultName +
                    "' is " + out.width() + " bytes wide, the input field '" + field.name() + "' " + field.width());
            }
            final int at = out.offset();
            final int width = field.width();
            return (acc, offset, output, outOffset) -> output.putBytes(outOffset + at, acc, offset + VALUE, width);
        }

        @Override
        public String toString()
        {
            return (first ? "first(" : "last(") + field.name() + ") -> " + resultName;
        }
    }

    private static final class Percentiles implements AggregateFunction
    {
        private final Field field;
        private final String prefix;
        private final LogLinearHistogram histogram;
        private final double[] percentiles;

        Percentiles(
            final Field field, final String prefix, final LogLinearHistogram histogram, final double[] percentiles)
        {
            this.field = field;
            this.prefix = prefix;
            this.histogram = histogram;
            this.percentiles = percentiles;
        }

        static String name(final String prefix, final double percentile)
        {
            // Plain digits, never an exponent ("1.0E-4" is no field name): p50, p99_9, p0_0001.
            final String digits = BigDecimal.valueOf(percentile).stripTrailingZeros().toPlainString();
            return prefix + "_p" + digits.replace('.', '_');
        }

        @Override
        public int accumulatorLength()
        {
            return histogram.lengthBytes();
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            final long value = readLong(field, record, recordOffset);
            if (value < 0)
            {
                throw new IllegalArgumentException("percentiles of '" + field.name() + "': value " + value +
                    " is negative; the histogram holds values from 0");
            }
            histogram.record(accumulator, offset, value);
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            histogram.merge(accumulator, offset, other, otherOffset);
        }

        @Override
        public boolean canSubtract()
        {
            return true;
        }

        @Override
        public void subtract(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            histogram.subtract(accumulator, offset, other, otherOffset);
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            for (final double p : percentiles)
            {
                builder.int64(name(prefix, p));
            }
            builder.int64(prefix + "_max");
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final int[] at = new int[percentiles.length];
            for (int i = 0; i < at.length; i++)
            {
                at[i] = resolve(outputSchema, name(prefix, percentiles[i]), FieldType.INT64).offset();
            }
            final int maxAt = resolve(outputSchema, prefix + "_max", FieldType.INT64).offset();
            final double[] ps = percentiles;
            final LogLinearHistogram h = histogram;
            return (acc, offset, out, outOffset) ->
            {
                for (int i = 0; i < ps.length; i++)
                {
                    out.putLong(outOffset + at[i], reported(h, h.valueAtPercentile(acc, offset, ps[i])));
                }
                out.putLong(outOffset + maxAt, reported(h, h.max(acc, offset)));
            };
        }

        private static long reported(final LogLinearHistogram histogram, final long value)
        {
            if (value < 0)
            {
                return value;
            }
            return histogram.highestEquivalentValue(Math.min(value, histogram.highestTrackableValue()));
        }

        @Override
        public String toString()
        {
            return "percentiles(" + field.name() + " " + Arrays.toString(percentiles) + ", error < " +
                histogram.maxRelativeError() + ") -> " + prefix + "_*";
        }
    }

    private static final class Composite implements AggregateFunction
    {
        private final AggregateFunction[] parts;
        private final int[] offsets;
        private final int length;
        private final boolean subtract;

        Composite(final AggregateFunction[] parts)
        {
            this.parts = parts;
            this.offsets = new int[parts.length];
            int at = 0;
            boolean all = true;
            for (int i = 0; i < parts.length; i++)
            {
                offsets[i] = at;
                // Each part's accumulator starts 8-byte aligned, as the histogram's layout wants.
                at += (parts[i].accumulatorLength() + 7) & ~7;
                all &= parts[i].canSubtract();
            }
            this.length = at;
            this.subtract = all;
        }

        @Override
        public int accumulatorLength()
        {
            return length;
        }

        @Override
        public void create(final MutableDirectBuffer accumulator, final int offset)
        {
            for (int i = 0; i < parts.length; i++)
            {
                parts[i].create(accumulator, offset + offsets[i]);
            }
        }

        @Override
        public void add(
            final MutableDirectBuffer accumulator,
            final int offset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp)
        {
            for (int i = 0; i < parts.length; i++)
            {
                parts[i].add(accumulator, offset + offsets[i], record, recordOffset, timestamp);
            }
        }

        @Override
        public void merge(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            for (int i = 0; i < parts.length; i++)
            {
                parts[i].merge(accumulator, offset + offsets[i], other, otherOffset + offsets[i]);
            }
        }

        @Override
        public boolean canSubtract()
        {
            return subtract;
        }

        @Override
        public void subtract(
            final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
        {
            for (int i = 0; i < parts.length; i++)
            {
                parts[i].subtract(accumulator, offset + offsets[i], other, otherOffset + offsets[i]);
            }
        }

        @Override
        public void declareResult(final Schema.Builder builder)
        {
            for (final AggregateFunction part : parts)
            {
                part.declareResult(builder);
            }
        }

        @Override
        public ResultWriter bindResult(final Schema outputSchema)
        {
            final ResultWriter[] writers = new ResultWriter[parts.length];
            for (int i = 0; i < parts.length; i++)
            {
                writers[i] = parts[i].bindResult(outputSchema);
            }
            final int[] at = offsets;
            return (acc, offset, out, outOffset) ->
            {
                for (int i = 0; i < writers.length; i++)
                {
                    writers[i].write(acc, offset + at[i], out, outOffset);
                }
            };
        }

        @Override
        public String toString()
        {
            return Arrays.toString(parts);
        }
    }
}
