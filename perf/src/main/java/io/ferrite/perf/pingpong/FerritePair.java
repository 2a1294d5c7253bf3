package io.ferrite.perf.pingpong;

import io.ferrite.memory.MemoryManager;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingEntry;
import io.ferrite.queues.ring.RingProducer;

/**
 * Ping-pong over two Ferrite ring channels; the stamp travels in the entry header's timestamp.
 */
final class FerritePair implements PingPong.Pair
{
    private final MemoryManager memory = new MemoryManager(16L << 20);
    private final RingChannel ping = new RingChannel(memory, "ping", 1024, 8, RingChannel.ProducerMode.SINGLE);
    private final RingChannel pong = new RingChannel(memory, "pong", 1024, 8, RingChannel.ProducerMode.SINGLE);
    private final RingConsumer pingIn = ping.newConsumer("pong-side");
    private final RingConsumer pongIn = pong.newConsumer("ping-side");
    private final RingProducer pingOut = ping.newProducer();
    private final RingProducer pongOut = pong.newProducer();
    private final EntryHandler echo = this::echo;
    private final EntryHandler receive = (entry) -> EntryHandler.CONTINUE;
    private volatile boolean running = true;

    @Override
    public long roundTrip()
    {
        final long startNs = System.nanoTime();
        long sequence;
        while ((sequence = pingOut.tryClaim()) < 0)
        {
            Thread.onSpinWait();
        }
        pingOut.commitRecord(sequence, 0, startNs, 0, 0);
        while (0 == pongIn.poll(receive, 1))
        {
            Thread.onSpinWait();
        }
        return System.nanoTime() - startNs;
    }

    @Override
    public void pongLoop()
    {
        while (running)
        {
            if (0 == pingIn.poll(echo, 1))
            {
                Thread.onSpinWait();
            }
        }
    }

    private int echo(final RingEntry entry)
    {
        long sequence;
        while ((sequence = pongOut.tryClaim()) < 0)
        {
            Thread.onSpinWait();
        }
        pongOut.commitRecord(sequence, 0, entry.timestamp(), 0, 0);
        return EntryHandler.CONTINUE;
    }

    @Override
    public void stop()
    {
        running = false;
    }

    @Override
    public void close()
    {
        ping.close();
        pong.close();
        memory.close();
    }
}
