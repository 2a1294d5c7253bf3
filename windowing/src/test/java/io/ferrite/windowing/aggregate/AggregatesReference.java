package io.ferrite.windowing.aggregate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Schema;

/**
 * A from-scratch reference for the built-in aggregates, shared by the aggregate and window-operator tests: a test input
 * schema, the aggregates under test as {@link Part}s, and the result every part must give for a list of records,
 * computed from the records themselves (no accumulator of the code under test is involved, except the histogram
 * layout's bucket rule for the documented "highest equivalent value" reporting of percentiles).
 */
public final class AggregatesReference
{
    /**
     * The test records: {@code v} any int64 (sums wrap), {@code d} a float64 holding integer values (so sums are
     * exact whatever the order), {@code lat} a non-negative int64 for percentiles, {@code id} the arrival ordinal.
     */
    public static final Schema INPUT = Schema.builder("in").int64("v").float64("d").int64("lat").int64("id").build();

    /**
     * The histogram precision of the percentile parts: small, so a slice's accumulator stays about 1 KiB.
     */
    public static final int PCT_BITS = 4;

    /**
     * The highest trackable value asked for; the histogram rounds it up to 4095.
     */
    public static final long PCT_HIGHEST = 4_000;

    /**
     * The percentiles of {@link Part#PCT_CUSTOM}.
     */
    public static final double[] CUSTOM_PERCENTILES = {12.5, 75.0, 100.0};

    private static final double[] DEFAULT_PERCENTILES = {50.0, 90.0, 99.0, 99.9};
    private static final LogLinearHistogram LAYOUT = new LogLinearHistogram(PCT_BITS, PCT_HIGHEST);

    private AggregatesReference()
    {
    }

    /**
     * One accepted test record.
     */
    public static final class Rec
    {
        public final long key;
        public final long ts;
        public final long v;
        public final double d;
        public final long lat;
        public final long id;

        public Rec(final long key, final long ts, final long v, final double d, final long lat, final long id)
        {
            this.key = key;
            this.ts = ts;
            this.v = v;
            this.d = d;
            this.lat = lat;
            this.id = id;
        }

        /**
         * Write the record's fields into a record of {@link #INPUT}.
         *
         * @param buffer the buffer.
         * @param offset the record's offset.
         */
        public void write(final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset + INPUT.field("v").offset(), v);
            buffer.putDouble(offset + INPUT.field("d").offset(), d);
            buffer.putLong(offset + INPUT.field("lat").offset(), lat);
            buffer.putLong(offset + INPUT.field("id").offset(), id);
        }

