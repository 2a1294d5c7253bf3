package io.ferrite.windowing.join;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;

/**
 * A growable off-heap list of {@code [order][ref][tie]} entries, three {@code long}s each, sortable by
 * {@code (order, tie)}: the records a join is about to pair, gathered from its tables and put in output order.
 * <p>
 * The segment is taken from the {@link MemoryManager} on first use, doubles while the budget allows, and is given
 * back by {@link #release()} when the join's state is empty.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
final class MatchList implements AutoCloseable
{
    static final int ENTRY_LENGTH = 24;

    private final MemoryManager memoryManager;
    private final String owner;
    private MemorySegment segment;
    private UnsafeBuffer buffer;
    private int capacity;
    private int size;

    MatchList(final MemoryManager memoryManager, final String owner)
    {
        this.memoryManager = memoryManager;
        this.owner = owner;
    }

    int size()
    {
        return size;
    }

    void clear()
    {
        size = 0;
    }

    void add(final long order, final long ref, final long tie)
    {
        if (size == capacity)
        {
            grow();
        }
        final int offset = size * ENTRY_LENGTH;
        final UnsafeBuffer buffer = this.buffer;
        buffer.putLong(offset, order);
        buffer.putLong(offset + 8, ref);
        buffer.putLong(offset + 16, tie);
        size++;
    }

    long order(final int index)
    {
        return buffer.getLong(index * ENTRY_LENGTH);
    }

    long ref(final int index)
    {
        return buffer.getLong(index * ENTRY_LENGTH + 8);
    }

    long tie(final int index)
    {
        return buffer.getLong(index * ENTRY_LENGTH + 16);
    }

    /**
     * Sort by {@code (order, tie)}. Gathered runs are usually in order already, so that is checked first; otherwise
     * heapsort: in place, no recursion, no allocation.
     */
    void sort()
    {
        final int n = size;
        boolean sorted = true;
        for (int i = 1; i < n; i++)
        {
            if (greater(i - 1, i))
            {
                sorted = false;
                break;
            }
        }
        if (sorted)
        {
            return;
        }
        for (int i = (n >>> 1) - 1; i >= 0; i--)
        {
            siftDown(i, n);
        }
        for (int end = n - 1; end > 0; end--)
        {
            swap(0, end);
            siftDown(0, end);
        }
    }

    long allocatedBytes()
    {
        return null == segment ? 0 : segment.capacity();
    }

    /**
     * Give the segment back; the list is empty afterwards and takes a new one on the next {@link #add}.
     */
    void release()
    {
        size = 0;
        capacity = 0;
        buffer = null;
        if (null != segment)
        {
            final MemorySegment released = segment;
            segment = null;
            released.release();
        }
    }

    @Override
    public void close()
    {
        release();
    }

    private void siftDown(final int start, final int n)
    {
        int parent = start;
        while (true)
        {
            final int left = 2 * parent + 1;
            if (left >= n)
            {
                break;
            }
            final int right = left + 1;
            final int largest = right < n && greater(right, left) ? right : left;
            if (!greater(largest, parent))
            {
                break;
            }
            swap(parent, largest);
            parent = largest;
        }
    }

    private boolean greater(final int a, final int b)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int aOffset = a * ENTRY_LENGTH;
        final int bOffset = b * ENTRY_LENGTH;
        final long aOrder = buffer.getLong(aOffset);
        final long bOrder = buffer.getLong(bOffset);
        if (aOrder != bOrder)
        {
            return aOrder > bOrder;
        }
        return buffer.getLong(aOffset + 16) > buffer.getLong(bOffset + 16);
    }

    private void swap(final int a, final int b)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int aOffset = a * ENTRY_LENGTH;
        final int bOffset = b * ENTRY_LENGTH;
        for (int i = 0; i < ENTRY_LENGTH; i += 8)
        {
            final long t = buffer.getLong(aOffset + i);
            buffer.putLong(aOffset + i, buffer.getLong(bOffset + i));
            buffer.putLong(bOffset + i, t);
        }
    }

    private void grow()
    {
        final long newCapacity = 0 == capacity ?
            Math.max(64, memoryManager.pageSizeBytes() / ENTRY_LENGTH) : 2L * capacity;
        if (newCapacity * ENTRY_LENGTH > MemoryManager.MAX_SEGMENT_BYTES)
        {
            throw new IllegalStateException("too many records to pair at once: owner=" + owner + " records=" + size);
        }
        final MemorySegment newSegment = memoryManager.allocate(owner, newCapacity * ENTRY_LENGTH);
        final UnsafeBuffer newBuffer = newSegment.buffer();
        if (null != segment)
        {
            newBuffer.putBytes(0, buffer, 0, size * ENTRY_LENGTH);
            segment.release();
        }
        segment = newSegment;
        buffer = newBuffer;
        capacity = newSegment.capacity() / ENTRY_LENGTH;
    }
}
