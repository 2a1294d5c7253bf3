package io.ferrite.perf.latency;

import org.agrona.concurrent.Agent;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;

/**
 * A stage of the Disruptor baseline that polls its input ring with an {@link EventPoller}, at most
 * {@link DisruptorBaseline#BATCH_LIMIT} events a poll; {@link #onEvent(HeapEvent)} says whether to go on.
 * <p>
 * <b>Note:</b> An {@link Agent}: one thread runs it.
 */
abstract class PollingStage implements Agent, EventPoller.Handler<HeapEvent>
{
    private final EventPoller<HeapEvent> poller;
    private int polled;

    PollingStage(final RingBuffer<HeapEvent> in)
    {
        poller = in.newPoller();
        in.addGatingSequences(poller.getSequence());
    }

    /**
     * Poll the input; a stage with other work to do first overrides this.
     *
     * @return the events taken.
     * @throws Exception if the handler throws.
     */
    @Override
    public int doWork() throws Exception
    {
        return poll();
    }

    /**
     * Take what the ring holds, up to the batch limit.
     *
     * @return the events taken.
     * @throws Exception if the handler throws.
     */
    final int poll() throws Exception
    {
        polled = 0;
        poller.poll(this);
        return polled;
    }

    @Override
    public final boolean onEvent(final HeapEvent event, final long sequence, final boolean endOfBatch)
    {
        polled++;
        return onEvent(event) && polled < DisruptorBaseline.BATCH_LIMIT;
    }

    /**
     * One event.
     *
     * @param event the event, valid only during the call.
     * @return whether to take the next one in this poll.
     */
    abstract boolean onEvent(HeapEvent event);
}