        @Override
        public String toString()
        {
            return "Rec{key=" + key + ", ts=" + ts + ", v=" + v + ", d=" + d + ", lat=" + lat + ", id=" + id + '}';
        }
    }

    /**
     * The aggregates under test, with their reference results.
     */
    public enum Part
    {
        COUNT(true),
        SUM_V(true),
        SUM_D(false),
        MIN_V(false),
        MAX_V(false),
        MIN_D(false),
        MAX_D(false),
        AVG_V(true),
        AVG_D(false),
        FIRST(false),
        LAST(false),
        PCT(true),
        PCT_CUSTOM(true),
        XOR(true);

        private final boolean subtractable;

        Part(final boolean subtractable)
        {
            this.subtractable = subtractable;
        }

        /**
         * Whether the aggregate is documented to subtract.
         *
         * @return true for count, integer sum and average, percentiles and XOR.
         */
        public boolean subtractable()
        {
            return subtractable;
        }

        /**
         * A new aggregate of this part over {@link #INPUT}.
         *
         * @return the aggregate.
         */
        public AggregateFunction create()
        {
            switch (this)
            {
                case COUNT:
                    return Aggregates.count("n");
                case SUM_V:
                    return Aggregates.sum(INPUT, "v", "sum_v");
                case SUM_D:
                    return Aggregates.sum(INPUT, "d", "sum_d");
                case MIN_V:
                    return Aggregates.min(INPUT, "v", "min_v");
                case MAX_V:
                    return Aggregates.max(INPUT, "v", "max_v");
                case MIN_D:
                    return Aggregates.min(INPUT, "d", "min_d");
                case MAX_D:
                    return Aggregates.max(INPUT, "d", "max_d");
                case AVG_V:
                    return Aggregates.average(INPUT, "v", "avg_v");
                case AVG_D:
                    return Aggregates.average(INPUT, "d", "avg_d");
                case FIRST:
                    return Aggregates.first(INPUT, "id", "first_id");
                case LAST:
                    return Aggregates.last(INPUT, "id", "last_id");
                case PCT:
                    return Aggregates.percentiles(INPUT, "lat", "lat", PCT_BITS, PCT_HIGHEST);
                case XOR:
                    return Aggregates.xor(INPUT, "id", "xor_id");
                default:
                    return Aggregates.percentiles(INPUT, "lat", "latc", PCT_BITS, PCT_HIGHEST, CUSTOM_PERCENTILES);
            }
        }

        /**
         * Put this part's result fields for the records (non-empty, in arrival order) into a map, by field name.
         *
         * @param records the records.
         * @param out     where the results go, as text.
         */
        public void expect(final List<Rec> records, final Map<String, String> out)
        {
            final int n = records.size();
            switch (this)
            {
                case COUNT:
                    out.put("n", Long.toString(n));
                    break;
                case SUM_V:
                    out.put("sum_v", Long.toString(sumV(records)));
                    break;
                case SUM_D:
                    out.put("sum_d", Double.toString(sumD(records)));
                    break;
                case MIN_V:
                    out.put("min_v", Long.toString(records.stream().mapToLong(r -> r.v).min().orElseThrow()));
                    break;
                case MAX_V:
                    out.put("max_v", Long.toString(records.stream().mapToLong(r -> r.v).max().orElseThrow()));
                    break;
                case MIN_D:
                    out.put("min_d", Double.toString(records.stream().mapToDouble(r -> r.d).min().orElseThrow()));
                    break;
                case MAX_D:
                    out.put("max_d", Double.toString(records.stream().mapToDouble(r -> r.d).max().orElseThrow()));
                    break;
                case AVG_V:
                    out.put("avg_v", Double.toString((double)sumV(records) / n));
                    break;
                case AVG_D:
                    out.put("avg_d", Double.toString(sumD(records) / n));
                    break;
                case FIRST:
                    out.put("first_id", Long.toString(first(records).id));
                    break;
                case LAST:
                    out.put("last_id", Long.toString(last(records).id));
                    break;
                case PCT:
                    percentiles(records, "lat", DEFAULT_PERCENTILES, out);
                    break;
                case XOR:
                    out.put("xor_id", Long.toString(xorId(records)));
                    break;
                default:
                    percentiles(records, "latc", CUSTOM_PERCENTILES, out);
                    break;
            }
        }
    }

    /**
     * The composite of the parts, or the part itself when there is one.
     *
     * @param parts the parts.
     * @return the aggregate.
     */
    public static AggregateFunction aggregate(final Part... parts)
    {
        final AggregateFunction[] functions = new AggregateFunction[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            functions[i] = parts[i].create();
        }
        return Aggregates.of(functions);
    }

    /**
     * The output schema an aggregate declares.
     *
     * @param aggregate the aggregate.
     * @return the schema.
     */
    public static Schema outputSchema(final AggregateFunction aggregate)
    {
        final Schema.Builder builder = Schema.builder("out");
        aggregate.declareResult(builder);
        return builder.build();
    }

    /**
     * Decode a result record of an output schema holding int64 and float64 fields, in declaration order.
     *
     * @param schema the output schema.
     * @param buffer the buffer holding the record.
     * @param offset the record's offset.
     * @return {@code name=value} pairs.
     */
    public static String decode(final Schema schema, final DirectBuffer buffer, final int offset)
    {
        final StringBuilder text = new StringBuilder();
        for (final Field field : schema.fields())
        {
            text.append(text.length() == 0 ? "" : " ").append(field.name()).append('=');
            switch (field.type())
            {
                case INT64:
                    text.append(buffer.getLong(offset + field.offset()));
                    break;
                case FLOAT64:
                    text.append(buffer.getDouble(offset + field.offset()));
                    break;
                default:
                    throw new IllegalStateException("unexpected result field " + field);
            }
        }
        return text.toString();
    }

    /**
     * The expected result of the parts over the records, in the form {@link #decode} gives.
     *
     * @param schema  the output schema of the parts' aggregate.
     * @param records the records, non-empty, in arrival order.
     * @param parts   the parts.
     * @return {@code name=value} pairs.
     */
    public static String expected(final Schema schema, final List<Rec> records, final Part... parts)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final Part part : parts)
        {
            part.expect(records, values);
        }
        if (values.size() != schema.fieldCount())
        {
            throw new IllegalStateException("reference fields " + values.keySet() + " vs schema " + schema.fields());
        }
        final StringBuilder text = new StringBuilder();
        for (final Field field : schema.fields())
        {
            final String value = values.get(field.name());
            if (null == value)
            {
                throw new IllegalStateException("no reference value for " + field + " of " + Arrays.toString(parts));
            }
            text.append(text.length() == 0 ? "" : " ").append(field.name()).append('=').append(value);
        }
        return text.toString();
    }

    static long sumV(final List<Rec> records)
    {
        long sum = 0;
        for (final Rec r : records)
        {
            sum += r.v; // Documented to wrap, as long arithmetic does.
        }
        return sum;
    }

    static double sumD(final List<Rec> records)
    {
        double sum = 0.0;
        for (final Rec r : records)
        {
            sum += r.d;
        }
        return sum;
    }

    static long xorId(final List<Rec> records)
    {
        long xor = 0;
        for (final Rec r : records)
        {
            xor ^= r.id;
        }
        return xor;
    }

    static Rec first(final List<Rec> records)
    {
        Rec best = null;
        for (final Rec r : records)
        {
            // Arrival order: a later record with the same timestamp does not replace.
            if (null == best || r.ts < best.ts || (r.ts == best.ts && r.id < best.id))
            {
                best = r;
            }
        }
        return best;
    }

    static Rec last(final List<Rec> records)
    {
        Rec best = null;
        for (final Rec r : records)
        {
            if (null == best || r.ts > best.ts || (r.ts == best.ts && r.id > best.id))
            {
                best = r;
            }
        }
        return best;
    }

    /**
     * The documented percentile: the exact value at rank {@code max(1, ceil(p / 100 * n))} of the sorted values,
     * reported as the highest value of its histogram bucket, values above the highest trackable one reporting that.
     */
    static void percentiles(
        final List<Rec> records, final String prefix, final double[] percentiles, final Map<String, String> out)
    {
        final long[] values = records.stream().mapToLong(r -> r.lat).sorted().toArray();
        final int n = values.length;
        for (final double p : percentiles)
        {
            final long rank = Math.max(1L, BigDecimal.valueOf(p).multiply(BigDecimal.valueOf(n))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING).longValueExact());
            out.put(prefix + "_p" + percentileName(p), Long.toString(reported(values[(int)rank - 1])));
        }
        out.put(prefix + "_max", Long.toString(reported(values[n - 1])));
    }

    static long reported(final long value)
    {
        return LAYOUT.highestEquivalentValue(Math.min(value, LAYOUT.highestTrackableValue()));
    }

    static String percentileName(final double p)
    {
        // The documented naming: p50, p99_9, p12_5.
        return BigDecimal.valueOf(p).stripTrailingZeros().toPlainString().replace('.', '_');
    }
}
