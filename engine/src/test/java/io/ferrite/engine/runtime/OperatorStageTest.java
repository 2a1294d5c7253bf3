package io.ferrite.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingProducer;

/**
 * An operator stage stepped by hand: records through the operator, the minimum watermark over two inputs, bounded
 * firing on a watermark before it is forwarded, back-pressure, an operator not ready for records (nor for a
 * checkpoint barrier), idleness, processing time and end of stream.
 */
class OperatorStageTest
{
    /**
     * Adds 1000 to each record's value, and on every watermark emits one "timer" record per 100 ms of event time
     * passed since the last, a few per call.
     */
    private static class TestOperator implements StageOperator
    {
        long firedUpTo;
        long nextTimer = 100;
        final List<String> calls = new ArrayList<>();

        @Override
        public int maxOutputsPerRecord()
        {
            return 1;
        }

        @Override
        public void onRecord(
            final int input,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex,
            final StageOutput output)
        {
            output.claim(0);
            output.buffer().putLong(output.payloadOffset(), buffer.getLong(offset) + 1000);
            output.commit(8, timestamp, sourceId, journalIndex);
        }

        @Override
        public boolean onWatermark(final long watermark, final StageOutput output, final int limit)
        {
            calls.add("wm " + watermark + " limit " + limit);
            int emitted = 0;
            while (nextTimer <= watermark && nextTimer <= 10_000 && emitted < limit)
            {
                output.claim(0);
                output.buffer().putLong(output.payloadOffset(), -nextTimer);
                output.commit(8, nextTimer, -1, 0);
                nextTimer += 100;
                emitted++;
            }
            firedUpTo = watermark;
            return nextTimer > watermark || nextTimer > 10_000;
        }

        int flushAtEnd;

        @Override
        public boolean onEndOfStream(final StageOutput output, final int limit)
        {
            calls.add("end");
            int emitted = 0;
            while (flushAtEnd > 0 && emitted < limit)
            {
                output.claim(0);
                output.buffer().putLong(output.payloadOffset(), 7_000 + flushAtEnd);
                output.commit(8, 0, -1, 0);
                flushAtEnd--;
                emitted++;
            }
            return 0 == flushAtEnd;
        }
    }

