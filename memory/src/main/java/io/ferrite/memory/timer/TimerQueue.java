package io.ferrite.memory.timer;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;

/**
 * Timers of (timestamp, key), at most one per pair, kept off-heap and fired in order as time advances: the event-time
 * timer service of a keyed operator, with no Java object per timer.
 * <p>
 * A 4-ary min-heap of {@code [timestamp][key]} entries in a segment from the {@link MemoryManager}, and an
 * {@link OffHeapHashTable} from the same bytes to the entry's heap position, which makes registration idempotent and
 * deletion O(log n). Both are charged to the queue's owner and grow by doubling while the budget allows; when it does
 * not, {@link MemoryBudgetExceededException} is thrown and the queue is unchanged.
 * <p>
 * Timers fire in a canonical order — by timestamp, then by key (its 8-byte words compared as unsigned numbers, then
 * its remaining bytes) — which depends only on the set of timers, not on the order they were registered in: a queue
 * restored from a snapshot fires exactly as the original would have, which deterministic replay needs.
 * <p>
 * <b>Note:</b> Not threadsafe; a queue belongs to one operator on one thread.
 */
public final class TimerQueue implements AutoCloseable
{
    /**
     * The widest key.
     */
    public static final int MAX_KEY_WIDTH = OffHeapHashTable.MAX_KEY_WIDTH - 8;

    static final int SNAPSHOT_MAGIC = 0x51545246;
    static final int SNAPSHOT_VERSION = 1;

    private final MemoryManager memoryManager;
    private final String owner;
    private final int keyWidth;
    private final int entryLength;
    private final int stride;
    private OffHeapHashTable positions;
    private final UnsafeBuffer scratch;
    private final UnsafeBuffer fired;
    private final UnsafeBuffer swap;
    private MemorySegment segment;
    private UnsafeBuffer heap;
    private int capacity;
    private final int initialCapacity;
    private int size;
    private boolean closed;

