package io.ferrite.perf.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.Firing;

/**
 * The harness's checker against results computed a second way (a map per window, filled naively): correct results
 * pass; a lost, a duplicated and a changed result are each found and counted as such.
 */
class CrashReferenceTest
{
    private static final CrashWorkload WORKLOAD = new CrashWorkload(42, 17, 60_000);

    /**
     * Every window of every well-formed event, with count, sum, min, max, xor: (start, key) -> values.
     */
    private static Map<List<Long>, long[]> naive(final CrashWorkload.Shape shape)
    {
        final Map<List<Long>, long[]> windows = new TreeMap<>((a, b) ->
            a.get(0).equals(b.get(0)) ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        for (long i = 0; i < WORKLOAD.events(); i++)
        {
            if (WORKLOAD.malformed(i))
            {
                continue; // Dead-lettered by the job's first operator: in no window.
            }
            final long time = CrashWorkload.timestamp(i);
            for (long start = time - Math.floorMod(time, shape.sizeMs()) - shape.sizeMs(); start <= time;
                start += shape.slideMs())
            {
                if (start <= time && time < start + shape.sizeMs() && Math.floorMod(start, shape.slideMs()) == 0)
                {
                    final long[] v = windows.computeIfAbsent(List.of(start, WORKLOAD.key(i)),
                        (k) -> new long[]{0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0});
                    final long value = WORKLOAD.value(i);
                    v[0]++;
                    v[1] += value;
                    v[2] = Math.min(v[2], value);
                    v[3] = Math.max(v[3], value);
                    v[4] ^= i;
                }
            }
        }
        return windows;
    }

    private static List<UnsafeBuffer> results(final CrashWorkload.Shape shape)
    {
        final Schema schema = shape.resultSchema();
        final List<UnsafeBuffer> results = new ArrayList<>();
        for (final Map.Entry<List<Long>, long[]> window : naive(shape).entrySet())
        {
            final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);
            final long start = window.getKey().get(0);
            final long[] v = window.getValue();
            record.putLong(schema.field("key").offset(), window.getKey().get(1));
            record.putLong(schema.field("window_start").offset(), start);
            record.putLong(schema.field("window_end").offset(), start + shape.sizeMs());
            record.putByte(schema.field("firing").offset(), Firing.ON_TIME);
            record.putLong(schema.field("count").offset(), v[0]);
            record.putLong(schema.field("sum").offset(), v[1]);
            if (shape.minMax())
            {
                record.putLong(schema.field("min").offset(), v[2]);
                record.putLong(schema.field("max").offset(), v[3]);
            }
            record.putLong(schema.field("xor").offset(), v[4]);
            results.add(record);
        }
        return results;
    }

    private static CrashReference check(final CrashWorkload.Shape shape, final List<UnsafeBuffer> results)
    {
        final CrashReference reference = new CrashReference(WORKLOAD, shape);
        long index = 0;
        for (final UnsafeBuffer result : results)
        {
            reference.onResult(index++, result, 0, result.capacity());
        }
        return reference;
    }

    @ParameterizedTest
    @EnumSource(CrashWorkload.Shape.class)
    void shouldAcceptTheRightResultsInAnyOrder(final CrashWorkload.Shape shape)
    {
        final List<UnsafeBuffer> results = results(shape);
        Collections.reverse(results);
        final CrashReference reference = check(shape, results);
        assertEquals(results.size(), reference.expectedResults());
        assertEquals(results.size(), reference.results());
        assertEquals(0, reference.lost(), reference.examples().toString());
        assertEquals(0, reference.duplicated(), reference.examples().toString());
        assertEquals(0, reference.wrong(), reference.examples().toString());
        // 6,000 ms of event time over 17 keys: every key in every window.
        assertEquals(17 * (6_000 / shape.slideMs() + shape.sizeMs() / shape.slideMs() - 1), results.size());
    }

    @ParameterizedTest
    @EnumSource(CrashWorkload.Shape.class)
    void shouldCountLostDuplicatedAndWrongResults(final CrashWorkload.Shape shape)
    {
        final Schema schema = shape.resultSchema();
        final List<UnsafeBuffer> results = results(shape);
        results.remove(7);
        results.add(results.get(3));
        final int xorAt = schema.field("xor").offset();
        results.get(11).putLong(xorAt, results.get(11).getLong(xorAt) ^ 4);
        final UnsafeBuffer stranger = new UnsafeBuffer(new byte[schema.recordLength()]);
        stranger.putBytes(0, results.get(0), 0, schema.recordLength());
        stranger.putLong(schema.field("key").offset(), 17);
        results.add(stranger);

        final CrashReference reference = check(shape, results);
        assertEquals(1, reference.lost(), reference.examples().toString());
        assertEquals(1, reference.duplicated(), reference.examples().toString());
        assertEquals(2, reference.wrong(), "a changed xor and an unknown key: " + reference.examples());
        assertTrue(reference.examples().size() >= 4, reference.examples().toString());
    }
}
