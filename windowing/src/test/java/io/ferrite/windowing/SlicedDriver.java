package io.ferrite.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.AggregatesReference;
import io.ferrite.windowing.aggregate.AggregatesReference.Part;
import io.ferrite.windowing.aggregate.AggregatesReference.Rec;

/**
 * Drives a tumbling or sliding {@link WindowOperator} and a {@link SlicedReference} with the same calls, and after each
 * call checks that every key received exactly the emissions the reference expects (order across keys is free), that
 * limits are honoured and return values are right, and the late-record bookkeeping. Every message names the context
 * (seed and configuration), the operation and the last operations before it.
 */
final class SlicedDriver implements AutoCloseable
{
    private static final int RECORD_OFFSET = 8; // Not zero: the operator must honour offsets.
    private static final int HISTORY = 24;
    private static final long MAX_CALLS = 10_000_000;

    private final String context;
    private final int limit;
    private final WindowOperator operator;
    private final SlicedReference reference;
    private final Schema outputSchema;
    private final AggregateFunction.ResultWriter writer;
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[AggregatesReference.INPUT.recordLength() + 16]);
    private final UnsafeBuffer result;
    private final Map<Long, List<String>> actual = new HashMap<>();
    private final Map<Long, Integer> checked = new HashMap<>();
    private final Set<Long> dirty = new LinkedHashSet<>();
    private final ArrayDeque<String> history = new ArrayDeque<>();
    private final long baselineBytes;
    private final long lateness;

    private long nextId;
    private long emittedInCall;
    private long operations;
    private long maxTimestamp = Long.MIN_VALUE;

    /**
     * @param memoryManager where the operator's state goes.
     * @param context       what to print in every message (seed, configuration).
     * @param size          window size.
     * @param slide         window slide ({@code == size} for tumbling windows).
     * @param offset        window offset, not normalised.
     * @param tumbling      whether to build {@link WindowAssigner#tumbling} rather than {@link WindowAssigner#sliding}.
     * @param lateness      allowed lateness.
     * @param earlyPeriod   early results period, 0 for none.
     * @param limit         the limit passed to every emitting call.
     * @param parts         the aggregates.
     */
    SlicedDriver(
        final MemoryManager memoryManager,
        final String context,
        final long size,
        final long slide,
        final long offset,
        final boolean tumbling,
        final long lateness,
        final long earlyPeriod,
        final int limit,
        final Part... parts)
    {
        this.context = context + " [" + (tumbling ? "tumbling(" + size : "sliding(" + size + ", " + slide) +
            ", offset " + offset + ") lateness=" + lateness + " early=" + earlyPeriod + " limit=" + limit +
            " parts=" + List.of(parts) + "]";
        this.limit = limit;
        this.lateness = lateness;
        final AggregateFunction aggregate = AggregatesReference.aggregate(parts);
        this.outputSchema = AggregatesReference.outputSchema(aggregate);
        this.writer = aggregate.bindResult(outputSchema);
        this.result = new UnsafeBuffer(new byte[outputSchema.recordLength() + 16]);
        this.reference = new SlicedReference(size, slide, offset, lateness, earlyPeriod, outputSchema, parts);
        final WindowAssigner assigner = tumbling ? WindowAssigner.tumbling(size, offset) :
            WindowAssigner.sliding(size, slide, offset);
        this.operator = assigner.newOperator(memoryManager, "op", aggregate, lateness, earlyPeriod, this::onWindow);
        this.baselineBytes = operator.allocatedBytes();
    }

    private void onWindow(
        final long key,
        final long start,
        final long end,
        final byte firing,
        final long count,
        final DirectBuffer accumulator,
        final int accumulatorOffset)
    {
        emittedInCall++;
        writer.write(accumulator, accumulatorOffset, result, RECORD_OFFSET);
        final String decoded = AggregatesReference.decode(outputSchema, result, RECORD_OFFSET);
        actual.computeIfAbsent(key, k -> new ArrayList<>())
            .add(SlicedReference.emission(start, end, firing, count, decoded));
        dirty.add(key);
    }

    WindowOperator operator()
    {
        return operator;
    }

    SlicedReference reference()
    {
        return reference;
    }

    String context()
    {
        return context;
    }

    Map<Long, List<String>> actual()
    {
        return actual;
    }

    long watermark()
    {
        return reference.watermark();
    }

    long maxTimestamp()
    {
        return maxTimestamp;
    }

    /**
     * Send a record, then emit what it made pending.
     *
     * @return whether the operator took it.
     */
    boolean record(final long key, final long ts, final long v, final double d, final long lat)
    {
        final Rec rec = new Rec(key, ts, v, d, lat, nextId++);
        log("record key=" + key + " ts=" + ts + " id=" + rec.id + " (watermark " + reference.watermark() + ")");
        rec.write(record, RECORD_OFFSET);
        emittedInCall = 0;
        final boolean taken = operator.onRecord(key, ts, record, RECORD_OFFSET);
        assertEquals(0, emittedInCall, () -> message("onRecord emitted"));
        final boolean expected = reference.onRecord(rec);
        assertEquals(expected, taken, () -> message("onRecord result of " + rec));
        assertEquals(reference.lateRecords(), operator.lateRecords(), () -> message("lateRecords"));
        if (!taken)
        {
            assertEquals(reference.missedStart(), operator.missedWindowStart(), () -> message("missedWindowStart"));
            assertEquals(reference.missedEnd(), operator.missedWindowEnd(), () -> message("missedWindowEnd"));
        }
        else
        {
            maxTimestamp = Math.max(maxTimestamp, ts);
        }
        emitPending();
        check();
        return taken;
    }

    private void emitPending()
    {
        if (limit == Integer.MAX_VALUE)
        {
            emittedInCall = 0;
            final int emitted = operator.emitPending(Integer.MAX_VALUE);
            assertEquals(emittedInCall, emitted, () -> message("emitPending's return"));
        }
        else
        {
            for (long calls = 0; operator.hasPending(); calls++)
            {
                assertTrue(calls < MAX_CALLS, () -> message("emitPending never drains"));
                emittedInCall = 0;
                final int emitted = operator.emitPending(limit);
                assertEquals(emittedInCall, emitted, () -> message("emitPending's return"));
                assertTrue(emitted <= limit, () -> message("emitPending over its limit"));
            }
            assertEquals(0, operator.emitPending(limit), () -> message("emitPending with nothing pending"));
        }
        assertFalse(operator.hasPending(), () -> message("hasPending after emitPending"));
    }

    void watermark(final long watermark)
    {
        log("watermark " + watermark);
        long calls = 0;
        boolean done;
        do
        {
            assertTrue(calls++ < MAX_CALLS, () -> message("advanceWatermark never finishes"));
            emittedInCall = 0;
            done = operator.advanceWatermark(watermark, limit);
            assertTrue(emittedInCall <= limit, () -> message("advanceWatermark over its limit: " + emittedInCall));
        }
        while (!done);
        reference.advanceWatermark(watermark);
        assertEquals(reference.watermark(), operator.watermark(), () -> message("watermark()"));
        assertFalse(operator.hasPending(), () -> message("hasPending after advanceWatermark"));
        check();
    }

    void processingTime(final long now)
    {
        log("processing time " + now);
        long calls = 0;
        do
        {
            assertTrue(calls++ < MAX_CALLS, () -> message("onProcessingTime never finishes"));
            emittedInCall = 0;
            final int emitted = operator.onProcessingTime(now, limit);
            assertEquals(emittedInCall, emitted, () -> message("onProcessingTime's return"));
            assertTrue(emitted <= limit, () -> message("onProcessingTime over its limit"));
        }
        while (operator.nextProcessingTime() <= now);
        reference.onProcessingTime(now);
        check();
    }

    void endOfStream()
    {
        log("end of stream");
        long calls = 0;
        boolean done;
        do
        {
            assertTrue(calls++ < MAX_CALLS, () -> message("endOfStream never finishes"));
            emittedInCall = 0;
            done = operator.endOfStream(limit);
            assertTrue(emittedInCall <= limit, () -> message("endOfStream over its limit: " + emittedInCall));
        }
        while (!done);
        reference.endOfStream();
        check();
        // A last check of everything, should an incremental check have missed a key.
        assertEquals(reference.emissions(), actual, () -> message("all emissions"));
        assertBaselineMemory("after endOfStream");
    }

    /**
     * Move the watermark past every window and its lateness, without ending the stream.
     */
    void passEverything()
    {
        final long last = reference.lastFireTime();
        if (last < Long.MAX_VALUE - 1_000_000 && last > Long.MIN_VALUE)
        {
            watermark(Math.max(reference.watermark(), last + lateness + 1));
            assertBaselineMemory("after the watermark passed every window");
        }
    }

    void assertBaselineMemory(final String when)
    {
        assertEquals(baselineBytes, operator.allocatedBytes(), () -> message("allocatedBytes " + when));
    }

    long baselineBytes()
    {
        return baselineBytes;
    }

    private void log(final String operation)
    {
        operations++;
        if (history.size() == HISTORY)
        {
            history.removeFirst();
        }
        history.addLast("#" + operations + " " + operation);
    }

    String message(final String what)
    {
        return context + ": " + what + " at operation #" + operations + "; last operations:\n  " +
            String.join("\n  ", history) + "\n";
    }

    /**
     * Compare the emissions since the last check, per key.
     */
    void check()
    {
        final Set<Long> keys = new LinkedHashSet<>(dirty);
        keys.addAll(reference.drainTouched());
        dirty.clear();
        for (final long key : keys)
        {
            final int from = checked.getOrDefault(key, 0);
            final List<String> expected = tail(reference.emissions().get(key), from);
            final List<String> got = tail(actual.get(key), from);
            if (!expected.equals(got))
            {
                fail(message("emissions of key " + key + " differ (the first " + from + " matched)") +
                    "expected:\n  " + String.join("\n  ", expected) + "\nactual:\n  " + String.join("\n  ", got));
            }
            checked.put(key, from + expected.size());
        }
    }

    private static List<String> tail(final List<String> list, final int from)
    {
        return null == list ? Collections.emptyList() : list.subList(Math.min(from, list.size()), list.size());
    }

    @Override
    public void close()
    {
        operator.close();
    }
}