    /**
     * A queue of timers whose keys are {@code keyWidth} bytes.
     *
     * @param memoryManager   where the queue's memory comes from.
     * @param owner           the owner its memory is charged to, usually the operator's name.
     * @param keyWidth        the key's width, 0 to {@value #MAX_KEY_WIDTH} bytes.
     * @param initialCapacity the timers to hold before the first growth.
     */
    public TimerQueue(
        final MemoryManager memoryManager, final String owner, final int keyWidth, final int initialCapacity)
    {
        if (keyWidth < 0 || keyWidth > MAX_KEY_WIDTH)
        {
            throw new IllegalArgumentException("timer key width out of range [0, " + MAX_KEY_WIDTH + "]: owner=" +
                owner + " keyWidth=" + keyWidth);
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.keyWidth = keyWidth;
        this.entryLength = 8 + keyWidth;
        this.stride = BitUtil.align(entryLength, 8);
        this.scratch = new UnsafeBuffer(new byte[stride]);
        this.fired = new UnsafeBuffer(new byte[stride]);
        this.swap = new UnsafeBuffer(new byte[stride]);
        this.capacity = Math.max(16, BitUtil.findNextPositivePowerOfTwo(Math.max(1, initialCapacity)));
        this.initialCapacity = capacity;
        this.positions = new OffHeapHashTable(memoryManager, owner, entryLength, 4, capacity,
            OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
        try
        {
            this.segment = memoryManager.allocate(owner, (long)capacity * stride);
        }
        catch (final RuntimeException ex)
        {
            positions.close();
            throw ex;
        }
        this.heap = segment.buffer();
    }

    /**
     * Register a timer for a key of 8 bytes.
     *
     * @param timestamp when it fires.
     * @param key       the key.
     * @return true if registered, false if that timer already existed.
     */
    public boolean register(final long timestamp, final long key)
    {
        checkLongKey();
        scratch.putLong(0, timestamp);
        scratch.putLong(8, key);
        return registerScratch();
    }

    /**
     * Register a timer.
     *
     * @param timestamp when it fires.
     * @param key       the buffer holding the key's {@link #keyWidth()} bytes.
     * @param keyOffset where the key starts.
     * @return true if registered, false if that timer already existed.
     * @throws MemoryBudgetExceededException if the queue must grow and the budget does not allow it.
     */
    public boolean register(final long timestamp, final DirectBuffer key, final int keyOffset)
    {
        scratch.putLong(0, timestamp);
        scratch.putBytes(8, key, keyOffset, keyWidth);
        return registerScratch();
    }

    /**
     * Delete a timer for a key of 8 bytes.
     *
     * @param timestamp the timer's timestamp.
     * @param key       the key.
     * @return true if it existed.
     */
    public boolean delete(final long timestamp, final long key)
    {
        checkLongKey();
        scratch.putLong(0, timestamp);
        scratch.putLong(8, key);
        return deleteScratch();
    }

    /**
     * Delete a timer.
     *
     * @param timestamp the timer's timestamp.
     * @param key       the buffer holding the key.
     * @param keyOffset where the key starts.
     * @return true if it existed.
     */
    public boolean delete(final long timestamp, final DirectBuffer key, final int keyOffset)
    {
        scratch.putLong(0, timestamp);
        scratch.putBytes(8, key, keyOffset, keyWidth);
        return deleteScratch();
    }

    /**
     * Fire, in order, every timer whose timestamp is at most {@code time}, removing each before its handler runs.
     * Timers the handler registers at or before {@code time} fire in the same call; the handler must not call
     * {@code fireUpTo} itself.
     *
     * @param time    the watermark (or the processing time).
     * @param handler what to do with each timer.
     * @param limit   the most timers to fire in this call.
     * @return the number fired.
     */
    public int fireUpTo(final long time, final TimerHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit && size > 0 && heap.getLong(0) <= time)
        {
            fired.putBytes(0, heap, 0, entryLength);
            removeAt(0);
            handler.onTimer(fired.getLong(0), fired, 8);
            count++;
        }
        return count;
    }

    /**
     * The earliest timer's timestamp.
     *
     * @return the timestamp, or {@link Long#MAX_VALUE} when there are no timers.
     */
    public long nextTimestamp()
    {
        return 0 == size ? Long.MAX_VALUE : heap.getLong(0);
    }

    /**
     * Whether a timer exists.
     *
     * @param timestamp the timer's timestamp.
     * @param key       the buffer holding the key.
     * @param keyOffset where the key starts.
     * @return true if it is registered.
     */
    public boolean contains(final long timestamp, final DirectBuffer key, final int keyOffset)
    {
        scratch.putLong(0, timestamp);
        scratch.putBytes(8, key, keyOffset, keyWidth);
        return OffHeapHashTable.MISSING != positions.get(scratch, 0);
    }

    /**
     * The number of timers.
     *
     * @return the size.
     */
    public int size()
    {
        return size;
    }

    /**
     * The key's width.
     *
     * @return the width in bytes.
     */
    public int keyWidth()
    {
        return keyWidth;
    }

    /**
     * Write every timer to a channel: the body of {@link #writeTo(SnapshotWriter)} and the CRC32C trailer of
     * {@link io.ferrite.memory.snapshot.SnapshotFormat}.
     *
     * @param channel where to write; not closed or forced.
     * @return the bytes written.
     * @throws IOException if the channel fails.
     */
    public long snapshot(final WritableByteChannel channel) throws IOException
    {
        final SnapshotWriter writer = new SnapshotWriter(channel);
        writeTo(writer);
        return writer.finish();
    }

    /**
     * Write every timer as a snapshot body — a header (magic {@code FRTQ}, version, key width, count) and the
     * entries {@code [timestamp][key]} in heap order — into a writer that other structures may share: the caller
     * writes what comes before and after, and finishes the snapshot. A queue restored from it holds the same heap, so
     * it fires in the same order and snapshots to the same bytes. Allocates nothing.
     *
     * @param writer where the body goes.
     * @throws IOException if the writer's channel fails.
     */
    public void writeTo(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        writer.writeInt(SNAPSHOT_MAGIC);
        writer.writeInt(SNAPSHOT_VERSION);
        writer.writeInt(keyWidth);
        writer.writeInt(size);
        for (int i = 0; i < size; i++)
        {
            writer.writeBytes(heap, i * stride, entryLength);
        }
    }

    /**
     * Replace the timers with a snapshot's, checked in full — header, entries, CRC32C — before anything is replaced:
     * a bad snapshot leaves the queue as it was. The restored queue fires in the same canonical order.
     *
     * @param channel where to read; not closed.
     * @param source  the snapshot's name, for errors.
     * @throws SnapshotCorruptedException    if the snapshot is empty, truncated, corrupted or of another key width.
     * @throws MemoryBudgetExceededException if the timers do not fit the budget.
     * @throws IOException                   if the channel fails.
     */
    public void restore(final ReadableByteChannel channel, final String source) throws IOException
    {
        checkOpen();
        final SnapshotReader reader = new SnapshotReader(channel, source, entryLength);
        final TimerQueue restored = readBody(reader);
        try
        {
            reader.verifyTrailer();
        }
        catch (final IOException | RuntimeException ex)
        {
            restored.close();
            throw ex;
        }
        adopt(restored);
    }

    /**
     * Replace the timers with a snapshot body written by {@link #writeTo(SnapshotWriter)}, read from a reader that
     * other structures may share. The timers are read into a new queue, which replaces the current one once the whole
     * body has been read and checked; the CRC32C of the snapshot is the caller's to verify, after everything sharing
     * it has been read. A bad body leaves the queue as it was.
     *
     * @param reader where the body comes from.
     * @throws SnapshotCorruptedException    if the body is truncated, of another kind or key width, or holds a
     *                                       count out of range or a duplicate timer; the exception names the reader's
     *                                       source and the offset.
     * @throws MemoryBudgetExceededException if the timers do not fit the budget.
     * @throws IOException                   if the reader's channel fails.
     */
    public void readFrom(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        adopt(readBody(reader));
    }

    /**
     * Read a body into a new queue of the same key width and owner, which the caller adopts or closes. The new queue
     * starts at this queue's initial capacity and grows as timers arrive, so a corrupted count allocates nothing;
     * registering the entries in heap order rebuilds the same heap, as each sorts after its parent.
     */
    private TimerQueue readBody(final SnapshotReader reader) throws IOException
    {
        final String source = reader.source();
        final long base = reader.offset();
        final int magic = reader.readInt();
        if (magic != SNAPSHOT_MAGIC)
        {
            throw new SnapshotCorruptedException(source, base, "bad magic 0x" + Integer.toHexString(magic) +
                ", expected 0x" + Integer.toHexString(SNAPSHOT_MAGIC) + " (a timer queue snapshot)");
        }
        final int version = reader.readInt();
        if (version != SNAPSHOT_VERSION)
        {
            throw new SnapshotCorruptedException(source, base + 4, "unsupported version " + version);
        }
        final int width = reader.readInt();
        if (width != keyWidth)
        {
            throw new SnapshotCorruptedException(source, base + 8, "key width " + width +
                " does not match the queue's " + keyWidth);
        }
        final int count = reader.readInt();
        if (count < 0)
        {
            throw new SnapshotCorruptedException(source, base + 12, "timer count out of range: " + count);
        }
        final TimerQueue restored = new TimerQueue(memoryManager, owner, keyWidth, initialCapacity);
        try
        {
            for (int i = 0; i < count; i++)
            {
                final long entryOffset = reader.offset();
                final int offset = reader.read(entryLength);
                if (!restored.register(reader.buffer().getLong(offset), reader.buffer(), offset + 8))
                {
                    throw new SnapshotCorruptedException(source, entryOffset, "duplicate timer in entry " + i);
                }
            }
            return restored;
        }
        catch (final IOException | RuntimeException ex)
        {
            restored.close();
            throw ex;
        }
    }

    /**
     * Release the queue's memory. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            positions.close();
            segment.release();
            size = 0;
        }
    }

    @Override
    public String toString()
    {
        return "TimerQueue{owner=" + owner + ", keyWidth=" + keyWidth + ", size=" + size + ", capacity=" +
            capacity + '}';
    }

    private void adopt(final TimerQueue restored)
    {
        final OffHeapHashTable oldPositions = positions;
        final MemorySegment oldSegment = segment;
        positions = restored.positions;
        segment = restored.segment;
        heap = restored.heap;
        capacity = restored.capacity;
        size = restored.size;
        restored.closed = true;
        oldPositions.close();
        oldSegment.release();
    }

    private boolean registerScratch()
    {
        if (size == capacity)
        {
            if (OffHeapHashTable.MISSING != positions.get(scratch, 0))
            {
                return false;
            }
            grow();
        }
        final int positionOffset = positions.getOrInsert(scratch, 0);
        if (!positions.lastInsertCreated())
        {
            return false;
        }
        final int position = size++;
        heap.putBytes(position * stride, scratch, 0, entryLength);
        positions.buffer().putInt(positionOffset, position);
        siftUp(position);
        return true;
    }

    private boolean deleteScratch()
    {
        final int positionOffset = positions.get(scratch, 0);
        if (OffHeapHashTable.MISSING == positionOffset)
        {
            return false;
        }
        removeAt(positions.buffer().getInt(positionOffset));
        return true;
    }

    private void removeAt(final int position)
    {
        positions.remove(heap, position * stride);
        final int last = --size;
        if (position != last)
        {
            heap.putBytes(position * stride, heap, last * stride, entryLength);
            if (!siftDown(position) && !siftUp(position))
            {
                setPosition(position);
            }
        }
    }

    /*
     * A 4-ary heap: half the depth of a binary one, so a firing moves half as many entries (each move updates the
     * entry's position in the hash table, the dominant cost). Sifting moves a hole, not the entry: the entry waits in
     * `swap` and is written, and its position set, once at its final place.
     */

    /**
     * Move the entry at {@code start} towards the root while it sorts before its parent.
     *
     * @return true if the entry moved.
     */
    private boolean siftUp(final int start)
    {
        if (start == 0)
        {
            return false;
        }
        final UnsafeBuffer heap = this.heap;
        swap.putBytes(0, heap, start * stride, entryLength);
        int position = start;
        while (position > 0)
        {
            final int parent = (position - 1) >>> 2;
            if (compare(swap, 0, heap, parent * stride) >= 0)
            {
                break;
            }
            moveTo(position, parent);
            position = parent;
        }
        return placeAt(position, start);
    }

    /**
     * Move the entry at {@code start} towards the leaves while a child sorts before it.
     *
     * @return true if the entry moved.
     */
    private boolean siftDown(final int start)
    {
        final UnsafeBuffer heap = this.heap;
        swap.putBytes(0, heap, start * stride, entryLength);
        int position = start;
        while (true)
        {
            final long first = 4L * position + 1;
            if (first >= size)
            {
                break;
            }
            final int last = (int)Math.min(first + 4, size);
            int smallest = (int)first;
            for (int child = smallest + 1; child < last; child++)
            {
                if (compare(heap, child * stride, heap, smallest * stride) < 0)
                {
                    smallest = child;
                }
            }
            if (compare(heap, smallest * stride, swap, 0) >= 0)
            {
                break;
            }
            moveTo(position, smallest);
            position = smallest;
        }
        return placeAt(position, start);
    }

    private void moveTo(final int hole, final int from)
    {
        heap.putBytes(hole * stride, heap, from * stride, entryLength);
        setPosition(hole);
    }

    private boolean placeAt(final int position, final int start)
    {
        if (position == start)
        {
            return false;
        }
        heap.putBytes(position * stride, swap, 0, entryLength);
        setPosition(position);
        return true;
    }

    private void setPosition(final int position)
    {
        final int offset = positions.get(heap, position * stride);
        positions.buffer().putInt(offset, position);
    }

    private int compare(final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset)
    {
        final int byTime = Long.compare(a.getLong(aOffset), b.getLong(bOffset));
        if (0 != byTime)
        {
            return byTime;
        }
        int i = 8;
        for (; i + 8 <= entryLength; i += 8)
        {
            final int byWord = Long.compareUnsigned(a.getLong(aOffset + i), b.getLong(bOffset + i));
            if (0 != byWord)
            {
                return byWord;
            }
        }
        for (; i < entryLength; i++)
        {
            final int byByte = Integer.compare(a.getByte(aOffset + i) & 0xFF, b.getByte(bOffset + i) & 0xFF);
            if (0 != byByte)
            {
                return byByte;
            }
        }
        return 0;
    }

    /**
     * Give memory back when no timer is left: a queue that grew returns to its initial capacity. Nothing happens to a
     * queue holding timers.
     *
     * @return the bytes released.
     */
    public long trimIfEmpty()
    {
        if (0 != size)
        {
            return 0;
        }
        long released = positions.trimIfEmpty();
        if (capacity > initialCapacity)
        {
            final MemorySegment newSegment = memoryManager.allocate(owner, (long)initialCapacity * stride);
            final MemorySegment oldSegment = segment;
            segment = newSegment;
            heap = newSegment.buffer();
            released += (long)(capacity - initialCapacity) * stride;
            capacity = initialCapacity;
            oldSegment.release();
        }
        return released;
    }

    private void grow()
    {
        final int newCapacity = capacity << 1;
        final MemorySegment newSegment = memoryManager.allocate(owner, (long)newCapacity * stride);
        newSegment.buffer().putBytes(0, heap, 0, size * stride);
        final MemorySegment oldSegment = segment;
        segment = newSegment;
        heap = newSegment.buffer();
        capacity = newCapacity;
        oldSegment.release();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("timer queue is closed: owner=" + owner);
        }
    }

    private void checkLongKey()
    {
        if (8 != keyWidth)
        {
            throw new IllegalStateException("long key methods need an 8-byte key: owner=" + owner + " keyWidth=" +
                keyWidth);
        }
    }
}