    private MemoryManager memory;
    private RingChannel in0;
    private RingChannel in1;
    private RingChannel out;
    private RingProducer p0;
    private RingProducer p1;
    private RingConsumer downstream;
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        memory = new MemoryManager(16L << 20);
        in0 = new RingChannel(memory, "in0", 64, 8, RingChannel.ProducerMode.SINGLE);
        in1 = new RingChannel(memory, "in1", 64, 8, RingChannel.ProducerMode.SINGLE);
        out = new RingChannel(memory, "out", 8, 8, RingChannel.ProducerMode.SINGLE);
        downstream = out.newConsumer("downstream");
    }

    @AfterEach
    void tearDown()
    {
        in0.close();
        in1.close();
        out.close();
        memory.close();
    }

    private OperatorStage stage(final StageOperator operator)
    {
        final OperatorStage stage = new OperatorStage("map", new RingConsumer[]{ in0.newConsumer("s"),
            in1.newConsumer("s") }, operator, new StageOutput(out.newProducer()), 16);
        p0 = in0.newProducer();
        p1 = in1.newProducer();
        return stage;
    }

    private static void record(final RingProducer producer, final long value, final long ts)
    {
        final long s = producer.tryClaim();
        producer.buffer().putLong(producer.payloadOffset(s), value);
        producer.commitRecord(s, 8, ts, 1, value);
    }

    private static void control(final RingProducer producer, final int type, final long ts, final long aux)
    {
        producer.commitControl(producer.tryClaim(), type, ts, 1, 0, aux);
    }

    private void drain()
    {
        downstream.poll((entry) ->
        {
            seen.add(entry.type() == EntryType.RECORD ? Long.toString(entry.buffer().getLong(entry.payloadOffset())) :
                EntryType.name(entry.type()) + "(" + (entry.timestamp() == Long.MAX_VALUE ? "MAX" :
                Long.toString(entry.timestamp())) + (entry.type() == EntryType.IDLE ? "," + entry.aux() : "") + ")");
            return EntryHandler.CONTINUE;
        }, 100);
    }

    private void run(final OperatorStage stage, final int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            stage.doWork();
            drain();
        }
    }

    @Test
    void shouldMapRecordsAndForwardTheMinimumWatermarkAfterFiring()
    {
        final TestOperator operator = new TestOperator();
        final OperatorStage stage = stage(operator);
        record(p0, 1, 10);
        record(p1, 2, 20);
        control(p0, EntryType.WATERMARK, 250, 0);
        run(stage, 3);
        assertEquals(List.of("1001", "1002"), seen, "input 1 has no watermark: nothing fires");

        control(p1, EntryType.WATERMARK, 320, 0);
        run(stage, 3);
        assertEquals(List.of("1001", "1002", "-100", "-200", "WATERMARK(250)"), seen);
        assertEquals(250, stage.watermark());
    }

    @Test
    void shouldFireInBoundedBatchesAndTakeNoRecordUntilTheWatermarkIsForwarded()
    {
        final TestOperator operator = new TestOperator();
        final OperatorStage stage = stage(operator);
        control(p0, EntryType.WATERMARK, 2_000, 0);
        control(p1, EntryType.WATERMARK, 2_000, 0);
        record(p1, 5, 2_001);
        run(stage, 30);
        final int watermarkAt = seen.indexOf("WATERMARK(2000)");
        assertEquals(20, watermarkAt, "twenty timers fire first: " + seen);
        assertEquals("1005", seen.get(watermarkAt + 1), "the record after the watermark waits for it");
        assertEquals(List.of("wm 2000 limit 7", "wm 2000 limit 7", "wm 2000 limit 7"), operator.calls,
            "an 8-slot output bounds each call to 7 results and keeps a slot for the watermark");
    }

    @Test
    void shouldForwardIdlenessWhenEveryInputIsIdle()
    {
        final OperatorStage stage = stage(new TestOperator());
        control(p0, EntryType.WATERMARK, 50, 0);
        control(p1, EntryType.IDLE, 0, 1);
        run(stage, 3);
        assertEquals(List.of("WATERMARK(50)"), seen, "an idle input does not hold the watermark back");
        control(p0, EntryType.IDLE, 0, 1);
        run(stage, 3);
        assertEquals(List.of("WATERMARK(50)", "IDLE(50,1)"), seen);
        control(p1, EntryType.WATERMARK, 60, 0);
        run(stage, 3);
        assertEquals(List.of("WATERMARK(50)", "IDLE(50,1)", "IDLE(60,0)", "WATERMARK(60)"), seen,
            "active again before the watermark it brings");
    }

    @Test
    void shouldFireEverythingAndEndWhenEveryInputEnds()
    {
        final TestOperator operator = new TestOperator();
        final OperatorStage stage = stage(operator);
        control(p0, EntryType.WATERMARK, 150, 0);
        control(p0, EntryType.END_OF_STREAM, Long.MAX_VALUE, 0);
        run(stage, 3);
        assertEquals(List.of(), seen, "input 1 is still open at no watermark");
        control(p1, EntryType.END_OF_STREAM, Long.MAX_VALUE, 0);
        run(stage, 300);
        assertTrue(stage.isDone());
        assertEquals(102, seen.size(), "100 timers, the final watermark, the end: " + seen.size());
        assertEquals("WATERMARK(MAX)", seen.get(100));
        assertEquals("END_OF_STREAM(MAX)", seen.get(101));
        assertEquals("end", operator.calls.get(operator.calls.size() - 1));
    }

    @Test
    void shouldFlushAtTheEndInBoundedBatchesBeforeTheEndOfStream()
    {
        final TestOperator operator = new TestOperator();
        operator.nextTimer = Long.MAX_VALUE;
        operator.flushAtEnd = 20;
        final OperatorStage stage = stage(operator);
        control(p0, EntryType.END_OF_STREAM, Long.MAX_VALUE, 0);
        control(p1, EntryType.END_OF_STREAM, Long.MAX_VALUE, 0);
        run(stage, 50);
        assertTrue(stage.isDone());
        assertEquals(22, seen.size(), "final watermark, 20 flushed, end: " + seen);
        assertEquals("WATERMARK(MAX)", seen.get(0));
        assertEquals("END_OF_STREAM(MAX)", seen.get(21));
        assertEquals(3, operator.calls.stream().filter("end"::equals).count(), "20 results at 7 per call");
    }

    @Test
    void shouldLeaveRecordsInTheInputWhenTheOutputIsFullAndNeverWait()
    {
        final OperatorStage stage = stage(new TestOperator());
        for (int i = 0; i < 20; i++)
        {
            record(p0, i, i);
        }
        stage.doWork();
        stage.doWork();
        assertEquals(8, stage.recordsIn(), "an 8-slot output takes 8 records; the rest wait in the input");
        assertEquals(0, stage.doWork(), "a full output is no work, not a wait");
        run(stage, 5);
        assertEquals(20, stage.recordsIn());
        assertEquals(20, seen.size());
        for (int i = 0; i < 20; i++)
        {
            assertEquals(Long.toString(1000 + i), seen.get(i));
        }
    }

    /**
     * Owes three outputs after each record, emitted one per processing-time call; takes no record, and no barrier,
     * until they are out. Its snapshot is how much it owed when it was taken.
     */
    private static class OwingOperator extends TestOperator
    {
        final List<Integer> owedAtSnapshot = new ArrayList<>();
        private int owed;

        @Override
        public boolean readyForRecord()
        {
            return 0 == owed;
        }

        @Override
        public void onRecord(
            final int input,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex,
            final StageOutput output)
        {
            super.onRecord(input, buffer, offset, length, timestamp, sourceId, journalIndex, output);
            owed = 3;
        }

        @Override
        public long nextProcessingTime()
        {
            return 0 == owed ? Long.MAX_VALUE : Long.MIN_VALUE;
        }

        @Override
        public int onProcessingTime(final long nowNs, final StageOutput output, final int limit)
        {
            output.claim(0);
            output.buffer().putLong(output.payloadOffset(), -owed);
            output.commit(8, 0, -1, 0);
            owed--;
            return 1;
        }

        @Override
        public void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
        {
            owedAtSnapshot.add(owed);
            writer.writeInt(owed);
        }
    }

    @Test
    void shouldLeaveRecordsInTheInputsWhileTheOperatorIsNotReadyAndDrainItThroughProcessingTime()
    {
        final OperatorStage stage = stage(new OwingOperator());
        record(p0, 1, 1);
        record(p0, 2, 2);
        record(p1, 3, 3);
        run(stage, 1);
        assertEquals(1, stage.recordsIn(), "a record that owes outputs keeps the next ones in their inputs");
        run(stage, 20);
        assertEquals(3, stage.recordsIn());
        assertEquals(List.of("1001", "-3", "-2", "-1", "1002", "-3", "-2", "-1", "1003", "-3", "-2", "-1"), seen);
    }

    @Test
    void shouldHoldABarrierWhileTheOperatorOwesOutputsAndSnapshotOnlyOnceTheyAreOut(@TempDir final Path dir)
    {
        final OwingOperator operator = new OwingOperator();
        final OperatorStage stage = stage(operator);
        final List<Throwable> errors = new ArrayList<>();
        try (CheckpointCoordinator coordinator = new CheckpointCoordinator(dir, new String[]{"map"}, 1, errors::add,
            (warning) -> errors.add(new IllegalStateException(warning))))
        {
            stage.checkpoints(coordinator, 0);
            final long id = coordinator.trigger();
            record(p0, 1, 1);
            control(p0, EntryType.BARRIER, 1, id);
            record(p0, 2, 2);
            record(p1, 3, 3);
            control(p1, EntryType.BARRIER, 3, id);

            run(stage, 1);
            assertEquals(1, stage.recordsIn());
            assertFalse(coordinator.allAcknowledged(), "the barrier waits behind the outputs the record owes");
            run(stage, 20);
            assertTrue(coordinator.allAcknowledged());
            assertEquals(List.of(0), operator.owedAtSnapshot, "one snapshot, with nothing owed");
            assertEquals(List.of("1001", "-3", "-2", "-1", "1003", "-3", "-2", "-1", "BARRIER(" + Long.MIN_VALUE + ")",
                "1002", "-3", "-2", "-1"), seen, "every output owed before the barrier goes out before it");
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldFireProcessingTimeTimersWhenTheClockReachesThem()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final List<Long> firedAt = new ArrayList<>();
        final TestOperator operator = new TestOperator()
        {
            private long due = 500;

            @Override
            public long nextProcessingTime()
            {
                return due;
            }

            @Override
            public int onProcessingTime(final long nowNs, final StageOutput output, final int limit)
            {
                firedAt.add(nowNs);
                output.claim(0);
                output.buffer().putLong(output.payloadOffset(), -nowNs);
                output.commit(8, nowNs, -1, 0);
                due = Long.MAX_VALUE;
                return 1;
            }
        };
        final JobControl control = new JobControl(1);
        final OperatorStage stage = new OperatorStage("map", new RingConsumer[]{ in0.newConsumer("s"),
            in1.newConsumer("s") }, operator, new StageOutput(out.newProducer()), 16, clock, control, null);
        p0 = in0.newProducer();
        p1 = in1.newProducer();
        clock.update(499);
        run(stage, 2);
        assertEquals(List.of(), seen, "not due yet");
        clock.update(501);
        run(stage, 2);
        assertEquals(List.of("-501"), seen);
        assertEquals(List.of(501L), firedAt, "fired once, at the clock's time");

        control(p0, EntryType.END_OF_STREAM, Long.MAX_VALUE, 0);
        control(p1, EntryType.END_OF_STREAM, Long.MAX_VALUE, 0);
        assertFalse(control.allDone());
        run(stage, 300);
        assertTrue(stage.isDone());
        assertTrue(control.allDone(), "the stage reports itself done to the job");
    }
}
