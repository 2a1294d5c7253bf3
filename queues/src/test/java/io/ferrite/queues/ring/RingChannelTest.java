package io.ferrite.queues.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;

/**
 * Single-threaded behaviour of ring channels, stepped by hand.
 */
class RingChannelTest
{
    private MemoryManager memory;

    @BeforeEach
    void setUp()
    {
        memory = new MemoryManager(16L << 20);
    }

    @AfterEach
    void tearDown()
    {
        assertEquals(0, memory.usedBytes(), "every channel must be closed");
        memory.close();
    }

    @Test
    void shouldDeliverRecordsAndControlEntriesInOrderWithTheirHeaders()
    {
        try (RingChannel channel = new RingChannel(memory, "ch", 8, 16, RingChannel.ProducerMode.SINGLE))
        {
            final RingConsumer consumer = channel.newConsumer("c");
            final RingProducer producer = channel.newProducer();

            long s = producer.tryClaim();
            producer.buffer().putLong(producer.payloadOffset(s), 42L);
            producer.commitRecord(s, 8, 1000L, 3, 77L);
            s = producer.tryClaim();
            producer.commitControl(s, EntryType.WATERMARK, 990L, 3, 77L, 0L);
            s = producer.tryClaim();
            producer.commitControl(s, EntryType.BARRIER, 1000L, 3, 78L, 5L);
            s = producer.tryClaim();
            producer.commitControl(s, EntryType.END_OF_STREAM, Long.MAX_VALUE, 3, 78L, 0L);

            final List<String> seen = new ArrayList<>();
            final int handled = consumer.poll((entry) ->
            {
                final String payload = entry.type() == EntryType.RECORD ?
                    Long.toString(entry.buffer().getLong(entry.payloadOffset())) : "-";
                seen.add(EntryType.name(entry.type()) + ":" + entry.length() + ":" + entry.timestamp() + ":" +
                    entry.sourceId() + ":" + entry.journalIndex() + ":" + entry.aux() + ":" + payload);
                return EntryHandler.CONTINUE;
            }, 10);

            assertEquals(4, handled);
            assertEquals(List.of(
                "RECORD:8:1000:3:77:0:42",
                "WATERMARK:0:990:3:77:0:-",
                "BARRIER:0:1000:3:78:5:-",
                "END_OF_STREAM:0:" + Long.MAX_VALUE + ":3:78:0:-"), seen);
            assertEquals(0, consumer.poll((entry) -> EntryHandler.CONTINUE, 10));
        }
    }

    @Test
    void shouldReturnBackPressuredWhenFullAndClaimAgainAfterConsumption()
    {
        try (RingChannel channel = new RingChannel(memory, "ch", 4, 8, RingChannel.ProducerMode.SINGLE))
        {
            final RingConsumer consumer = channel.newConsumer("c");
            final RingProducer producer = channel.newProducer();
            for (int i = 0; i < 4; i++)
            {
                final long s = producer.tryClaim();
                assertEquals(i, s);
                producer.commitRecord(s, 0, i, 0, i);
            }
            assertEquals(4, channel.occupancy());
            assertEquals(RingProducer.BACK_PRESSURED, producer.tryClaim());
            assertEquals(RingProducer.BACK_PRESSURED, producer.tryClaim());
            assertEquals(2, channel.backPressureEvents());

            assertEquals(1, consumer.poll((entry) -> EntryHandler.CONTINUE, 1));
            final long s = producer.tryClaim();
            assertEquals(4, s);
            producer.commitRecord(s, 0, 4, 0, 4);
            assertEquals(5, channel.claims());
            assertEquals(4, consumer.backlog());
        }
    }

