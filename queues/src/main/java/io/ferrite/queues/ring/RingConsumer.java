package io.ferrite.queues.ring;

import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.Sequencer;

/**
 * Reads a {@link RingChannel}'s entries in order, in batches, with its own sequence: every consumer of a channel sees
 * every entry (broadcast), and producers wait for the slowest. {@link #poll(EntryHandler, int)} returns how many
 * entries it handled, so an Agrona {@code Agent} can drive it from {@code doWork()}. Nothing is allocated.
 * <p>
 * <b>Note:</b> Not threadsafe: one thread polls a consumer.
 */
public final class RingConsumer implements AutoCloseable
{
    private final RingChannel channel;
    private final String name;
    private final Sequence sequence;
    private final Sequencer sequencer;
    private final UnsafeBuffer buffer;
    private final int mask;
    private final int slotLength;
    private final RingEntry entry = new RingEntry();
    private boolean closed;

    RingConsumer(final RingChannel channel, final String name, final Sequence sequence)
    {
        this.channel = channel;
        this.name = name;
        this.sequence = sequence;
        this.sequencer = channel.sequencer();
        this.buffer = channel.buffer();
        this.mask = channel.mask();
        this.slotLength = channel.slotLength();
    }

    /**
     * Hand up to {@code limit} published entries to a handler, in order. The entries handled are released to the
     * producers when the poll returns.
     *
     * @param handler what to do with each entry; it may stop the poll (see {@link EntryHandler}). If it throws, the
     *                entries before the one that threw stay consumed and the exception propagates; that entry is
     *                delivered again by the next poll.
     * @param limit   the most entries to handle.
     * @return the number of entries consumed.
     */
    public int poll(final EntryHandler handler, final int limit)
    {
        final long current = sequence.get();
        final long next = current + 1;
        final long cursor = sequencer.getCursor();
        if (cursor < next)
        {
            return 0;
        }
        final long highest = sequencer.getHighestPublishedSequence(next, Math.min(cursor, current + limit));

        final UnsafeBuffer buffer = this.buffer;
        final RingEntry entry = this.entry;
        long consumed = current;
        try
        {
            for (long s = next; s <= highest; s++)
            {
                final int action = handler.onEntry(entry.wrap(buffer, (int)(s & mask) * slotLength, s));
                if (action == EntryHandler.ABORT)
                {
                    break;
                }
                consumed = s;
                if (action == EntryHandler.BREAK)
                {
                    break;
                }
            }
        }
        finally
        {
            // Entries handled before a handler threw stay consumed: they are never delivered twice.
            if (consumed != current)
            {
                sequence.set(consumed);
            }
        }
        return (int)(consumed - current);
    }

    /**
     * Entries published and not yet consumed by this consumer.
     *
     * @return the backlog.
     */
    public long backlog()
    {
        return sequencer.getCursor() - sequence.get();
    }

    /**
     * The sequence of the last entry consumed, -1 before the first.
     *
     * @return the position.
     */
    public long position()
    {
        return sequence.get();
    }

    /**
     * The channel this consumer reads.
     *
     * @return the channel.
     */
    public RingChannel channel()
    {
        return channel;
    }

    /**
     * The consumer's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Stop gating the producers. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            channel.remove(this);
        }
    }

    Sequence sequence()
    {
        return sequence;
    }
}
