package io.ferrite.perf.ring;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.ProducerType;

import io.ferrite.memory.MemoryManager;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingProducer;

/**
 * One ring hop, throughput: a producer thread publishes entries as fast as the ring lets it while the benchmark
 * thread consumes them, {@value #BATCH} per invocation, reported per entry. Every candidate carries the same fields —
 * length, type, source id, timestamp, journal index, aux and an 8-byte payload — and waits the same way, busy-spinning
 * with {@link Thread#onSpinWait()} (one producer and one consumer: as many spinning threads as a 2-core machine has).
 * <ul>
 *     <li>{@code ferrite}: a {@link RingChannel} with one producer;</li>
 *     <li>{@code disruptor}: a raw Disruptor {@link RingBuffer} of heap events and an {@link EventPoller};</li>
 *     <li>{@code agronaOneToOne}: Agrona's {@link OneToOneRingBuffer};</li>
 *     <li>{@code arrayBlockingQueue}: {@link ArrayBlockingQueue} of pooled events, offer and poll.</li>
 * </ul>
 * Read the result as ferrite ÷ disruptor and ferrite ÷ arrayBlockingQueue in entries per microsecond.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 3, jvmArgsAppend = { "-Dagrona.disable.bounds.checks=true" })
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RingChannelBenchmark
{
    static final int BATCH = 100;
    static final int CAPACITY = 4096;
    static final int PAYLOAD = 8;
    static final int PRODUCER_CPU = Integer.getInteger("ferrite.bench.producer.cpu", -1);
    static final int CONSUMER_CPU = Integer.getInteger("ferrite.bench.consumer.cpu", -1);

    /**
     * Pin the calling thread when {@code -Dferrite.bench.producer.cpu} / {@code consumer.cpu} name a core.
     *
     * @param cpu the core, or -1 to leave the thread where the scheduler puts it.
     */
    static void pin(final int cpu)
    {
        if (cpu >= 0)
        {
            net.openhft.affinity.Affinity.setAffinity(cpu);
        }
    }

    /**
     * Pin the benchmark (consumer) thread.
     */
    @State(Scope.Thread)
    public static class ConsumerPin
    {
        /**
         * Pin, once per trial.
         */
        @Setup(Level.Trial)
        public void pinConsumer()
        {
            pin(CONSUMER_CPU);
        }
    }

    /**
     * A heap event with the fields a Ferrite slot carries.
     */
    public static final class Event
    {
        int length;
        short type;
        short sourceId;
        long timestamp;
        long journalIndex;
        long aux;
        long value;
    }

    /**
     * What the consumer adds up, padded so that its writes for every entry share no cache line with what the
     * producer reads: without it, the result depends on where the JVM happens to place the objects.
     */
    static final class Accumulator
    {
        long p1;
        long p2;
        long p3;
        long p4;
        long p5;
        long p6;
        long p7;
        long p8;
        long sum;
        long q1;
        long q2;
        long q3;
        long q4;
        long q5;
        long q6;
        long q7;
        long q8;
    }

    /**
     * A producer thread that runs until the trial ends.
     */
    abstract static class ProducerThread
    {
        volatile boolean running = true;
        Thread thread;
        final Accumulator consumed = new Accumulator();

        abstract void produce(long value);

        void start(final String name)
        {
            thread = new Thread(() ->
            {
                pin(PRODUCER_CPU);
                long value = 0;
                while (running)
                {
                    produce(value++);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException
        {
            running = false;
            thread.join(10_000);
        }
    }

    /**
     * Ferrite's ring channel.
     */
    @State(Scope.Benchmark)
    public static class FerriteState extends ProducerThread
    {
        MemoryManager memory;
        RingChannel channel;
        RingProducer producer;
        RingConsumer consumer;
        EntryHandler handler;

        /**
         * Build the ring and start the producer.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            memory = new MemoryManager(64L << 20);
            channel = new RingChannel(memory, "bench", CAPACITY, PAYLOAD, RingChannel.ProducerMode.SINGLE);
            consumer = channel.newConsumer("bench");
            producer = channel.newProducer();
            final Accumulator accumulator = consumed;
            handler = (entry) ->
            {
                accumulator.sum += entry.buffer().getLong(entry.payloadOffset()) + entry.timestamp() +
                    entry.journalIndex();
                return EntryHandler.CONTINUE;
            };
            start("ferrite-producer");
        }

        @Override
        void produce(final long value)
        {
            long sequence;
            while ((sequence = producer.tryClaim()) < 0)
            {
                if (!running)
                {
                    return;
                }
                Thread.onSpinWait();
            }
            producer.buffer().putLong(producer.payloadOffset(sequence), value);
            producer.commitRecord(sequence, PAYLOAD, value, 1, value);
        }

        /**
         * Stop the producer and free the ring.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
            consumer.close();
            channel.close();
            memory.close();
        }
    }

    /**
     * A raw Disruptor ring of heap events.
     */
    @State(Scope.Benchmark)
    public static class DisruptorState extends ProducerThread
    {
        RingBuffer<Event> ring;
        EventPoller<Event> poller;
        final LimitedHandler limited = new LimitedHandler(this);

        /**
         * Build the ring and start the producer.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            ring = RingBuffer.create(ProducerType.SINGLE, Event::new, CAPACITY, new BusySpinWaitStrategy());
            poller = ring.newPoller();
            ring.addGatingSequences(poller.getSequence());
            start("disruptor-producer");
        }

        @Override
        void produce(final long value)
        {
            while (!ring.hasAvailableCapacity(1))
            {
                if (!running)
                {
                    return;
                }
                Thread.onSpinWait();
            }
            final long sequence = ring.next();
            final Event event = ring.get(sequence);
            event.length = PAYLOAD;
            event.type = 1;
            event.sourceId = 1;
            event.timestamp = value;
            event.journalIndex = value;
            event.aux = 0;
            event.value = value;
            ring.publish(sequence);
        }

        LimitedHandler limited(final int remaining)
        {
            limited.remaining = remaining;
            return limited;
        }

        /**
         * Stop the producer.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /**
     * Reads events until its quota is used up.
     */
    static final class LimitedHandler implements EventPoller.Handler<Event>
    {
        final DisruptorState state;
        int remaining;

        LimitedHandler(final DisruptorState state)
        {
            this.state = state;
        }

        @Override
        public boolean onEvent(final Event event, final long sequence, final boolean endOfBatch)
        {
            state.consumed.sum += event.value + event.timestamp + event.journalIndex;
            return --remaining > 0;
        }
    }

    /**
     * Agrona's one-to-one ring buffer.
     */
    @State(Scope.Benchmark)
    public static class AgronaState extends ProducerThread
    {
        static final int MESSAGE_LENGTH = 40;
        OneToOneRingBuffer ring;
        final MessageHandler handler = this::onMessage;

        /**
         * Build the ring and start the producer.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            final int bytes = BitUtil.findNextPositivePowerOfTwo(CAPACITY * (MESSAGE_LENGTH + 8)) +
                RingBufferDescriptor.TRAILER_LENGTH;
            ring = new OneToOneRingBuffer(new UnsafeBuffer(new byte[bytes]));
            start("agrona-producer");
        }

        @Override
        void produce(final long value)
        {
            int index;
            while ((index = ring.tryClaim(1, MESSAGE_LENGTH)) <= 0)
            {
                if (!running)
                {
                    return;
                }
                Thread.onSpinWait();
            }
            final AtomicBuffer buffer = ring.buffer();
            buffer.putShort(index, (short)1);
            buffer.putShort(index + 2, (short)1);
            buffer.putLong(index + 8, value);
            buffer.putLong(index + 16, value);
            buffer.putLong(index + 24, 0);
            buffer.putLong(index + 32, value);
            ring.commit(index);
        }

        void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            consumed.sum += buffer.getLong(index + 32) + buffer.getLong(index + 8) + buffer.getLong(index + 16);
        }

        /**
         * Stop the producer.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /**
     * A JDK {@link ArrayBlockingQueue} of pooled events: a pool of capacity + 2 events cycled in order cannot hand
     * out an event the consumer still reads.
     */
    @State(Scope.Benchmark)
    public static class QueueState extends ProducerThread
    {
        ArrayBlockingQueue<Event> queue;
        Event[] pool;
        int next;

        /**
         * Build the queue and start the producer.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            queue = new ArrayBlockingQueue<>(CAPACITY);
            pool = new Event[CAPACITY + 2];
            for (int i = 0; i < pool.length; i++)
            {
                pool[i] = new Event();
            }
            start("queue-producer");
        }

        @Override
        void produce(final long value)
        {
            final Event event = pool[next];
            event.length = PAYLOAD;
            event.type = 1;
            event.sourceId = 1;
            event.timestamp = value;
            event.journalIndex = value;
            event.aux = 0;
            event.value = value;
            while (!queue.offer(event))
            {
                if (!running)
                {
                    return;
                }
                Thread.onSpinWait();
            }
            next = next + 1 == pool.length ? 0 : next + 1;
        }

        /**
         * Stop the producer.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /**
     * Consume a batch from Ferrite's channel.
     *
     * @param state the channel.
     * @param pin   pins the consumer thread when a core is named.
     * @return the running sum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ferrite(final FerriteState state, final ConsumerPin pin)
    {
        int remaining = BATCH;
        while (remaining > 0)
        {
            final int polled = state.consumer.poll(state.handler, remaining);
            if (0 == polled)
            {
                Thread.onSpinWait();
            }
            remaining -= polled;
        }
        return state.consumed.sum;
    }

    /**
     * Consume a batch from the raw Disruptor ring.
     *
     * @param state the ring.
     * @param pin   pins the consumer thread when a core is named.
     * @return the running sum of what was read.
     * @throws Exception never, but the poller declares it.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long disruptor(final DisruptorState state, final ConsumerPin pin) throws Exception
    {
        final LimitedHandler limited = state.limited(BATCH);
        while (limited.remaining > 0)
        {
            if (state.poller.poll(limited) != EventPoller.PollState.PROCESSING)
            {
                Thread.onSpinWait();
            }
        }
        return state.consumed.sum;
    }

    /**
     * Consume a batch from Agrona's ring buffer.
     *
     * @param state the ring.
     * @param pin   pins the consumer thread when a core is named.
     * @return the running sum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agronaOneToOne(final AgronaState state, final ConsumerPin pin)
    {
        int remaining = BATCH;
        while (remaining > 0)
        {
            final int read = state.ring.read(state.handler, remaining);
            if (0 == read)
            {
                Thread.onSpinWait();
            }
            remaining -= read;
        }
        return state.consumed.sum;
    }

    /**
     * Consume a batch from the {@code ArrayBlockingQueue}.
     *
     * @param state the queue.
     * @param pin   pins the consumer thread when a core is named.
     * @return the running sum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long arrayBlockingQueue(final QueueState state, final ConsumerPin pin)
    {
        long sum = state.consumed.sum;
        int remaining = BATCH;
        while (remaining > 0)
        {
            final Event event = state.queue.poll();
            if (null == event)
            {
                Thread.onSpinWait();
                continue;
            }
            sum += event.value + event.timestamp + event.journalIndex;
            remaining--;
        }
        state.consumed.sum = sum;
        return sum;
    }
}
