package io.ferrite.windowing;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * Count windows, Flink's {@code countWindow(size, slide)}: the records of each key are numbered 0, 1, 2, ... in
 * arrival order (timestamps and watermarks play no part), and a window's start and end are such ordinals.
 * <ul>
 *     <li>Tumbling ({@code slide == size}): window {@code [k * size, (k + 1) * size)} fires when its last record
 *     arrives.</li>
 *     <li>Sliding ({@code slide < size}, Flink's {@code CountTrigger(slide)} with {@code CountEvictor(size)}): after
 *     every {@code slide} records, when the key has {@code c} records and {@code c % slide == 0}, the window of its
 *     last {@code min(c, size)} records fires: {@code [max(0, c - size), c)}.</li>
 * </ul>
 * Every result is {@link Firing#ON_TIME}. {@link #onRecord} only queues the window it completes; {@link #emitPending}
 * emits the queue in order. A queued window's result does not change when later records arrive: it is combined, at
 * emission, from slices that are complete and that only a later emission frees.
 * <p>
 * At the {@link #endOfStream end of the stream} a key whose records since its last firing have not all been emitted
 * fires once more with what it has: the window that would fire next, {@code [max(0, n - size), c)} with {@code n} the
 * next multiple of {@code slide} above {@code c}, so no record is lost. For tumbling windows that is
 * {@code [c - c % size, c)}. For sliding windows it is shorter than the last {@code min(c, size)} records: the records
 * before {@code n - size} were in the window that fired at the last multiple of {@code slide}, and a partial slice
 * cannot be split (see below). Then all state is freed.
 * <p>
 * Slicing: each key's records are cut into slices of {@code gcd(size, slide)} records, one accumulator each, so a
 * record updates one slice and a window merges {@code size / gcd} slices when it is emitted; after a key's window
 * is emitted, the slices no later window of the key needs are freed. Each key keeps its record count for as long as
 * the operator lives (the ordinals go on), 8 bytes plus its table slot.
 * <p>
 * State, all off-heap and charged to the owner:
 * <pre>
 * keys:    key (8 bytes) -&gt; records so far (8 bytes)
 * slices:  [key (8 bytes)][slice index = ordinal / gcd (8 bytes)] -&gt; accumulator (aggregate's length)
 * pending: sequence number (8 bytes, from 1) -&gt; value, a FIFO of windows due
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           Key (8 bytes)                       |
 *  +---------------------------------------------------------------+
 *  |                   Start ordinal (8 bytes)                     |
 *  +---------------------------------------------------------------+
 *  |                    End ordinal (8 bytes)                      |
 *  +---------------------------------------------------------------+
 *  |     Final (8 bytes): 1 for a window fired by end of stream    |
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Note:</b> Not threadsafe. No input after {@link #endOfStream}. After a
 * {@link io.ferrite.memory.MemoryBudgetExceededException} from {@link #onRecord} the operator must be closed.
 */
final class CountWindowOperator implements WindowOperator
{
    /**
     * The magic of the operator's checkpoint: the bytes {@code FRCW}.
     */
    static final int SNAPSHOT_MAGIC = 0x57435246;
    static final int SNAPSHOT_VERSION = 1;

    static final int PENDING_KEY_OFFSET = 0;
    static final int PENDING_START_OFFSET = 8;
    static final int PENDING_END_OFFSET = 16;
    static final int PENDING_FINAL_OFFSET = 24;
    static final int PENDING_LENGTH = 32;

    private static final int INITIAL_KEYS = 256;
    private static final int INITIAL_SLICES = 256;
    private static final int INITIAL_PENDING = 64;

    private final MemoryManager memoryManager;
    private final String owner;
    private final long size;
    private final long slide;
    private final long sliceSize;
    private final AggregateFunction aggregate;
    private final WindowOutput output;
    private final int accumulatorLength;
    private final UnsafeBuffer sliceKey = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer scratch;
    private final long[] configuration;

    private final OffHeapHashTable keys;
    private final OffHeapHashTable slices;
    private final OffHeapHashTable pending;
    private long pendingHead = 1;
    private long pendingTail = 1;
    private long watermark = Long.MIN_VALUE;
    private boolean endQueued;
    private boolean closed;

    CountWindowOperator(
        final MemoryManager memoryManager,
        final String owner,
        final long size,
        final long slide,
        final AggregateFunction aggregate,
        final WindowOutput output)
    {
        if (size <= 0 || slide <= 0 || slide > size)
        {
            throw new IllegalArgumentException(owner + ": count window needs 0 < slide <= size: size=" + size +
                " slide=" + slide);
        }
        if (null == aggregate || null == output)
        {
            throw new NullPointerException(owner + ": aggregate and output are required");
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.size = size;
        this.slide = slide;
        this.sliceSize = gcd(size, slide);
        this.aggregate = aggregate;
        this.output = output;
        this.accumulatorLength = aggregate.accumulatorLength();
        this.scratch = new UnsafeBuffer(new byte[accumulatorLength]);
        this.configuration = new long[]{size, slide, accumulatorLength};

        OffHeapHashTable keys = null;
        OffHeapHashTable slices = null;
        try
        {
            keys = new OffHeapHashTable(memoryManager, owner, 8, 8, INITIAL_KEYS, OffHeapHashTable.DEFAULT_LOAD_FACTOR,
                0L);
            slices = new OffHeapHashTable(memoryManager, owner, 16, accumulatorLength, INITIAL_SLICES,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            this.pending = new OffHeapHashTable(memoryManager, owner, 8, PENDING_LENGTH, INITIAL_PENDING,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
        }
        catch (final RuntimeException ex)
        {
            if (null != keys)
            {
                keys.close();
            }
            if (null != slices)
            {
                slices.close();
            }
            throw ex;
        }
        this.keys = keys;
        this.slices = slices;
    }

    @Override
    public boolean onRecord(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        final OffHeapHashTable keys = this.keys;
        final int keyOffset = keys.getOrInsert(key);
        final long ordinal = keys.buffer().getLong(keyOffset);

        sliceKey.putLong(0, key);
        sliceKey.putLong(8, ordinal / sliceSize);
        final int sliceOffset = slices.getOrInsert(sliceKey, 0);
        final UnsafeBuffer sliceBuffer = slices.buffer();
        if (slices.lastInsertCreated())
        {
            aggregate.create(sliceBuffer, sliceOffset);
        }
        aggregate.add(sliceBuffer, sliceOffset, record, offset, timestamp);

        final long count = ordinal + 1;
        keys.buffer().putLong(keyOffset, count);
        if (0 == count % slide)
        {
            enqueue(key, Math.max(0, count - size), count, false);
        }
        return true;
    }

    @Override
    public long missedWindowStart()
    {
        return 0;
    }

    @Override
    public long missedWindowEnd()
    {
        return 0;
    }

    @Override
    public boolean hasPending()
    {
        return !pending.isEmpty();
    }

    @Override
    public int emitPending(final int limit)
    {
        final OffHeapHashTable pending = this.pending;
        int emitted = 0;
        while (emitted < limit && !pending.isEmpty())
        {
            final long sequence = pendingHead++;
            final int pendingOffset = pending.get(sequence);
            final UnsafeBuffer buffer = pending.buffer();
            final long key = buffer.getLong(pendingOffset + PENDING_KEY_OFFSET);
            final long start = buffer.getLong(pendingOffset + PENDING_START_OFFSET);
            final long end = buffer.getLong(pendingOffset + PENDING_END_OFFSET);
            final boolean isFinal = 0 != buffer.getLong(pendingOffset + PENDING_FINAL_OFFSET);
            pending.remove(sequence);

            emit(key, start, end);
            emitted++;
            if (!isFinal) // After the final windows, endOfStream clears every table at once.
            {
                // Free the slices no later window of the key needs; earlier emissions freed those before start.
                final long endSlice = Math.max(0, end + slide - size) / sliceSize;
                for (long slice = start / sliceSize; slice < endSlice; slice++)
                {
                    sliceKey.putLong(0, key);
                    sliceKey.putLong(8, slice);
                    slices.remove(sliceKey, 0);
                }
            }
        }
        if (pending.isEmpty())
        {
            pendingHead = 1;
            pendingTail = 1;
        }
        return emitted;
    }

    @Override
    public boolean advanceWatermark(final long watermark, final int limit)
    {
        emitPending(limit);
        if (watermark > this.watermark)
        {
            this.watermark = watermark;
        }
        return pending.isEmpty();
    }

    @Override
    public long watermark()
    {
        return watermark;
    }

    @Override
    public long nextFiringTime()
    {
        return Long.MAX_VALUE;
    }

    @Override
    public long nextProcessingTime()
    {
        return Long.MAX_VALUE;
    }

    @Override
    public int onProcessingTime(final long now, final int limit)
    {
        return 0;
    }

    @Override
    public boolean endOfStream(final int limit)
    {
        int emitted = emitPending(limit);
        if (!pending.isEmpty())
        {
            return false;
        }
        if (!endQueued)
        {
            endQueued = true;
            final OffHeapHashTable.Cursor cursor = keys.cursor();
            while (cursor.next())
            {
                final long count = cursor.buffer().getLong(cursor.valueOffset());
                if (0 != count % slide)
                {
                    final long next = (count / slide + 1) * slide;
                    enqueue(cursor.longKey(), Math.max(0, next - size), count, true);
                }
            }
            emitted += emitPending(limit - emitted);
            if (!pending.isEmpty())
            {
                return false;
            }
        }
        endQueued = false;
        keys.clear();
        slices.clear();
        keys.trimIfEmpty();
        slices.trimIfEmpty();
        pending.trimIfEmpty();
        watermark = Long.MAX_VALUE;
        return true;
    }

    @Override
    public long lateRecords()
    {
        return 0;
    }

    @Override
    public long allocatedBytes()
    {
        return closed ? 0 : keys.allocatedBytes() + slices.allocatedBytes() + pending.allocatedBytes();
    }

    /**
     * {@inheritDoc}
     * <p>
     * After the header: the queue's head and tail sequences, the watermark, and whether the end of the stream has
     * queued its final windows; then the keys, slices and pending tables.
     */
    @Override
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        SnapshotHeader.write(writer, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, configuration);
        writer.writeLong(pendingHead);
        writer.writeLong(pendingTail);
        writer.writeLong(watermark);
        OperatorSnapshots.writeFlag(writer, endQueued);
        keys.writeTo(writer);
        slices.writeTo(writer);
        pending.writeTo(writer);
    }

    @Override
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        final String what = "count window operator " + owner;
        SnapshotHeader.read(reader, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, what, configuration,
            CountWindowOperator::describe);
        final long head = reader.readLong();
        final long tail = reader.readLong();
        if (head < 1 || tail < head)
        {
            throw OperatorSnapshots.corrupted(reader, what, "queue sequences out of order: head " + head +
                ", tail " + tail);
        }
        pendingHead = head;
        pendingTail = tail;
        watermark = reader.readLong();
        endQueued = OperatorSnapshots.readFlag(reader, what);
        keys.readFrom(reader);
        slices.readFrom(reader);
        pending.readFrom(reader);
        if (pending.size() != tail - head)
        {
            throw OperatorSnapshots.corrupted(reader, what, pending.size() + " windows queued, the sequences say " +
                (tail - head));
        }
    }

    /**
     * The configuration a checkpoint holds, in words: size and slide, accumulator length.
     */
    static String[] describe(final long[] configuration)
    {
        final long size = configuration[0];
        final long slide = configuration[1];
        return new String[]{
            size == slide ? "count(" + size + ")" : "count(" + size + " every " + slide + ")",
            OperatorSnapshots.accumulator(configuration[2])};
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("window operator is closed: " + owner);
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            keys.close();
            slices.close();
            pending.close();
        }
    }

    @Override
    public String toString()
    {
        return "CountWindowOperator{owner=" + owner + ", size=" + size + ", slide=" + slide + ", keys=" +
            (closed ? 0 : keys.size()) + ", slices=" + (closed ? 0 : slices.size()) + ", pending=" +
            (closed ? 0 : pending.size()) + '}';
    }

    private void enqueue(final long key, final long start, final long end, final boolean isFinal)
    {
        final int pendingOffset = pending.getOrInsert(pendingTail++);
        final UnsafeBuffer buffer = pending.buffer();
        buffer.putLong(pendingOffset + PENDING_KEY_OFFSET, key);
        buffer.putLong(pendingOffset + PENDING_START_OFFSET, start);
        buffer.putLong(pendingOffset + PENDING_END_OFFSET, end);
        buffer.putLong(pendingOffset + PENDING_FINAL_OFFSET, isFinal ? 1 : 0);
    }

    private void emit(final long key, final long start, final long end)
    {
        final long firstSlice = start / sliceSize;
        final long lastSlice = (end - 1) / sliceSize;
        if (firstSlice == lastSlice)
        {
            final int sliceOffset = slice(key, firstSlice);
            output.onWindow(key, start, end, Firing.ON_TIME, end - start, slices.buffer(), sliceOffset);
            return;
        }
        final UnsafeBuffer scratch = this.scratch;
        scratch.setMemory(0, accumulatorLength, (byte)0);
        aggregate.create(scratch, 0);
        for (long slice = firstSlice; slice <= lastSlice; slice++)
        {
            aggregate.merge(scratch, 0, slices.buffer(), slice(key, slice));
        }
        output.onWindow(key, start, end, Firing.ON_TIME, end - start, scratch, 0);
    }

    private int slice(final long key, final long slice)
    {
        sliceKey.putLong(0, key);
        sliceKey.putLong(8, slice);
        final int sliceOffset = slices.get(sliceKey, 0);
        if (OffHeapHashTable.MISSING == sliceOffset)
        {
            throw new IllegalStateException(owner + ": slice " + slice + " of key " + key + " is missing");
        }
        return sliceOffset;
    }

    private static long gcd(final long a, final long b)
    {
        long x = a;
        long y = b;
        while (0 != y)
        {
            final long t = x % y;
            x = y;
            y = t;
        }
        return x;
    }
}
