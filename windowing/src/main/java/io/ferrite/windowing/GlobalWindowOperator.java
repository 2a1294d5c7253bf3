package io.ferrite.windowing;

import java.io.IOException;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * One window per key, {@code [Long.MIN_VALUE, Long.MAX_VALUE)}, fired when a {@link Trigger} says so.
 * <p>
 * {@link #onRecord} adds the record to its key's window (creating it, with zeroed trigger state, if needed), counts
 * it, then asks the trigger: {@link Trigger#FIRE} queues an {@link Firing#ON_TIME} result of the window as it is now
 * (a snapshot: records that arrive before {@link #emitPending} do not change it), {@link Trigger#FIRE_AND_PURGE}
 * queues the same and then removes the key's window and trigger state. Every queued result is emitted, in the order
 * the triggers fired. {@link #endOfStream} emits the queued results, then fires every window that still holds
 * records once ({@link Firing#ON_TIME}, in table order), then frees all state. Timestamps reach the aggregate and the
 * trigger; watermarks are tracked but fire nothing, and no record is ever refused as late.
 * <p>
 * State, all off-heap and charged to the owner:
 * <pre>
 * windows: key (8 bytes) -&gt; value
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Record count (8 bytes)                   |
 *  +---------------------------------------------------------------+
 *  |          Accumulator (aggregate's length, padded to 8)       ...
 *  +---------------------------------------------------------------+
 *  |            Trigger state (trigger's stateLength)             ...
 *  +---------------------------------------------------------------+
 *
 * pending: sequence number (8 bytes, from 1) -&gt; value, a FIFO of fired snapshots
 *  +---------------------------------------------------------------+
 *  |                           Key (8 bytes)                       |
 *  +---------------------------------------------------------------+
 *  |                      Record count (8 bytes)                   |
 *  +---------------------------------------------------------------+
 *  |                Accumulator copy (aggregate's length)         ...
 *  +---------------------------------------------------------------+
 * </pre>
 * When both tables are empty, those that grew shrink back to their initial size, so {@link #allocatedBytes()} returns
 * to what it was when the operator was built.
 * <p>
 * <b>Note:</b> Not threadsafe. No input after {@link #endOfStream}. After a
 * {@link io.ferrite.memory.MemoryBudgetExceededException} from {@link #onRecord} the operator must be closed.
 */
final class GlobalWindowOperator implements WindowOperator
{
    /**
     * The magic of the operator's checkpoint: the bytes {@code FRGW}.
     */
    static final int SNAPSHOT_MAGIC = 0x57475246;
    static final int SNAPSHOT_VERSION = 1;

    static final int COUNT_OFFSET = 0;
    static final int ACCUMULATOR_OFFSET = 8;
    static final int PENDING_KEY_OFFSET = 0;
    static final int PENDING_COUNT_OFFSET = 8;
    static final int PENDING_ACCUMULATOR_OFFSET = 16;

    private static final int INITIAL_WINDOWS = 256;
    private static final int INITIAL_PENDING = 64;

    private final MemoryManager memoryManager;
    private final String owner;
    private final Trigger trigger;
    private final AggregateFunction aggregate;
    private final WindowOutput output;
    private final int accumulatorLength;
    private final int triggerStateOffset;
    private final int windowLength;
    private final long[] configuration;

    private final OffHeapHashTable windows;
    private final OffHeapHashTable pending;
    private long pendingHead = 1;
    private long pendingTail = 1;
    private long watermark = Long.MIN_VALUE;
    private OffHeapHashTable.Cursor endCursor;
    private boolean endCursorOnEntry;
    private boolean closed;

    GlobalWindowOperator(
        final MemoryManager memoryManager,
        final String owner,
        final Trigger trigger,
        final AggregateFunction aggregate,
        final WindowOutput output)
    {
        if (null == trigger || null == aggregate || null == output)
        {
            throw new NullPointerException(owner + ": trigger, aggregate and output are required");
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.trigger = trigger;
        this.aggregate = aggregate;
        this.output = output;
        this.accumulatorLength = aggregate.accumulatorLength();
        final int stateLength = trigger.stateLength();
        if (accumulatorLength < 1 || stateLength < 0)
        {
            throw new IllegalArgumentException(owner + ": accumulator length " + accumulatorLength +
                " and trigger state length " + stateLength + " out of range");
        }
        this.triggerStateOffset = ACCUMULATOR_OFFSET + BitUtil.align(accumulatorLength, 8);
        this.windowLength = triggerStateOffset + stateLength;
        this.configuration = new long[]{accumulatorLength, stateLength};
        this.windows = new OffHeapHashTable(memoryManager, owner, 8, windowLength, INITIAL_WINDOWS,
            OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
        try
        {
            this.pending = new OffHeapHashTable(memoryManager, owner, 8,
                PENDING_ACCUMULATOR_OFFSET + accumulatorLength, INITIAL_PENDING, OffHeapHashTable.DEFAULT_LOAD_FACTOR,
                0L);
        }
        catch (final RuntimeException ex)
        {
            windows.close();
            throw ex;
        }
    }

    @Override
    public boolean onRecord(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        final OffHeapHashTable windows = this.windows;
        final int windowOffset = windows.getOrInsert(key);
        final UnsafeBuffer buffer = windows.buffer();
        if (windows.lastInsertCreated())
        {
            aggregate.create(buffer, windowOffset + ACCUMULATOR_OFFSET);
        }
        aggregate.add(buffer, windowOffset + ACCUMULATOR_OFFSET, record, offset, timestamp);
        final long count = buffer.getLong(windowOffset + COUNT_OFFSET) + 1;
        buffer.putLong(windowOffset + COUNT_OFFSET, count);

        final byte decision = trigger.onRecord(
            buffer, windowOffset + triggerStateOffset, record, offset, timestamp, count);
        switch (decision)
        {
            case Trigger.CONTINUE:
                break;
            case Trigger.FIRE:
                snapshot(key, windowOffset, count);
                break;
            case Trigger.FIRE_AND_PURGE:
                snapshot(key, windowOffset, count);
                windows.remove(key);
                break;
            default:
                throw new IllegalStateException(owner + ": trigger " + trigger + " returned unknown decision " +
                    decision);
        }
        return true;
    }

    @Override
    public long missedWindowStart()
    {
        return Long.MIN_VALUE;
    }

    @Override
    public long missedWindowEnd()
    {
        return Long.MAX_VALUE;
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
            output.onWindow(
                buffer.getLong(pendingOffset + PENDING_KEY_OFFSET),
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                Firing.ON_TIME,
                buffer.getLong(pendingOffset + PENDING_COUNT_OFFSET),
                buffer,
                pendingOffset + PENDING_ACCUMULATOR_OFFSET);
            pending.remove(sequence);
            emitted++;
        }
        if (pending.isEmpty())
        {
            pendingHead = 1;
            pendingTail = 1;
            trimIfEmpty();
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
        if (null == endCursor)
        {
            endCursor = windows.cursor();
            endCursorOnEntry = false;
        }
        final OffHeapHashTable.Cursor cursor = endCursor;
        while (true)
        {
            if (!endCursorOnEntry)
            {
                if (!cursor.next())
                {
                    break;
                }
                endCursorOnEntry = true;
            }
            if (emitted >= limit)
            {
                return false;
            }
            final UnsafeBuffer buffer = cursor.buffer();
            final int windowOffset = cursor.valueOffset();
            output.onWindow(cursor.longKey(), Long.MIN_VALUE, Long.MAX_VALUE, Firing.ON_TIME,
                buffer.getLong(windowOffset + COUNT_OFFSET), buffer, windowOffset + ACCUMULATOR_OFFSET);
            endCursorOnEntry = false;
            emitted++;
        }
        endCursor = null;
        windows.clear();
        watermark = Long.MAX_VALUE;
        trimIfEmpty();
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
        return closed ? 0 : windows.allocatedBytes() + pending.allocatedBytes();
    }

    /**
     * {@inheritDoc}
     * <p>
     * After the header: the queue's head and tail sequences and the watermark; then the windows and pending tables.
     *
     * @throws IllegalStateException if {@link #endOfStream} has begun and not finished.
     */
    @Override
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        if (null != endCursor)
        {
            throw new IllegalStateException(owner + ": no checkpoint while the end of the stream is being emitted");
        }
        SnapshotHeader.write(writer, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, configuration);
        writer.writeLong(pendingHead);
        writer.writeLong(pendingTail);
        writer.writeLong(watermark);
        windows.writeTo(writer);
        pending.writeTo(writer);
    }

    @Override
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        final String what = "global window operator " + owner;
        SnapshotHeader.read(reader, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, what, configuration,
            GlobalWindowOperator::describe);
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
        windows.readFrom(reader);
        pending.readFrom(reader);
        if (pending.size() != tail - head)
        {
            throw OperatorSnapshots.corrupted(reader, what, pending.size() + " results queued, the sequences say " +
                (tail - head));
        }
        endCursor = null;
        endCursorOnEntry = false;
    }

    /**
     * The configuration a checkpoint holds, in words: accumulator length, trigger state length.
     */
    static String[] describe(final long[] configuration)
    {
        return new String[]{
            OperatorSnapshots.accumulator(configuration[0]),
            "trigger state of " + configuration[1] + " bytes"};
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
            windows.close();
            pending.close();
        }
    }

    @Override
    public String toString()
    {
        return "GlobalWindowOperator{owner=" + owner + ", trigger=" + trigger + ", windows=" +
            (closed ? 0 : windows.size()) + ", pending=" + (closed ? 0 : pending.size()) + '}';
    }

    private void snapshot(final long key, final int windowOffset, final long count)
    {
        final int pendingOffset = pending.getOrInsert(pendingTail++);
        final UnsafeBuffer buffer = pending.buffer();
        buffer.putLong(pendingOffset + PENDING_KEY_OFFSET, key);
        buffer.putLong(pendingOffset + PENDING_COUNT_OFFSET, count);
        buffer.putBytes(pendingOffset + PENDING_ACCUMULATOR_OFFSET, windows.buffer(),
            windowOffset + ACCUMULATOR_OFFSET, accumulatorLength);
    }

    private void trimIfEmpty()
    {
        if (windows.isEmpty() && pending.isEmpty())
        {
            windows.trimIfEmpty();
            pending.trimIfEmpty();
        }
    }
}
