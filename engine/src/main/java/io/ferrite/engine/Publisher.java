package io.ferrite.engine;

import org.agrona.concurrent.IdleStrategy;

import io.ferrite.engine.runtime.JobControl;
import io.ferrite.memory.schema.Schema;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingProducer;

/**
 * A source the application's threads publish into, once the job has started: each thread takes its own
 * {@link Producer}, claims a slot, writes the record's fields in place and commits; the source stage journals the
 * record and sends it on. Nothing is allocated per record. {@link #end()} ends the source, so a bounded job
 * completes.
 * <p>
 * <b>Note:</b> Threadsafe; each {@link Producer} is for one thread.
 */
public final class Publisher
{
    private final String name;
    private final Schema schema;
    private volatile RingChannel channel;
    private volatile JobControl control;
    private volatile boolean ended;
    private volatile boolean closed;

    Publisher(final String name, final Schema schema)
    {
        this.name = name;
        this.schema = schema;
    }

    void attach(final RingChannel channel, final JobControl control)
    {
        this.control = control;
        this.channel = channel;
    }

    void detach()
    {
        closed = true;
    }

    /**
     * The source's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The schema of the records it takes.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * A producer for the calling thread.
     *
     * @return a new producer.
     * @throws IllegalStateException if the job has not started or is closed.
     */
    public Producer newProducer()
    {
        final RingChannel ring = channel;
        if (null == ring || closed)
        {
            throw new IllegalStateException("publisher '" + name + "': " + (closed ? "the job is closed" :
                "start the job before publishing"));
        }
        return new Producer(this, ring.newProducer());
    }

    /**
     * End the source: records committed before this call are processed, none after. Waits while the ring is full.
     *
     * @param idleStrategy how to wait.
     */
    public void end(final IdleStrategy idleStrategy)
    {
        final RingChannel ring = channel;
        if (null == ring || closed)
        {
            throw new IllegalStateException("publisher '" + name + "': the job is not running");
        }
        synchronized (this)
        {
            if (ended)
            {
                return;
            }
            ended = true;
        }
        final Producer producer = new Producer(this, ring.newProducer());
        final long sequence = producer.claimSequence(idleStrategy);
        producer.producer.commitControl(sequence, EntryType.END_OF_STREAM, Long.MAX_VALUE, -1, -1, 0);
    }

    /**
     * Whether {@link #end} has been called.
     *
     * @return true once ended.
     */
    public boolean isEnded()
    {
        return ended;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("publisher '" + name + "': the job is closed");
        }
        if (ended)
        {
            throw new IllegalStateException("publisher '" + name + "': ended; no more records are taken");
        }
        if (control.isStopped())
        {
            throw new IllegalStateException("publisher '" + name + "': the job has stopped");
        }
    }

    /**
     * One thread's handle for publishing: claim, write through {@link #record()}, commit.
     * <p>
     * <b>Note:</b> Not threadsafe: one per thread.
     */
    public static final class Producer
    {
        private final Publisher publisher;
        private final RingProducer producer;
        private final RecordWriter writer;
        private final int length;
        private long sequence = -1;

        Producer(final Publisher publisher, final RingProducer producer)
        {
            this.publisher = publisher;
            this.producer = producer;
            this.writer = new RecordWriter(publisher.schema);
            this.length = publisher.schema.recordLength();
        }

        /**
         * Claim a slot if the ring has room: the back-pressure is the return code.
         *
         * @return true if claimed; false if the pipeline is behind.
         * @throws IllegalStateException if a claim is already open, or the job has ended, stopped or closed.
         */
        public boolean tryClaim()
        {
            checkNoClaim();
            publisher.checkOpen();
            final long claimed = producer.tryClaim();
            if (claimed < 0)
            {
                return false;
            }
            open(claimed);
            return true;
        }

        /**
         * Claim a slot, waiting with the idle strategy while the ring is full.
         *
         * @param idleStrategy how to wait.
         * @throws IllegalStateException if a claim is already open, or the job has ended, stopped or closed (also
         *                               while waiting).
         */
        public void claim(final IdleStrategy idleStrategy)
        {
            checkNoClaim();
            open(claimSequence(idleStrategy));
        }

        long claimSequence(final IdleStrategy idleStrategy)
        {
            idleStrategy.reset();
            while (true)
            {
                if (publisher.closed || publisher.control.isStopped())
                {
                    throw new IllegalStateException("publisher '" + publisher.name + "': the job is not running");
                }
                final long claimed = producer.tryClaim();
                if (claimed >= 0)
                {
                    return claimed;
                }
                idleStrategy.idle();
            }
        }

        private void open(final long claimed)
        {
            sequence = claimed;
            writer.wrapMutable(producer.buffer(), producer.payloadOffset(claimed));
            writer.clear();
        }

        /**
         * The claimed record, zeroed, to write fields into.
         *
         * @return the record.
         */
        public RecordWriter record()
        {
            if (sequence < 0)
            {
                throw new IllegalStateException("publisher '" + publisher.name + "': claim before writing");
            }
            return writer;
        }

        /**
         * Publish the claimed record.
         */
        public void commit()
        {
            if (sequence < 0)
            {
                throw new IllegalStateException("publisher '" + publisher.name + "': commit without a claim");
            }
            producer.commitRecord(sequence, length, 0, -1, -1);
            sequence = -1;
        }

        /**
         * Give the claimed slot back unpublished (it is skipped).
         */
        public void abandon()
        {
            if (sequence >= 0)
            {
                producer.commitControl(sequence, EntryType.PADDING, 0, -1, -1, 0);
                sequence = -1;
            }
        }

        private void checkNoClaim()
        {
            if (sequence >= 0)
            {
                throw new IllegalStateException("publisher '" + publisher.name + "': a claim is open; commit or " +
                    "abandon it first");
            }
        }
    }
}
