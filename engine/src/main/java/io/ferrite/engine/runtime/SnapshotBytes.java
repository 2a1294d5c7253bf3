package io.ferrite.engine.runtime;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * A growable in-memory channel a stage serializes its state into at a barrier: the copy the hot path pauses for; the
 * checkpoint writer thread writes the bytes to disk.
 */
final class SnapshotBytes implements WritableByteChannel
{
    private byte[] bytes;
    private int length;

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

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
