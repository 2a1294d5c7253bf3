package io.ferrite.engine.runtime;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingProducer;

/**
 * Where a stage's operators write: one ring channel, or one per downstream instance with records partitioned by key
 * hash. A record is written in place: {@link #claim(long)} a slot, write the payload at {@link #payloadOffset()} of
 * {@link #buffer()}, then {@link #commit}. Control entries go to every partition. Nothing is allocated.
 * <p>
 * The stage checks {@link #hasCapacity(int)} before it takes an input entry, so a claim made while handling it
 * always succeeds: in the shared and invoker threading modes a stage must never wait for a downstream stage that runs
 * on its own thread.
 * <p>
 * <b>Note:</b> Not threadsafe; one per stage.
 */
public final class StageOutput
{
    private final RingProducer[] partitions;
    private RingProducer claimed;
    private long claimedSequence = -1;

    /**
     * An output over one or more channels' producers.
     *
     * @param partitions one producer per downstream instance.
     */
    public StageOutput(final RingProducer... partitions)
    {
        if (partitions.length < 1)
        {
            throw new IllegalArgumentException("a stage output needs at least one channel");
        }
        for (final RingProducer partition : partitions)
        {
            if (partition.channel().producerMode() != io.ferrite.queues.ring.RingChannel.ProducerMode.SINGLE)
            {
                throw new IllegalArgumentException("a stage output needs single-producer channels (one per " +
                    "upstream and downstream pair), so its capacity check cannot race: " + partition.channel());
            }
        }
        this.partitions = partitions.clone();
    }

    /**
     * Whether every partition has room for {@code entries} more entries.
     *
     * @param entries the entries the next input may produce, per partition.
     * @return true if there is room.
     */
    public boolean hasCapacity(final int entries)
    {
        for (final RingProducer partition : partitions)
        {
            if (!partition.hasCapacity(entries))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The fewest free slots of any partition.
     *
     * @return the free slots.
     */
    public long freeCapacity()
    {
        long free = Long.MAX_VALUE;
        for (final RingProducer partition : partitions)
        {
            free = Math.min(free, partition.remainingCapacity());
        }
        return free;
    }

    /**
     * Claim a slot in the partition a key hash selects.
     *
     * @param keyHash the record's key hash; any value when there is one partition.
     * @throws IllegalStateException if the partition is full, which the capacity check rules out.
     */
    public void claim(final long keyHash)
    {
        final RingProducer producer = partitions.length == 1 ? partitions[0] :
            partitions[partition(keyHash, partitions.length)];
        final long sequence = producer.tryClaim();
        if (sequence < 0)
        {
            throw new IllegalStateException("output full after its capacity was checked: " + producer.channel());
        }
        claimed = producer;
        claimedSequence = sequence;
    }

    /**
     * The buffer the claimed slot lies in.
     *
     * @return the buffer.
     */
    public UnsafeBuffer buffer()
    {
        return claimed.buffer();
    }

    /**
     * Where the claimed slot's payload starts.
     *
     * @return the offset.
     */
    public int payloadOffset()
    {
        return claimed.payloadOffset(claimedSequence);
    }

    /**
     * Publish the claimed record.
     *
     * @param length       the payload's length.
     * @param timestamp    its event time.
     * @param sourceId     its origin's source.
     * @param journalIndex its origin's journal index.
     */
    public void commit(final int length, final long timestamp, final int sourceId, final long journalIndex)
    {
        claimed.commitRecord(claimedSequence, length, timestamp, sourceId, journalIndex);
        claimed = null;
        claimedSequence = -1;
    }

    /**
     * Send a control entry to every partition.
     *
     * @param type      the entry type.
     * @param timestamp the watermark, or the time.
     * @param sourceId  the source, or -1 for a stage's own.
     * @param aux       the aux value.
     */
    public void broadcastControl(final int type, final long timestamp, final int sourceId, final long aux)
    {
        for (final RingProducer partition : partitions)
        {
            final long sequence = partition.tryClaim();
            if (sequence < 0)
            {
                throw new IllegalStateException("output full after its capacity was checked: " +
                    partition.channel() + " entry=" + EntryType.name(type));
            }
            partition.commitControl(sequence, type, timestamp, sourceId, 0, aux);
        }
    }

    /**
     * The number of partitions.
     *
     * @return the count.
     */
    public int partitions()
    {
        return partitions.length;
    }

    /**
     * The partition of a key hash: a multiply-shift of the mixed hash, uniform over the partitions.
     *
     * @param keyHash    the key hash.
     * @param partitions the number of partitions.
     * @return the partition, 0 to partitions - 1.
     */
    public static int partition(final long keyHash, final int partitions)
    {
        final long mixed = (keyHash ^ (keyHash >>> 33)) * 0xff51afd7ed558ccdL;
        return (int)(((mixed >>> 32) * partitions) >>> 32);
    }
}
