package io.ferrite.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.time.WatermarkGenerator;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalReader;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingEntry;
import io.ferrite.queues.ring.RingProducer;

/**
 * The source stage stepped by hand: journaling, origin stamps, watermarks, back-pressure, idleness, end of stream.
 */
class SourceStageTest
{
    private static final Schema SCHEMA = Schema.builder("event").int64("id").timestamp("ts", TimeUnit.MILLISECONDS)
        .build();
    private static final Int64Field ID = SCHEMA.int64Field("id");
    private static final TimestampField TS = SCHEMA.timestampField("ts");

    /**
     * A publisher's ring as a source input: records are handed over, an end of stream ends the input. With
     * {@code replayable} set, each record's journal index in the ring is handed over as its origin index.
     */
    private static final class RingInput implements SourceInput
    {
        private final RingConsumer consumer;
        private final boolean replayable;
        private final EntryHandler entryHandler = this::onEntry;
        private final List<Integer> limits = new ArrayList<>();
        private Handler handler;
        private boolean ended;
        private boolean closed;

        RingInput(final RingConsumer consumer, final boolean replayable)
        {
            this.consumer = consumer;
            this.replayable = replayable;
        }

        @Override
        public int poll(final Handler recordHandler, final int limit)
        {
            limits.add(limit);
            handler = recordHandler;
            return consumer.poll(entryHandler, limit);
        }

        private int onEntry(final RingEntry entry)
        {
            if (entry.type() == EntryType.END_OF_STREAM)
            {
                ended = true;
                return EntryHandler.BREAK;
            }
            if (entry.type() == EntryType.RECORD)
            {
                handler.onRecord(entry.buffer(), entry.payloadOffset(), entry.length(),
                    replayable ? entry.journalIndex() : -1);
            }
            return EntryHandler.CONTINUE;
        }

        @Override
        public boolean isEnded()
        {
            return ended;
        }

        @Override
        public long backlog()
        {
            return consumer.backlog();
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }

    /**
     * Copies each record into the output; with a journal to watch, notes whether each record was durable when it
     * was forwarded.
     */
    private static final class ForwardingOperator implements StageOperator
    {
        private final Journal watched;
        private final List<Boolean> durableWhenForwarded = new ArrayList<>();

        ForwardingOperator(final Journal watched)
        {
            this.watched = watched;
        }

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
            if (null != watched)
            {
                durableWhenForwarded.add(watched.durableIndex() >= journalIndex);
            }
            output.claim(0);
            output.buffer().putBytes(output.payloadOffset(), buffer, offset, length);
            output.commit(length, timestamp, sourceId, journalIndex);
        }

        @Override
        public boolean onWatermark(final long watermark, final StageOutput output, final int limit)
        {
            return true;
        }

        @Override
        public boolean onEndOfStream(final StageOutput output, final int limit)
        {
            return true;
        }
    }

    @TempDir
    Path dir;

