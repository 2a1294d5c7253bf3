package io.ferrite.queues.ring;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.Sequencer;

/**
 * Publishes into a {@link RingChannel}: claim a slot, write the payload in place at {@link #payloadOffset(long)} of
 * {@link #buffer()}, then commit it with its header. Nothing is allocated.
 * <pre>{@code
 * final long sequence = producer.tryClaim();
 * if (sequence >= 0)
 * {
 *     price.put(producer.buffer(), producer.payloadOffset(sequence), 189.5);
 *     producer.commitRecord(sequence, schema.recordLength(), timestamp, sourceId, journalIndex);
 * }
 * }</pre>
 * A claimed slot must be committed; a claim that is never committed stalls every consumer.
 * <p>
 * <b>Note:</b> Not threadsafe: one producer per thread.
 */
public final class RingProducer extends RingProducerFields
{
    /**
     * Returned by {@link #tryClaim()} when the ring is full.
     */
    public static final long BACK_PRESSURED = -2;

    private final RingChannel channel;
    private final Sequencer sequencer;
    private final UnsafeBuffer buffer;
    private final boolean multi;
    private final int mask;
    private final int slotLength;
    private final int maxPayloadLength;
    long q01;
    long q02;
    long q03;
    long q04;
    long q05;
    long q06;
    long q07;
    long q08;

    RingProducer(final RingChannel channel)
    {
        this.channel = channel;
        this.sequencer = channel.sequencer();
        this.buffer = channel.buffer();
        this.multi = channel.producerMode() == RingChannel.ProducerMode.MULTI;
        this.mask = channel.mask();
        this.slotLength = channel.slotLength();
        this.maxPayloadLength = channel.maxPayloadLength();
    }

    /**
     * Claim the next slot without waiting.
     *
     * @return the slot's sequence, or {@link #BACK_PRESSURED} when the ring is full.
     */
    public long tryClaim()
    {
        final long sequence;
        if (multi)
        {
            if (!sequencer.hasAvailableCapacity(1))
            {
                backPressureEvents++;
                return BACK_PRESSURED;
            }
            try
            {
                sequence = sequencer.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                backPressureEvents++;
                return BACK_PRESSURED;
            }
        }
        else
        {
            if (!sequencer.hasAvailableCapacity(1))
            {
                backPressureEvents++;
                return BACK_PRESSURED;
            }
            sequence = sequencer.next();
        }
        claims++;
        return sequence;
    }

    /**
     * Claim the next slot, waiting with an idle strategy while the ring is full.
     *
     * @param idleStrategy how to wait.
     * @return the slot's sequence.
     */
    public long claim(final IdleStrategy idleStrategy)
    {
        long sequence;
        idleStrategy.reset();
        while ((sequence = tryClaim()) < 0)
        {
            idleStrategy.idle();
        }
        return sequence;
    }

    /**
     * Whether the next {@code entries} claims would succeed without waiting: the sequencer's own check, which reads
     * the consumers' sequences only when its cached view says the ring may be full.
     *
     * @param entries how many slots.
     * @return true if there is room.
     */
    public boolean hasCapacity(final int entries)
    {
        return sequencer.hasAvailableCapacity(entries);
    }

    /**
     * Free slots now: for sizing a batch, not for every entry (it reads every consumer's sequence).
     *
     * @return the free slots.
     */
    public long remainingCapacity()
    {
        return sequencer.remainingCapacity();
    }

    /**
     * The buffer holding every slot.
     *
     * @return the ring's buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where a claimed slot's payload starts in {@link #buffer()}.
     *
     * @param sequence the claimed sequence.
     * @return the payload's offset.
     */
    public int payloadOffset(final long sequence)
    {
        return (int)(sequence & mask) * slotLength + SlotDescriptor.HEADER_LENGTH;
    }

    /**
     * Write a record's header and publish its slot.
     *
     * @param sequence     the claimed sequence.
     * @param length       the payload's length, at most the channel's maximum.
     * @param timestamp    the event timestamp.
     * @param sourceId     the source the record came from.
     * @param journalIndex the journal index of its origin.
     */
    public void commitRecord(
        final long sequence, final int length, final long timestamp, final int sourceId, final long journalIndex)
    {
        if (length > maxPayloadLength || length < 0)
        {
            throw new IllegalArgumentException("payload does not fit the slot: channel=" + channel.name() +
                " length=" + length + " maxPayloadLength=" + maxPayloadLength);
        }
        commit(sequence, EntryType.RECORD, length, timestamp, sourceId, journalIndex, 0L);
    }

    /**
     * Write a control entry's header and publish its slot.
     *
     * @param sequence     the claimed sequence.
     * @param type         the entry type, one of {@link EntryType} other than {@link EntryType#RECORD}.
     * @param timestamp    a watermark's value, or the time of the control entry.
     * @param sourceId     the source that emits it.
     * @param journalIndex the source's position.
     * @param aux          the barrier's checkpoint id, the idle flag, or 0.
     */
    public void commitControl(
        final long sequence,
        final int type,
        final long timestamp,
        final int sourceId,
        final long journalIndex,
        final long aux)
    {
        if (type == EntryType.RECORD || !EntryType.isValid(type))
        {
            throw new IllegalArgumentException("not a control entry type: " + type);
        }
        commit(sequence, type, 0, timestamp, sourceId, journalIndex, aux);
    }

    /**
     * Slots this producer has claimed.
     *
     * @return the claims.
     */
    public long claims()
    {
        return claims;
    }

    /**
     * Times this producer found the ring full.
     *
     * @return the back-pressure events.
     */
    public long backPressureEvents()
    {
        return backPressureEvents;
    }

    /**
     * The channel this producer publishes into.
     *
     * @return the channel.
     */
    public RingChannel channel()
    {
        return channel;
    }

    private void commit(
        final long sequence,
        final int type,
        final int length,
        final long timestamp,
        final int sourceId,
        final long journalIndex,
        final long aux)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int slot = (int)(sequence & mask) * slotLength;
        buffer.putInt(slot + SlotDescriptor.LENGTH_OFFSET, length);
        buffer.putShort(slot + SlotDescriptor.TYPE_OFFSET, (short)type);
        buffer.putShort(slot + SlotDescriptor.SOURCE_ID_OFFSET, (short)sourceId);
        buffer.putLong(slot + SlotDescriptor.TIMESTAMP_OFFSET, timestamp);
        buffer.putLong(slot + SlotDescriptor.JOURNAL_INDEX_OFFSET, journalIndex);
        buffer.putLong(slot + SlotDescriptor.AUX_OFFSET, aux);
        sequencer.publish(sequence);
    }
}
