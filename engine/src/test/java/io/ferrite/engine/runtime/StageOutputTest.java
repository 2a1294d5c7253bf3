package io.ferrite.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;

class StageOutputTest
{
    @Test
    void shouldSpreadKeysEvenlyAndAlwaysSendAKeyToTheSamePartition()
    {
        final int[] counts = new int[4];
        for (long key = 0; key < 100_000; key++)
        {
            final int partition = StageOutput.partition(key, 4);
            assertEquals(partition, StageOutput.partition(key, 4));
            counts[partition]++;
        }
        for (final int count : counts)
        {
            assertTrue(Math.abs(count - 25_000) < 1_250, "uneven: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void shouldRouteRecordsByKeyAndBroadcastControlEntries()
    {
        try (MemoryManager memory = new MemoryManager(16L << 20);
            RingChannel a = new RingChannel(memory, "a", 8, 8, RingChannel.ProducerMode.SINGLE);
            RingChannel b = new RingChannel(memory, "b", 8, 8, RingChannel.ProducerMode.SINGLE))
        {
            final RingConsumer ca = a.newConsumer("a");
            final RingConsumer cb = b.newConsumer("b");
            final StageOutput output = new StageOutput(a.newProducer(), b.newProducer());
            long keyForA = 0;
            while (StageOutput.partition(keyForA, 2) != 0)
            {
                keyForA++;
            }
            output.claim(keyForA);
            output.buffer().putLong(output.payloadOffset(), 42);
            output.commit(8, 1, 1, 1);
            output.broadcastControl(EntryType.WATERMARK, 5, -1, 0);

            assertEquals(2, ca.poll((entry) -> EntryHandler.CONTINUE, 10));
            assertEquals(1, cb.poll((entry) ->
            {
                assertEquals(EntryType.WATERMARK, entry.type());
                return EntryHandler.CONTINUE;
            }, 10));

            for (int i = 0; i < 8; i++)
            {
                output.broadcastControl(EntryType.WATERMARK, 6 + i, -1, 0);
            }
            assertFalse(output.hasCapacity(1));
            assertEquals(0, output.freeCapacity());
            assertThrows(IllegalStateException.class, () -> output.claim(0));
        }
    }

    @Test
    void shouldRefuseMultiProducerChannels()
    {
        try (MemoryManager memory = new MemoryManager(16L << 20);
            RingChannel multi = new RingChannel(memory, "m", 8, 8, RingChannel.ProducerMode.MULTI))
        {
            assertThrows(IllegalArgumentException.class, () -> new StageOutput(multi.newProducer()));
        }
    }

    @Test
    void shouldSpreadShortSymbolKeysThatDifferOnlyInLowBytes()
    {
        final int[] counts = new int[4];
        for (char c = 'A'; c <= 'Z'; c++)
        {
            final long symbol = c | (c << 8) | (c << 16);
            counts[StageOutput.partition(symbol, 4)]++;
        }
        for (final int count : counts)
        {
            assertTrue(count >= 3, java.util.Arrays.toString(counts));
        }
    }
}
