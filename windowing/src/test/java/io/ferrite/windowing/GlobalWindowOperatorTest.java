package io.ferrite.windowing;

import static io.ferrite.windowing.Firing.ON_TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.windowing.CountSumAggregate.Emission;

/**
 * The global window with built-in and custom triggers against a reference that keeps every record of every key's
 * window in a list; FIRE against FIRE_AND_PURGE, snapshots, the end of the stream, memory and allocation.
 */
class GlobalWindowOperatorTest
{
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final String OWNER = "global-test";
    private static final long[] KEYS = {0, 5, -1, Long.MIN_VALUE};

    private final CountSumAggregate aggregate = new CountSumAggregate();
    private final CountSumAggregate.Recorder recorder = new CountSumAggregate.Recorder();
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[8]);
    private final MemoryManager memory = new MemoryManager(256L << 20);
    private WindowOperator operator;

    /**
     * A trigger with per-key state: FIRE on a new high value (not the window's first record), FIRE_AND_PURGE on a
     * negative value. State: [seen (8 bytes)][highest value (8 bytes)], zeroed with the window.
     */
    static final class NewHighTrigger implements Trigger
    {
        @Override
        public int stateLength()
        {
            return 16;
        }

        @Override
        public byte onRecord(final MutableDirectBuffer state, final int stateOffset, final DirectBuffer record,
            final int recordOffset, final long timestamp, final long count)
        {
            final long value = record.getLong(recordOffset);
            if (value < 0)
            {
                return FIRE_AND_PURGE;
            }
            if (0 == state.getLong(stateOffset))
            {
                state.putLong(stateOffset, 1);
                state.putLong(stateOffset + 8, value);
                return CONTINUE;
            }
            if (value > state.getLong(stateOffset + 8))
            {
                state.putLong(stateOffset + 8, value);
                return FIRE;
            }
            return CONTINUE;
        }

        @Override
        public String toString()
        {
            return "newHigh";
        }
    }

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

    private WindowOperator open(final Trigger trigger)
    {
        operator = WindowAssigner.global(trigger).newOperator(memory, OWNER, aggregate, 0, 0, recorder);
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

    private static Emission window(final long key, final long... timestampsAndValues)
    {
        final List<long[]> records = new ArrayList<>();
        for (int i = 0; i < timestampsAndValues.length; i += 2)
        {
            records.add(new long[]{timestampsAndValues[i], timestampsAndValues[i + 1]});
        }
        return Emission.of(key, Long.MIN_VALUE, Long.MAX_VALUE, ON_TIME, records);
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

    // ---------------------------------------------------------------------------------------------------------------
    // Against the reference.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldMatchReference()
    {
        for (int run = 0; run < 30; run++)
        {
            final long seed = SEED + run;
            final Random random = new Random(seed);
            final int n = 1 + random.nextInt(6);
            final int kind = run % 3;
            final Trigger trigger = 0 == kind ? Trigger.count(n) : 1 == kind ? Trigger.continuousCount(n) :
                new NewHighTrigger();
            final String context = "seed=" + seed + " trigger=" + trigger;

            open(trigger);
            final long emptyBytes = operator.allocatedBytes();
            final Reference reference = new Reference(kind, n);
            final int keyCount = 1 + random.nextInt(KEYS.length);
            for (int i = 0; i < 2000; i++)
            {
                final long key = KEYS[random.nextInt(keyCount)];
                final long timestamp = random.nextInt(1000) - 500;
                final long value = random.nextInt(30) == 0 ? -1 - random.nextInt(10) : random.nextInt(1000);
                add(key, timestamp, value);
                reference.onRecord(key, timestamp, value);
                if (random.nextInt(4) != 0)
                {
                    emitPending(1 + random.nextInt(3));
                    reference.emitPending();
                }
                if (random.nextInt(40) == 0)
                {
                    final int limit = 1 + random.nextInt(3);
                    while (!operator.advanceWatermark(timestamp, limit))
                    {
                        assertTrue(operator.hasPending());
                    }
                    reference.emitPending();
                }
                assertEquals(reference.drain(), recorder.drain(), context + " record " + i);
            }
            endOfStream(1 + random.nextInt(3));
            reference.endOfStream();
            assertEquals(byKey(reference.drain()), byKey(recorder.drain()), context + " end of stream");
            assertEquals(emptyBytes, operator.allocatedBytes(), context);
            operator.close();
            operator = null;
        }
    }

    /**
     * The semantics in plain Java: each key's window as a list of records, the trigger re-implemented on it.
     */
    static final class Reference
    {
        final int kind;
        final long n;
        final Map<Long, List<long[]>> windows = new HashMap<>();
        final Map<Long, long[]> highs = new HashMap<>();
        final List<Emission> pending = new ArrayList<>();
        final List<Emission> emissions = new ArrayList<>();

        Reference(final int kind, final long n)
        {
            this.kind = kind;
            this.n = n;
        }

        void onRecord(final long key, final long timestamp, final long value)
        {
            final List<long[]> window = windows.computeIfAbsent(key, (k) -> new ArrayList<>());
            window.add(new long[]{timestamp, value});
            final byte decision;
            if (0 == kind)
            {
                decision = window.size() % n == 0 ? Trigger.FIRE_AND_PURGE : Trigger.CONTINUE;
            }
            else if (1 == kind)
            {
                decision = window.size() % n == 0 ? Trigger.FIRE : Trigger.CONTINUE;
            }
            else
            {
                final long[] high = highs.get(key);
                if (value < 0)
                {
                    decision = Trigger.FIRE_AND_PURGE;
                }
                else if (null == high)
                {
                    highs.put(key, new long[]{value});
                    decision = Trigger.CONTINUE;
                }
                else if (value > high[0])
                {
                    high[0] = value;
                    decision = Trigger.FIRE;
                }
                else
                {
                    decision = Trigger.CONTINUE;
                }
            }
            if (Trigger.CONTINUE != decision)
            {
                pending.add(Emission.of(key, Long.MIN_VALUE, Long.MAX_VALUE, ON_TIME, new ArrayList<>(window)));
            }
            if (Trigger.FIRE_AND_PURGE == decision)
            {
                windows.remove(key);
                highs.remove(key);
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
            windows.forEach((key, window) ->
                emissions.add(Emission.of(key, Long.MIN_VALUE, Long.MAX_VALUE, ON_TIME, window)));
            windows.clear();
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
    void shouldFireAndPurgeEveryNRecordsWithCountTrigger()
    {
        open(Trigger.count(3));
        for (int i = 0; i < 7; i++)
        {
            add(1, i, 1L << i);
        }
        assertEquals(List.of(), recorder.drain(), "onRecord emits nothing");
        emitPending(10);
        assertEquals(List.of(window(1, 0, 1, 1, 2, 2, 4), window(1, 3, 8, 4, 16, 5, 32)), recorder.drain());
        endOfStream(10);
        assertEquals(List.of(window(1, 6, 64)), recorder.drain());
    }

    @Test
    void shouldFireWithoutPurgingWithContinuousCountTrigger()
    {
        open(Trigger.continuousCount(2));
        add(4, 10, 1);
        add(4, 11, 2);
        add(4, 12, 4); // After the FIRE and before emitPending: the queued result must not include it.
        emitPending(10);
        assertEquals(List.of(window(4, 10, 1, 11, 2)), recorder.drain());
        add(4, 13, 8);
        emitPending(10);
        assertEquals(List.of(window(4, 10, 1, 11, 2, 12, 4, 13, 8)), recorder.drain(), "FIRE kept the contents");
        endOfStream(10);
        assertEquals(List.of(window(4, 10, 1, 11, 2, 12, 4, 13, 8)), recorder.drain(),
            "the end of the stream fires every non-empty window once more");
    }

    @Test
    void shouldKeepPerKeyTriggerStateAndZeroItOnPurge()
    {
        open(new NewHighTrigger());
        add(1, 0, 5);   // First: remembers 5.
        add(2, 0, 100); // Another key, its own state.
        add(1, 1, 3);
        add(1, 2, 7);   // New high for key 1: FIRE.
        add(2, 1, 50);
        add(1, 3, -1);  // FIRE_AND_PURGE: window and state cleared.
        add(1, 4, 1);   // First again (state was zeroed), so no FIRE...
        add(1, 5, 2);   // ...and 2 > 1 is a new high.
        emitPending(10);
        assertEquals(List.of(
            window(1, 0, 5, 1, 3, 2, 7),
            window(1, 0, 5, 1, 3, 2, 7, 3, -1),
            window(1, 4, 1, 5, 2)), recorder.drain());
        endOfStream(1);
        assertEquals(byKey(List.of(window(1, 4, 1, 5, 2), window(2, 0, 100, 1, 50))), byKey(recorder.drain()));
    }

    @Test
    void shouldEmitOneResultPerCallWithLimitOne()
    {
        open(Trigger.count(1));
        add(1, 0, 1);
        add(2, 0, 2);
        add(3, 0, 3);
        assertEquals(1, operator.emitPending(1));
        assertFalse(operator.advanceWatermark(100, 1));
        assertEquals(100, operator.watermark(), "watermarks are tracked");
        assertTrue(operator.advanceWatermark(100, 1));
        assertEquals(List.of(window(1, 0, 1), window(2, 0, 2), window(3, 0, 3)), recorder.drain());

        operator.close();
        open(Trigger.count(1000));
        for (int key = 0; key < 5; key++)
        {
            add(key, key, key);
        }
        int calls = 1;
        while (!operator.endOfStream(1))
        {
            calls++;
        }
        assertEquals(5, calls, "five windows, one per call; the call that emits the last one finishes");
        assertEquals(5, recorder.drain().size());
    }

    @Test
    void shouldEmitNothingFromEmptyOperator()
    {
        open(Trigger.count(2));
        assertFalse(operator.hasPending());
        assertTrue(operator.advanceWatermark(5, 1));
        assertEquals(0, operator.onProcessingTime(5, 1));
        assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
        assertTrue(operator.endOfStream(1));
        assertEquals(List.of(), recorder.drain());
        assertEquals(0, operator.lateRecords());
    }

    @Test
    void shouldRejectUnknownTriggerDecision()
    {
        open((state, stateOffset, record, recordOffset, timestamp, count) -> 7);
        record.putLong(0, 1);
        assertThrows(IllegalStateException.class, () -> operator.onRecord(1, 0, record, 0));
    }

    @Test
    void shouldDescribeBuiltInTriggers()
    {
        assertEquals("count(3)", Trigger.count(3).toString());
        assertEquals("continuousCount(10)", Trigger.continuousCount(10).toString());
        assertEquals("global(count(3))", WindowAssigner.global(Trigger.count(3)).toString());
        assertThrows(IllegalArgumentException.class, () -> Trigger.count(0));
        assertThrows(IllegalArgumentException.class, () -> Trigger.continuousCount(-1));
        assertEquals(0, Trigger.count(3).stateLength());
    }

    @Test
    void shouldReturnToEmptySizeWhenEveryWindowIsPurged()
    {
        open(Trigger.count(2));
        final long emptyBytes = operator.allocatedBytes();
        for (int key = 0; key < 20_000; key++)
        {
            add(key, 0, key);
        }
        assertTrue(operator.allocatedBytes() > emptyBytes);
        for (int key = 0; key < 20_000; key++)
        {
            add(key, 1, key);
        }
        emitPending(100_000);
        assertEquals(20_000, recorder.drain().size());
        assertEquals(emptyBytes, operator.allocatedBytes(), "all purged and emitted: back to the initial tables");

        for (int key = 0; key < 20_000; key++)
        {
            add(key, 0, key);
        }
        endOfStream(7);
        assertEquals(20_000, recorder.drain().size());
        assertEquals(emptyBytes, operator.allocatedBytes());
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final CountSumAggregate.Folding folding = new CountSumAggregate.Folding();
        operator = WindowAssigner.global(new NewHighTrigger()).newOperator(memory, OWNER, aggregate, 0, 0, folding);
        final long[] allocated = CountedAllocations.measure(() ->
        {
            for (int i = 0; i < 50_000; i++)
            {
                record.putLong(0, i % 13 == 0 ? -1 : (i * 7919L) % 1000);
                operator.onRecord(i % 300, i, record, 0);
                if (i % 3 == 0)
                {
                    operator.emitPending(Integer.MAX_VALUE);
                }
            }
        });
        CountedAllocations.assertSteadyStateAllocatesNothing("global windows, 50,000 records a round", allocated);
        assertTrue(folding.results > 10_000, "results " + folding.results);
    }
}
