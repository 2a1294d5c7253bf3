package io.ferrite.windowing;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.memory.timer.TimerHandler;
import io.ferrite.memory.timer.TimerQueue;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * Tumbling and sliding windows computed by slicing: each record updates exactly one slice accumulator (one hash
 * lookup, of the slice's chunk), and a window is combined from its slices when it fires. The cost per record does not
 * depend on {@code size / slide}; the cost per fired window does, unless the aggregate
 * {@link AggregateFunction#canSubtract() subtracts}: then each key keeps a running accumulator that slides by merging
 * the newest slide's slices and deducting the oldest, so firing costs {@code 2 * slide / sliceSize} slice lookups
 * whatever the window size.
 * <p>
 * <b>State</b>, all off-heap and charged to the owner:
 * <ul>
 *     <li>slices, in chunks of up to {@value #MAX_CHUNK_SLOTS} consecutive slices of a key:
 *     {@code [key][chunk start] -> [live slices]([record count][accumulator])*}; a slice is live while its count is
 *     above zero, and a chunk is removed with its last live slice;</li>
 *     <li>keys: {@code key -> [live slices][running window start, valid][min, max slice start][running count]
 *     [running accumulator]}; the keys with an early-results timer armed in a table of their own;</li>
 *     <li>timer queues of {@code [key][window start]}: windows to fire at {@code end - 1}; slices to free at
 *     {@code end - 1 + lateness}; LATE updates and EARLY results waiting for output space; and one early-results timer
 *     per key in processing time.</li>
 * </ul>
 * A key's windows fire as a chain: a new slice registers its first open window; a fired window registers the next one
 * while the slices it shares with it hold records. When a window fires, the slices that leave with it (the first
 * {@code slide} of it, which no later window holds) are freed then, or once its lateness has passed.
 * <p>
 * A late record (timestamp at or below the watermark) that is not refused updates its slice and queues a LATE update
 * of each of its windows that has closed but not expired; windows of it still open fire as usual.
 * <p>
 * <b>Note:</b> Not threadsafe; see {@link WindowOperator}.
 */
final class SlicingWindowOperator implements WindowOperator
{
    /**
     * The magic of the operator's checkpoint: the bytes {@code FRSW}.
     */
    static final int SNAPSHOT_MAGIC = 0x57535246;
    static final int SNAPSHOT_VERSION = 1;

    private static final int SLICE_COUNT = 0;
    private static final int SLICE_ACC = 8;
    private static final int CHUNK_LIVE = 0;
    private static final int CHUNK_SLOTS = 8;
    private static final int MAX_CHUNK_SLOTS = 8;
    private static final int CHUNK_SLOT_BYTES = 512;

    private static final int META_LIVE = 0;
    private static final int META_RUN_START = 8;
    private static final int META_RUN_VALID = 16;
    private static final int META_MIN_SLICE = 24;
    private static final int META_MAX_SLICE = 32;
    private static final int META_RUN_COUNT = 40;
    private static final int META_RUN_ACC = 48;

    private final MemoryManager memoryManager;
    private final String owner;
    private final SlicedWindows windows;
    private final long size;
    private final long slide;
    private final long sliceSize;
    private final AggregateFunction aggregate;
    private final int accLength;
    private final int slotLength;
    private final int chunkSlots;
    private final long chunkSpan;
    private final long chunkBase;
    private final long lateness;
    private final long earlyPeriod;
    private final WindowOutput output;
    private final boolean running;
    private final long[] configuration;

    private final OffHeapHashTable slices;
    private final OffHeapHashTable keys;
    private final OffHeapHashTable earlyKeys;
    private final TimerQueue fireTimers;
    private final TimerQueue cleanupTimers;
    private final TimerQueue lateQueue;
    private final TimerQueue earlyTimers;
    private final TimerQueue earlyQueue;

    private final UnsafeBuffer sliceKey = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer windowKey = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer scratch;

    private final TimerHandler onTimeHandler = this::onFireTimer;
    private final TimerHandler cleanupHandler = this::onCleanupTimer;
    private final TimerHandler lateHandler = this::onLateFiring;
    private final TimerHandler earlyTimerHandler = this::onEarlyTimer;
    private final TimerHandler earlyHandler = this::onEarlyFiring;

    private long watermark = Long.MIN_VALUE;
    private long now;
    private long lateRecords;
    private long missedStart;
    private long missedEnd;
    private long combinedCount;
    private int earlyEmitted;
    private boolean closed;

    SlicingWindowOperator(
        final MemoryManager memoryManager,
        final String owner,
        final SlicedWindows windows,
        final AggregateFunction aggregate,
        final long lateness,
        final long earlyPeriod,
        final WindowOutput output)
    {
        if (null == aggregate || null == output)
        {
            throw new NullPointerException(owner + ": window aggregate and output are required");
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.sliceSize = windows.sliceSize();
        this.aggregate = aggregate;
        this.accLength = align8(aggregate.accumulatorLength());
        this.lateness = lateness;
        this.earlyPeriod = earlyPeriod;
        this.output = output;
        this.running = aggregate.canSubtract() && !windows.isTumbling() && windows.slicesPerWindow() > 1;
        this.scratch = new UnsafeBuffer(new byte[accLength + 8]);
        this.slotLength = SLICE_ACC + accLength;
        this.chunkSlots = chunkSlots(windows, slotLength);
        this.chunkSpan = sliceSize * chunkSlots;
        this.chunkBase = Math.floorMod(windows.sliceStart(0), chunkSpan);
        this.configuration = new long[]{size, slide, windows.offset(), aggregate.accumulatorLength(),
            aggregate.canSubtract() ? 1 : 0, lateness, earlyPeriod};

        OffHeapHashTable slicesTable = null;
        OffHeapHashTable keysTable = null;
        OffHeapHashTable earlyTable = null;
        final TimerQueue[] queues = new TimerQueue[5];
        try
        {
            slicesTable = new OffHeapHashTable(memoryManager, owner, 16, CHUNK_SLOTS + chunkSlots * slotLength, 1024,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            keysTable = new OffHeapHashTable(memoryManager, owner, 8, META_RUN_ACC + (running ? accLength : 0), 256,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            queues[0] = new TimerQueue(memoryManager, owner, 16, 256);
            queues[1] = new TimerQueue(memoryManager, owner, 16, 16);
            queues[2] = new TimerQueue(memoryManager, owner, 16, 16);
            queues[3] = new TimerQueue(memoryManager, owner, 8, 16);
            queues[4] = new TimerQueue(memoryManager, owner, 16, 16);
            earlyTable = new OffHeapHashTable(memoryManager, owner, 8, 0, 16, OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
        }
        catch (final RuntimeException ex)
        {
            closeAll(slicesTable, keysTable, queues);
            if (null != earlyTable)
            {
                earlyTable.close();
            }
            throw ex;
        }
        this.slices = slicesTable;
        this.keys = keysTable;
        this.earlyKeys = earlyTable;
        this.fireTimers = queues[0];
        this.cleanupTimers = queues[1];
        this.lateQueue = queues[2];
        this.earlyTimers = queues[3];
        this.earlyQueue = queues[4];
    }

    private static void closeAll(final OffHeapHashTable a, final OffHeapHashTable b, final TimerQueue[] queues)
    {
        if (null != a)
        {
            a.close();
        }
        if (null != b)
        {
            b.close();
        }
        for (final TimerQueue queue : queues)
        {
            if (null != queue)
            {
                queue.close();
            }
        }
    }

    /**
     * Slices per chunk: a key's consecutive slices share one table entry, so a dense stream touches one entry (and
     * one cache line) for several slices, and firing finds the departing slice next to its neighbours. A power of two
     * up to {@value #MAX_CHUNK_SLOTS}, no more than a window holds, and 1 for wide accumulators, where a key with one
     * slice would carry the empty others.
     */
    private static int chunkSlots(final SlicedWindows windows, final int slotLength)
    {
        final long bySlices = Math.min(MAX_CHUNK_SLOTS, windows.slicesPerWindow());
        final long byBytes = Math.max(1, CHUNK_SLOT_BYTES / slotLength);
        final long slots = Long.highestOneBit(Math.max(1, Math.min(bySlices, byBytes)));
        return windows.sliceSize() > Long.MAX_VALUE / (2 * slots) ? 1 : (int)slots;
    }

    /**
     * The chunk holding a slice: its first slice's start. Wraps at the ends of the long range, which keeps chunks
     * distinct and {@link #slotOf} exact.
     */
    private long chunkOf(final long sliceStart)
    {
        return sliceStart - Math.floorMod(Math.floorMod(sliceStart, chunkSpan) - chunkBase, chunkSpan);
    }

    private int slotOf(final long sliceStart, final long chunk)
    {
        return (int)((sliceStart - chunk) / sliceSize);
    }

    private static int align8(final int length)
    {
        return (Math.max(1, length) + 7) & ~7;
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    private boolean isClosed(final long end)
    {
        return SlicedWindows.firingTime(end) <= watermark;
    }

    private boolean isExpired(final long end)
    {
        return saturatedAdd(SlicedWindows.firingTime(end), lateness) <= watermark;
    }

    /**
     * The last timestamp of the window starting at {@code start}: {@code start + size - 1}, clamped. Unlike the
     * clamped end, it tells a window holding {@link Long#MAX_VALUE} from one ending just before it.
     */
    private long windowLast(final long start)
    {
        return start > Long.MAX_VALUE - (size - 1) ? Long.MAX_VALUE : start + size - 1;
    }

    /**
     * The last timestamp of the slices that leave with the window starting at {@code start}: those before the next
     * window, or all of it when there is no next one.
     */
    private long departLast(final long start)
    {
        final long next = nextStart(start);
        return next == start ? windowLast(start) : Math.min(windowLast(start), next - 1);
    }

    /**
     * The next window start after {@code start}, or {@code start} itself when the next would overflow.
     */
    private long nextStart(final long start)
    {
        final long next = start + slide;
        return next < start ? start : next;
    }

    @Override
    public boolean onRecord(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        final boolean late = timestamp <= watermark;
        if (late)
        {
            final long lastStart = windows.lastWindowStart(timestamp);
            final long lastEnd = windows.windowEnd(lastStart);
            if (isExpired(lastEnd))
            {
                lateRecords++;
                missedStart = lastStart;
                missedEnd = lastEnd;
                return false;
            }
        }

        final long sliceStart = windows.sliceStart(timestamp);
        final long chunk = chunkOf(sliceStart);
        sliceKey.putLong(0, key);
        sliceKey.putLong(8, chunk);
        final int at = slices.getOrInsert(sliceKey, 0);
        final UnsafeBuffer buffer = slices.buffer();
        final int slot = at + CHUNK_SLOTS + slotOf(sliceStart, chunk) * slotLength;
        if (buffer.getLong(slot + SLICE_COUNT) == 0)
        {
            buffer.setMemory(slot + SLICE_ACC, accLength, (byte)0);
            aggregate.create(buffer, slot + SLICE_ACC);
            onSliceCreated(key, timestamp, sliceStart);
            // Counted live once its window is registered: a failure above leaves an empty slot, created again later.
            buffer.putLong(at + CHUNK_LIVE, buffer.getLong(at + CHUNK_LIVE) + 1);
        }
        aggregate.add(buffer, slot + SLICE_ACC, record, offset, timestamp);
        buffer.putLong(slot + SLICE_COUNT, buffer.getLong(slot + SLICE_COUNT) + 1);

        if (late)
        {
            onLateRecord(key, timestamp, sliceStart, record, offset);
        }
        if (earlyPeriod > 0)
        {
            armEarly(key);
        }
        return true;
    }

    private void onSliceCreated(final long key, final long timestamp, final long sliceStart)
    {
        countSlice(key, sliceStart);

        // The first window of the slice still open: normally its first window, for a late record a later one.
        final long lastStart = windows.lastWindowStart(timestamp);
        long start = windows.firstWindowStart(timestamp);
        while (isClosed(windows.windowEnd(start)) && start < lastStart)
        {
            final long next = nextStart(start);
            if (next == start)
            {
                break;
            }
            start = next;
        }
        final long end = windows.windowEnd(start);
        if (!isClosed(end))
        {
            windowKey.putLong(0, key);
            windowKey.putLong(8, start);
            fireTimers.register(SlicedWindows.firingTime(end), windowKey, 0);
        }
    }

    /**
     * A new live slice of a key: the key's slice count and range (and its running accumulator, if new).
     */
    private void countSlice(final long key, final long sliceStart)
    {
        final int meta = keys.getOrInsert(key);
        final MutableDirectBuffer m = keys.buffer();
        if (keys.lastInsertCreated())
        {
            m.putLong(meta + META_MIN_SLICE, sliceStart);
            m.putLong(meta + META_MAX_SLICE, sliceStart);
            if (running)
            {
                aggregate.create(m, meta + META_RUN_ACC);
            }
        }
        else
        {
            m.putLong(meta + META_MIN_SLICE, Math.min(sliceStart, m.getLong(meta + META_MIN_SLICE)));
            m.putLong(meta + META_MAX_SLICE, Math.max(sliceStart, m.getLong(meta + META_MAX_SLICE)));
        }
        m.putLong(meta + META_LIVE, m.getLong(meta + META_LIVE) + 1);
    }

    private void onLateRecord(
        final long key, final long timestamp, final long sliceStart, final DirectBuffer record, final int offset)
    {
        final long lastStart = windows.lastWindowStart(timestamp);
        windowKey.putLong(0, key);
        for (long start = windows.firstWindowStart(timestamp); ; )
        {
            final long end = windows.windowEnd(start);
            if (isClosed(end) && !isExpired(end))
            {
                windowKey.putLong(8, start);
                lateQueue.register(SlicedWindows.firingTime(end), windowKey, 0);
            }
            final long next = nextStart(start);
            if (start >= lastStart || next == start)
            {
                break;
            }
            start = next;
        }

        if (running)
        {
            // The running accumulator holds the slices [runStart + slide, runStart + size) after its window fired.
            final int meta = keys.get(key);
            final MutableDirectBuffer m = keys.buffer();
            if (meta != OffHeapHashTable.MISSING && m.getLong(meta + META_RUN_VALID) != 0)
            {
                final long runStart = m.getLong(meta + META_RUN_START);
                if (sliceStart >= runStart + slide && sliceStart < windows.windowEnd(runStart))
                {
                    m.putLong(meta + META_RUN_COUNT, m.getLong(meta + META_RUN_COUNT) + 1);
                    aggregate.add(m, meta + META_RUN_ACC, record, offset, timestamp);
                }
            }
        }
    }

    private void armEarly(final long key)
    {
        // Not a flag in the key's state: that is freed with the key's last slice while the timer may be pending.
        earlyKeys.getOrInsert(key);
        if (earlyKeys.lastInsertCreated())
        {
            earlyTimers.register(saturatedAdd(now, earlyPeriod), key);
        }
    }

    private static final int MERGE = 0;
    private static final int SUBTRACT = 1;
    private static final int COUNT = 2;

    /**
     * Merge the slices of {@code [from, last]} of a key into an accumulator; sets {@link #combinedCount}.
     */
    private void mergeSlices(
        final long key, final long from, final long last, final MutableDirectBuffer target, final int targetOffset)
    {
        combinedCount = combineSlices(MERGE, key, from, last, target, targetOffset);
    }

    /**
     * Deduct the slices of {@code [from, last]} of a key from an accumulator; sets {@link #combinedCount}.
     */
    private void subtractSlices(
        final long key, final long from, final long last, final MutableDirectBuffer target, final int targetOffset)
    {
        combinedCount = combineSlices(SUBTRACT, key, from, last, target, targetOffset);
    }

    private long countSlices(final long key, final long from, final long last)
    {
        return combineSlices(COUNT, key, from, last, null, 0);
    }

    /**
     * Visit the live slices of {@code [from, last]} of a key: merge them into or deduct them from an accumulator, or
     * only count them.
     *
     * @return the records the slices hold.
     */
    private long combineSlices(
        final int mode,
        final long key,
        final long from,
        final long last,
        final MutableDirectBuffer target,
        final int targetOffset)
    {
        long count = 0;
        final long first = windows.sliceStart(from);
        long chunk = chunkOf(first);
        int slot = slotOf(first, chunk);
        int at = findChunk(key, chunk);
        final UnsafeBuffer buffer = slices.buffer();
        for (long s = first; s <= last; )
        {
            if (at != OffHeapHashTable.MISSING)
            {
                final int sliceAt = at + CHUNK_SLOTS + slot * slotLength;
                final long sliceCount = buffer.getLong(sliceAt + SLICE_COUNT);
                if (sliceCount > 0)
                {
                    count += sliceCount;
                    if (mode == MERGE)
                    {
                        aggregate.merge(target, targetOffset, buffer, sliceAt + SLICE_ACC);
                    }
                    else if (mode == SUBTRACT)
                    {
                        aggregate.subtract(target, targetOffset, buffer, sliceAt + SLICE_ACC);
                    }
                }
            }
            final long next = s + sliceSize;
            if (next < s)
            {
                break;
            }
            s = next;
            if (++slot == chunkSlots && s <= last)
            {
                chunk += chunkSpan;
                slot = 0;
                at = findChunk(key, chunk);
            }
        }
        return count;
    }

    private int findChunk(final long key, final long chunk)
    {
        sliceKey.putLong(0, key);
        sliceKey.putLong(8, chunk);
        return slices.get(sliceKey, 0);
    }

    private void removeSlices(final long key, final long from, final long last)
    {
        long removed = 0;
        final long first = windows.sliceStart(from);
        long chunk = chunkOf(first);
        int slot = slotOf(first, chunk);
        int at = findChunk(key, chunk);
        final UnsafeBuffer buffer = slices.buffer();
        for (long s = first; s <= last; )
        {
            if (at != OffHeapHashTable.MISSING)
            {
                final int sliceAt = at + CHUNK_SLOTS + slot * slotLength;
                if (buffer.getLong(sliceAt + SLICE_COUNT) > 0)
                {
                    buffer.putLong(sliceAt + SLICE_COUNT, 0);
                    removed++;
                    final long live = buffer.getLong(at + CHUNK_LIVE) - 1;
                    buffer.putLong(at + CHUNK_LIVE, live);
                    if (live == 0)
                    {
                        slices.remove(sliceKey, 0);
                        at = OffHeapHashTable.MISSING;
                    }
                }
            }
            final long next = s + sliceSize;
            if (next < s)
            {
                break;
            }
            s = next;
            if (++slot == chunkSlots && s <= last)
            {
                chunk += chunkSpan;
                slot = 0;
                at = findChunk(key, chunk);
            }
        }
        if (removed > 0)
        {
            final int meta = keys.get(key);
            final long live = keys.buffer().getLong(meta + META_LIVE) - removed;
            if (live <= 0)
            {
                keys.remove(key);
            }
            else
            {
                keys.buffer().putLong(meta + META_LIVE, live);
            }
        }
    }

    private void clearScratch()
    {
        scratch.setMemory(0, accLength, (byte)0);
        aggregate.create(scratch, 0);
    }

    private void onFireTimer(final long time, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        final long start = timerKey.getLong(keyOffset + 8);
        final long end = windows.windowEnd(start);
        final long last = windowLast(start);
        final long departLast = departLast(start);
        final long remaining;
        if (running && end != Long.MAX_VALUE)
        {
            final int meta = keys.get(key);
            if (meta == OffHeapHashTable.MISSING)
            {
                return;
            }
            final MutableDirectBuffer m = keys.buffer();
            if (m.getLong(meta + META_RUN_VALID) != 0 && m.getLong(meta + META_RUN_START) == start - slide)
            {
                mergeSlices(key, end - slide, last, m, meta + META_RUN_ACC);
                m.putLong(meta + META_RUN_COUNT, m.getLong(meta + META_RUN_COUNT) + combinedCount);
            }
            else
            {
                m.setMemory(meta + META_RUN_ACC, accLength, (byte)0);
                aggregate.create(m, meta + META_RUN_ACC);
                mergeSlices(key, start, last, m, meta + META_RUN_ACC);
                m.putLong(meta + META_RUN_COUNT, combinedCount);
            }
            final long count = m.getLong(meta + META_RUN_COUNT);
            if (count > 0)
            {
                output.onWindow(key, start, end, Firing.ON_TIME, count, m, meta + META_RUN_ACC);
            }
            subtractSlices(key, start, departLast, m, meta + META_RUN_ACC);
            remaining = count - combinedCount;
            m.putLong(meta + META_RUN_COUNT, remaining);
            m.putLong(meta + META_RUN_START, start);
            m.putLong(meta + META_RUN_VALID, 1);
        }
        else
        {
            clearScratch();
            mergeSlices(key, start, last, scratch, 0);
            final long count = combinedCount;
            if (count > 0)
            {
                output.onWindow(key, start, end, Firing.ON_TIME, count, scratch, 0);
            }
            remaining = windows.isTumbling() ? 0 : count - countSlices(key, start, departLast);
        }

        if (remaining > 0 && nextStart(start) != start)
        {
            final long next = start + slide;
            windowKey.putLong(0, key);
            windowKey.putLong(8, next);
            fireTimers.register(SlicedWindows.firingTime(windows.windowEnd(next)), windowKey, 0);
        }
        departSlices(key, start, departLast, end);
    }

    private void departSlices(final long key, final long start, final long departLast, final long end)
    {
        if (lateness == 0)
        {
            removeSlices(key, start, departLast);
        }
        else
        {
            windowKey.putLong(0, key);
            windowKey.putLong(8, start);
            cleanupTimers.register(saturatedAdd(SlicedWindows.firingTime(end), lateness), windowKey, 0);
        }
    }

    private void onCleanupTimer(final long time, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        final long start = timerKey.getLong(keyOffset + 8);
        removeSlices(key, start, departLast(start));
    }

    private void onLateFiring(final long time, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        final long start = timerKey.getLong(keyOffset + 8);
        final long end = windows.windowEnd(start);
        if (isExpired(end))
        {
            return;
        }
        clearScratch();
        mergeSlices(key, start, windowLast(start), scratch, 0);
        if (combinedCount > 0)
        {
            output.onWindow(key, start, end, Firing.LATE, combinedCount, scratch, 0);
        }
        departSlices(key, start, departLast(start), end);
    }

    private void onEarlyTimer(final long time, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        earlyKeys.remove(key);
        final int meta = keys.get(key);
        if (meta == OffHeapHashTable.MISSING)
        {
            return;
        }
        final MutableDirectBuffer m = keys.buffer();
        final long minSlice = m.getLong(meta + META_MIN_SLICE);
        final long maxSlice = m.getLong(meta + META_MAX_SLICE);
        final long lastStart = windows.lastWindowStart(maxSlice);
        long start = windows.firstWindowStart(minSlice);
        if (watermark > Long.MIN_VALUE + size)
        {
            // Windows closed by the watermark get no early result: start at the first one still open.
            start = Math.max(start, windows.lastWindowStart(watermark + 1 - size));
        }
        // Walk the windows from the first open one to the last holding the newest slice, unless the key's records
        // are spread so far apart that the walk would cross many empty windows: then visit its live slices instead.
        final long span = (lastStart - start) / slide;
        if (span >= 0 && span <= 4 * windows.windowsPerEvent() + 4)
        {
            queueEarlyWindows(key, start, lastStart);
        }
        else
        {
            final OffHeapHashTable.Cursor cursor = slices.cursor();
            while (cursor.next())
            {
                final UnsafeBuffer buffer = cursor.buffer();
                if (buffer.getLong(cursor.keyOffset()) == key)
                {
                    final long chunk = buffer.getLong(cursor.keyOffset() + 8);
                    for (int slot = 0; slot < chunkSlots; slot++)
                    {
                        if (buffer.getLong(cursor.valueOffset() + CHUNK_SLOTS + slot * slotLength + SLICE_COUNT) > 0)
                        {
                            final long slice = chunk + slot * sliceSize;
                            queueEarlyWindows(key, Math.max(start, windows.firstWindowStart(slice)),
                                windows.lastWindowStart(slice));
                        }
                    }
                }
            }
        }
    }

    private void queueEarlyWindows(final long key, final long first, final long last)
    {
        windowKey.putLong(0, key);
        long start = first;
        while (start <= last)
        {
            final long end = windows.windowEnd(start);
            if (!isClosed(end))
            {
                windowKey.putLong(8, start);
                earlyQueue.register(SlicedWindows.firingTime(end), windowKey, 0);
            }
            final long next = nextStart(start);
            if (start >= last || next == start)
            {
                break;
            }
            start = next;
        }
    }

    private void onEarlyFiring(final long time, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        final long start = timerKey.getLong(keyOffset + 8);
        final long end = windows.windowEnd(start);
        if (isClosed(end))
        {
            return;
        }
        clearScratch();
        mergeSlices(key, start, windowLast(start), scratch, 0);
        if (combinedCount > 0)
        {
            output.onWindow(key, start, end, Firing.EARLY, combinedCount, scratch, 0);
            earlyEmitted++;
        }
    }

    /**
     * Take over the time and late-record bookkeeping of the operator this one replaces.
     */
    void adopt(final long watermark, final long now, final long lateRecords, final long missedStart,
        final long missedEnd)
    {
        this.watermark = watermark;
        this.now = now;
        this.lateRecords = lateRecords;
        this.missedStart = missedStart;
        this.missedEnd = missedEnd;
    }

    /**
     * The processing time last seen.
     */
    long now()
    {
        return now;
    }

    /**
     * Whether no slice, window or queued result is left.
     */
    boolean isEmpty()
    {
        return slices.size() == 0 && fireTimers.size() == 0 && cleanupTimers.size() == 0 && lateQueue.size() == 0 &&
            earlyQueue.size() == 0 && earlyTimers.size() == 0;
    }

    /**
     * Merge a slice computed elsewhere into this operator's state: {@code count} records whose accumulator is at
     * {@code accOffset}. Its windows fire from {@code pendingStart} on (or its first window, if later), even those
     * the watermark has closed: they had not fired where the slice came from.
     */
    void insertSlice(
        final long key,
        final long sliceStart,
        final long count,
        final DirectBuffer accumulator,
        final int accOffset,
        final long pendingStart)
    {
        final long chunk = chunkOf(sliceStart);
        sliceKey.putLong(0, key);
        sliceKey.putLong(8, chunk);
        final int at = slices.getOrInsert(sliceKey, 0);
        final int slot = at + CHUNK_SLOTS + slotOf(sliceStart, chunk) * slotLength;
        if (slices.buffer().getLong(slot + SLICE_COUNT) == 0)
        {
            slices.buffer().setMemory(slot + SLICE_ACC, accLength, (byte)0);
            aggregate.create(slices.buffer(), slot + SLICE_ACC);
            countSlice(key, sliceStart);
            final long start = Math.max(windows.firstWindowStart(sliceStart), pendingStart);
            if (start <= windows.lastWindowStart(sliceStart))
            {
                windowKey.putLong(0, key);
                windowKey.putLong(8, start);
                fireTimers.register(SlicedWindows.firingTime(windows.windowEnd(start)), windowKey, 0);
            }
            slices.buffer().putLong(at + CHUNK_LIVE, slices.buffer().getLong(at + CHUNK_LIVE) + 1);
        }
        aggregate.merge(slices.buffer(), slot + SLICE_ACC, accumulator, accOffset);
        slices.buffer().putLong(slot + SLICE_COUNT, slices.buffer().getLong(slot + SLICE_COUNT) + count);
    }

    @Override
    public long missedWindowStart()
    {
        return missedStart;
    }

    @Override
    public long missedWindowEnd()
    {
        return missedEnd;
    }

    @Override
    public boolean hasPending()
    {
        return lateQueue.size() > 0;
    }

    @Override
    public int emitPending(final int limit)
    {
        return limit <= 0 ? 0 : lateQueue.fireUpTo(Long.MAX_VALUE, lateHandler, limit);
    }

    @Override
    public boolean advanceWatermark(final long newWatermark, final int limit)
    {
        // Queued results first, under the watermark they were queued at: the new one must not expire them.
        int budget = limit - emitPending(limit);
        if (lateQueue.size() > 0)
        {
            return false;
        }
        if (newWatermark > watermark)
        {
            watermark = newWatermark;
        }
        if (budget > 0)
        {
            budget -= fireTimers.fireUpTo(watermark, onTimeHandler, budget);
        }
        if (fireTimers.size() > 0 && fireTimers.nextTimestamp() <= watermark)
        {
            return false;
        }
        cleanupTimers.fireUpTo(watermark, cleanupHandler, Integer.MAX_VALUE);
        if (slices.size() == 0)
        {
            trim();
        }
        return true;
    }

    private void trim()
    {
        slices.trimIfEmpty();
        keys.trimIfEmpty();
        earlyKeys.trimIfEmpty();
        fireTimers.trimIfEmpty();
        cleanupTimers.trimIfEmpty();
        lateQueue.trimIfEmpty();
        earlyTimers.trimIfEmpty();
        earlyQueue.trimIfEmpty();
    }

    @Override
    public long watermark()
    {
        return watermark;
    }

    @Override
    public long nextFiringTime()
    {
        return fireTimers.nextTimestamp();
    }

    @Override
    public long nextProcessingTime()
    {
        return earlyQueue.size() > 0 ? now : earlyTimers.nextTimestamp();
    }

    @Override
    public int onProcessingTime(final long nowTime, final int limit)
    {
        if (nowTime > now)
        {
            now = nowTime;
        }
        // Count results, not queue entries: a queued window may have closed or be empty, and emit nothing.
        earlyEmitted = 0;
        while (earlyEmitted < limit)
        {
            if (earlyQueue.size() > 0)
            {
                earlyQueue.fireUpTo(Long.MAX_VALUE, earlyHandler, limit - earlyEmitted);
            }
            else if (earlyTimers.size() > 0 && earlyTimers.nextTimestamp() <= now)
            {
                earlyTimers.fireUpTo(now, earlyTimerHandler, 1);
            }
            else
            {
                break;
            }
        }
        return earlyEmitted;
    }

    @Override
    public boolean endOfStream(final int limit)
    {
        if (!advanceWatermark(Long.MAX_VALUE, limit))
        {
            return false;
        }
        while (earlyQueue.size() > 0)
        {
            earlyQueue.fireUpTo(Long.MAX_VALUE, earlyHandler, Integer.MAX_VALUE);
        }
        while (earlyTimers.size() > 0)
        {
            earlyTimers.fireUpTo(Long.MAX_VALUE, (t, k, o) -> { }, Integer.MAX_VALUE);
        }
        earlyKeys.clear();
        trim();
        return true;
    }

    @Override
    public long lateRecords()
    {
        return lateRecords;
    }

    @Override
    public long allocatedBytes()
    {
        return memoryManager.usedBytes(owner);
    }

    /**
     * {@inheritDoc}
     * <p>
     * After the header: the watermark, the processing time, the late-record count and the last missed window; then
     * the slices, keys and early-keys tables; then the queues of window firings, slice cleanups, LATE updates, early
     * timers and EARLY results.
     */
    @Override
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        SnapshotHeader.write(writer, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, configuration);
        writeBody(writer);
    }

    /**
     * The state after the header, for {@link ColumnarSlidingOperator} holding this operator as its fallback.
     */
    void writeBody(final SnapshotWriter writer) throws IOException
    {
        writer.writeLong(watermark);
        writer.writeLong(now);
        writer.writeLong(lateRecords);
        writer.writeLong(missedStart);
        writer.writeLong(missedEnd);
        slices.writeTo(writer);
        keys.writeTo(writer);
        earlyKeys.writeTo(writer);
        fireTimers.writeTo(writer);
        cleanupTimers.writeTo(writer);
        lateQueue.writeTo(writer);
        earlyTimers.writeTo(writer);
        earlyQueue.writeTo(writer);
    }

    @Override
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        SnapshotHeader.read(reader, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, "sliced window operator " + owner,
            configuration, SlicingWindowOperator::describe);
        readBody(reader);
    }

    /**
     * Read what {@link #writeBody} wrote.
     */
    void readBody(final SnapshotReader reader) throws IOException
    {
        watermark = reader.readLong();
        now = reader.readLong();
        lateRecords = reader.readLong();
        missedStart = reader.readLong();
        missedEnd = reader.readLong();
        slices.readFrom(reader);
        keys.readFrom(reader);
        earlyKeys.readFrom(reader);
        fireTimers.readFrom(reader);
        cleanupTimers.readFrom(reader);
        lateQueue.readFrom(reader);
        earlyTimers.readFrom(reader);
        earlyQueue.readFrom(reader);
    }

    /**
     * The configuration a checkpoint holds, in words: size, slide, offset, accumulator length, whether the aggregate
     * subtracts, lateness, early results period.
     */
    static String[] describe(final long[] configuration)
    {
        final long size = configuration[0];
        final long slide = configuration[1];
        return new String[]{
            size == slide ? "tumbling " + size : "sliding " + size + "/" + slide,
            "offset " + configuration[2],
            OperatorSnapshots.accumulator(configuration[3]),
            0 != configuration[4] ? "an aggregate that subtracts" : "an aggregate that does not subtract",
            OperatorSnapshots.lateness(configuration[5]),
            OperatorSnapshots.early(configuration[6])};
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
            closeAll(slices, keys, new TimerQueue[]{fireTimers, cleanupTimers, lateQueue, earlyTimers, earlyQueue});
            earlyKeys.close();
        }
    }

    @Override
    public String toString()
    {
        return "SlicingWindowOperator{" + owner + ' ' + windows + ", " + aggregate + ", lateness " + lateness +
            (earlyPeriod > 0 ? ", early every " + earlyPeriod : "") + ", slice chunks " + slices.size() + ", keys " +
            keys.size() + '}';
    }
}
