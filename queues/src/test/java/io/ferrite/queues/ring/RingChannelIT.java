package io.ferrite.queues.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;

/**
 * Ring channels under real threads: nothing lost, nothing duplicated, per-producer order kept. Threads back off
 * rather than spin, so the tests behave on a 2-core machine.
 */
class RingChannelIT
{
    private static final int PRODUCER_OFFSET = 0;
    private static final int COUNTER_OFFSET = 8;

    private MemoryManager memory;

    @BeforeEach
    void setUp()
    {
        memory = new MemoryManager(64L << 20);
    }

    @AfterEach
    void tearDown()
    {
        assertEquals(0, memory.usedBytes(), "every channel must be closed");
        memory.close();
    }

    @Test
    void shouldPassMillionsOfEntriesFromOneProducerInOrder() throws Exception
    {
        try (RingChannel channel = new RingChannel(memory, "sp", 1024, 16, RingChannel.ProducerMode.SINGLE))
        {
            final long[][] seen = run(channel, 1, 5_000_000, 1);
            assertEquals(5_000_000L, seen[0][0]);
        }
    }

    @Test
    void shouldKeepPerProducerOrderWithSeveralProducers() throws Exception
    {
        try (RingChannel channel = new RingChannel(memory, "mp", 256, 16, RingChannel.ProducerMode.MULTI))
        {
            final long[][] seen = run(channel, 3, 1_000_000, 1);
            assertArrayEquals(new long[]{ 1_000_000, 1_000_000, 1_000_000 }, seen[0]);
        }
    }

    @Test
    void shouldBroadcastEveryEntryToEveryConsumer() throws Exception
    {
        try (RingChannel channel = new RingChannel(memory, "bc", 512, 16, RingChannel.ProducerMode.MULTI))
        {
            final long[][] seen = run(channel, 2, 1_000_000, 2);
            assertArrayEquals(new long[]{ 1_000_000, 1_000_000 }, seen[0]);
            assertArrayEquals(new long[]{ 1_000_000, 1_000_000 }, seen[1]);
        }
    }

    @Test
    void shouldWrapATinyRingUnderBackPressureWithoutLoss() throws Exception
    {
        try (RingChannel channel = new RingChannel(memory, "tiny", 4, 16, RingChannel.ProducerMode.MULTI))
        {
            final long[][] seen = run(channel, 2, 300_000, 1);
            assertArrayEquals(new long[]{ 300_000, 300_000 }, seen[0]);
            assertTrue(channel.backPressureEvents() > 0, "a 4-slot ring must have back-pressured");
        }
    }

    /**
     * Run producers and consumers to completion; each consumer checks that every producer's counters arrive in order
     * with no gap and no duplicate.
     *
     * @return per consumer, the count of entries seen from each producer.
     */
    private static long[][] run(
        final RingChannel channel, final int producerCount, final int perProducer, final int consumerCount)
        throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[][] seen = new long[consumerCount][producerCount];
        final List<Thread> threads = new ArrayList<>();

        for (int c = 0; c < consumerCount; c++)
        {
            final RingConsumer consumer = channel.newConsumer("consumer-" + c);
            final long[] counts = seen[c];
            final long total = (long)producerCount * perProducer;
            threads.add(new Thread(() ->
            {
                try
                {
                    final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                    final long[] consumed = { 0 };
                    final EntryHandler handler = (entry) ->
                    {
                        final int producer = (int)entry.buffer().getLong(entry.payloadOffset() + PRODUCER_OFFSET);
                        final long counter = entry.buffer().getLong(entry.payloadOffset() + COUNTER_OFFSET);
                        if (counter != counts[producer])
                        {
                            throw new AssertionError(consumer.name() + ": producer " + producer + " expected " +
                                counts[producer] + " got " + counter + " at sequence " + entry.sequence());
                        }
                        if (entry.timestamp() != counter || entry.sourceId() != producer)
                        {
                            throw new AssertionError("header does not match payload: " + entry);
                        }
                        counts[producer]++;
                        consumed[0]++;
                        return EntryHandler.CONTINUE;
                    };
                    while (consumed[0] < total && null == failure.get())
                    {
                        idle.idle(consumer.poll(handler, 256));
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "consumer-" + c));
        }

        for (int p = 0; p < producerCount; p++)
        {
            final RingProducer producer = channel.newProducer();
            final int id = p;
            threads.add(new Thread(() ->
            {
                try
                {
                    final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
                    for (long i = 0; i < perProducer && null == failure.get(); i++)
                    {
                        final long sequence = producer.claim(idle);
                        final int offset = producer.payloadOffset(sequence);
                        producer.buffer().putLong(offset + PRODUCER_OFFSET, id);
                        producer.buffer().putLong(offset + COUNTER_OFFSET, i);
                        producer.commitRecord(sequence, 16, i, id, i);
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "producer-" + p));
        }

        for (final Thread thread : threads)
        {
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (null != failure.get())
        {
            throw new AssertionError("ring channel run failed", failure.get());
        }
        assertEquals((long)producerCount * perProducer, channel.claims());
        assertEquals(0, channel.occupancy());
        return seen;
    }
}