    private MemoryManager memory;
    private RingChannel inbound;
    private RingChannel outbound;
    private RingProducer publisher;
    private RingConsumer downstream;
    private RingInput input;
    private final JobControl control = new JobControl(1);
    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        memory = new MemoryManager(16L << 20);
        inbound = new RingChannel(memory, "inbound", 64, SCHEMA.recordLength(), RingChannel.ProducerMode.MULTI);
        outbound = new RingChannel(memory, "outbound", 4, SCHEMA.recordLength(), RingChannel.ProducerMode.SINGLE);
        downstream = outbound.newConsumer("next-stage");
    }

    @AfterEach
    void tearDown()
    {
        inbound.close();
        outbound.close();
        memory.close();
    }

    private SourceStage stage(final Journal journal, final long idleTimeoutNs)
    {
        return stage(journal, idleTimeoutNs, false, new ForwardingOperator(null));
    }

    private SourceStage stage(
        final Journal journal, final long idleTimeoutNs, final boolean replayable, final StageOperator operator)
    {
        input = new RingInput(inbound.newConsumer("source"), replayable);
        final SourceStage stage = new SourceStage("source", 7, input, journal, TS,
            WatermarkGenerator.boundedOutOfOrderness(10), idleTimeoutNs, clock, 16, operator,
            new StageOutput(outbound.newProducer()), control, null);
        publisher = inbound.newProducer();
        return stage;
    }

    private void publish(final long id, final long ts)
    {
        publish(id, ts, 0);
    }

    private void publish(final long id, final long ts, final long origin)
    {
        final long sequence = publisher.tryClaim();
        ID.put(publisher.buffer(), publisher.payloadOffset(sequence), id);
        TS.put(publisher.buffer(), publisher.payloadOffset(sequence), ts);
        publisher.commitRecord(sequence, SCHEMA.recordLength(), 0, 0, origin);
    }

    private int drain()
    {
        return downstream.poll((entry) ->
        {
            final String what = entry.type() == EntryType.RECORD ?
                "R" + ID.get(entry.buffer(), entry.payloadOffset()) + "@" + entry.timestamp() + "#" +
                entry.journalIndex() + "s" + entry.sourceId() :
                EntryType.name(entry.type()) + "(" + entry.timestamp() + "," + entry.aux() + ")";
            seen.add(what);
            return EntryHandler.CONTINUE;
        }, 100);
    }

    @Test
    void shouldJournalAndStampRecordsThenEmitTheWatermark()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            final SourceStage stage = stage(journal, 0);
            publish(1, 100);
            publish(2, 95);
            stage.doWork();
            drain();
            final long first = journal.firstIndex();
            assertEquals(List.of("R1@100#" + first + "s7", "R2@95#" + (first + 1) + "s7", "WATERMARK(89,0)"), seen);
            assertEquals(first + 1, stage.position());

            final List<Long> journaled = new ArrayList<>();
            try (JournalReader reader = journal.reader(first))
            {
                reader.poll((index, buffer, offset, length) -> journaled.add(ID.get(buffer, offset)), 10);
            }
            assertEquals(List.of(1L, 2L), journaled);
        }
    }

    @Test
    void shouldNotJournalARecordTwiceWhenTheOutputIsBackPressured()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            final SourceStage stage = stage(journal, 0);
            for (int i = 0; i < 10; i++)
            {
                publish(i, 1000 + i);
            }
            for (int step = 0; step < 50 && stage.recordsIn() < 10; step++)
            {
                stage.doWork();
                stage.doWork();
                drain();
            }
            drain();
            assertTrue(stage.backPressureEvents() > 0, "a 4-slot output must have back-pressured");
            for (final int limit : input.limits)
            {
                assertTrue(limit <= 2, "asked for more than a 4-slot output has room for, less 2 for control: " +
                    input.limits);
            }
            final long[] count = { 0 };
            try (JournalReader reader = journal.reader(journal.firstIndex()))
            {
                while (reader.poll((index, buffer, offset, length) ->
                    assertEquals(count[0]++, ID.get(buffer, offset)), 100) > 0)
                {
                    // every record exactly once, in order
                }
            }
            assertEquals(10, count[0]);
            assertEquals(10, seen.stream().filter((s) -> s.startsWith("R")).count());
            assertEquals(10, stage.recordsIn());
        }
    }

    @Test
    void shouldSyncEachRecordOfAPowerSafeJournalBeforeForwardingIt()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)
            .durability(Journal.Durability.POWER_SAFE).groupCommitMaxEntries(1_000)
            .groupCommitMaxDelayNs(TimeUnit.HOURS.toNanos(1))))
        {
            final ForwardingOperator operator = new ForwardingOperator(journal);
            final SourceStage stage = stage(journal, 0, false, operator);
            publish(1, 100);
            publish(2, 110);
            stage.doWork();
            drain();
            assertEquals(List.of(true, true), operator.durableWhenForwarded, "a record is durable before it goes on");
            assertEquals(stage.position(), journal.durableIndex());
        }
    }

    @Test
    void shouldStampTheInputsOwnOriginIndexWithoutAJournal()
    {
        final SourceStage stage = stage(null, 0, true, new ForwardingOperator(null));
        publish(1, 100, 40);
        publish(2, 105, 41);
        stage.doWork();
        drain();
        assertEquals(List.of("R1@100#40s7", "R2@105#41s7", "WATERMARK(94,0)"), seen);
        assertEquals(41, stage.position());
    }

    @Test
    void shouldMarkTheSourceIdleAndActiveAgain()
    {
        clock.update(0);
        final SourceStage stage = stage(null, 1_000);
        publish(1, 100);
        stage.doWork();
        drain();
        clock.update(999);
        stage.doWork();
        drain();
        clock.update(1_000);
        stage.doWork();
        drain();
        publish(2, 200);
        clock.update(1_500);
        stage.doWork();
        drain();
        stage.doWork();
        drain();
        assertEquals(List.of("R1@100#0s7", "WATERMARK(89,0)", "IDLE(89,1)", "IDLE(89,0)", "R2@200#1s7",
            "WATERMARK(189,0)"), seen);
    }

    @Test
    void shouldEndWithAFinalWatermarkAndEndOfStream()
    {
        final SourceStage stage = stage(null, 0);
        publish(1, 100);
        publisher.commitControl(publisher.tryClaim(), EntryType.END_OF_STREAM, 0, 0, 0, 0);
        for (int step = 0; step < 10 && !stage.isDone(); step++)
        {
            assertFalse(control.allDone());
            stage.doWork();
            drain();
        }
        assertTrue(stage.isDone());
        assertTrue(control.allDone(), "the stage reports itself done to the job");
        assertEquals(List.of("R1@100#0s7", "WATERMARK(89,0)", "WATERMARK(" + Long.MAX_VALUE + ",0)",
            "END_OF_STREAM(" + Long.MAX_VALUE + ",0)"), seen);
        assertEquals(0, stage.doWork());
        stage.onClose();
        assertTrue(input.closed, "closing the stage closes its input");
    }

    @Test
    void shouldForwardNothingAndKeepTheRecordWhenJournalingFails()
    {
        final Journal journal = Journal.open(new Journal.Context().directory(dir));
        final SourceStage stage = stage(journal, 0);
        publish(1, 100);
        stage.doWork();
        drain();
        final long position = stage.position();
        journal.close();
        publish(2, 200);
        assertThrows(IllegalStateException.class, stage::doWork);
        drain();
        assertEquals(List.of("R1@100#" + position + "s7", "WATERMARK(89,0)"), seen,
            "the journal is appended to before anything is written to the output");
        assertEquals(1, stage.recordsIn());
        assertEquals(position, stage.position());
        assertEquals(1, input.backlog(), "the record that failed stays in the input");
    }
}
