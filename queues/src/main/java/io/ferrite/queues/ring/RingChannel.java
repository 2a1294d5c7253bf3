package io.ferrite.queues.ring;

import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.MultiProducerSequencer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.Sequencer;
import com.lmax.disruptor.SingleProducerSequencer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;

/**
 * A ring of fixed-size slots in off-heap memory from a {@link MemoryManager}, sequenced by the LMAX Disruptor's own
 * sequencers: the pattern of the Disruptor's off-heap throughput tests, not a ring of heap event objects. Producers
 * claim a slot, write its payload in place and commit it ({@link RingProducer}); consumers poll batches of entries
 * in order, each with its own sequence, and the producers are gated by the slowest ({@link RingConsumer}). Every
 * slot carries a header ({@link SlotDescriptor}), so control entries — watermarks, barriers, idle markers, end of
 * stream — flow in order with the records.
 * <p>
 * A payload longer than the slot is refused when the pipeline is built ({@link #requireFits(String, int)}), never
 * truncated at run time.
 * <p>
 * <b>Note:</b> One producer thread for a {@link ProducerMode#SINGLE} channel, any number for
 * {@link ProducerMode#MULTI}; each consumer is used by one thread. Consumers are added before producers start.
 */
public final class RingChannel implements AutoCloseable
{
    /**
     * Whether one thread or several publish into a channel.
     */
    public enum ProducerMode
    {
        /**
         * One producer thread: the Disruptor's {@code SingleProducerSequencer}.
         */
        SINGLE,
        /**
         * Any number of producer threads: the Disruptor's {@code MultiProducerSequencer}.
         */
        MULTI
    }

    private final String name;
    private final int capacity;
    private final int maxPayloadLength;
    private final int slotLength;
    private final ProducerMode producerMode;
    private final MemorySegment segment;
    private final UnsafeBuffer buffer;
    private final Sequencer sequencer;
    private final CopyOnWriteArrayList<RingProducer> producers = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<RingConsumer> consumers = new CopyOnWriteArrayList<>();
    private boolean closed;

    /**
     * A channel in memory from a manager, charged to the channel's name.
     *
     * @param memoryManager    where the slots' memory comes from.
     * @param name             the channel's name: the owner its memory is charged to, and for messages.
     * @param capacity         the number of slots, a power of two.
     * @param maxPayloadLength the largest payload a slot holds.
     * @param producerMode     one producer thread or several.
     */
    public RingChannel(
        final MemoryManager memoryManager,
        final String name,
        final int capacity,
        final int maxPayloadLength,
        final ProducerMode producerMode)
    {
        if (capacity < 2 || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException(
                "ring capacity must be a power of two of at least 2: channel=" + name + " capacity=" + capacity);
        }
        if (maxPayloadLength < 0 || maxPayloadLength > MemoryManager.MAX_SEGMENT_BYTES / capacity)
        {
            throw new IllegalArgumentException(
                "max payload length out of range: channel=" + name + " maxPayloadLength=" + maxPayloadLength);
        }
        this.name = name;
        this.capacity = capacity;
        this.maxPayloadLength = maxPayloadLength;
        this.slotLength = SlotDescriptor.slotLength(maxPayloadLength);
        this.producerMode = producerMode;
        final long bytes = (long)capacity * slotLength;
        if (bytes > MemoryManager.MAX_SEGMENT_BYTES)
        {
            throw new IllegalArgumentException("ring larger than one segment: channel=" + name + " bytes=" + bytes);
        }
        this.segment = memoryManager.allocate(name, bytes);
        this.buffer = segment.buffer();
        this.sequencer = producerMode == ProducerMode.SINGLE ?
            new SingleProducerSequencer(capacity, new BusySpinWaitStrategy()) :
            new MultiProducerSequencer(capacity, new BusySpinWaitStrategy());
    }

    /**
     * A handle for one producer thread to publish into the channel.
     *
     * @return a new producer.
     * @throws IllegalStateException if the channel is single-producer and already has one.
     */
    public RingProducer newProducer()
    {
        if (producerMode == ProducerMode.SINGLE && !producers.isEmpty())
        {
            throw new IllegalStateException("single-producer channel already has its producer: channel=" + name);
        }
        final RingProducer producer = new RingProducer(this);
        producers.add(producer);
        return producer;
    }

    /**
     * A new consumer that reads every entry published from now on, gating the producers.
     *
     * @param consumerName the consumer's name, for messages.
     * @return the consumer.
     */
    public RingConsumer newConsumer(final String consumerName)
    {
        final Sequence sequence = new Sequence(Sequencer.INITIAL_CURSOR_VALUE);
        final RingConsumer consumer = new RingConsumer(this, consumerName, sequence);
        sequencer.addGatingSequences(consumer.sequence());
        consumers.add(consumer);
        return consumer;
    }

    /**
     * Refuse, at build time, a payload longer than a slot.
     *
     * @param what          what will be written, for the message (a schema or operator name).
     * @param payloadLength its length in bytes.
     * @throws IllegalArgumentException naming the channel, the payload and both lengths if it does not fit.
     */
    public void requireFits(final String what, final int payloadLength)
    {
        if (payloadLength > maxPayloadLength || payloadLength < 0)
        {
            throw new IllegalArgumentException("payload does not fit the channel's slots: channel=" + name +
                " payload=" + what + " length=" + payloadLength + " maxPayloadLength=" + maxPayloadLength);
        }
    }

    /**
     * The channel's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The number of slots.
     *
     * @return the capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * The largest payload a slot holds.
     *
     * @return the length in bytes.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * The length of one slot, header included.
     *
     * @return the slot length in bytes.
     */
    public int slotLength()
    {
        return slotLength;
    }

    /**
     * One producer or several.
     *
     * @return the producer mode.
     */
    public ProducerMode producerMode()
    {
        return producerMode;
    }

    /**
     * Entries claimed and not yet consumed by the slowest consumer.
     *
     * @return the occupancy, 0 to {@link #capacity()}.
     */
    public long occupancy()
    {
        return sequencer.getCursor() - sequencer.getMinimumSequence();
    }

    /**
     * Slots claimed by every producer so far.
     *
     * @return the claims.
     */
    public long claims()
    {
        long total = 0;
        for (final RingProducer producer : producers)
        {
            total += producer.claims();
        }
        return total;
    }

    /**
     * Times a producer found the ring full.
     *
     * @return the back-pressure events.
     */
    public long backPressureEvents()
    {
        long total = 0;
        for (final RingProducer producer : producers)
        {
            total += producer.backPressureEvents();
        }
        return total;
    }

    /**
     * Release the slots' memory. Idempotent; producers and consumers must have stopped.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            segment.release();
        }
    }

    @Override
    public String toString()
    {
        return "RingChannel{name=" + name + ", capacity=" + capacity + ", slotLength=" + slotLength + ", mode=" +
            producerMode + ", occupancy=" + occupancy() + '}';
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    Sequencer sequencer()
    {
        return sequencer;
    }

    int mask()
    {
        return capacity - 1;
    }

    void remove(final RingConsumer consumer)
    {
        if (consumers.remove(consumer))
        {
            sequencer.removeGatingSequence(consumer.sequence());
        }
    }
}
