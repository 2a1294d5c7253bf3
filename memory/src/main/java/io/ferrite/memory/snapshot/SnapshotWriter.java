package io.ferrite.memory.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.zip.CRC32C;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a snapshot's body to a channel through a direct staging buffer, computing the CRC32C as it goes, then
 * {@link #finish()} appends the trailer of {@link SnapshotFormat}.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class SnapshotWriter
{
    private static final int STAGING_BYTES = 64 * 1024;

    private WritableByteChannel channel;
    private final ByteBuffer staging;
    private final UnsafeBuffer stagingBuffer;
    private final CRC32C crc = new CRC32C();
    private int position;
    private long bytesWritten;
    private boolean finished;

    /**
     * A writer with no channel yet, to be {@link #reset reset} to one before each snapshot.
     */
    public SnapshotWriter()
    {
        this(null);
    }

    /**
     * A writer to a channel, which the caller closes.
     *
     * @param channel where the snapshot goes.
     */
    public SnapshotWriter(final WritableByteChannel channel)
    {
        this.channel = channel;
        this.staging = BufferUtil.allocateDirectAligned(STAGING_BYTES, 64).order(ByteOrder.LITTLE_ENDIAN);
        this.stagingBuffer = new UnsafeBuffer(staging);
    }

    /**
     * Start a new snapshot to another channel with this writer's staging buffer, so a snapshot taken again and again
     * (a checkpoint) allocates nothing, neither on the heap nor a direct buffer that only a collection would free.
     *
     * @param channel where the next snapshot goes; the caller closes it.
     * @return this.
     */
    public SnapshotWriter reset(final WritableByteChannel channel)
    {
        this.channel = channel;
        staging.clear();
        crc.reset();
        position = 0;
        bytesWritten = 0;
        finished = false;
        return this;
    }

    /**
     * Append a little-endian int.
     *
     * @param value the value.
     * @throws IOException if the channel fails.
     */
    public void writeInt(final int value) throws IOException
    {
        ensure(4);
        stagingBuffer.putInt(position, value, ByteOrder.LITTLE_ENDIAN);
        position += 4;
    }

    /**
     * Append a little-endian long.
     *
     * @param value the value.
     * @throws IOException if the channel fails.
     */
    public void writeLong(final long value) throws IOException
    {
        ensure(8);
        stagingBuffer.putLong(position, value, ByteOrder.LITTLE_ENDIAN);
        position += 8;
    }

    /**
     * Append bytes from a buffer.
     *
     * @param source the buffer.
     * @param offset where the bytes start.
     * @param length how many bytes.
     * @throws IOException if the channel fails.
     */
    public void writeBytes(final DirectBuffer source, final int offset, final int length) throws IOException
    {
        int remaining = length;
        int from = offset;
        while (remaining > 0)
        {
            if (position == STAGING_BYTES)
            {
                flush();
            }
            final int chunk = Math.min(remaining, STAGING_BYTES - position);
            stagingBuffer.putBytes(position, source, from, chunk);
            position += chunk;
            from += chunk;
            remaining -= chunk;
        }
    }

    /**
     * Bytes of the body written so far, staged or not.
     *
     * @return the body's length so far.
     */
    public long bodyLength()
    {
        return bytesWritten + position;
    }

    /**
     * Flush the body and append the trailer. The channel is not closed or forced.
     *
     * @return the snapshot's total length in bytes, trailer included.
     * @throws IOException if the channel fails.
     */
    public long finish() throws IOException
    {
        if (finished)
        {
            throw new IllegalStateException("snapshot already finished");
        }
        flush();
        staging.clear();
        staging.putInt((int)crc.getValue());
        staging.putInt(SnapshotFormat.TRAILER_MAGIC);
        staging.flip();
        writeFully();
        finished = true;
        bytesWritten += SnapshotFormat.TRAILER_LENGTH;
        return bytesWritten;
    }

    private void ensure(final int length) throws IOException
    {
        if (position + length > STAGING_BYTES)
        {
            flush();
        }
    }

    private void flush() throws IOException
    {
        if (position > 0)
        {
            staging.clear().limit(position);
            crc.update(staging);
            staging.clear().limit(position);
            writeFully();
            bytesWritten += position;
            position = 0;
        }
    }

    private void writeFully() throws IOException
    {
        while (staging.hasRemaining())
        {
            channel.write(staging);
        }
    }
}
