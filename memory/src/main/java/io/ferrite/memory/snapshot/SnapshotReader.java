package io.ferrite.memory.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32C;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a snapshot's body from a channel through a direct staging buffer, computing the CRC32C of what it hands out,
 * then {@link #verifyTrailer()} checks the trailer of {@link SnapshotFormat} and that nothing follows it. A body that
 * ends early is reported as truncated.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class SnapshotReader
{
    private static final int MIN_STAGING_BYTES = 64 * 1024;

    private final ReadableByteChannel channel;
    private final String source;
    private final ByteBuffer staging;
    private final ByteBuffer crcView;
    private final UnsafeBuffer stagingBuffer;
    private final CRC32C crc = new CRC32C();
    private int position;
    private int limit;
    private long consumed;
    private boolean endOfStream;

    /**
     * A reader from a channel, which the caller closes.
     *
     * @param channel        where the snapshot comes from.
     * @param source         the snapshot's name, for errors.
     * @param maxChunkLength the longest run of bytes {@link #read(int)} will be asked for.
     */
    public SnapshotReader(final ReadableByteChannel channel, final String source, final int maxChunkLength)
    {
        this.channel = channel;
        this.source = source;
        final int capacity = Math.max(MIN_STAGING_BYTES, maxChunkLength + SnapshotFormat.TRAILER_LENGTH);
        this.staging = BufferUtil.allocateDirectAligned(BitUtil.findNextPositivePowerOfTwo(capacity), 64);
        this.crcView = staging.duplicate();
        this.stagingBuffer = new UnsafeBuffer(staging);
    }

    /**
     * The snapshot's name.
     *
     * @return the source.
     */
    public String source()
    {
        return source;
    }

    /**
     * Bytes of the body handed out so far: the offset of the next byte.
     *
     * @return the offset.
     */
    public long offset()
    {
        return consumed;
    }

    /**
     * The buffer that {@link #read(int)} offsets point into.
     *
     * @return the staging buffer.
     */
    public UnsafeBuffer buffer()
    {
        return stagingBuffer;
    }

    /**
     * Read the next {@code length} bytes of the body.
     *
     * @param length how many bytes, at most the chunk length given at construction.
     * @return their offset in {@link #buffer()}, valid until the next read.
     * @throws SnapshotCorruptedException if the snapshot ends first.
     * @throws IOException                if the channel fails.
     */
    public int read(final int length) throws IOException
    {
        fill(length);
        final int offset = position;
        crcView.limit(offset + length).position(offset);
        crc.update(crcView);
        position += length;
        consumed += length;
        return offset;
    }

    /**
     * Read a little-endian int.
     *
     * @return the value.
     * @throws IOException if the snapshot ends first or the channel fails.
     */
    public int readInt() throws IOException
    {
        return stagingBuffer.getInt(read(4), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Read a little-endian long.
     *
     * @return the value.
     * @throws IOException if the snapshot ends first or the channel fails.
     */
    public long readLong() throws IOException
    {
        return stagingBuffer.getLong(read(8), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Read the trailer, check the CRC32C of the body and that the snapshot ends there.
     *
     * @throws SnapshotCorruptedException if the trailer is missing or wrong, the CRC differs, or bytes follow.
     * @throws IOException                if the channel fails.
     */
    public void verifyTrailer() throws IOException
    {
        final int expectedCrc = (int)crc.getValue();
        final long trailerOffset = consumed;
        fill(SnapshotFormat.TRAILER_LENGTH);
        final int storedCrc = stagingBuffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
        final int magic = stagingBuffer.getInt(position + 4, ByteOrder.LITTLE_ENDIAN);
        position += SnapshotFormat.TRAILER_LENGTH;
        consumed += SnapshotFormat.TRAILER_LENGTH;
        if (magic != SnapshotFormat.TRAILER_MAGIC)
        {
            throw new SnapshotCorruptedException(source, trailerOffset + 4, "bad trailer magic 0x" +
                Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(SnapshotFormat.TRAILER_MAGIC));
        }
        if (storedCrc != expectedCrc)
        {
            throw new SnapshotCorruptedException(source, trailerOffset, "CRC32C mismatch: stored 0x" +
                Integer.toHexString(storedCrc) + ", computed 0x" + Integer.toHexString(expectedCrc));
        }
        if (position < limit || readMore())
        {
            throw new SnapshotCorruptedException(source, consumed, "unexpected bytes after the trailer");
        }
    }

    private void fill(final int length) throws IOException
    {
        if (limit - position >= length)
        {
            return;
        }
        if (length > staging.capacity())
        {
            throw new IllegalArgumentException("read longer than the staging buffer: " + length);
        }
        if (position > 0)
        {
            stagingBuffer.putBytes(0, stagingBuffer, position, limit - position);
            limit -= position;
            position = 0;
        }
        while (limit - position < length)
        {
            if (!readMore())
            {
                if (0 == consumed && 0 == limit)
                {
                    throw new SnapshotCorruptedException(source, 0, "empty");
                }
                throw new SnapshotCorruptedException(source, consumed + (limit - position), "truncated: needed " +
                    length + " bytes at offset " + consumed + ", only " + (limit - position) + " remain");
            }
        }
    }

    private boolean readMore() throws IOException
    {
        if (endOfStream)
        {
            return false;
        }
        if (limit == staging.capacity())
        {
            if (position == 0)
            {
                return true;
            }
            stagingBuffer.putBytes(0, stagingBuffer, position, limit - position);
            limit -= position;
            position = 0;
        }
        staging.limit(staging.capacity()).position(limit);
        final int read = channel.read(staging);
        if (read < 0)
        {
            endOfStream = true;
            return false;
        }
        limit += read;
        return true;
    }
}