    @Test
    void shouldRedeliverAbortedEntryAndStopAfterBreak()
    {
        try (RingChannel channel = new RingChannel(memory, "ch", 8, 8, RingChannel.ProducerMode.MULTI))
        {
            final RingConsumer consumer = channel.newConsumer("c");
            final RingProducer producer = channel.newProducer();
            for (int i = 0; i < 5; i++)
            {
                final long s = producer.tryClaim();
                producer.commitRecord(s, 0, i, 0, i);
            }
            final List<Long> seen = new ArrayList<>();
            assertEquals(2, consumer.poll((entry) ->
            {
                if (entry.timestamp() == 2)
                {
                    return EntryHandler.ABORT;
                }
                seen.add(entry.timestamp());
                return EntryHandler.CONTINUE;
            }, 10));
            assertEquals(1, consumer.poll((entry) ->
            {
                seen.add(entry.timestamp());
                return EntryHandler.BREAK;
            }, 10));
            assertEquals(2, consumer.poll((entry) ->
            {
                seen.add(entry.timestamp());
                return EntryHandler.CONTINUE;
            }, 10));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seen);
        }
    }

    @Test
    void shouldWrapAroundManyTimesWithBroadcastToEveryConsumer()
    {
        try (RingChannel channel = new RingChannel(memory, "ch", 8, 8, RingChannel.ProducerMode.SINGLE))
        {
            final RingConsumer fast = channel.newConsumer("fast");
            final RingConsumer slow = channel.newConsumer("slow");
            final RingProducer producer = channel.newProducer();
            final long[] expectedFast = { 0 };
            final long[] expectedSlow = { 0 };
            long next = 0;
            final int total = 100_000;
            while (expectedSlow[0] < total)
            {
                final long s = next < total ? producer.tryClaim() : RingProducer.BACK_PRESSURED;
                final boolean claimed = s >= 0;
                if (claimed)
                {
                    producer.buffer().putLong(producer.payloadOffset(s), next);
                    producer.commitRecord(s, 8, next, 1, next);
                    next++;
                }
                fast.poll((entry) ->
                {
                    assertEquals(expectedFast[0]++, entry.buffer().getLong(entry.payloadOffset()));
                    return EntryHandler.CONTINUE;
                }, 8);
                if (!claimed || next % 3 == 0)
                {
                    slow.poll((entry) ->
                    {
                        assertEquals(expectedSlow[0]++, entry.buffer().getLong(entry.payloadOffset()));
                        return EntryHandler.CONTINUE;
                    }, 2);
                }
                assertTrue(channel.occupancy() <= 8);
            }
            assertEquals(total, expectedFast[0]);
            assertTrue(channel.backPressureEvents() > 0, "the slow consumer must have gated the producer");
        }
    }

    @Test
    void shouldRefusePayloadLongerThanSlotAtBuildTimeAndAtCommit()
    {
        try (RingChannel channel = new RingChannel(memory, "trades", 8, 40, RingChannel.ProducerMode.SINGLE))
        {
            channel.requireFits("trade", 40);
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> channel.requireFits("trade", 41));
            assertTrue(ex.getMessage().contains("channel=trades"), ex.getMessage());
            assertTrue(ex.getMessage().contains("length=41"), ex.getMessage());
            assertTrue(ex.getMessage().contains("maxPayloadLength=40"), ex.getMessage());

            final RingProducer producer = channel.newProducer();
            final long s = producer.tryClaim();
            assertThrows(IllegalArgumentException.class, () -> producer.commitRecord(s, 41, 0, 0, 0));
            assertThrows(IllegalArgumentException.class,
                () -> producer.commitControl(s, EntryType.RECORD, 0, 0, 0, 0));
            producer.commitRecord(s, 40, 0, 0, 0);
        }
    }

    @Test
    void shouldValidateConstructionAndChargeMemoryToChannel()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new RingChannel(memory, "ch", 6, 8, RingChannel.ProducerMode.SINGLE));
        try (RingChannel channel = new RingChannel(memory, "ch", 1024, 100, RingChannel.ProducerMode.SINGLE))
        {
            assertEquals(136, channel.slotLength());
            assertTrue(memory.usedBytes("ch") >= 1024L * 136);
            channel.newProducer();
            assertThrows(IllegalStateException.class, channel::newProducer);
        }
        assertEquals(0, memory.usedBytes("ch"));
    }

    @Test
    void shouldStopGatingProducerWhenConsumerCloses()
    {
        try (RingChannel channel = new RingChannel(memory, "ch", 2, 8, RingChannel.ProducerMode.SINGLE))
        {
            final RingConsumer consumer = channel.newConsumer("c");
            final RingProducer producer = channel.newProducer();
            producer.commitRecord(producer.tryClaim(), 0, 0, 0, 0);
            producer.commitRecord(producer.tryClaim(), 0, 0, 0, 0);
            assertEquals(RingProducer.BACK_PRESSURED, producer.tryClaim());
            consumer.close();
            consumer.close();
            assertTrue(producer.tryClaim() >= 0);
        }
    }

    @Test
    void shouldKeepEntriesBeforeAThrowingHandlerConsumedAndRedeliverTheOneThatThrew()
    {
        try (RingChannel channel = new RingChannel(memory, "ch", 8, 8, RingChannel.ProducerMode.SINGLE))
        {
            final RingConsumer consumer = channel.newConsumer("c");
            final RingProducer producer = channel.newProducer();
            for (int i = 0; i < 5; i++)
            {
                producer.commitRecord(producer.tryClaim(), 0, i, 0, i);
            }
            final List<Long> seen = new ArrayList<>();
            assertThrows(IllegalStateException.class, () -> consumer.poll((entry) ->
            {
                if (entry.timestamp() == 3)
                {
                    throw new IllegalStateException("handler failed on 3");
                }
                seen.add(entry.timestamp());
                return EntryHandler.CONTINUE;
            }, 10));
            assertEquals(List.of(0L, 1L, 2L), seen);
            assertEquals(2, consumer.poll((entry) ->
            {
                seen.add(entry.timestamp());
                return EntryHandler.CONTINUE;
            }, 10));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seen, "nothing twice, nothing lost");
        }
    }
}
