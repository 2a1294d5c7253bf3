package io.ferrite.engine.runtime;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * A growable in-memory channel a stage serializes its state into at a barrier: the copy the hot path pauses for; the
 * checkpoint writer thread writes the bytes to disk, then {@link #release releases} them.
 * <p>
 * A stage takes its buffers from a {@link Pool}, so checkpoint after checkpoint reuses the same arrays (grown to the
 * state's size once) and the same snapshot writer: a checkpoint makes no garbage that would bring a collection.
 */
final class SnapshotBytes implements WritableByteChannel
{
    private byte[] bytes;
    private int length;
    private volatile boolean inFlight;

    SnapshotBytes(final int initialCapacity)
    {
        this.bytes = new byte[Math.max(64, initialCapacity)];
    }

    @Override
    public int write(final ByteBuffer source)
    {
        final int count = source.remaining();
        if (length + count > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
        }
        source.get(bytes, length, count);
        length += count;
        return count;
    }

    byte[] bytes()
    {
        return bytes;
    }

    int length()
    {
        return length;
    }

    /**
     * The checkpoint writer is done with the bytes: the stage may fill them again. Called on the writer's thread.
     */
    void release()
    {
        inFlight = false;
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }

    /**
     * A stage's two snapshot buffers and its snapshot writer. Checkpoints are seconds apart and a buffer is written
     * out in milliseconds, so the stage nearly always finds one released; when both are still being written (a slow
     * disk) it makes a third, not pooled, rather than wait.
     * <p>
     * A pooled buffer keeps the capacity its largest snapshot needed, on the heap, for the stage's life. Up to
     * {@link #MAX_POOLED_BYTES} that is the price of checkpoints without garbage; a buffer grown beyond it is dropped
     * when it comes back and replaced by a small one, so a stage with a large state holds its serialized copy only
     * while a checkpoint takes it (and makes garbage of that size per checkpoint, as it must).
     * <p>
     * <b>Note:</b> {@link #acquire} is called on the stage's thread only.
     */
    static final class Pool
    {
        /** The largest buffer kept from one checkpoint to the next. */
        static final int MAX_POOLED_BYTES = 16 * 1024 * 1024;

        private final SnapshotBytes[] buffers;
        private final int initialCapacity;
        private SnapshotWriter writer;

        Pool(final int initialCapacity)
        {
            this.initialCapacity = initialCapacity;
            this.buffers = new SnapshotBytes[]{new SnapshotBytes(initialCapacity), new SnapshotBytes(initialCapacity)};
        }

        /**
         * An empty buffer, in flight until the checkpoint writer releases it.
         *
         * @return the buffer.
         */
        SnapshotBytes acquire()
        {
            SnapshotBytes free = null;
            for (int i = 0; i < buffers.length; i++)
            {
                if (!buffers[i].inFlight)
                {
                    if (buffers[i].bytes.length > MAX_POOLED_BYTES)
                    {
                        buffers[i] = new SnapshotBytes(initialCapacity);
                    }
                    free = buffers[i];
                    break;
                }
            }
            if (null == free)
            {
                free = new SnapshotBytes(initialCapacity);
            }
            free.length = 0;
            free.inFlight = true;
            return free;
        }

        /**
         * The stage's snapshot writer, reset to a buffer.
         *
         * @param bytes the buffer from {@link #acquire}.
         * @return the writer.
         */
        SnapshotWriter writer(final SnapshotBytes bytes)
        {
            if (null == writer)
            {
                writer = new SnapshotWriter(bytes);
                return writer;
            }
            return writer.reset(bytes);
        }
    }
}
