package io.ferrite.engine.runtime;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingProducer;

/**
 * Where a stage's operators write: one or more routes (one per downstream edge), each a ring channel, or one channel
 * per downstream instance with records partitioned by key hash. A stage that only ends in sinks has no route. A
 * record is written in place: {@link #claim(int, long)} a slot, write the payload at {@link #payloadOffset()} of
 * {@link #buffer()}, then {@link #commit}. Control entries go to every channel. Nothing is allocated.
 * <p>
 * The stage checks {@link #hasCapacity(int)} before it takes an input entry, so a claim made while handling it
 * always succeeds: in the shared and invoker threading modes a stage must never wait for a downstream stage that runs
 * on its own thread.
 * <p>
 * <b>Note:</b> Not threadsafe; one per stage.
 */
public final class StageOutput
{
    private final RingProducer[][] routes;
    private final RingProducer[] producers;
    private RingProducer claimed;
    private long claimedSequence = -1;
    private long recordsOut;

    /**
     * An output with one route over one or more channels' producers.
     *
     * @param partitions one producer per downstream instance.
     */
    public StageOutput(final RingProducer... partitions)
    {
        this(new RingProducer[][]{partitions});
    }

    /**
     * An output with several routes.
     *
     * @param routes per route, one producer per downstream instance; no routes for a stage that ends in sinks.
     */
    public StageOutput(final RingProducer[][] routes)
    {
        int count = 0;
        for (final RingProducer[] route : routes)
        {
            if (route.length < 1)
            {
                throw new IllegalArgumentException("a stage output route needs at least one channel");
            }
            count += route.length;
        }
        this.routes = new RingProducer[routes.length][];
        this.producers = new RingProducer[count];
        int next = 0;
        for (int r = 0; r < routes.length; r++)
        {
            this.routes[r] = routes[r].clone();
            for (final RingProducer partition : routes[r])
            {
                if (partition.channel().producerMode() != RingChannel.ProducerMode.SINGLE)
                {
                    throw new IllegalArgumentException("a stage output needs single-producer channels (one per " +
                        "upstream and downstream pair), so its capacity check cannot race: " + partition.channel());
                }
                producers[next++] = partition;
            }
        }
    }

    /**
     * Whether every channel has room for {@code entries} more entries.
     *
     * @param entries the entries the next input may produce, per channel.
     * @return true if there is room.
     */
    public boolean hasCapacity(final int entries)
    {
        for (final RingProducer producer : producers)
        {
            if (!producer.hasCapacity(entries))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The fewest free slots of any channel; {@link Integer#MAX_VALUE} with no channel.
     *
     * @return the free slots.
     */
    public long freeCapacity()
    {
        long free = Integer.MAX_VALUE;
        for (final RingProducer producer : producers)
        {
            free = Math.min(free, producer.remainingCapacity());
        }
        return free;
    }

    /**
     * Claim a slot in the first route, in the partition a key hash selects.
     *
     * @param keyHash the record's key hash; any value when there is one partition.
     * @throws IllegalStateException if the partition is full, which the capacity check rules out.
     */
    public void claim(final long keyHash)
    {
        claim(0, keyHash);
    }

    /**
     * Claim a slot in a route, in the partition a key hash selects.
     *
     * @param route   the route.
     * @param keyHash the record's key hash; any value when the route has one partition.
     * @throws IllegalStateException if the partition is full, which the capacity check rules out.
     */
    public void claim(final int route, final long keyHash)
    {
        final RingProducer[] partitions = routes[route];
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
        recordsOut++;
    }

    /**
     * Send a control entry to every channel.
     *
     * @param type      the entry type.
     * @param timestamp the watermark, or the time.
     * @param sourceId  the source, or -1 for a stage's own.
     * @param aux       the aux value.
     */
    public void broadcastControl(final int type, final long timestamp, final int sourceId, final long aux)
    {
        for (final RingProducer producer : producers)
        {
            final long sequence = producer.tryClaim();
            if (sequence < 0)
            {
                throw new IllegalStateException("output full after its capacity was checked: " +
                    producer.channel() + " entry=" + EntryType.name(type));
            }
            producer.commitControl(sequence, type, timestamp, sourceId, 0, aux);
        }
    }

    /**
     * The number of partitions of the first route.
     *
     * @return the count.
     */
    public int partitions()
    {
        return routes.length == 0 ? 0 : routes[0].length;
    }

    /**
     * Records committed so far.
     *
     * @return the count.
     */
    public long recordsOut()
    {
        return recordsOut;
    }

    /**
     * The partition of a key: MurmurHash3's 64-bit finaliser mixes every bit of the key into the high half (short
     * symbols differ only in their low bytes), then a multiply-shift maps it uniformly onto the partitions.
     *
     * @param key        the key.
     * @param partitions the number of partitions.
     * @return the partition, 0 to partitions - 1.
     */
    public static int partition(final long key, final int partitions)
    {
        long mixed = key ^ (key >>> 33);
        mixed *= 0xff51afd7ed558ccdL;
        mixed ^= mixed >>> 33;
        mixed *= 0xc4ceb9fe1a85ec53L;
        mixed ^= mixed >>> 33;
        return (int)(((mixed >>> 32) * partitions) >>> 32);
    }
}
