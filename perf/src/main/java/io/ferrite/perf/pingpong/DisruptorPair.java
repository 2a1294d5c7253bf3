package io.ferrite.perf.pingpong;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.ProducerType;

/**
 * Ping-pong over two raw Disruptor rings of heap events, polled the same way as the Ferrite pair.
 */
final class DisruptorPair implements PingPong.Pair
{
    /**
     * The event: the stamp.
     */
    static final class Event
    {
        long stampNs;
    }

    private final RingBuffer<Event> ping =
        RingBuffer.create(ProducerType.SINGLE, Event::new, 1024, new BusySpinWaitStrategy());
    private final RingBuffer<Event> pong =
        RingBuffer.create(ProducerType.SINGLE, Event::new, 1024, new BusySpinWaitStrategy());
    private final EventPoller<Event> pingIn = ping.newPoller();
    private final EventPoller<Event> pongIn = pong.newPoller();
    private final EventPoller.Handler<Event> echo = this::echo;
    private final EventPoller.Handler<Event> receive = (event, sequence, endOfBatch) -> false;
    private volatile boolean running = true;

    DisruptorPair()
    {
        ping.addGatingSequences(pingIn.getSequence());
        pong.addGatingSequences(pongIn.getSequence());
    }

    @Override
    public long roundTrip()
    {
        final long startNs = System.nanoTime();
        final long sequence = ping.next();
        ping.get(sequence).stampNs = startNs;
        ping.publish(sequence);
        try
        {
            while (pongIn.poll(receive) != EventPoller.PollState.PROCESSING)
            {
                Thread.onSpinWait();
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        return System.nanoTime() - startNs;
    }

    @Override
    public void pongLoop()
    {
        try
        {
            while (running)
            {
                if (pingIn.poll(echo) != EventPoller.PollState.PROCESSING)
                {
                    Thread.onSpinWait();
                }
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private boolean echo(final Event event, final long sequence, final boolean endOfBatch)
    {
        final long out = pong.next();
        pong.get(out).stampNs = event.stampNs;
        pong.publish(out);
        return false;
    }

    @Override
    public void stop()
    {
        running = false;
    }

    @Override
    public void close()
    {
    }
}
