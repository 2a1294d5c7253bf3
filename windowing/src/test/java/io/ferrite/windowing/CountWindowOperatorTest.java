package io.ferrite.windowing;

import static io.ferrite.windowing.Firing.ON_TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.windowing.CountSumAggregate.Emission;

/**
 * Count windows against a reference that keeps every record of every key in a list and builds each window from it
 * when the window is due; and queued windows, partial windows at the end of the stream, bounded output, memory and
 * allocation.
 */
class CountWindowOperatorTest
{
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final String OWNER = "count-test";
    private static final long[] KEYS = {0, 3, -1, Long.MAX_VALUE, Long.MIN_VALUE};

    private final CountSumAggregate aggregate = new CountSumAggregate();
    private final CountSumAggregate.Recorder recorder = new CountSumAggregate.Recorder();
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[8]);
    private final MemoryManager memory = new MemoryManager(256L << 20);
    private WindowOperator operator;

    @AfterEach
    void after()
    {
        if (null != operator)
        {
            operator.close();
            assertEquals(0, memory.usedBytes(OWNER), "operator must free everything on close");
        }
        memory.close();
    }

    private WindowOperator open(final long size, final long slide)
    {
        operator = WindowAssigner.count(size, slide).newOperator(memory, OWNER, aggregate, 0, 0, recorder);
        return operator;
    }

    private void add(final long key, final long timestamp, final long value)
    {
        record.putLong(0, value);
        assertTrue(operator.onRecord(key, timestamp, record, 0));
    }

    private void emitPending(final int limit)
    {
        while (operator.hasPending())
        {
            final int before = recorder.emissions.size();
            final int emitted = operator.emitPending(limit);
            assertEquals(emitted, recorder.emissions.size() - before);
            assertTrue(emitted >= 1 && emitted <= limit, "emitted " + emitted + " with limit " + limit);
        }
    }

    private void endOfStream(final int limit)
    {
        int calls = 0;
        while (true)
        {
            final int before = recorder.emissions.size();
            final boolean done = operator.endOfStream(limit);
            assertTrue(recorder.emissions.size() - before <= limit);
            if (done)
            {
                return;
            }
            assertTrue(++calls < 1_000_000, "endOfStream never finished");
        }
    }

    private static Emission window(final long key, final long start, final long end, final long... values)
    {
        final List<long[]> records = new ArrayList<>();
        for (int i = 0; i < values.length; i++)
        {
            records.add(new long[]{100 + start + i, values[i]});
        }
        return Emission.of(key, start, end, ON_TIME, records);
    }

    private void addValues(final long key, final long firstOrdinal, final long... values)
    {
        for (int i = 0; i < values.length; i++)
        {
            add(key, 100 + firstOrdinal + i, values[i]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Against the reference.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldMatchReferenceTumbling()
    {
        for (int run = 0; run < 20; run++)
        {
            final Random random = new Random(SEED + run);
            final long size = 1 + random.nextInt(12);
            randomRun(SEED + run, size, size);
        }
    }

    @Test
    void shouldMatchReferenceSliding()
    {
        for (int run = 0; run < 40; run++)
        {
            final Random random = new Random(SEED + 100 + run);
            final long size = 2 + random.nextInt(14);
            randomRun(SEED + 100 + run, size, 1 + random.nextInt((int)size - 1));
        }
    }

    private void randomRun(final long seed, final long size, final long slide)
    {
        final Random random = new Random(seed * 31 + 7);
        final String context = "seed=" + seed + " size=" + size + " slide=" + slide;
        open(size, slide);
        final long emptyBytes = operator.allocatedBytes();
        final Reference reference = new Reference(size, slide);
        final int keyCount = 1 + random.nextInt(KEYS.length);
        final int records = random.nextInt(3000);
        for (int i = 0; i < records; i++)
        {
            final long key = KEYS[random.nextInt(keyCount)];
            final long timestamp = random.nextInt(1000) - 500; // Ignored for windowing, seen by the aggregate.
            final long value = random.nextInt(2001) - 1000;
            add(key, timestamp, value);
            reference.onRecord(key, timestamp, value);
            if (random.nextInt(4) != 0)
            {
                emitPending(1 + random.nextInt(3));
                reference.emitPending();
            }
            if (random.nextInt(50) == 0)
            {
                assertTrue(operator.advanceWatermark(random.nextLong(), 1000));
                reference.emitPending();
            }
            assertEquals(reference.drain(), recorder.drain(), context + " record " + i);
        }
        endOfStream(1 + random.nextInt(3));
        reference.endOfStream();
        assertEquals(byKey(reference.drain()), byKey(recorder.drain()), context + " end of stream");
        assertEquals(emptyBytes, operator.allocatedBytes(), context);
        assertEquals(0, operator.lateRecords());
        operator.close();
        operator = null;
    }

    private static Map<Long, List<Emission>> byKey(final List<Emission> emissions)
    {
        final Map<Long, List<Emission>> byKey = new TreeMap<>();
        for (final Emission emission : emissions)
        {
            byKey.computeIfAbsent(emission.key(), (k) -> new ArrayList<>()).add(emission);
        }
        return byKey;
    }

    /**
     * The semantics in plain Java: every record of every key in a list; a due window is built from the list when it
     * becomes due, so later records cannot change it.
     */
    static final class Reference
    {
        final long size;
        final long slide;
        final Map<Long, List<long[]>> records = new HashMap<>();
        final List<Emission> pending = new ArrayList<>();
        final List<Emission> emissions = new ArrayList<>();

        Reference(final long size, final long slide)
        {
            this.size = size;
            this.slide = slide;
        }

        void onRecord(final long key, final long timestamp, final long value)
        {
            final List<long[]> list = records.computeIfAbsent(key, (k) -> new ArrayList<>());
            list.add(new long[]{timestamp, value});
            final int count = list.size();
            if (count % slide == 0)
            {
                final int start = (int)Math.max(0, count - size);
                pending.add(Emission.of(key, start, count, ON_TIME, new ArrayList<>(list.subList(start, count))));
            }
        }

        void emitPending()
        {
            emissions.addAll(pending);
            pending.clear();
        }

        void endOfStream()
        {
            emitPending();
            for (final Map.Entry<Long, List<long[]>> entry : records.entrySet())
            {
                final int count = entry.getValue().size();
                if (count % slide != 0)
                {
                    final long next = (count / slide + 1) * slide;
                    final int start = (int)Math.max(0, next - size);
                    emissions.add(Emission.of(entry.getKey(), start, count, ON_TIME,
                        entry.getValue().subList(start, count)));
                }
            }
            records.clear();
        }

        List<Emission> drain()
        {
            final List<Emission> drained = new ArrayList<>(emissions);
            emissions.clear();
            return drained;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Cases.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldFireTumblingWindowWhenItsLastRecordArrives()
    {
        open(3, 3);
        addValues(7, 0, 1, 2);
        assertFalse(operator.hasPending());
        addValues(7, 2, 4);
        assertTrue(operator.hasPending());
        assertEquals(List.of(), recorder.drain(), "onRecord emits nothing");
        assertEquals(1, operator.emitPending(10));
        assertEquals(List.of(window(7, 0, 3, 1, 2, 4)), recorder.drain());
    }

    @Test
    void shouldFireSlidingWindowsOfTheLastRecords()
    {
        open(4, 2);
        addValues(1, 0, 1, 2, 4, 8, 16, 32, 64);
        emitPending(10);
        assertEquals(List.of(
            window(1, 0, 2, 1, 2),
            window(1, 0, 4, 1, 2, 4, 8),
            window(1, 2, 6, 4, 8, 16, 32)), recorder.drain());
    }

    @Test
    void shouldNotChangeQueuedWindowsWhenLaterRecordsArrive()
    {
        open(6, 4); // Slices of gcd(6, 4) = 2 records.
        addValues(5, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096);
        addValues(6, 0, 3, 3, 3, 3);
        assertEquals(List.of(), recorder.drain());
        emitPending(100);
        assertEquals(List.of(
            window(5, 0, 4, 1, 2, 4, 8),
            window(5, 2, 8, 4, 8, 16, 32, 64, 128),
            window(5, 6, 12, 64, 128, 256, 512, 1024, 2048),
            window(6, 0, 4, 3, 3, 3, 3)), recorder.drain(), "in the order they were due");
    }

    @Test
    void shouldFirePartialWindowsAtEndOfStream()
    {
        open(3, 3);
        addValues(1, 0, 1, 2, 4, 8, 16, 32, 64);
        addValues(2, 0, 1, 1, 1);
        addValues(3, 0, 5);
        emitPending(100);
        recorder.drain();
        endOfStream(100);
        assertEquals(Map.of(1L, List.of(window(1, 6, 7, 64)), 3L, List.of(window(3, 0, 1, 5))),
            byKey(recorder.drain()), "key 2 has nothing unemitted");
    }

    @Test
    void shouldFireNextSlidingWindowWithWhatItHasAtEndOfStream()
    {
        open(4, 2);
        addValues(1, 0, 1, 2, 4, 8, 16);  // Fired [0, 2), [0, 4); next due [2, 6), it has [2, 5).
        addValues(2, 0, 1);               // Next due [0, 2), it has [0, 1).
        addValues(3, 0, 1, 2, 4, 8);      // Nothing unemitted.
        emitPending(100);
        recorder.drain();
        endOfStream(1);
        assertEquals(Map.of(1L, List.of(window(1, 2, 5, 4, 8, 16)), 2L, List.of(window(2, 0, 1, 1))),
            byKey(recorder.drain()));

        operator.close();
        open(3, 2);                       // Slices of one record: fired [0, 2), [1, 4); next due [3, 6).
        addValues(4, 0, 1, 2, 4, 8, 16);
        endOfStream(100);
        assertEquals(List.of(window(4, 0, 2, 1, 2), window(4, 1, 4, 2, 4, 8), window(4, 3, 5, 8, 16)),
            recorder.drain());
    }

    @Test
    void shouldEmitOneResultPerCallWithLimitOne()
    {
        open(2, 1);
        addValues(9, 0, 1, 2, 4, 8);
        assertEquals(1, operator.emitPending(1));
        assertEquals(1, operator.emitPending(1));
        assertEquals(1, operator.emitPending(1));
        assertFalse(operator.advanceWatermark(10, 0), "a limit of 0 emits nothing");
        assertTrue(operator.advanceWatermark(10, 1));
        assertEquals(0, operator.emitPending(1));
        assertEquals(List.of(window(9, 0, 1, 1), window(9, 0, 2, 1, 2), window(9, 1, 3, 2, 4),
            window(9, 2, 4, 4, 8)), recorder.drain());
        addValues(8, 0, 5);
        addValues(7, 0, 7);
        addValues(6, 0, 8, 9);
        assertFalse(operator.endOfStream(1));
        assertFalse(operator.endOfStream(1));
        assertFalse(operator.endOfStream(1));
        assertTrue(operator.endOfStream(1));
        assertEquals(4, recorder.drain().size());
    }

    @Test
    void shouldIgnoreTimestampsAndWatermarks()
    {
        open(2, 2);
        add(1, 1000, 1);
        assertTrue(operator.advanceWatermark(Long.MAX_VALUE - 1, 10));
        add(1, -5, 2); // Far below the watermark: counted all the same.
        emitPending(10);
        assertEquals(List.of(Emission.of(1, 0, 2, ON_TIME, List.of(new long[]{1000, 1}, new long[]{-5, 2}))),
            recorder.drain());
        assertEquals(0, operator.lateRecords());
        assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
        assertEquals(0, operator.onProcessingTime(Long.MAX_VALUE, 10));
    }

    @Test
    void shouldFreeSlicesOnceEmitted()
    {
        open(100, 3); // Slices of one record: about 100 alive per key.
        final long emptyBytes = operator.allocatedBytes();
        for (int i = 0; i < 200_000; i++)
        {
            add(i % 2, i, i);
            operator.emitPending(Integer.MAX_VALUE);
        }
        assertEquals(emptyBytes, operator.allocatedBytes(), "the slice table never grew");
        assertTrue(recorder.drain().size() > 66_000);
    }

    @Test
    void shouldReturnToEmptySizeAfterEndOfStream()
    {
        open(5, 2);
        final long emptyBytes = operator.allocatedBytes();
        for (int i = 0; i < 30_000; i++)
        {
            add(i % 7919, i, i);
        }
        assertTrue(operator.allocatedBytes() > emptyBytes);
        endOfStream(1000);
        assertEquals(emptyBytes, operator.allocatedBytes());
        assertEquals(Long.MAX_VALUE, operator.watermark());
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final CountSumAggregate.Folding folding = new CountSumAggregate.Folding();
        operator = WindowAssigner.count(12, 4).newOperator(memory, OWNER, aggregate, 0, 0, folding);
        final long[] allocated = CountedAllocations.measure(() ->
        {
            for (int i = 0; i < 50_000; i++)
            {
                record.putLong(0, i);
                operator.onRecord(i % 300, i, record, 0);
                if (i % 3 == 0)
                {
                    operator.emitPending(Integer.MAX_VALUE);
                }
            }
        });
        CountedAllocations.assertSteadyStateAllocatesNothing("count windows, 50,000 records a round", allocated);
        assertTrue(folding.results > 90_000);
    }
}
