package io.ferrite.memory;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A run of contiguous, aligned, zeroed pages of native memory handed out by a {@link MemoryManager} and charged to
 * an owner. Its bytes are read and written through {@link #buffer()}, an Agrona {@link UnsafeBuffer} whose index 0
 * is the first byte of the segment.
 * <p>
 * Releasing a segment frees its memory and re-wraps its buffer to a capacity of zero, so that with Agrona's bounds
 * checks on (the default, and always in tests) any later read or write through a buffer reference kept from before
 * the release fails with an {@link IndexOutOfBoundsException} reporting a length of 0, never touching the
 * freed memory; {@link #buffer()} and a second release throw {@link SegmentReleasedException}. This is the
 * technique of Flink's {@code MemorySegment}, which invalidates a freed segment so its own checks reject it.
 * <p>
 * <b>Note:</b> Not threadsafe. A segment belongs to one owner on one thread; the manager's bookkeeping is
 * synchronised, the segment's bytes are not.
 */
public final class MemorySegment
{
    private final MemoryManager manager;
    private final String owner;
    private final long rawAddress;
    private final long address;
    private final int capacity;
    private final UnsafeBuffer buffer;
    private boolean released;
    int ownerIndex;

    MemorySegment(
        final MemoryManager manager, final String owner, final long rawAddress, final long address, final int capacity)
    {
        this.manager = manager;
        this.owner = owner;
        this.rawAddress = rawAddress;
        this.address = address;
        this.capacity = capacity;
        this.buffer = new UnsafeBuffer(address, capacity);
    }

    /**
     * The buffer over this segment's bytes, index 0 being the segment's first byte.
     *
     * @return the buffer; the same instance on every call.
     * @throws SegmentReleasedException if the segment has been released.
     */
    public UnsafeBuffer buffer()
    {
        if (released)
        {
            throw new SegmentReleasedException("buffer", this);
        }
        return buffer;
    }

    /**
     * The address of the segment's first byte, aligned to {@link MemoryManager#ALIGNMENT}.
     *
     * @return the native address.
     * @throws SegmentReleasedException if the segment has been released.
     */
    public long address()
    {
        if (released)
        {
            throw new SegmentReleasedException("address", this);
        }
        return address;
    }

    /**
     * The segment's size in bytes: a whole number of the manager's pages.
     *
     * @return the capacity in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * The owner this segment is charged to.
     *
     * @return the owner's name.
     */
    public String owner()
    {
        return owner;
    }

    /**
     * The manager this segment came from.
     *
     * @return the manager.
     */
    public MemoryManager manager()
    {
        return manager;
    }

    /**
     * Whether this segment has been released.
     *
     * @return true once released.
     */
    public boolean isReleased()
    {
        return released;
    }

    /**
     * Release this segment to its manager: shorthand for {@code manager().release(this)}.
     *
     * @throws SegmentReleasedException if the segment has already been released.
     */
    public void release()
    {
        manager.release(this);
    }

    long rawAddress()
    {
        return rawAddress;
    }

    void invalidate()
    {
        released = true;
        buffer.wrap(0L, 0);
    }

    @Override
    public String toString()
    {
        return "MemorySegment{owner=" + owner + ", capacity=" + capacity + ", released=" + released + '}';
    }
}
