package io.ferrite.queues;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingProducer;

/**
 * The ring channel example of the README's "queues module" section, kept compiling and checked.
 */
class ReadmeExampleTest
{
    @Test
    void shouldRunTheReadmeRingChannelExample()
    {
        final Schema trade = Schema.builder("trade")
            .symbol("sym", 8).float64("price").int64("qty").timestamp("ts", TimeUnit.MILLISECONDS).build();
        final Float64Field price = trade.float64Field("price");
        final long eventTimeMs = 1_700_000_000_000L;
        final int sourceId = 1;
        final long journalIndex = 42;
        final double[] seen = new double[1];

        try (MemoryManager memory = new MemoryManager(16L << 20);
            RingChannel channel = new RingChannel(
                memory, "trades", 4096, trade.recordLength(), RingChannel.ProducerMode.MULTI))
        {
            channel.requireFits("trade", trade.recordLength());
            final RingConsumer consumer = channel.newConsumer("vwap");
            final RingProducer producer = channel.newProducer();

            final long slot = producer.tryClaim();
            if (slot != RingProducer.BACK_PRESSURED)
            {
                price.put(producer.buffer(), producer.payloadOffset(slot), 189.5);
                producer.commitRecord(slot, trade.recordLength(), eventTimeMs, sourceId, journalIndex);
            }
            final int handled = consumer.poll((entry) ->
            {
                seen[0] = price.get(entry.buffer(), entry.payloadOffset());
                return EntryHandler.CONTINUE;
            }, 256);

            assertEquals(1, handled);
            assertEquals(189.5, seen[0]);
        }
    }
}
