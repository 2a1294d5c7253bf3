package io.ferrite.memory.snapshot;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A test channel over a byte array that hands out 1 to {@code maxChunk} bytes per read, cycling, to exercise
 * readers' refill logic.
 */
public final class TrickleChannel implements ReadableByteChannel
{
    private final byte[] bytes;
    private final int maxChunk;
    private int position;
    private int turn;

    /**
     * A channel over the bytes.
     *
     * @param bytes    what the channel delivers.
     * @param maxChunk the most bytes one read delivers.
     */
    public TrickleChannel(final byte[] bytes, final int maxChunk)
    {
        this.bytes = bytes;
        this.maxChunk = maxChunk;
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        if (position == bytes.length)
        {
            return -1;
        }
        final int n = Math.min(Math.min(dst.remaining(), 1 + (turn++ % maxChunk)), bytes.length - position);
        dst.put(bytes, position, n);
        position += n;
        return n;
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
