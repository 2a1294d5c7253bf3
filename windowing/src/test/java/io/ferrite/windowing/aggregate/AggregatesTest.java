package io.ferrite.windowing.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.FieldType;
import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.aggregate.AggregatesReference.Part;
import io.ferrite.windowing.aggregate.AggregatesReference.Rec;

/**
 * The built-in aggregates against {@link AggregatesReference}, computed from scratch: records added one by one,
 * accumulators of chunks merged, and (for those that subtract) chunks deducted; result types for every field type;
 * composites of odd-sized parts; argument errors; and no allocation per record.
 */
class AggregatesTest
{
    private static final long SEED = Long.getLong("ferrite.test.seed", 0xA66_5EEDL);
    private static final int BASE = 8; // Not zero: offsets must be honoured. 8-aligned, as the histogram wants.

    private static final Schema TYPES = Schema.builder("types")
        .int8("b").int16("s").int32("i").int64("l").float32("f").float64("d").bool("z")
        .timestamp("t", TimeUnit.MICROSECONDS).symbol("sym", 5).build();

    private static UnsafeBuffer created(final AggregateFunction aggregate)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BASE + aggregate.accumulatorLength() + 8]);
        aggregate.create(buffer, BASE);
        return buffer;
    }

    private static void add(final AggregateFunction aggregate, final UnsafeBuffer accumulator, final List<Rec> records)
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength() + 16]);
        for (final Rec r : records)
        {
            r.write(record, 3);
            aggregate.add(accumulator, BASE, record, 3, r.ts);
        }
    }

    private static String result(final AggregateFunction aggregate, final UnsafeBuffer accumulator)
    {
        final Schema output = AggregatesReference.outputSchema(aggregate);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[output.recordLength() + 16]);
        aggregate.bindResult(output).write(accumulator, BASE, out, 5);
        return AggregatesReference.decode(output, out, 5);
    }

    private static List<Rec> records(final SplittableRandom random, final int count)
    {
        final List<Rec> records = new ArrayList<>();
        final long base = random.nextLong(-1_000, 1_000);
        for (int i = 0; i < count; i++)
        {
            final int kind = random.nextInt(20);
            final long v = kind == 0 ? Long.MAX_VALUE - random.nextInt(100) :
                kind == 1 ? Long.MIN_VALUE + random.nextInt(100) : random.nextLong(-1_000, 1_001);
            final long lat = kind == 2 ? random.nextLong(0, 1L << 50) : random.nextLong(0, 5_000);
            // Few distinct timestamps: many ties for first and last.
            records.add(new Rec(0, base + random.nextInt(8), v, random.nextLong(-1_000_000, 1_000_001), lat, i));
        }
        return records;
    }

    private static List<List<Rec>> chunks(final SplittableRandom random, final List<Rec> records)
    {
        final List<List<Rec>> chunks = new ArrayList<>();
        int from = 0;
        while (from < records.size())
        {
            final int to = Math.min(records.size(), from + random.nextInt(6)); // Empty chunks too.
            chunks.add(records.subList(from, to));
            from = to;
        }
        chunks.add(records.subList(from, from));
        return chunks;
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void shouldMatchTheReferenceRecordByRecordAndMerged(final Part part)
    {
        final SplittableRandom random = new SplittableRandom(SEED + part.ordinal());
        final AggregateFunction aggregate = part.create();
        final Schema output = AggregatesReference.outputSchema(aggregate);
        for (int round = 0; round < 300; round++)
        {
            final List<Rec> records = records(random, 1 + random.nextInt(round < 50 ? 3 : 60));
            final String context = "seed=" + SEED + " " + part + " round " + round;
            final String expected = AggregatesReference.expected(output, records, part);

            final UnsafeBuffer whole = created(aggregate);
            add(aggregate, whole, records);
            assertEquals(expected, result(aggregate, whole), context + " added one by one");

            // As slices are merged into a window: chunks in arrival order, some empty, into a new accumulator.
            final UnsafeBuffer merged = created(aggregate);
            for (final List<Rec> chunk : chunks(random, records))
            {
                final UnsafeBuffer partial = created(aggregate);
                add(aggregate, partial, chunk);
                final byte[] before = new byte[aggregate.accumulatorLength()];
                partial.getBytes(BASE, before);
                aggregate.merge(merged, BASE, partial, BASE);
                final byte[] after = new byte[aggregate.accumulatorLength()];
                partial.getBytes(BASE, after);
                assertArrayEquals(before, after, context + ": merge changed its source");
            }
            assertEquals(expected, result(aggregate, merged), context + " merged from chunks");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void shouldSubtractExactlyWhenItSaysItCan(final Part part)
    {
        final AggregateFunction aggregate = part.create();
        assertEquals(part.subtractable(), aggregate.canSubtract(), part + ": canSubtract as documented");
        if (!part.subtractable())
        {
            return;
        }
        final SplittableRandom random = new SplittableRandom(SEED * 7 + part.ordinal());
        final Schema output = AggregatesReference.outputSchema(aggregate);
        for (int round = 0; round < 300; round++)
        {
            final List<Rec> records = records(random, 1 + random.nextInt(60));
            final String context = "seed=" + SEED + " " + part + " round " + round;
            // A running window: everything merged, then some chunks deducted, as the oldest slices leave.
            final UnsafeBuffer running = created(aggregate);
            final List<Rec> remaining = new ArrayList<>();
            final List<UnsafeBuffer> deducted = new ArrayList<>();
            for (final List<Rec> chunk : chunks(random, records))
            {
                final UnsafeBuffer partial = created(aggregate);
                add(aggregate, partial, chunk);
                aggregate.merge(running, BASE, partial, BASE);
                if (random.nextBoolean())
                {
                    deducted.add(partial);
                }
                else
                {
                    remaining.addAll(chunk);
                }
            }
            for (final UnsafeBuffer partial : deducted)
            {
                aggregate.subtract(running, BASE, partial, BASE);
            }
            if (!remaining.isEmpty())
            {
                assertEquals(AggregatesReference.expected(output, remaining, part), result(aggregate, running),
                    context + " after subtracting " + deducted.size() + " chunks");
            }
            // Then the rest merged back in: the same as from scratch.
            final UnsafeBuffer rest = created(aggregate);
            for (final UnsafeBuffer partial : deducted)
            {
                aggregate.merge(rest, BASE, partial, BASE);
            }
            aggregate.merge(running, BASE, rest, BASE);
            assertEquals(AggregatesReference.expected(output, records, part), result(aggregate, running),
                context + " after merging back");
        }
    }

    @Test
    void shouldSubtractOnlyWhenEveryPartDoes()
    {
        final AggregateFunction subtracting = AggregatesReference.aggregate(Part.COUNT, Part.SUM_V, Part.AVG_V,
            Part.PCT);
        assertTrue(subtracting.canSubtract());
        assertFalse(AggregatesReference.aggregate(Part.COUNT, Part.SUM_D).canSubtract());
        assertFalse(AggregatesReference.aggregate(Part.MIN_V, Part.COUNT).canSubtract());
        final AggregateFunction count = Aggregates.count("n");
        assertSame(count, Aggregates.of(count), "a composite of one is the part");
    }

    @Test
    void shouldWrapIntegerSumsAndUndoTheWrapBySubtraction()
    {
        final AggregateFunction sum = Part.SUM_V.create();
        final UnsafeBuffer a = created(sum);
        add(sum, a, List.of(new Rec(0, 0, Long.MAX_VALUE, 0, 0, 0)));
        final UnsafeBuffer b = created(sum);
        add(sum, b, List.of(new Rec(0, 0, 2, 0, 0, 1)));
        sum.merge(a, BASE, b, BASE);
        assertEquals("sum_v=" + (Long.MIN_VALUE + 1), result(sum, a));
        sum.subtract(a, BASE, b, BASE);
        assertEquals("sum_v=" + Long.MAX_VALUE, result(sum, a));
    }

    @Test
    void shouldTellALostAndADuplicatedIdApartWhereCountAndSumCannot()
    {
        // Ids 1, 2, 3, 4 against 1, 1, 4, 4: 2 and 3 lost, 1 and 4 doubled; the count (4) and the sum of the ids (10)
        // are the same, the XOR is not.
        final AggregateFunction aggregate = AggregatesReference.aggregate(Part.COUNT, Part.XOR);
        final UnsafeBuffer expected = created(aggregate);
        add(aggregate, expected, List.of(new Rec(0, 0, 0, 0, 0, 1), new Rec(0, 0, 0, 0, 0, 2),
            new Rec(0, 0, 0, 0, 0, 3), new Rec(0, 0, 0, 0, 0, 4)));
        assertEquals("n=4 xor_id=" + (1 ^ 2 ^ 3 ^ 4), result(aggregate, expected));
        final UnsafeBuffer lostAndDoubled = created(aggregate);
        add(aggregate, lostAndDoubled, List.of(new Rec(0, 0, 0, 0, 0, 1), new Rec(0, 0, 0, 0, 0, 1),
            new Rec(0, 0, 0, 0, 0, 4), new Rec(0, 0, 0, 0, 0, 4)));
        assertEquals("n=4 xor_id=0", result(aggregate, lostAndDoubled));

        // Subtracting a slice is XOR-ing it in again: x ^ x = 0.
        final UnsafeBuffer slice = created(aggregate);
        add(aggregate, slice, List.of(new Rec(0, 0, 0, 0, 0, 3), new Rec(0, 0, 0, 0, 0, 4)));
        aggregate.subtract(expected, BASE, slice, BASE);
        assertEquals("n=2 xor_id=" + (1 ^ 2), result(aggregate, expected));
        aggregate.subtract(lostAndDoubled, BASE, lostAndDoubled, BASE);
        assertEquals("n=0 xor_id=0", result(aggregate, lostAndDoubled));
    }

    @Test
    void shouldAverageNothingAsNaN()
    {
        assertEquals("avg_v=NaN", result(Part.AVG_V.create(), created(Part.AVG_V.create())));
        assertEquals("avg_d=NaN", result(Part.AVG_D.create(), created(Part.AVG_D.create())));
    }

    @Test
    void shouldNamePercentileFieldsAsDocumented()
    {
        assertEquals(List.of("lat_p50", "lat_p90", "lat_p99", "lat_p99_9", "lat_max"),
            names(Aggregates.percentiles(AggregatesReference.INPUT, "lat", "lat", 7, 1_000_000)));
        assertEquals(List.of("x_p12_5", "x_p100", "x_p0_5", "x_p99_99", "x_max"),
            names(Aggregates.percentiles(AggregatesReference.INPUT, "lat", "x", 7, 1_000_000, 12.5, 100, 0.5,
                99.99)));
    }

    @Test
    void shouldNameEveryPercentileItAccepts()
    {
        // Percentiles in (0, 100] are accepted; a small one must still make a valid field name, not "p1_0E-4".
        final AggregateFunction tiny = Aggregates.percentiles(AggregatesReference.INPUT, "lat", "x", 7, 1_000, 0.0001);
        assertEquals(List.of("x_p0_0001", "x_max"), names(tiny));
    }

    private static List<String> names(final AggregateFunction aggregate)
    {
        final List<String> names = new ArrayList<>();
        for (final Field field : AggregatesReference.outputSchema(aggregate).fields())
        {
            assertEquals(FieldType.INT64, field.type(), field.name());
            names.add(field.name());
        }
        return names;
    }

    @Test
    void shouldReportPercentilesAsTheHighestValueOfTheirBucket()
    {
        final AggregateFunction pct = Aggregates.percentiles(AggregatesReference.INPUT, "lat", "lat", 2, 100, 50,
            100);
        final UnsafeBuffer acc = created(pct);
        // 2 sub-bucket bits: values 0-7 exact, then buckets of 2 (8-15), 4 (16-31), 8 (32-63), 16 (64-127).
        add(pct, acc, List.of(new Rec(0, 0, 0, 0, 9, 0), new Rec(0, 0, 0, 0, 17, 1), new Rec(0, 0, 0, 0, 70, 2)));
        assertEquals("lat_p50=19 lat_p100=79 lat_max=79", result(pct, acc));
        // Above the highest trackable value (100, rounded up to 127): reported as 127, the maximum too.
        add(pct, acc, List.of(new Rec(0, 0, 0, 0, 1_000_000, 3), new Rec(0, 0, 0, 0, 5_000, 4)));
        assertEquals("lat_p50=79 lat_p100=127 lat_max=127", result(pct, acc));
    }

    @Test
    void shouldRefuseNegativePercentileValuesNamingTheField()
    {
        final AggregateFunction pct = Part.PCT.create();
        final UnsafeBuffer acc = created(pct);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> add(pct, acc, List.of(new Rec(0, 0, 0, 0, -1, 0))));
        assertTrue(e.getMessage().contains("lat"), e.getMessage());
    }

    @Test
    void shouldRefuseBadArguments()
    {
        final Schema in = TYPES;
        assertThrows(IllegalArgumentException.class, () -> Aggregates.sum(in, "nope", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.sum(in, "sym", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.min(in, "sym", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.max(in, "sym", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.average(in, "sym", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.first(in, "nope", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.xor(in, "nope", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.xor(in, "sym", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.xor(in, "d", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.xor(in, "f", "x"));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "d", "x", 7, 100));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "f", "x", 7, 100));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "sym", "x", 7, 100));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "l", "x", 7, 100, 0.0));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "l", "x", 7, 100, 100.5));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "l", "x", 7, 100, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "l", "x", 7, 100, -1));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "l", "x", 7, 100,
            new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.percentiles(in, "l", "x", 0, 100));
        assertThrows(IllegalArgumentException.class, Aggregates::of);
        assertThrows(NullPointerException.class, () -> Aggregates.of(Aggregates.count("n"), null));

        // bindResult checks the output schema: a missing field, or one of another type.
        final Schema wrongType = Schema.builder("out").float64("n").build();
        assertThrows(IllegalArgumentException.class, () -> Aggregates.count("n").bindResult(wrongType));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.sum(in, "d", "n").bindResult(
            Schema.builder("out").int64("n").build()));
        assertThrows(IllegalArgumentException.class, () -> Aggregates.first(in, "sym", "n").bindResult(
            Schema.builder("out").symbol("n", 4).build()));
        assertThrows(IllegalArgumentException.class, () -> Part.PCT.create().bindResult(wrongType));
    }

    @Test
    void shouldGiveResultsOfTheDocumentedTypeForEveryFieldType()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final String[] numeric = {"b", "s", "i", "l", "f", "d", "z", "t"};
        final List<AggregateFunction> parts = new ArrayList<>();
        for (final String name : numeric)
        {
            parts.add(Aggregates.sum(TYPES, name, "sum_" + name));
            parts.add(Aggregates.min(TYPES, name, "min_" + name));
            parts.add(Aggregates.max(TYPES, name, "max_" + name));
            parts.add(Aggregates.average(TYPES, name, "avg_" + name));
        }
        final String[] integers = {"b", "s", "i", "l", "z", "t"};
        for (final String name : integers)
        {
            parts.add(Aggregates.xor(TYPES, name, "xor_" + name));
        }
        for (final Field field : TYPES.fields())
        {
            parts.add(Aggregates.first(TYPES, field.name(), "first_" + field.name()));
            parts.add(Aggregates.last(TYPES, field.name(), "last_" + field.name()));
        }
        // Odd-sized first/last accumulators (a 5-byte symbol: 21 bytes) before an 8-aligned histogram.
        parts.add(Aggregates.percentiles(TYPES, "i", "pct_i", 3, 1_000));
        parts.add(Aggregates.count("n"));
        final AggregateFunction aggregate = Aggregates.of(parts.toArray(new AggregateFunction[0]));
        final Schema output = AggregatesReference.outputSchema(aggregate);
        final AggregateFunction.ResultWriter writer = aggregate.bindResult(output);

        for (final String name : numeric)
        {
            final boolean floating = name.equals("f") || name.equals("d");
            assertEquals(floating ? FieldType.FLOAT64 : FieldType.INT64, output.field("sum_" + name).type(), name);
            assertEquals(floating ? FieldType.FLOAT64 : FieldType.INT64, output.field("min_" + name).type(), name);
            assertEquals(floating ? FieldType.FLOAT64 : FieldType.INT64, output.field("max_" + name).type(), name);
            assertEquals(FieldType.FLOAT64, output.field("avg_" + name).type(), name);
        }
        for (final String name : integers)
        {
            assertEquals(FieldType.INT64, output.field("xor_" + name).type(), name);
        }
        for (final Field field : TYPES.fields())
        {
            assertEquals(field.type(), output.field("first_" + field.name()).type(), field.name());
            assertEquals(field.width(), output.field("first_" + field.name()).width(), field.name());
        }
        assertEquals(TimeUnit.MICROSECONDS, output.timestampField("first_t").unit());

        for (int round = 0; round < 200; round++)
        {
            final int count = 1 + random.nextInt(30);
            final UnsafeBuffer records = new UnsafeBuffer(new byte[count * TYPES.recordLength()]);
            final long[][] values = new long[count][];
            final long[] timestamps = new long[count];
            final UnsafeBuffer acc = new UnsafeBuffer(new byte[BASE + aggregate.accumulatorLength()]);
            aggregate.create(acc, BASE);
            for (int r = 0; r < count; r++)
            {
                final int at = r * TYPES.recordLength();
                values[r] = new long[]{random.nextInt(-128, 128), random.nextInt(-32_768, 32_768),
                    random.nextInt(0, 2_000), random.nextLong(-1L << 40, 1L << 40), random.nextInt(-1 << 20, 1 << 20),
                    random.nextLong(-1L << 40, 1L << 40), random.nextInt(2), random.nextLong(0, 1L << 50)};
                records.putByte(at + TYPES.field("b").offset(), (byte)values[r][0]);
                records.putShort(at + TYPES.field("s").offset(), (short)values[r][1]);
                records.putInt(at + TYPES.field("i").offset(), (int)values[r][2]);
                records.putLong(at + TYPES.field("l").offset(), values[r][3]);
                records.putFloat(at + TYPES.field("f").offset(), values[r][4]);
                records.putDouble(at + TYPES.field("d").offset(), values[r][5]);
                records.putByte(at + TYPES.field("z").offset(), (byte)values[r][6]);
                records.putLong(at + TYPES.field("t").offset(), values[r][7]);
                records.putBytes(at + TYPES.field("sym").offset(),
                    ("s" + (1000 + r)).getBytes(StandardCharsets.US_ASCII));
                timestamps[r] = random.nextInt(5);
                aggregate.add(acc, BASE, records, at, timestamps[r]);
            }
            final UnsafeBuffer out = new UnsafeBuffer(new byte[output.recordLength()]);
            writer.write(acc, BASE, out, 0);
            final String context = "seed=" + SEED + " round " + round;
            for (int f = 0; f < numeric.length; f++)
            {
                final String name = numeric[f];
                long sum = 0;
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (final long[] value : values)
                {
                    sum += value[f];
                    min = Math.min(min, value[f]);
                    max = Math.max(max, value[f]);
                }
                if (name.equals("f") || name.equals("d"))
                {
                    assertEquals((double)sum, out.getDouble(output.field("sum_" + name).offset()), context + name);
                    assertEquals((double)min, out.getDouble(output.field("min_" + name).offset()), context + name);
                    assertEquals((double)max, out.getDouble(output.field("max_" + name).offset()), context + name);
                }
                else
                {
                    assertEquals(sum, out.getLong(output.field("sum_" + name).offset()), context + name);
                    assertEquals(min, out.getLong(output.field("min_" + name).offset()), context + name);
                    assertEquals(max, out.getLong(output.field("max_" + name).offset()), context + name);
                }
                assertEquals((double)sum / count, out.getDouble(output.field("avg_" + name).offset()),
                    context + name);
                if (!name.equals("f") && !name.equals("d"))
                {
                    long xor = 0;
                    for (final long[] value : values)
                    {
                        xor ^= value[f]; // Sign-extended to 64 bits, as the field is read.
                    }
                    assertEquals(xor, out.getLong(output.field("xor_" + name).offset()), context + name);
                }
            }
            int first = 0;
            int last = 0;
            for (int r = 1; r < count; r++)
            {
                first = timestamps[r] < timestamps[first] ? r : first;
                last = timestamps[r] >= timestamps[last] ? r : last;
            }
            for (final Field field : TYPES.fields())
            {
                final byte[] expectedFirst = new byte[field.width()];
                records.getBytes(first * TYPES.recordLength() + field.offset(), expectedFirst);
                final byte[] actualFirst = new byte[field.width()];
                out.getBytes(output.field("first_" + field.name()).offset(), actualFirst);
                assertArrayEquals(expectedFirst, actualFirst, context + " first " + field.name());
                final byte[] expectedLast = new byte[field.width()];
                records.getBytes(last * TYPES.recordLength() + field.offset(), expectedLast);
                final byte[] actualLast = new byte[field.width()];
                out.getBytes(output.field("last_" + field.name()).offset(), actualLast);
                assertArrayEquals(expectedLast, actualLast, context + " last " + field.name());
            }
            assertEquals(count, out.getLong(output.field("n").offset()), context);
            final long[] ints = Arrays.stream(values).mapToLong(v -> v[2]).sorted().toArray();
            final LogLinearHistogram layout = new LogLinearHistogram(3, 1_000);
            final long reportedMax = layout.highestEquivalentValue(Math.min(ints[count - 1],
                layout.highestTrackableValue()));
            assertEquals(reportedMax, out.getLong(output.field("pct_i_max").offset()), context);
        }
    }

    @Test
    void shouldNotAllocatePerRecord()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final AggregateFunction aggregate = AggregatesReference.aggregate(Part.values());
        final UnsafeBuffer a = created(aggregate);
        final UnsafeBuffer b = created(aggregate);
        final Schema output = AggregatesReference.outputSchema(aggregate);
        final AggregateFunction.ResultWriter writer = aggregate.bindResult(output);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[output.recordLength()]);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength()]);
        final int v = AggregatesReference.INPUT.field("v").offset();
        final int lat = AggregatesReference.INPUT.field("lat").offset();
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++)
            {
                record.putLong(v, i);
                record.putLong(lat, i & 4_095);
                aggregate.add(b, BASE, record, 0, i);
                if ((i & 15) == 0)
                {
                    aggregate.merge(a, BASE, b, BASE);
                    writer.write(a, BASE, out, 0);
                    b.setMemory(BASE, aggregate.accumulatorLength(), (byte)0);
                    aggregate.create(b, BASE);
                }
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        // The last round runs compiled; the allowance covers getCurrentThreadAllocatedBytes' own bookkeeping.
        assertTrue(allocated < 2_048, "allocated " + allocated + " bytes for 100,000 records");
    }
}
