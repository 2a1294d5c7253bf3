package io.ferrite.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    @TempDir
    Path dir;

    private MemoryManager memory;
    private RingChannel inbound;
    private RingChannel outbound;
    private RingProducer publisher;
    private RingConsumer downstream;
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
        final SourceStage stage = new SourceStage("source", 7, inbound.newConsumer("source"),
            outbound.newProducer(), journal, TS, WatermarkGenerator.boundedOutOfOrderness(10), idleTimeoutNs, clock,
            16);
        publisher = inbound.newProducer();
        return stage;
    }

    private void publish(final long id, final long ts)
    {
        final long sequence = publisher.tryClaim();
        ID.put(publisher.buffer(), publisher.payloadOffset(sequence), id);
        TS.put(publisher.buffer(), publisher.payloadOffset(sequence), ts);
        publisher.commitRecord(sequence, SCHEMA.recordLength(), 0, 0, 0);
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
            for (int step = 0; step < 50 && seen.size() < 12; step++)
            {
                stage.doWork();
                drain();
            }
            assertTrue(stage.backPressureEvents() > 0, "a 4-slot output must have back-pressured");
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
        }
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
            stage.doWork();
            drain();
        }
        assertTrue(stage.isDone());
        assertEquals(List.of("R1@100#0s7", "WATERMARK(89,0)", "WATERMARK(" + Long.MAX_VALUE + ",0)",
            "END_OF_STREAM(" + Long.MAX_VALUE + ",0)"), seen);
        assertEquals(0, stage.doWork());
    }

    @Test
    void shouldPadTheClaimedSlotWhenJournalingFails()
    {
        final Journal journal = Journal.open(new Journal.Context().directory(dir));
        final SourceStage stage = stage(journal, 0);
        publish(1, 100);
        stage.doWork();
        drain();
        journal.close();
        publish(2, 200);
        assertThrows(IllegalStateException.class, stage::doWork);
        drain();
        assertEquals("PADDING(0,0)", seen.get(seen.size() - 1), "the claimed slot is published as padding: " + seen);
        assertEquals(1, stage.recordsIn());
    }
}
