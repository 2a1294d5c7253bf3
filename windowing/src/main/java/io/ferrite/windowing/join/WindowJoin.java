package io.ferrite.windowing.join;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.memory.timer.TimerHandler;
import io.ferrite.memory.timer.TimerQueue;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * A keyed window join of two inputs over tumbling or sliding event-time windows, Flink's
 * {@code a.join(b).where(...).equalTo(...).window(...)}: when a window fires, every pair of a left and a right
 * record of the same key in that window is emitted (the cartesian product; nothing when either side is empty).
 * <p>
 * Rules, as Flink's with no allowed lateness: watermark {@code w} says no record with a timestamp {@code <= w} is
 * still to come; window {@code [start, end)} fires once, when the watermark reaches {@code end - 1}
 * ({@link SlicedWindows#firingTime(long)}); a record is refused as late, and not stored, when the latest window
 * holding it has fired; a record whose latest window has not fired joins only in its windows that have not fired.
 * Pairs come out by window end, then key (signed), then window start (only windows clamped to the same end at the
 * top of the {@code long} range share an end); within a window, left records in arrival order and, for each, the
 * right records in arrival order.
 * <p>
 * Windows are {@link SlicedWindows}'s: starts {@code offset + k * slide}, each {@code size} long. Near the ends of the
 * {@code long} range they clamp: an end to {@link Long#MAX_VALUE}, so such a window fires on the final watermark; a
 * start to {@link Long#MIN_VALUE}, the window keeping its true end ({@code SlicedWindows.windowEnd} of a clamped
 * start cannot know it, so this class computes the bounds from the timestamp itself).
 * <p>
 * Output is bounded per call: {@link #advanceWatermark} and {@link #endOfStream} emit at most {@code limit} pairs and
 * return false when they must be called again; a window's product may exceed any limit, so a cursor keeps the place.
 * While a firing is unfinished ({@link #hasPending()}) records are not taken: the caller finishes it first.
 * <p>
 * State is off-heap, with no Java object per key, window or record. A record is stored once, in its slice
 * ({@link SlicedWindows#sliceStart(long)}), however many sliding windows hold it; a window is its
 * {@link SlicedWindows#slicesPerWindow()} slices. A slice's records are freed when the last window holding it fires.
 * <pre>
 *   slices  [key:8][sliceStart:8]            -&gt; [leftCount:4][rightCount:4]
 *   left    [key:8][sliceStart:8][seq:4]     -&gt; [arrival:8][timestamp:8][record: leftRecordLength]
 *   right   [key:8][sliceStart:8][seq:4]     -&gt; [arrival:8][timestamp:8][record: rightRecordLength]
 *   timers  (end - 1, [key ^ MIN:8][windowStart ^ MIN:8]), one per key and window with records
 * </pre>
 * {@code seq} counts a side's records in a slice in arrival order; {@code arrival} counts all records taken, and
 * orders a window's records across its slices. A (key, slice) registers timers for its windows that have not fired
 * when its first record comes; the timer queue orders them by end, then key and start as unsigned bytes, hence the
 * sign flip. Firing gathers the window's records into two off-heap lists, sorted by arrival when their slices
 * interleave, and walks their product. When all state is freed, tables that grew are trimmed to their initial size,
 * so that {@link #allocatedBytes()} returns to its value when the join was new.
 * <p>
 * <b>Note:</b> Not threadsafe; a join belongs to one thread. Nothing allocates in steady state.
 */
public final class WindowJoin implements AutoCloseable
{
    /**
     * The magic of the join's checkpoint: the bytes {@code FRWJ}.
     */
    static final int SNAPSHOT_MAGIC = 0x4A575246;
    static final int SNAPSHOT_VERSION = 1;

    private static final int SLICE_KEY_LENGTH = 16;
    private static final int SLICE_VALUE_LENGTH = 8;
    private static final int LEFT_COUNT_OFFSET = 0;
    private static final int RIGHT_COUNT_OFFSET = 4;
    private static final int RECORD_KEY_LENGTH = 20;
    private static final int RECORD_HEADER_LENGTH = 16;
    private static final int ARRIVAL_OFFSET = 0;
    private static final int TIMESTAMP_OFFSET = 8;
    private static final int TIMER_KEY_LENGTH = 16;
    private static final int TIMER_CAPACITY = 256;

    private final MemoryManager memoryManager;
    private final String owner;
    private final SlicedWindows windows;
    private final long size;
    private final long slide;
    private final long windowAlignment;
    private final long sliceSize;
    private final long sliceAlignment;
    private final int leftRecordLength;
    private final int rightRecordLength;
    private final JoinOutput output;
    private final UnsafeBuffer sliceKey = new UnsafeBuffer(new byte[SLICE_KEY_LENGTH]);
    private final UnsafeBuffer recordKey = new UnsafeBuffer(new byte[24]);
    private final UnsafeBuffer timerKey = new UnsafeBuffer(new byte[TIMER_KEY_LENGTH]);
    private final TimerHandler onWindowTimer = this::onWindowTimer;
    private final MatchList leftMatches;
    private final MatchList rightMatches;
    private final long[] configuration;

    private OffHeapHashTable slices;
    private OffHeapHashTable leftRecords;
    private OffHeapHashTable rightRecords;
    private TimerQueue timers;

    private long watermark = Long.MIN_VALUE;
    private long lateRecords;
    private long arrivals;
    private boolean closed;

    private boolean firing;
    private long firingKey;
    private long firingStart;
    private long firingEnd;
    private boolean firingOpenEnded;
    private int leftIndex;
    private int rightIndex;
    private boolean regather;

    /**
     * A window join.
     *
     * @param memoryManager     where the state's memory comes from.
     * @param owner             the owner the memory is charged to; the join's alone, as {@link #allocatedBytes()}
     *                          reports the owner's bytes.
     * @param windows           the tumbling or sliding windows.
     * @param leftRecordLength  the length of every left record in bytes.
     * @param rightRecordLength the length of every right record in bytes.
     * @param output            where pairs go.
     * @throws IllegalArgumentException      if an argument is missing or out of range, or the owner holds memory.
     * @throws MemoryBudgetExceededException if the empty state does not fit the budget.
     */
    public WindowJoin(
        final MemoryManager memoryManager,
        final String owner,
        final SlicedWindows windows,
        final int leftRecordLength,
        final int rightRecordLength,
        final JoinOutput output)
    {
        JoinSupport.checkArguments(memoryManager, owner, leftRecordLength, rightRecordLength,
            OffHeapHashTable.MAX_VALUE_WIDTH - RECORD_HEADER_LENGTH, output);
        if (null == windows)
        {
            throw new IllegalArgumentException("windows must not be null: owner=" + owner);
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.windowAlignment = windows.offset();
        this.sliceSize = windows.sliceSize();
        this.sliceAlignment = Math.floorMod(windows.offset(), windows.sliceSize());
        this.leftRecordLength = leftRecordLength;
        this.rightRecordLength = rightRecordLength;
        this.output = output;
        this.configuration = new long[]{size, slide, windowAlignment, leftRecordLength, rightRecordLength};
        this.leftMatches = new MatchList(memoryManager, owner);
        this.rightMatches = new MatchList(memoryManager, owner);
        try
        {
            slices = newSliceTable();
            leftRecords = newRecordTable(leftRecordLength);
            rightRecords = newRecordTable(rightRecordLength);
            timers = new TimerQueue(memoryManager, owner, TIMER_KEY_LENGTH, TIMER_CAPACITY);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Take a left record.
     *
     * @param key       the record's key.
     * @param timestamp the record's event time.
     * @param record    the buffer holding the record's {@code leftRecordLength} bytes, copied into the state.
     * @param offset    where the record starts.
     * @return true when taken, false when refused as late (the latest window holding it has fired).
     * @throws IllegalStateException         if a firing is unfinished ({@link #hasPending()}) or the join is closed.
     * @throws MemoryBudgetExceededException if the state must grow and the budget does not allow it; the record is
     *                                       then not taken.
     */
    public boolean onLeft(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        return onRecord(true, key, timestamp, record, offset);
    }

    /**
     * Take a right record.
     *
     * @param key       the record's key.
     * @param timestamp the record's event time.
     * @param record    the buffer holding the record's {@code rightRecordLength} bytes, copied into the state.
     * @param offset    where the record starts.
     * @return true when taken, false when refused as late (the latest window holding it has fired).
     * @throws IllegalStateException         if a firing is unfinished ({@link #hasPending()}) or the join is closed.
     * @throws MemoryBudgetExceededException if the state must grow and the budget does not allow it; the record is
     *                                       then not taken.
     */
    public boolean onRight(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        return onRecord(false, key, timestamp, record, offset);
    }

    /**
     * Advance the watermark and fire the windows it closes, resuming an unfinished firing first.
     *
     * @param watermark the new watermark; one below the current one is ignored.
     * @param limit     the most pairs to emit.
     * @return true when everything due was emitted, false when the call must be repeated (with the same or a higher
     * watermark) before records are taken again.
     * @throws MemoryBudgetExceededException if the lists a window's records are gathered into cannot grow; the window
     *                                       is then gathered again by the next call.
     */
    public boolean advanceWatermark(final long watermark, final int limit)
    {
        checkOpen();
        JoinSupport.checkLimit(limit, owner);
        if (watermark > this.watermark)
        {
            this.watermark = watermark;
        }
        return fire(limit);
    }

    /**
     * The input has ended: fire every window that still holds records, as the final watermark
     * {@link Long#MAX_VALUE} would.
     *
     * @param limit the most pairs to emit.
     * @return true when done, false when the call must be repeated.
     */
    public boolean endOfStream(final int limit)
    {
        return advanceWatermark(Long.MAX_VALUE, limit);
    }

    /**
     * Whether a firing is unfinished: {@link #advanceWatermark} or {@link #endOfStream} returned false.
     *
     * @return true when pairs are due and records are not taken.
     */
    public boolean hasPending()
    {
        return firing;
    }

    /**
     * The current watermark.
     *
     * @return the watermark, {@link Long#MIN_VALUE} before the first.
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * How many records were refused as late.
     *
     * @return the count.
     */
    public long lateRecords()
    {
        return lateRecords;
    }

    /**
     * The native memory the join holds now: its owner's bytes in the memory manager.
     *
     * @return bytes.
     */
    public long allocatedBytes()
    {
        return memoryManager.usedBytes(owner);
    }

    /**
     * Write the join's whole state into a checkpoint: a header (magic {@code FRWJ}, version, and the configuration:
     * window size, slide and offset, record lengths), the watermark, the late-record count, the arrival counter and,
     * while a firing is unfinished ({@link #hasPending()}), the window being fired and the place in its pairs; then
     * the slices and both record tables, and the window timers. The writer may be shared with other operators: the
     * caller writes what comes before and after, and finishes the snapshot. Allocates nothing per key, window or
     * record.
     *
     * @param writer where the state goes.
     * @throws IllegalStateException if the join is closed.
     * @throws IOException           if the writer's channel fails.
     */
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        SnapshotHeader.write(writer, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, configuration);
        writer.writeLong(watermark);
        writer.writeLong(lateRecords);
        writer.writeLong(arrivals);
        JoinSupport.writeFlag(writer, firing);
        writer.writeLong(firing ? firingKey : 0);
        writer.writeLong(firing ? firingStart : 0);
        writer.writeLong(firing ? firingEnd : 0);
        writer.writeInt(firing ? leftIndex : 0);
        writer.writeInt(firing ? rightIndex : 0);
        slices.writeTo(writer);
        leftRecords.writeTo(writer);
        rightRecords.writeTo(writer);
        timers.writeTo(writer);
    }

    /**
     * Restore the state a {@link #snapshot} wrote. Called on a freshly built join with the same configuration, before
     * any record; afterwards the join continues exactly as the one that took the snapshot would have, pairs and their
     * order included (an unfinished firing resumes where it stopped). The caller verifies the CRC32C trailer of the
     * whole file after everything in it has been read; on any failure, here or there, the join must be closed and
     * discarded.
     *
     * @param reader where the state comes from, positioned at this join's part.
     * @throws SnapshotCorruptedException    if the snapshot is not a window join's, was taken with another
     *                                       configuration (the message says which) or is corrupted.
     * @throws IllegalStateException         if the join is closed.
     * @throws MemoryBudgetExceededException if the state does not fit the budget.
     * @throws IOException                   if the reader's channel fails.
     */
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        final String what = "window join " + owner;
        SnapshotHeader.read(reader, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, what, configuration, WindowJoin::describe);
        final long restoredWatermark = reader.readLong();
        final long restoredLateRecords = reader.readLong();
        final long restoredArrivals = reader.readLong();
        final boolean restoredFiring = JoinSupport.readFlag(reader, what);
        final long key = reader.readLong();
        final long start = reader.readLong();
        final long end = reader.readLong();
        final int left = reader.readInt();
        final int right = reader.readInt();
        if (restoredFiring && (end <= start || Long.compareUnsigned(end - start, size) > 0))
        {
            throw JoinSupport.corrupted(reader, what, "the window being fired, [" + start + ", " + end +
                "), is not a window of size " + size);
        }
        if (restoredFiring && (left < 0 || right < 0))
        {
            throw JoinSupport.corrupted(reader, what, "the firing is at pair (" + left + ", " + right + ")");
        }
        firing = false;
        regather = false;
        leftMatches.clear();
        rightMatches.clear();
        slices.readFrom(reader);
        leftRecords.readFrom(reader);
        rightRecords.readFrom(reader);
        timers.readFrom(reader);
        watermark = restoredWatermark;
        lateRecords = restoredLateRecords;
        arrivals = restoredArrivals;
        if (restoredFiring)
        {
            // The window's records are gathered again by the next call, once the caller has verified the snapshot.
            firingKey = key;
            firingStart = start;
            firingEnd = end;
            firingOpenEnded = firingStart > Long.MAX_VALUE - size;
            leftIndex = left;
            rightIndex = right;
            firing = true;
            regather = true;
        }
    }

    /**
     * Gather the records of the window whose firing a restore resumes, and go back to the pair it had reached.
     */
    private void resumeFiring()
    {
        final int left = leftIndex;
        final int right = rightIndex;
        try
        {
            gatherWindow();
        }
        catch (final RuntimeException ex)
        {
            leftIndex = left;
            rightIndex = right;
            throw ex;
        }
        if (left >= leftMatches.size() || right >= rightMatches.size())
        {
            throw new IllegalStateException("restored firing of key " + firingKey + " window [" + firingStart + ", " +
                firingEnd + ") is at pair (" + left + ", " + right + ") of " + leftMatches.size() + " x " +
                rightMatches.size() + ": owner=" + owner);
        }
        leftIndex = left;
        rightIndex = right;
        regather = false;
    }

    /**
     * The configuration a checkpoint holds, in words: size and slide, offset, record lengths.
     */
    static String[] describe(final long[] configuration)
    {
        final long size = configuration[0];
        final long slide = configuration[1];
        return new String[]{
            size == slide ? "tumbling " + size : "sliding " + size + "/" + slide,
            "offset " + configuration[2],
            "left records of " + configuration[3] + " bytes",
            "right records of " + configuration[4] + " bytes"};
    }

    /**
     * Free the join's state. Idempotent; the join cannot be used afterwards.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            firing = false;
            regather = false;
            leftMatches.close();
            rightMatches.close();
            closeTables(slices, leftRecords, rightRecords, timers);
            slices = null;
            leftRecords = null;
            rightRecords = null;
            timers = null;
        }
    }

    @Override
    public String toString()
    {
        return "WindowJoin{owner=" + owner + ", windows=" + windows + ", watermark=" + watermark + ", lateRecords=" +
            lateRecords + ", closed=" + closed + '}';
    }

    int storedRecords()
    {
        return leftRecords.size() + rightRecords.size();
    }

    private boolean onRecord(
        final boolean left, final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        checkOpen();
        if (firing)
        {
            throw new IllegalStateException("window join is firing: call advanceWatermark until it returns true " +
                "before the next record: owner=" + owner + " watermark=" + watermark);
        }
        if (SlicedWindows.firingTime(windowEnd(timestamp, intoLatestWindow(timestamp))) <= watermark)
        {
            lateRecords++;
            return false;
        }

        final long sliceStart = windows.sliceStart(timestamp);
        final UnsafeBuffer sliceKey = this.sliceKey;
        sliceKey.putLong(0, key);
        sliceKey.putLong(8, sliceStart);
        final OffHeapHashTable slices = this.slices;
        final int countOffset = left ? LEFT_COUNT_OFFSET : RIGHT_COUNT_OFFSET;
        final int existing = slices.get(sliceKey, 0);
        final int seq = OffHeapHashTable.MISSING == existing ? 0 : slices.buffer().getInt(existing + countOffset);

        final OffHeapHashTable records = left ? leftRecords : rightRecords;
        final int length = left ? leftRecordLength : rightRecordLength;
        final UnsafeBuffer recordKey = this.recordKey;
        recordKey.putLong(0, key);
        recordKey.putLong(8, sliceStart);
        recordKey.putInt(16, seq);
        final int valueOffset = records.getOrInsert(recordKey, 0);
        final UnsafeBuffer recordBuffer = records.buffer();
        recordBuffer.putLong(valueOffset + ARRIVAL_OFFSET, arrivals);
        recordBuffer.putLong(valueOffset + TIMESTAMP_OFFSET, timestamp);
        recordBuffer.putBytes(valueOffset + RECORD_HEADER_LENGTH, record, offset, length);

        boolean created = false;
        try
        {
            final int metaOffset = slices.getOrInsert(sliceKey, 0);
            created = slices.lastInsertCreated();
            slices.buffer().putInt(metaOffset + countOffset, seq + 1);
            if (created)
            {
                registerWindows(key, timestamp);
            }
        }
        catch (final RuntimeException ex)
        {
            // Undo the record; timers already registered for it fire with nothing to do.
            records.remove(recordKey, 0);
            if (created)
            {
                slices.remove(sliceKey, 0);
            }
            throw ex;
        }
        arrivals++;
        return true;
    }

    /**
     * Register a timer for each window holding the timestamp (so its slice) that has not fired, latest first;
     * earlier windows end earlier, so the walk stops at the first that has fired.
     */
    private void registerWindows(final long key, final long timestamp)
    {
        final UnsafeBuffer timerKey = this.timerKey;
        timerKey.putLong(0, key ^ Long.MIN_VALUE);
        long into = intoLatestWindow(timestamp);
        while (true)
        {
            final long fireAt = SlicedWindows.firingTime(windowEnd(timestamp, into));
            if (fireAt <= watermark)
            {
                break;
            }
            timerKey.putLong(8, windowStart(timestamp, into) ^ Long.MIN_VALUE);
            timers.register(fireAt, timerKey, 0);
            if (into >= size - slide)
            {
                break;
            }
            into += slide;
        }
    }

    private boolean fire(final int limit)
    {
        int emitted = 0;
        while (true)
        {
            if (firing)
            {
                if (regather)
                {
                    resumeFiring();
                }
                emitted += emitPairs(limit - emitted);
                if (leftIndex < leftMatches.size())
                {
                    return false;
                }
                finishWindow();
            }
            if (0 == timers.fireUpTo(watermark, onWindowTimer, 1))
            {
                break;
            }
            try
            {
                gatherWindow();
            }
            catch (final RuntimeException ex)
            {
                // The match lists could not grow: put the window back so that the next call gathers it whole.
                firing = false;
                leftMatches.clear();
                rightMatches.clear();
                timerKey.putLong(0, firingKey ^ Long.MIN_VALUE);
                timerKey.putLong(8, firingStart ^ Long.MIN_VALUE);
                timers.register(SlicedWindows.firingTime(firingEnd), timerKey, 0);
                throw ex;
            }
        }
        compactIfEmpty();
        return true;
    }

    private void onWindowTimer(final long timestamp, final DirectBuffer key, final int keyOffset)
    {
        firing = true;
        firingKey = key.getLong(keyOffset) ^ Long.MIN_VALUE;
        firingStart = key.getLong(keyOffset + 8) ^ Long.MIN_VALUE;
        firingEnd = Long.MAX_VALUE == timestamp ? Long.MAX_VALUE : timestamp + 1;
        firingOpenEnded = firingStart > Long.MAX_VALUE - size;
    }

    private void gatherWindow()
    {
        final MatchList leftMatches = this.leftMatches;
        final MatchList rightMatches = this.rightMatches;
        leftMatches.clear();
        rightMatches.clear();
        leftIndex = 0;
        rightIndex = 0;
        final long key = firingKey;
        final UnsafeBuffer sliceKey = this.sliceKey;
        sliceKey.putLong(0, key);
        long sliceStart = firingStart;
        while (true)
        {
            sliceKey.putLong(8, sliceStart);
            final int metaOffset = slices.get(sliceKey, 0);
            if (OffHeapHashTable.MISSING != metaOffset)
            {
                final int leftCount = slices.buffer().getInt(metaOffset + LEFT_COUNT_OFFSET);
                final int rightCount = slices.buffer().getInt(metaOffset + RIGHT_COUNT_OFFSET);
                gather(leftRecords, leftMatches, key, sliceStart, leftCount);
                gather(rightRecords, rightMatches, key, sliceStart, rightCount);
            }
            final long next = nextSlice(sliceStart);
            if (next <= sliceStart || (!firingOpenEnded && next >= firingEnd))
            {
                break;
            }
            sliceStart = next;
        }
        if (0 == leftMatches.size() || 0 == rightMatches.size())
        {
            leftMatches.clear();
            rightMatches.clear();
        }
        else
        {
            leftMatches.sort();
            rightMatches.sort();
        }
    }

    private void gather(
        final OffHeapHashTable records, final MatchList matches, final long key, final long sliceStart, final int count)
    {
        final UnsafeBuffer recordKey = this.recordKey;
        recordKey.putLong(0, key);
        recordKey.putLong(8, sliceStart);
        for (int seq = 0; seq < count; seq++)
        {
            recordKey.putInt(16, seq);
            final int valueOffset = records.get(recordKey, 0);
            // No insert or removal happens until the window is finished, so the offset stays valid.
            matches.add(records.buffer().getLong(valueOffset + ARRIVAL_OFFSET), valueOffset, 0);
        }
    }

    private int emitPairs(final int budget)
    {
        final MatchList leftMatches = this.leftMatches;
        final MatchList rightMatches = this.rightMatches;
        final int leftSize = leftMatches.size();
        final int rightSize = rightMatches.size();
        final UnsafeBuffer leftBuffer = leftRecords.buffer();
        final UnsafeBuffer rightBuffer = rightRecords.buffer();
        final JoinOutput output = this.output;
        int count = 0;
        while (count < budget && leftIndex < leftSize)
        {
            final int leftOffset = (int)leftMatches.ref(leftIndex);
            final int rightOffset = (int)rightMatches.ref(rightIndex);
            output.onPair(
                firingKey,
                leftBuffer,
                leftOffset + RECORD_HEADER_LENGTH,
                leftBuffer.getLong(leftOffset + TIMESTAMP_OFFSET),
                rightBuffer,
                rightOffset + RECORD_HEADER_LENGTH,
                rightBuffer.getLong(rightOffset + TIMESTAMP_OFFSET),
                firingStart,
                firingEnd);
            count++;
            if (++rightIndex == rightSize)
            {
                rightIndex = 0;
                leftIndex++;
            }
        }
        return count;
    }

    /**
     * Free the key's slices whose last window this is: the first slices of the window, up to the next window start.
     */
    private void finishWindow()
    {
        firing = false;
        leftMatches.clear();
        rightMatches.clear();
        final long key = firingKey;
        long sliceStart = firingStart;
        while (isLatestWindow(sliceStart))
        {
            freeSlice(key, sliceStart);
            final long next = nextSlice(sliceStart);
            if (next <= sliceStart || (!firingOpenEnded && next >= firingEnd))
            {
                break;
            }
            sliceStart = next;
        }
    }

    private void freeSlice(final long key, final long sliceStart)
    {
        final UnsafeBuffer sliceKey = this.sliceKey;
        sliceKey.putLong(0, key);
        sliceKey.putLong(8, sliceStart);
        final int metaOffset = slices.get(sliceKey, 0);
        if (OffHeapHashTable.MISSING == metaOffset)
        {
            return;
        }
        final int leftCount = slices.buffer().getInt(metaOffset + LEFT_COUNT_OFFSET);
        final int rightCount = slices.buffer().getInt(metaOffset + RIGHT_COUNT_OFFSET);
        final UnsafeBuffer recordKey = this.recordKey;
        recordKey.putLong(0, key);
        recordKey.putLong(8, sliceStart);
        for (int seq = 0; seq < leftCount; seq++)
        {
            recordKey.putInt(16, seq);
            leftRecords.remove(recordKey, 0);
        }
        for (int seq = 0; seq < rightCount; seq++)
        {
            recordKey.putInt(16, seq);
            rightRecords.remove(recordKey, 0);
        }
        slices.remove(sliceKey, 0);
    }

    /**
     * How far a timestamp is into the latest window holding it: the distance from that window's start, which is less
     * than the slide. The earlier windows holding it are {@code slide, 2 * slide, ...} further, while less than the
     * size.
     */
    private long intoLatestWindow(final long timestamp)
    {
        return Math.floorMod(Math.floorMod(timestamp, slide) - windowAlignment, slide);
    }

    /**
     * The start of the window that a timestamp is {@code into} from, clamped to {@link Long#MIN_VALUE}.
     */
    private static long windowStart(final long timestamp, final long into)
    {
        return Long.compareUnsigned(timestamp - Long.MIN_VALUE, into) < 0 ? Long.MIN_VALUE : timestamp - into;
    }

    /**
     * The true end of the window that a timestamp is {@code into} from, clamped to {@link Long#MAX_VALUE}.
     */
    private long windowEnd(final long timestamp, final long into)
    {
        final long toEnd = size - into;
        return timestamp > Long.MAX_VALUE - toEnd ? Long.MAX_VALUE : timestamp + toEnd;
    }

    /**
     * Whether the window firing is the latest holding a slice. The slice's start stands for all its timestamps,
     * the slice clamped to {@link Long#MIN_VALUE} included, since window bounds are slice bounds.
     */
    private boolean isLatestWindow(final long sliceStart)
    {
        final long into = intoLatestWindow(sliceStart);
        return windowStart(sliceStart, into) == firingStart && windowEnd(sliceStart, into) == firingEnd;
    }

    /**
     * The start of the slice after the one starting at {@code sliceStart}, which may be the slice clamped to
     * {@link Long#MIN_VALUE} and so not aligned.
     *
     * @return the next start, or a value not above {@code sliceStart} when there is none in the long range.
     */
    private long nextSlice(final long sliceStart)
    {
        final long sliceSize = this.sliceSize;
        final long into = Math.floorMod(Math.floorMod(sliceStart, sliceSize) - sliceAlignment, sliceSize);
        final long step = sliceSize - into;
        return sliceStart > Long.MAX_VALUE - step ? sliceStart : sliceStart + step;
    }

    /**
     * Once all state is freed, give back what grew: the match lists, and tables and timers above their initial size.
     * This runs only when the join holds no record, so a join that always holds some never reallocates here.
     */
    private void compactIfEmpty()
    {
        if (!slices.isEmpty() || 0 != timers.size())
        {
            return;
        }
        leftMatches.release();
        rightMatches.release();
        try
        {
            slices.trimIfEmpty();
            leftRecords.trimIfEmpty();
            rightRecords.trimIfEmpty();
            timers.trimIfEmpty();
        }
        catch (final MemoryBudgetExceededException ex)
        {
            // A trim takes the small segment before it gives back the large one; without room, keep the large one.
        }
    }

    private OffHeapHashTable newSliceTable()
    {
        return new OffHeapHashTable(memoryManager, owner, SLICE_KEY_LENGTH, SLICE_VALUE_LENGTH,
            JoinSupport.initialEntries(SLICE_KEY_LENGTH, SLICE_VALUE_LENGTH), OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
    }

    private OffHeapHashTable newRecordTable(final int recordLength)
    {
        final int valueWidth = RECORD_HEADER_LENGTH + recordLength;
        return new OffHeapHashTable(memoryManager, owner, RECORD_KEY_LENGTH, valueWidth,
            JoinSupport.initialEntries(RECORD_KEY_LENGTH, valueWidth), OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
    }

    private static void closeTables(
        final OffHeapHashTable slices,
        final OffHeapHashTable left,
        final OffHeapHashTable right,
        final TimerQueue timers)
    {
        if (null != slices)
        {
            slices.close();
        }
        if (null != left)
        {
            left.close();
        }
        if (null != right)
        {
            right.close();
        }
        if (null != timers)
        {
            timers.close();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("window join is closed: owner=" + owner);
        }
    }
}
