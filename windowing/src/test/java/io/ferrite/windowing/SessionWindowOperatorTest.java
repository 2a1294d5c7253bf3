package io.ferrite.windowing;

import static io.ferrite.windowing.Firing.EARLY;
import static io.ferrite.windowing.Firing.LATE;
import static io.ferrite.windowing.Firing.ON_TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
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
 * Session windows against a plain-Java reference that keeps every record of every live session in a list and
 * recomputes each result from them; and the edge cases: bridging, touching, duplicates, late merges, the ends of the
 * long range, bounded output, early results, memory and allocation.
 */
class SessionWindowOperatorTest
{
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final String OWNER = "session-test";
    private static final long[] KEYS = {0, 1, -1, 42, Long.MIN_VALUE, 7};

    private final CountSumAggregate aggregate = new CountSumAggregate();
    private final CountSumAggregate.Recorder recorder = new CountSumAggregate.Recorder();
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[8]);
    private final MemoryManager memory = new MemoryManager(256L << 20);
    private final long[] totals = new long[5]; // EARLY, ON_TIME, LATE, refused, bridging records.
    private WindowOperator operator;
    private long steadyTime;

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

    private WindowOperator open(final long gap, final long lateness, final long early)
    {
        operator = WindowAssigner.session(gap).newOperator(memory, OWNER, aggregate, lateness, early, recorder);
        return operator;
    }

    private boolean add(final long key, final long timestamp, final long value)
    {
        record.putLong(0, value);
        return operator.onRecord(key, timestamp, record, 0);
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
        assertEquals(0, operator.emitPending(limit));
    }

    private int advance(final long watermark, final int limit)
    {
        int calls = 0;
        while (true)
        {
            final int before = recorder.emissions.size();
            final boolean done = operator.advanceWatermark(watermark, limit);
            calls++;
            assertTrue(recorder.emissions.size() - before <= limit, "more than " + limit + " results in one call");
            if (done)
            {
                return calls;
            }
            assertTrue(calls < 1_000_000, "advanceWatermark never finished");
        }
    }

    private void processingTime(final long now, final int limit)
    {
        int calls = 0;
        do
        {
            final int before = recorder.emissions.size();
            final int emitted = operator.onProcessingTime(now, limit);
            assertEquals(emitted, recorder.emissions.size() - before);
            assertTrue(emitted <= limit);
            assertTrue(++calls < 1_000_000, "onProcessingTime never finished");
        }
        while (operator.nextProcessingTime() <= now);
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

    private static Emission result(final long key, final long start, final long end, final byte firing,
        final long... timestampsAndValues)
    {
        final List<long[]> records = new ArrayList<>();
        for (int i = 0; i < timestampsAndValues.length; i += 2)
        {
            records.add(new long[]{timestampsAndValues[i], timestampsAndValues[i + 1]});
        }
        return Emission.of(key, start, end, firing, records);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Against the reference.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldMatchReferenceWithoutLateness()
    {
        for (int run = 0; run < 12; run++)
        {
            randomRun(SEED + run, false, false, 0);
        }
        assertCovered(true, false, false, 100);
    }

    @Test
    void shouldMatchReferenceWithLateness()
    {
        for (int run = 0; run < 12; run++)
        {
            randomRun(SEED + 1000 + run, true, false, -5000);
        }
        assertCovered(true, true, false, 100);
    }

    @Test
    void shouldMatchReferenceWithLatenessAndEarlyResults()
    {
        for (int run = 0; run < 12; run++)
        {
            randomRun(SEED + 2000 + run, true, true, 1L << 40);
        }
        assertCovered(true, true, true, 100);
    }

    @Test
    void shouldMatchReferenceNearTheTopOfTheLongRange()
    {
        for (int run = 0; run < 6; run++)
        {
            randomRun(SEED + 3000 + run, run % 2 == 0, run % 3 == 0, Long.MAX_VALUE - 4000);
        }
        assertCovered(true, true, true, 10);
    }

    private void assertCovered(final boolean refused, final boolean late, final boolean early, final long least)
    {
        final String what = "EARLY/ON_TIME/LATE/refused/bridging " + Arrays.toString(totals) + " seed=" + SEED;
        System.out.println("session random runs: " + what);
        assertTrue(totals[ON_TIME] > 10 * least && totals[4] > least / 10, what);
        assertTrue(!refused || totals[3] > least, what);
        assertTrue(!late || totals[LATE] > least, what);
        assertTrue(!early || totals[EARLY] > least, what);
    }

    private void randomRun(final long seed, final boolean lateness, final boolean early, final long firstBase)
    {
        final Random random = new Random(seed);
        final long gap = 1 + random.nextInt(15);
        final long allowedLateness = lateness ? 1 + random.nextInt(30) : 0;
        final long period = early ? 1 + random.nextInt(8) : 0;
        final int keyCount = 1 + random.nextInt(KEYS.length);
        final String context = "seed=" + seed + " gap=" + gap + " lateness=" + allowedLateness + " early=" + period;

        open(gap, allowedLateness, period);
        final long emptyBytes = operator.allocatedBytes();
        final Reference reference = new Reference(gap, allowedLateness, period);
        long base = firstBase;
        long now = 0;
        for (int step = 0; step < 2500; step++)
        {
            final int limit = 1 + random.nextInt(3);
            final int choice = random.nextInt(100);
            final String where = context + " step=" + step;
            if (choice < 70)
            {
                if (early && random.nextInt(3) == 0)
                {
                    now += random.nextInt(4); // As the engine does before a record: tells the time, emits nothing.
                    assertEquals(0, operator.onProcessingTime(now, 0));
                    reference.now = Math.max(reference.now, now);
                }
                final long key = KEYS[random.nextInt(keyCount)];
                final long lag = random.nextInt(5) == 0 ? random.nextInt(80) : random.nextInt(6);
                final long timestamp = base - lag;
                final long value = random.nextInt(2001) - 1000;
                final boolean taken = add(key, timestamp, value);
                assertEquals(reference.onRecord(key, timestamp, value), taken, where + " record " + key + "@" +
                    timestamp);
                if (!taken)
                {
                    assertEquals(reference.missedStart, operator.missedWindowStart(), where);
                    assertEquals(reference.missedEnd, operator.missedWindowEnd(), where);
                }
                final long step2 = random.nextInt(8) == 0 ? random.nextInt((int)gap * 2 + 1) : random.nextInt(3);
                base = base > Long.MAX_VALUE - step2 ? Long.MAX_VALUE : base + step2;
                if (random.nextInt(5) != 0)
                {
                    emitPending(limit);
                    reference.emitPending();
                }
            }
            else if (choice < 85)
            {
                final long watermark = base - random.nextInt(25);
                advance(watermark, limit);
                reference.advanceWatermark(watermark);
                assertEquals(reference.watermark, operator.watermark(), where);
            }
            else if (choice < 95 && early)
            {
                now += random.nextInt(6);
                processingTime(now, limit);
                reference.onProcessingTime(now);
            }
            else
            {
                emitPending(limit);
                reference.emitPending();
            }
            assertEquals(reference.drain(), recorder.drain(), where);
            assertEquals(reference.lateRecords, operator.lateRecords(), where);
            assertEquals(reference.nextProcessingTime(), operator.nextProcessingTime(), where);
            final long nextFiring = operator.nextFiringTime();
            assertTrue(nextFiring <= reference.nextFiringTime(), where + " next firing " + nextFiring + " after " +
                reference.nextFiringTime());
            assertTrue(nextFiring == Long.MAX_VALUE || nextFiring > operator.watermark(), where);
        }
        endOfStream(1 + random.nextInt(3));
        reference.endOfStream();
        assertEquals(reference.drain(), recorder.drain(), context + " end of stream");
        assertEquals(emptyBytes, operator.allocatedBytes(), context + ": state left after the end of the stream");
        for (int firing = 0; firing < 3; firing++)
        {
            totals[firing] += reference.firings[firing];
        }
        totals[3] += reference.lateRecords;
        totals[4] += reference.bridges;
        operator.close();
        operator = null;
    }

    /**
     * The semantics in plain Java: every live session of every key with its records in a list, results recomputed
     * from the records.
     */
    static final class Reference
    {
        final long gap;
        final long lateness;
        final long period;
        final Map<Long, List<Session>> sessions = new HashMap<>();
        final Map<Long, Long> earlyTimers = new HashMap<>();
        final TreeMap<Long, Session> pending = new TreeMap<>();
        final List<Emission> emissions = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        long now;
        long sequence;
        long lateRecords;
        long missedStart;
        long missedEnd;
        final long[] firings = new long[3];
        long bridges;

        static final class Session
        {
            final long key;
            long start;
            long end;
            final List<long[]> records = new ArrayList<>();
            boolean fired;
            long pendingSequence;

            Session(final long key)
            {
                this.key = key;
            }
        }

        Reference(final long gap, final long lateness, final long period)
        {
            this.gap = gap;
            this.lateness = lateness;
            this.period = period;
        }

        static long saturatedAdd(final long a, final long b)
        {
            final long sum = a + b;
            return sum < a ? Long.MAX_VALUE : sum;
        }

        boolean onRecord(final long key, final long timestamp, final long value)
        {
            final long end = saturatedAdd(timestamp, gap);
            final List<Session> live = sessions.computeIfAbsent(key, (k) -> new ArrayList<>());
            final List<Session> overlapping = new ArrayList<>();
            for (final Session session : live)
            {
                if (session.start <= end && session.end >= timestamp)
                {
                    overlapping.add(session);
                }
            }
            if (overlapping.isEmpty() && saturatedAdd(end - 1, lateness) <= watermark)
            {
                if (live.isEmpty())
                {
                    sessions.remove(key);
                }
                lateRecords++;
                missedStart = timestamp;
                missedEnd = end;
                return false;
            }
            final Session merged = new Session(key);
            merged.start = timestamp;
            merged.end = end;
            long earliestPending = 0;
            for (final Session session : overlapping)
            {
                merged.start = Math.min(merged.start, session.start);
                merged.end = Math.max(merged.end, session.end);
                merged.records.addAll(session.records);
                if (0 != session.pendingSequence)
                {
                    pending.remove(session.pendingSequence);
                    earliestPending = 0 == earliestPending ? session.pendingSequence :
                        Math.min(earliestPending, session.pendingSequence);
                }
                live.remove(session);
            }
            merged.records.add(new long[]{timestamp, value});
            bridges += overlapping.size() >= 2 ? 1 : 0;
            if (merged.end - 1 <= watermark)
            {
                merged.fired = true;
                merged.pendingSequence = 0 != earliestPending ? earliestPending : ++sequence;
                pending.put(merged.pendingSequence, merged);
            }
            live.add(merged);
            if (period > 0 && !earlyTimers.containsKey(key))
            {
                earlyTimers.put(key, saturatedAdd(now, period));
            }
            return true;
        }

        void emitPending()
        {
            for (final Session session : pending.values())
            {
                emit(session, LATE);
                session.pendingSequence = 0;
            }
            pending.clear();
        }

        void advanceWatermark(final long newWatermark)
        {
            emitPending();
            if (newWatermark > watermark)
            {
                fire(newWatermark);
                watermark = newWatermark;
            }
        }

        void endOfStream()
        {
            emitPending();
            fire(Long.MAX_VALUE);
            watermark = Long.MAX_VALUE;
            assertTrue(sessions.isEmpty() && earlyTimers.isEmpty());
        }

        void onProcessingTime(final long time)
        {
            now = Math.max(now, time);
            while (true)
            {
                Map.Entry<Long, Long> next = null;
                for (final Map.Entry<Long, Long> timer : earlyTimers.entrySet())
                {
                    if (timer.getValue() <= now && (null == next || timer.getValue() < next.getValue() ||
                        (timer.getValue().equals(next.getValue()) &&
                        Long.compareUnsigned(timer.getKey(), next.getKey()) < 0)))
                    {
                        next = timer;
                    }
                }
                if (null == next)
                {
                    return;
                }
                final long key = next.getKey();
                earlyTimers.remove(key);
                final List<Session> unfired = new ArrayList<>();
                for (final Session session : sessions.getOrDefault(key, List.of()))
                {
                    if (!session.fired)
                    {
                        unfired.add(session);
                    }
                }
                unfired.sort(Comparator.comparingLong((s) -> s.start));
                for (final Session session : unfired)
                {
                    emit(session, EARLY);
                }
            }
        }

        long nextFiringTime()
        {
            long next = Long.MAX_VALUE;
            for (final List<Session> live : sessions.values())
            {
                for (final Session session : live)
                {
                    next = session.fired ? next : Math.min(next, session.end - 1);
                }
            }
            return next;
        }

        long nextProcessingTime()
        {
            long next = Long.MAX_VALUE;
            for (final long time : earlyTimers.values())
            {
                next = Math.min(next, time);
            }
            return next;
        }

        private void fire(final long newWatermark)
        {
            final List<Session> due = new ArrayList<>();
            for (final List<Session> live : sessions.values())
            {
                for (final Session session : live)
                {
                    if (!session.fired && session.end - 1 <= newWatermark)
                    {
                        due.add(session);
                    }
                }
            }
            due.sort((a, b) -> a.end != b.end ? Long.compare(a.end, b.end) : Long.compareUnsigned(a.key, b.key));
            for (final Session session : due)
            {
                emit(session, ON_TIME);
                session.fired = true;
            }
            for (final Iterator<Map.Entry<Long, List<Session>>> keys = sessions.entrySet().iterator();
                keys.hasNext();)
            {
                final Map.Entry<Long, List<Session>> entry = keys.next();
                entry.getValue().removeIf((s) -> s.fired && saturatedAdd(s.end - 1, lateness) <= newWatermark);
                if (entry.getValue().isEmpty())
                {
                    keys.remove();
                    earlyTimers.remove(entry.getKey());
                }
            }
        }

        private void emit(final Session session, final byte firing)
        {
            firings[firing]++;
            emissions.add(Emission.of(session.key, session.start, session.end, firing, session.records));
        }

        List<Emission> drain()
        {
            final List<Emission> drained = new ArrayList<>(emissions);
            emissions.clear();
            return drained;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Edge cases.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldMergeTwoSessionsBridgedByOneRecord()
    {
        open(10, 0, 0);
        assertTrue(add(5, 0, 1));
        assertTrue(add(5, 20, 2));
        assertTrue(add(5, 40, 4));
        assertTrue(add(5, 10, 8)); // [10, 20) touches [0, 10) at 10 and [20, 30) at 20, not [40, 50).
        advance(Long.MAX_VALUE - 1, 100);
        assertEquals(List.of(
            result(5, 0, 30, ON_TIME, 0, 1, 20, 2, 10, 8),
            result(5, 40, 50, ON_TIME, 40, 4)), recorder.drain());
    }

    @Test
    void shouldMergeSessionsChainedByRecordsBeforeTheWatermark()
    {
        // Every session is at least one gap long, so one record can touch at most two sessions; a chain of three
        // needs two records, and the second merges the result of the first with the third.
        open(10, 0, 0);
        add(1, 0, 1);
        add(1, 20, 2);
        add(1, 40, 3);
        add(1, 10, 4);
        assertEquals(List.of(), recorder.drain());
        add(1, 30, 5);
        advance(49, 10);
        assertEquals(List.of(result(1, 0, 50, ON_TIME, 0, 1, 20, 2, 40, 3, 10, 4, 30, 5)), recorder.drain());
    }

    @Test
    void shouldKeepManySessionsPerKey()
    {
        open(10, 0, 0);
        final Reference reference = new Reference(10, 0, 0);
        for (int i = 1999; i >= 0; i--) // 2,000 disjoint sessions of one key, the newest first.
        {
            assertTrue(add(8, i * 20L, i));
            reference.onRecord(8, i * 20L, i);
        }
        for (int i = 0; i < 2000; i += 7) // Bridge some neighbours: [i * 20 + 10, i * 20 + 20) touches both.
        {
            assertTrue(add(8, i * 20L + 10, -i));
            reference.onRecord(8, i * 20L + 10, -i);
        }
        advance(20_000, 100);
        reference.advanceWatermark(20_000);
        endOfStream(1000);
        reference.endOfStream();
        final List<Emission> expected = reference.drain();
        assertEquals(2000 - 286, expected.size());
        assertEquals(expected, recorder.drain());
    }

    @Test
    void shouldMergeTouchingSessionsAtEitherEnd()
    {
        open(10, 0, 0);
        add(3, 0, 1);
        add(3, 10, 2);  // [10, 20) touches [0, 10): e == t.
        add(3, -10, 4); // [-10, 0) touches [0, 20): t + gap == s.
        add(3, 31, 8);  // [31, 41) does not touch [-10, 20).
        advance(19, 10);
        assertEquals(List.of(result(3, -10, 20, ON_TIME, 0, 1, 10, 2, -10, 4)), recorder.drain());
        advance(40, 10);
        assertEquals(List.of(result(3, 31, 41, ON_TIME, 31, 8)), recorder.drain());
    }

    @Test
    void shouldCountDuplicateTimestamps()
    {
        open(5, 0, 0);
        for (int i = 0; i < 4; i++)
        {
            assertTrue(add(9, 100, 10 + i));
        }
        advance(103, 10);
        assertEquals(List.of(), recorder.drain());
        advance(104, 10);
        assertEquals(List.of(result(9, 100, 105, ON_TIME, 100, 10, 100, 11, 100, 12, 100, 13)), recorder.drain());
    }

    @Test
    void shouldEmitLateResultOfWiderSessionWhenLateRecordMergesIntoFiredSession()
    {
        open(10, 20, 0);
        add(2, 0, 1);
        advance(9, 10);
        assertEquals(List.of(result(2, 0, 10, ON_TIME, 0, 1)), recorder.drain());
        advance(20, 10);
        assertTrue(add(2, 8, 2)); // [8, 18) merges into the fired [0, 10): [0, 18) is closed at watermark 20.
        assertTrue(operator.hasPending());
        assertTrue(add(2, 9, 4)); // Same session again before emitPending: one LATE result, latest contents.
        assertEquals(List.of(), recorder.drain(), "onRecord emits nothing");
        emitPending(10);
        assertEquals(List.of(result(2, 0, 19, LATE, 0, 1, 8, 2, 9, 4)), recorder.drain());
        assertFalse(operator.hasPending());

        advance(38, 10); // Cleanup at 18 + 20 = 38: state freed, a record for it is now refused.
        assertFalse(add(2, 3, 8));
        assertEquals(1, operator.lateRecords());
        assertEquals(3, operator.missedWindowStart());
        assertEquals(13, operator.missedWindowEnd());
        assertEquals(List.of(), recorder.drain());
    }

    @Test
    void shouldEmitLateResultOfNewSessionWithinLateness()
    {
        open(10, 20, 0);
        advance(30, 10);
        assertTrue(add(4, 15, 1)); // [15, 25): closed at 30 but kept until 24 + 20 = 44.
        assertFalse(add(4, 0, 2)); // [0, 10): 9 + 20 <= 30, refused.
        emitPending(1);
        assertEquals(List.of(result(4, 15, 25, LATE, 15, 1)), recorder.drain());
        assertEquals(1, operator.lateRecords());
        assertEquals(0, operator.missedWindowStart());
        assertEquals(10, operator.missedWindowEnd());
    }

    @Test
    void shouldReopenFiredSessionWhenOnTimeRecordMergesIntoIt()
    {
        open(10, 100, 0);
        add(6, 0, 1);
        advance(9, 10);
        assertEquals(List.of(result(6, 0, 10, ON_TIME, 0, 1)), recorder.drain());
        assertTrue(add(6, 10, 2)); // Not late (10 > 9), touches the kept [0, 10): [0, 20) is open again.
        assertFalse(operator.hasPending());
        advance(18, 10);
        assertEquals(List.of(), recorder.drain());
        advance(19, 10);
        assertEquals(List.of(result(6, 0, 20, ON_TIME, 0, 1, 10, 2)), recorder.drain());
    }

    @Test
    void shouldKeepEarliestQueuePlaceWhenLateRecordsMergeQueuedSessions()
    {
        open(10, 1000, 0);
        add(1, 0, 1);
        add(1, 20, 2);
        add(2, 0, 3);
        advance(100, 10);
        recorder.drain();
        add(1, 22, 4);  // Queues [20, 32) of key 1.
        add(2, 1, 5);   // Queues [0, 11) of key 2.
        add(1, 5, 6);   // Queues [0, 15) of key 1.
        add(1, 12, 7);  // Bridges [0, 15) and [20, 32): keeps the place of [20, 32), the earliest.
        emitPending(10);
        assertEquals(List.of(
            result(1, 0, 32, LATE, 0, 1, 20, 2, 22, 4, 5, 6, 12, 7),
            result(2, 0, 11, LATE, 0, 3, 1, 5)), recorder.drain());
    }

    @Test
    void shouldHandleSessionsAtZeroNegativeAndTheEndsOfTheLongRange()
    {
        open(10, 0, 0);
        add(0, 0, 1);
        add(0, -3, 2);
        add(0, Long.MIN_VALUE, 4);
        add(0, Long.MAX_VALUE - 5, 8); // [MAX - 5, MAX): t + gap overflows and is clamped, not wrapped.
        add(0, Long.MAX_VALUE, 16);    // [MAX, MAX) touches it: e == t.
        advance(Long.MIN_VALUE + 9, 10);
        assertEquals(List.of(result(0, Long.MIN_VALUE, Long.MIN_VALUE + 10, ON_TIME, Long.MIN_VALUE, 4)),
            recorder.drain());
        advance(9, 10);
        assertEquals(List.of(result(0, -3, 10, ON_TIME, 0, 1, -3, 2)), recorder.drain());
        advance(Long.MAX_VALUE - 2, 10);
        assertEquals(List.of(), recorder.drain());
        advance(Long.MAX_VALUE - 1, 10);
        assertEquals(List.of(result(0, Long.MAX_VALUE - 5, Long.MAX_VALUE, ON_TIME, Long.MAX_VALUE - 5, 8,
            Long.MAX_VALUE, 16)), recorder.drain());
        assertEquals(0, operator.lateRecords());
    }

    @Test
    void shouldKeepSessionAtTopOfRangeWithLatenessUntilFinalWatermark()
    {
        open(10, Long.MAX_VALUE, 0); // Cleanup time saturates at Long.MAX_VALUE.
        add(1, Long.MAX_VALUE - 3, 1);
        advance(Long.MAX_VALUE - 1, 10);
        assertEquals(List.of(result(1, Long.MAX_VALUE - 3, Long.MAX_VALUE, ON_TIME, Long.MAX_VALUE - 3, 1)),
            recorder.drain());
        add(1, Long.MAX_VALUE - 12, 2); // Late, touches it: [MAX - 12, MAX) is closed, so LATE.
        emitPending(10);
        assertEquals(List.of(result(1, Long.MAX_VALUE - 12, Long.MAX_VALUE, LATE, Long.MAX_VALUE - 3, 1,
            Long.MAX_VALUE - 12, 2)), recorder.drain());
        advance(Long.MAX_VALUE, 10);
        assertEquals(List.of(), recorder.drain());
        assertFalse(add(1, Long.MAX_VALUE - 12, 4), "everything is expired at the final watermark");
    }

    @Test
    void shouldResumeWithLimitOfOne()
    {
        open(10, 5, 0);
        for (int key = 0; key < 20; key++)
        {
            for (int t = 0; t < 50; t += 25)
            {
                add(key, t + key % 3, key * 100 + t);
            }
        }
        final long before = operator.watermark();
        final int calls = advance(100, 1);
        assertEquals(41, calls, "40 sessions, one per call, and a last call that finds the rest is cleanup");
        final List<Emission> one = recorder.drain();
        assertEquals(40, one.size());
        assertTrue(before < operator.watermark());

        // The same stream with a large limit gives the same results in the same order.
        operator.close();
        open(10, 5, 0);
        for (int key = 0; key < 20; key++)
        {
            for (int t = 0; t < 50; t += 25)
            {
                add(key, t + key % 3, key * 100 + t);
            }
        }
        assertEquals(1, advance(100, 1000));
        assertEquals(one, recorder.drain());
        for (int i = 1; i < one.size(); i++)
        {
            final Emission a = one.get(i - 1);
            final Emission b = one.get(i);
            assertTrue(a.end() < b.end() || (a.end() == b.end() && Long.compareUnsigned(a.key(), b.key()) < 0),
                "results by end, then key: " + a + " then " + b);
        }
    }

    @Test
    void shouldKeepPreviousWatermarkUntilInterruptedAdvanceCompletes()
    {
        open(10, 0, 0);
        add(1, 0, 1);
        add(2, 0, 2);
        assertFalse(operator.advanceWatermark(50, 1));
        assertEquals(Long.MIN_VALUE, operator.watermark());
        assertTrue(add(2, 5, 4), "key 2's session has not fired yet, so it still takes records on time");
        assertTrue(operator.advanceWatermark(50, 1));
        assertEquals(50, operator.watermark());
        assertEquals(List.of(result(1, 0, 10, ON_TIME, 0, 1), result(2, 0, 15, ON_TIME, 0, 2, 5, 4)),
            recorder.drain());
    }

    @Test
    void shouldFireAllAtEndOfStreamAndFreeState()
    {
        open(10, 50, 3);
        final long emptyBytes = operator.allocatedBytes();
        for (int key = 0; key < 3000; key++)
        {
            add(key, key, 1);
            add(key, key + 100, 2);
        }
        assertTrue(operator.allocatedBytes() > emptyBytes, "the tables grew");
        advance(60, 1000);
        assertEquals(52, recorder.drain().size(), "[k, k + 10) for k + 9 <= 60");
        add(7, 15, 1); // Merges into the fired, kept [7, 17): [7, 25) is closed, a LATE result is queued.
        endOfStream(7);
        final List<Emission> results = recorder.drain();
        assertEquals(1 + (3000 - 52) + 3000, results.size());
        assertEquals(result(7, 7, 25, LATE, 7, 1, 15, 1), results.get(0));
        for (int i = 1; i < results.size(); i++)
        {
            assertEquals(ON_TIME, results.get(i).firing());
        }
        assertEquals(emptyBytes, operator.allocatedBytes());
        assertEquals(Long.MAX_VALUE, operator.nextProcessingTime(), "early timers went with their keys");
        assertTrue(operator.endOfStream(1));
        assertEquals(List.of(), recorder.drain());
    }

    @Test
    void shouldEmitNothingFromEmptyOperator()
    {
        open(10, 5, 5);
        assertFalse(operator.hasPending());
        assertEquals(0, operator.emitPending(10));
        assertTrue(operator.advanceWatermark(1000, 10));
        assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
        assertEquals(0, operator.onProcessingTime(1000, 10));
        assertTrue(operator.endOfStream(10));
        assertEquals(List.of(), recorder.drain());
        assertEquals(0, operator.lateRecords());
    }

    @Test
    void shouldEmitEarlyResultsOnManualProcessingTime()
    {
        open(10, 100, 5);
        add(1, 0, 1);                            // Early timer at 0 + 5.
        assertEquals(5, operator.nextProcessingTime());
        assertEquals(0, operator.onProcessingTime(4, 10));
        assertEquals(1, operator.onProcessingTime(5, 10));
        assertEquals(List.of(result(1, 0, 10, EARLY, 0, 1)), recorder.drain());
        assertEquals(Long.MAX_VALUE, operator.nextProcessingTime(), "no new timer until the key takes a record");
        assertEquals(0, operator.onProcessingTime(100, 10));

        add(1, 50, 2);                           // Timer at 100 + 5.
        add(1, 30, 4);                           // Separate sessions: [0, 10), [30, 40), [50, 60).
        add(2, 0, 8);
        advance(9, 10);                          // [0, 10) of both keys fire; key 1's is kept for lateness.
        assertEquals(List.of(result(1, 0, 10, ON_TIME, 0, 1), result(2, 0, 10, ON_TIME, 0, 8)), recorder.drain());
        assertEquals(105, operator.nextProcessingTime());
        assertEquals(1, operator.onProcessingTime(105, 1));
        assertEquals(105, operator.nextProcessingTime(), "more is due now: call again");
        assertEquals(1, operator.onProcessingTime(105, 1));
        assertEquals(Long.MAX_VALUE, operator.nextProcessingTime());
        assertEquals(List.of(result(1, 30, 40, EARLY, 30, 4), result(1, 50, 60, EARLY, 50, 2)), recorder.drain(),
            "unfired sessions only, in start order; key 2's only session has fired");
    }

    @Test
    void shouldOnlyTakeTheTimeFromProcessingTimeWithLimitZero()
    {
        open(10, 0, 5);
        assertEquals(0, operator.onProcessingTime(100, 0));
        add(1, 0, 1);
        assertEquals(105, operator.nextProcessingTime(), "the early timer is a period after the time told");
        assertEquals(0, operator.onProcessingTime(200, 0));
        assertEquals(105, operator.nextProcessingTime(), "a limit of 0 runs nothing");
        assertEquals(List.of(), recorder.drain());
        assertEquals(1, operator.onProcessingTime(200, 10));
        assertEquals(List.of(result(1, 0, 10, EARLY, 0, 1)), recorder.drain());
    }

    @Test
    void shouldGiveLowerBoundOfNextFiringTime()
    {
        open(10, 30, 0);
        assertEquals(Long.MAX_VALUE, operator.nextFiringTime());
        add(1, 0, 1);
        assertEquals(9, operator.nextFiringTime());
        add(1, 5, 2); // Extends the session to [0, 15): its timer stays at 9 and moves itself when it fires.
        assertEquals(9, operator.nextFiringTime());
        advance(9, 10);
        assertEquals(List.of(), recorder.drain());
        assertEquals(14, operator.nextFiringTime());
        advance(14, 10);
        assertEquals(List.of(result(1, 0, 15, ON_TIME, 0, 1, 5, 2)), recorder.drain());
        assertEquals(44, operator.nextFiringTime(), "its cleanup");
        advance(44, 10);
        assertEquals(Long.MAX_VALUE, operator.nextFiringTime());
    }

    @Test
    void shouldFireProcessingTimeSessionsDrivenByNextFiringTime()
    {
        operator = WindowAssigner.session(10).inProcessingTime().newOperator(memory, OWNER, aggregate, 99, 0,
            recorder);
        long clock = 1000;
        for (int i = 0; i < 40; i++)
        {
            clock += i > 0 && i % 10 == 0 ? 25 : 3; // Bursts of ten records three apart, pauses longer than the gap.
            // What the engine does when the clock passes nextFiringTime(): the watermark follows the clock.
            while (operator.nextFiringTime() != Long.MAX_VALUE && operator.nextFiringTime() + 1 <= clock)
            {
                advance(clock - 1, 1);
            }
            add(2, clock, i);
        }
        endOfStream(1);
        final List<Emission> results = recorder.drain();
        assertEquals(4, results.size(), results.toString());
        for (final Emission emission : results)
        {
            assertEquals(10, emission.count(), emission.toString());
            assertEquals(ON_TIME, emission.firing());
        }
        assertEquals(0, operator.lateRecords(), "no lateness in processing time, and nothing late either");
    }

    @Test
    void shouldRefuseLateRecordsExactly()
    {
        open(10, 0, 0);
        add(1, 0, 1);
        advance(9, 10);
        recorder.drain();
        assertFalse(add(1, 0, 2));      // [0, 10): 9 <= 9.
        assertTrue(add(1, 5, 2));       // [5, 15): not expired; the fired [0, 10) is gone, so a new session.
        assertFalse(add(1, -100, 2));
        assertEquals(2, operator.lateRecords());
        assertEquals(-100, operator.missedWindowStart());
        assertEquals(-90, operator.missedWindowEnd());
        advance(14, 10);
        assertEquals(List.of(result(1, 5, 15, ON_TIME, 5, 2)), recorder.drain());
    }

    @Test
    void shouldReturnToEmptySizeWhenEverythingExpires()
    {
        open(7, 3, 0);
        final long emptyBytes = operator.allocatedBytes();
        for (int round = 0; round < 3; round++)
        {
            for (int key = 0; key < 5000; key++)
            {
                add(key * 31L, round * 1000L + key % 17, key);
            }
            assertTrue(operator.allocatedBytes() > emptyBytes);
            advance(round * 1000L + 500, 100_000);
            assertEquals(5000, recorder.drain().size());
            assertEquals(emptyBytes, operator.allocatedBytes(), "round " + round);
        }
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final CountSumAggregate.Folding folding = new CountSumAggregate.Folding();
        operator = WindowAssigner.session(10).newOperator(memory, OWNER, aggregate, 20, 7, folding);
        final long[] allocated = CountedAllocations.measure(this::steadyState);
        CountedAllocations.assertSteadyStateAllocatesNothing("session windows, 50,000 records a round", allocated);
        assertTrue(folding.results > 100_000, "results " + folding.results);
    }

    /**
     * 50,000 records over 500 keys, some late, some bridging, with watermarks and processing time advancing so that
     * sessions fire, take late records, emit early results and are freed.
     */
    private void steadyState()
    {
        long time = steadyTime;
        for (int i = 0; i < 50_000; i++)
        {
            final long key = i % 500;
            record.putLong(0, i);
            operator.onRecord(key, time + (i % 7 == 0 ? -12 : i % 5), record, 0);
            operator.emitPending(Integer.MAX_VALUE);
            if (i % 250 == 0)
            {
                time += 6;
                operator.advanceWatermark(time - 8, Integer.MAX_VALUE);
                operator.onProcessingTime(time, Integer.MAX_VALUE);
            }
        }
        steadyTime = time;
    }
}
