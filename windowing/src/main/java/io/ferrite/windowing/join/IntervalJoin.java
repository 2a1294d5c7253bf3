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

/**
 * A keyed interval join of two inputs, Flink's {@code a.intervalJoin(b).between(lower, upper)}: a left record
 * {@code a} and a right record {@code b} of the same key pair when {@code a.ts + lower <= b.ts <= a.ts + upper}.
 * Each pair is emitted once, when the second of its records arrives; a record's pairs come in the order of the other
 * side's matching records by timestamp, then arrival. The pair's window is {@code [a.ts + lower, a.ts + upper + 1)},
 * the interval {@code b} had to fall in, clamped to the {@code long} range.
 * <p>
 * Watermark {@code w} says no record with a timestamp {@code <= w} is still to come, so such a record is refused as
 * late and not stored. A record emits nothing itself: its pairs are queued and emitted by {@link #emitPending}
 * (which {@link #advanceWatermark} and {@link #endOfStream} run first), at most {@code limit} per call; records are not
 * taken while pairs are queued. The watermark frees what can no longer match: a left record once
 * {@code a.ts + upper <= w}, a right record once {@code b.ts - lower <= w}.
 * <p>
 * State is off-heap, with no Java object per key or record. Each side's records are kept by key in time buckets of
 * width {@code max(1, upper - lower)}, so finding a record's matches reads at most two buckets of the other side, never
 * all of its key's records.
 * <pre>
 *   buckets (per side)  [key:8][bucket:8]          -&gt; [count:8][maxTimestamp:8]
 *   records (per side)  [key:8][bucket:8][seq:4]   -&gt; [timestamp:8][record: that side's record length]
 *   timers  (per side)  (time the bucket's latest record can no longer match, [key:8][bucket:8])
 * </pre>
 * {@code bucket} is {@code floorDiv(timestamp, width)}; {@code seq} counts the bucket's records in arrival order, so
 * records of equal timestamps, which share a bucket, sort by arrival. Buckets are freed whole, when their latest
 * record can no longer match: a bucket's timer is set for its first record and, when it fires, moved to its latest
 * record if a later one came, so a record is freed no later than its bucket's latest record. Matches are gathered
 * into an off-heap list and sorted. When all state is freed, tables that grew are trimmed to their initial size, so
 * that {@link #allocatedBytes()} returns to its value when the join was new.
 * <p>
 * <b>Note:</b> Not threadsafe; a join belongs to one thread. Nothing allocates in steady state.
 */
public final class IntervalJoin implements AutoCloseable
{
    /**
     * The magic of the join's checkpoint: the bytes {@code FRIJ}.
     */
    static final int SNAPSHOT_MAGIC = 0x4A495246;
    static final int SNAPSHOT_VERSION = 1;

    private static final int BUCKET_KEY_LENGTH = 16;
    private static final int BUCKET_VALUE_LENGTH = 16;
    private static final int COUNT_OFFSET = 0;
    private static final int MAX_TIMESTAMP_OFFSET = 8;
    private static final int RECORD_KEY_LENGTH = 20;
    private static final int RECORD_HEADER_LENGTH = 8;
    private static final int TIMER_CAPACITY = 256;

    private final MemoryManager memoryManager;
    private final String owner;
    private final long lower;
    private final long upper;
    private final long bucketWidth;
    private final int leftRecordLength;
    private final int rightRecordLength;
    private final JoinOutput output;
    private final UnsafeBuffer bucketKey = new UnsafeBuffer(new byte[BUCKET_KEY_LENGTH]);
    private final UnsafeBuffer recordKey = new UnsafeBuffer(new byte[24]);
    private final TimerHandler onLeftBucketTimer = this::onLeftBucketTimer;
    private final TimerHandler onRightBucketTimer = this::onRightBucketTimer;
    private final MatchList matches;
    private final long[] configuration;

    private OffHeapHashTable leftBuckets;
    private OffHeapHashTable rightBuckets;
    private OffHeapHashTable leftRecords;
    private OffHeapHashTable rightRecords;
    private TimerQueue leftTimers;
    private TimerQueue rightTimers;

    private long watermark = Long.MIN_VALUE;
    private long lateRecords;
    private long scannedRecords;
    private boolean closed;

    private boolean pendingLeft;
    private long pendingKey;
    private long pendingTimestamp;
    private int pendingOffset;
    private int pendingIndex;
    private long pendingSeq;
    private boolean regather;

    /**
     * An interval join.
     *
     * @param memoryManager     where the state's memory comes from.
     * @param owner             the owner the memory is charged to; the join's alone, as {@link #allocatedBytes()}
     *                          reports the owner's bytes.
     * @param lower             the interval's lower bound relative to the left record's timestamp, inclusive.
     * @param upper             the interval's upper bound, inclusive; at least {@code lower}.
     * @param leftRecordLength  the length of every left record in bytes.
     * @param rightRecordLength the length of every right record in bytes.
     * @param output            where pairs go.
     * @throws IllegalArgumentException      if an argument is missing or out of range, or the owner holds memory.
     * @throws MemoryBudgetExceededException if the empty state does not fit the budget.
     */
    public IntervalJoin(
        final MemoryManager memoryManager,
        final String owner,
        final long lower,
        final long upper,
        final int leftRecordLength,
        final int rightRecordLength,
        final JoinOutput output)
    {
        JoinSupport.checkArguments(memoryManager, owner, leftRecordLength, rightRecordLength,
            OffHeapHashTable.MAX_VALUE_WIDTH - RECORD_HEADER_LENGTH, output);
        if (lower > upper)
        {
            throw new IllegalArgumentException("interval lower bound must not exceed its upper bound: owner=" + owner +
                " lower=" + lower + " upper=" + upper);
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.lower = lower;
        this.upper = upper;
        this.bucketWidth = Math.max(1, JoinSupport.subtractClamped(upper, lower));
        this.leftRecordLength = leftRecordLength;
        this.rightRecordLength = rightRecordLength;
        this.output = output;
        this.configuration = new long[]{lower, upper, leftRecordLength, rightRecordLength};
        this.matches = new MatchList(memoryManager, owner);
        try
        {
            leftBuckets = newBucketTable();
            rightBuckets = newBucketTable();
            leftRecords = newRecordTable(leftRecordLength);
            rightRecords = newRecordTable(rightRecordLength);
            leftTimers = new TimerQueue(memoryManager, owner, BUCKET_KEY_LENGTH, TIMER_CAPACITY);
            rightTimers = new TimerQueue(memoryManager, owner, BUCKET_KEY_LENGTH, TIMER_CAPACITY);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Take a left record and queue its pairs with the right records stored.
     *
     * @param key       the record's key.
     * @param timestamp the record's event time.
     * @param record    the buffer holding the record's {@code leftRecordLength} bytes, copied into the state.
     * @param offset    where the record starts.
     * @return true when taken, false when refused as late ({@code timestamp <= watermark}).
     * @throws IllegalStateException         if pairs are queued ({@link #hasPending()}) or the join is closed.
     * @throws MemoryBudgetExceededException if the state must grow and the budget does not allow it; the record is
     *                                       then not taken.
     */
    public boolean onLeft(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        return onRecord(true, key, timestamp, record, offset);
    }

    /**
     * Take a right record and queue its pairs with the left records stored.
     *
     * @param key       the record's key.
     * @param timestamp the record's event time.
     * @param record    the buffer holding the record's {@code rightRecordLength} bytes, copied into the state.
     * @param offset    where the record starts.
     * @return true when taken, false when refused as late ({@code timestamp <= watermark}).
     * @throws IllegalStateException         if pairs are queued ({@link #hasPending()}) or the join is closed.
     * @throws MemoryBudgetExceededException if the state must grow and the budget does not allow it; the record is
     *                                       then not taken.
     */
    public boolean onRight(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        return onRecord(false, key, timestamp, record, offset);
    }

    /**
     * Whether pairs are queued for {@link #emitPending}.
     *
     * @return true when a call to {@link #emitPending} would emit something.
     */
    public boolean hasPending()
    {
        return regather || pendingIndex < matches.size();
    }

    /**
     * Emit queued pairs.
     *
     * @param limit the most pairs to emit.
     * @return how many were emitted.
     */
    public int emitPending(final int limit)
    {
        checkOpen();
        JoinSupport.checkLimit(limit, owner);
        if (regather)
        {
            resumePending();
        }
        final MatchList matches = this.matches;
        final int size = matches.size();
        final JoinOutput output = this.output;
        final long key = pendingKey;
        final long timestamp = pendingTimestamp;
        final int offset = pendingOffset;
        int count = 0;
        while (count < limit && pendingIndex < size)
        {
            final int otherOffset = (int)matches.ref(pendingIndex);
            final long otherTimestamp = matches.order(pendingIndex);
            if (pendingLeft)
            {
                final UnsafeBuffer left = leftRecords.buffer();
                final UnsafeBuffer right = rightRecords.buffer();
                output.onPair(key, left, offset + RECORD_HEADER_LENGTH, timestamp,
                    right, otherOffset + RECORD_HEADER_LENGTH, otherTimestamp,
                    JoinSupport.addClamped(timestamp, lower), intervalEnd(timestamp));
            }
            else
            {
                final UnsafeBuffer left = leftRecords.buffer();
                final UnsafeBuffer right = rightRecords.buffer();
                output.onPair(key, left, otherOffset + RECORD_HEADER_LENGTH, otherTimestamp,
                    right, offset + RECORD_HEADER_LENGTH, timestamp,
                    JoinSupport.addClamped(otherTimestamp, lower), intervalEnd(otherTimestamp));
            }
            pendingIndex++;
            count++;
        }
        if (pendingIndex == size)
        {
            matches.clear();
            pendingIndex = 0;
        }
        return count;
    }

    /**
     * Emit queued pairs, then advance the watermark and free the records it makes unmatchable.
     *
     * @param watermark the new watermark; one below the current one is ignored.
     * @param limit     the most pairs to emit.
     * @return true when done, false when pairs are still queued and the call must be repeated; the watermark is
     * advanced only then.
     */
    public boolean advanceWatermark(final long watermark, final int limit)
    {
        checkOpen();
        emitPending(limit);
        if (hasPending())
        {
            return false;
        }
        if (watermark > this.watermark)
        {
            this.watermark = watermark;
        }
        freeUpTo();
        return true;
    }

    /**
     * The input has ended: emit queued pairs and free all state, as the final watermark {@link Long#MAX_VALUE}
     * would.
     *
     * @param limit the most pairs to emit.
     * @return true when done, false when the call must be repeated.
     */
    public boolean endOfStream(final int limit)
    {
        return advanceWatermark(Long.MAX_VALUE, limit);
    }

    /**
     * The current watermark.
     *
     * @return the watermark, {@link Long#MIN_VALUE} before the first (so a record at {@link Long#MIN_VALUE} is
     * always late).
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
     * Write the join's whole state into a checkpoint: a header (magic {@code FRIJ}, version, and the configuration:
     * the interval's bounds, record lengths), the watermark, the late-record count and, while pairs are queued
     * ({@link #hasPending()}), the record whose pairs they are and how many went out; then each side's buckets and
     * records, and each side's bucket timers. The writer may be shared with other operators: the caller writes what
     * comes before and after, and finishes the snapshot. Allocates nothing per key or record.
     *
     * @param writer where the state goes.
     * @throws IllegalStateException if the join is closed.
     * @throws IOException           if the writer's channel fails.
     */
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        final boolean pending = hasPending();
        long pendingSeq = 0;
        if (pending)
        {
            // The queued pairs' record is the newest of its bucket: no record is taken while pairs are queued.
            bucketKey.putLong(0, pendingKey);
            bucketKey.putLong(8, Math.floorDiv(pendingTimestamp, bucketWidth));
            final OffHeapHashTable buckets = pendingLeft ? leftBuckets : rightBuckets;
            pendingSeq = buckets.buffer().getLong(buckets.get(bucketKey, 0) + COUNT_OFFSET) - 1;
        }
        SnapshotHeader.write(writer, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, configuration);
        writer.writeLong(watermark);
        writer.writeLong(lateRecords);
        writer.writeLong(scannedRecords);
        JoinSupport.writeFlag(writer, pending);
        JoinSupport.writeFlag(writer, pending && pendingLeft);
        writer.writeLong(pending ? pendingKey : 0);
        writer.writeLong(pending ? pendingTimestamp : 0);
        writer.writeLong(pendingSeq);
        writer.writeInt(pending ? pendingIndex : 0);
        leftBuckets.writeTo(writer);
        rightBuckets.writeTo(writer);
        leftRecords.writeTo(writer);
        rightRecords.writeTo(writer);
        leftTimers.writeTo(writer);
        rightTimers.writeTo(writer);
    }

    /**
     * Restore the state a {@link #snapshot} wrote. Called on a freshly built join with the same configuration, before
     * any record; afterwards the join continues exactly as the one that took the snapshot would have, pairs and their
     * order included (queued pairs resume where they stopped). The caller verifies the CRC32C trailer of the whole
     * file after everything in it has been read; on any failure, here or there, the join must be closed and
     * discarded.
     *
     * @param reader where the state comes from, positioned at this join's part.
     * @throws SnapshotCorruptedException    if the snapshot is not an interval join's, was taken with another
     *                                       configuration (the message says which) or is corrupted.
     * @throws IllegalStateException         if the join is closed.
     * @throws MemoryBudgetExceededException if the state does not fit the budget.
     * @throws IOException                   if the reader's channel fails.
     */
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        final String what = "interval join " + owner;
        SnapshotHeader.read(reader, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, what, configuration, IntervalJoin::describe);
        final long restoredWatermark = reader.readLong();
        final long restoredLateRecords = reader.readLong();
        final long restoredScannedRecords = reader.readLong();
        final boolean pending = JoinSupport.readFlag(reader, what);
        final boolean left = JoinSupport.readFlag(reader, what);
        final long key = reader.readLong();
        final long timestamp = reader.readLong();
        final long seq = reader.readLong();
        final int index = reader.readInt();
        if (pending && (index < 0 || seq < 0 || seq >= Integer.MAX_VALUE))
        {
            throw JoinSupport.corrupted(reader, what, "queued pairs at " + index + " of the record of seq " + seq);
        }
        matches.clear();
        pendingIndex = 0;
        regather = false;
        leftBuckets.readFrom(reader);
        rightBuckets.readFrom(reader);
        leftRecords.readFrom(reader);
        rightRecords.readFrom(reader);
        leftTimers.readFrom(reader);
        rightTimers.readFrom(reader);
        watermark = restoredWatermark;
        lateRecords = restoredLateRecords;
        scannedRecords = restoredScannedRecords;
        if (pending)
        {
            final OffHeapHashTable records = left ? leftRecords : rightRecords;
            recordKey.putLong(0, key);
            recordKey.putLong(8, Math.floorDiv(timestamp, bucketWidth));
            recordKey.putInt(16, (int)seq);
            final int valueOffset = records.get(recordKey, 0);
            if (OffHeapHashTable.MISSING == valueOffset || records.buffer().getLong(valueOffset) != timestamp)
            {
                throw JoinSupport.corrupted(reader, what, "the record whose pairs are queued, key " + key +
                    " timestamp " + timestamp + " seq " + seq + ", is not stored");
            }
            // Its pairs are gathered again by the next call, once the caller has verified the snapshot.
            pendingLeft = left;
            pendingKey = key;
            pendingTimestamp = timestamp;
            pendingSeq = seq;
            pendingIndex = index;
            regather = true;
        }
    }

    /**
     * Gather the pairs of the record whose queued pairs a restore resumes, and go back to the pair they had reached.
     */
    private void resumePending()
    {
        final OffHeapHashTable records = pendingLeft ? leftRecords : rightRecords;
        final UnsafeBuffer recordKey = this.recordKey;
        recordKey.putLong(0, pendingKey);
        recordKey.putLong(8, Math.floorDiv(pendingTimestamp, bucketWidth));
        recordKey.putInt(16, (int)pendingSeq);
        final int valueOffset = records.get(recordKey, 0);
        final long scanned = scannedRecords;
        final int index = pendingIndex;
        matches.clear();
        try
        {
            gatherMatches(pendingLeft, pendingKey, pendingTimestamp);
        }
        catch (final RuntimeException ex)
        {
            matches.clear();
            pendingIndex = index;
            throw ex;
        }
        scannedRecords = scanned;
        if (index >= matches.size())
        {
            final int size = matches.size();
            matches.clear();
            throw new IllegalStateException("restored queued pairs of key " + pendingKey + " timestamp " +
                pendingTimestamp + " are at " + index + " of " + size + ": owner=" + owner);
        }
        pendingOffset = valueOffset;
        pendingIndex = index;
        regather = false;
    }

    /**
     * The configuration a checkpoint holds, in words: the interval, record lengths.
     */
    static String[] describe(final long[] configuration)
    {
        return new String[]{
            "interval [" + configuration[0] + ", " + configuration[1] + "]",
            "left records of " + configuration[2] + " bytes",
            "right records of " + configuration[3] + " bytes"};
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
            pendingIndex = 0;
            regather = false;
            matches.close();
            closeState(leftBuckets, rightBuckets, leftRecords, rightRecords, leftTimers, rightTimers);
            leftBuckets = null;
            rightBuckets = null;
            leftRecords = null;
            rightRecords = null;
            leftTimers = null;
            rightTimers = null;
        }
    }

    @Override
    public String toString()
    {
        return "IntervalJoin{owner=" + owner + ", lower=" + lower + ", upper=" + upper + ", bucketWidth=" +
            bucketWidth + ", watermark=" + watermark + ", lateRecords=" + lateRecords + ", closed=" + closed + '}';
    }

    int storedRecords()
    {
        return leftRecords.size() + rightRecords.size();
    }

    long scannedRecords()
    {
        return scannedRecords;
    }

    long bucketWidth()
    {
        return bucketWidth;
    }

    private boolean onRecord(
        final boolean left, final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        checkOpen();
        if (hasPending())
        {
            throw new IllegalStateException("interval join has pairs queued: call emitPending until hasPending() " +
                "is false before the next record: owner=" + owner);
        }
        if (timestamp <= watermark)
        {
            lateRecords++;
            return false;
        }
        // Gather first: it reads only the other side's tables, so the offsets it keeps survive the insert, and
        // when either step runs out of memory the record is simply not taken.
        final int valueOffset;
        matches.clear();
        try
        {
            gatherMatches(left, key, timestamp);
            valueOffset = insert(left, key, timestamp, record, offset);
        }
        catch (final RuntimeException ex)
        {
            matches.clear();
            throw ex;
        }
        pendingLeft = left;
        pendingKey = key;
        pendingTimestamp = timestamp;
        pendingOffset = valueOffset;
        pendingIndex = 0;
        return true;
    }

    private int insert(
        final boolean left, final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        final OffHeapHashTable buckets = left ? leftBuckets : rightBuckets;
        final OffHeapHashTable records = left ? leftRecords : rightRecords;
        final long bucket = Math.floorDiv(timestamp, bucketWidth);
        final UnsafeBuffer bucketKey = this.bucketKey;
        bucketKey.putLong(0, key);
        bucketKey.putLong(8, bucket);
        final int existing = buckets.get(bucketKey, 0);
        final long seq = OffHeapHashTable.MISSING == existing ? 0 : buckets.buffer().getLong(existing + COUNT_OFFSET);
        if (seq >= Integer.MAX_VALUE)
        {
            throw new IllegalStateException("too many records in one time bucket: owner=" + owner + " key=" + key +
                " timestamp=" + timestamp);
        }

        final UnsafeBuffer recordKey = this.recordKey;
        recordKey.putLong(0, key);
        recordKey.putLong(8, bucket);
        recordKey.putInt(16, (int)seq);
        final int valueOffset = records.getOrInsert(recordKey, 0);
        final UnsafeBuffer recordBuffer = records.buffer();
        recordBuffer.putLong(valueOffset, timestamp);
        recordBuffer.putBytes(valueOffset + RECORD_HEADER_LENGTH, record, offset, left ? leftRecordLength :
            rightRecordLength);

        boolean created = false;
        try
        {
            final int metaOffset = buckets.getOrInsert(bucketKey, 0);
            created = buckets.lastInsertCreated();
            final UnsafeBuffer metaBuffer = buckets.buffer();
            metaBuffer.putLong(metaOffset + COUNT_OFFSET, seq + 1);
            if (created || timestamp > metaBuffer.getLong(metaOffset + MAX_TIMESTAMP_OFFSET))
            {
                metaBuffer.putLong(metaOffset + MAX_TIMESTAMP_OFFSET, timestamp);
            }
            if (created)
            {
                (left ? leftTimers : rightTimers).register(unmatchableAt(left, timestamp), bucketKey, 0);
            }
        }
        catch (final RuntimeException ex)
        {
            records.remove(recordKey, 0);
            if (created)
            {
                buckets.remove(bucketKey, 0);
            }
            throw ex;
        }
        return valueOffset;
    }

    /**
     * Gather the other side's records that pair with a record into the match list, sorted.
     */
    private void gatherMatches(final boolean left, final long key, final long timestamp)
    {
        if (left)
        {
            // Rights in [ts + lower, ts + upper].
            if (!JoinSupport.sumAboveRange(timestamp, lower) && !JoinSupport.sumBelowRange(timestamp, upper))
            {
                gatherMatches(rightBuckets, rightRecords, key,
                    JoinSupport.addClamped(timestamp, lower), JoinSupport.addClamped(timestamp, upper));
            }
        }
        else
        {
            // Lefts in [ts - upper, ts - lower].
            if (!JoinSupport.differenceAboveRange(timestamp, upper) &&
                !JoinSupport.differenceBelowRange(timestamp, lower))
            {
                gatherMatches(leftBuckets, leftRecords, key,
                    JoinSupport.subtractClamped(timestamp, upper), JoinSupport.subtractClamped(timestamp, lower));
            }
        }
    }

    private void gatherMatches(
        final OffHeapHashTable buckets, final OffHeapHashTable records, final long key, final long from, final long to)
    {
        final MatchList matches = this.matches;
        final UnsafeBuffer bucketKey = this.bucketKey;
        final UnsafeBuffer recordKey = this.recordKey;
        bucketKey.putLong(0, key);
        recordKey.putLong(0, key);
        final long lastBucket = Math.floorDiv(to, bucketWidth);
        long scanned = 0;
        for (long bucket = Math.floorDiv(from, bucketWidth); ; bucket++)
        {
            bucketKey.putLong(8, bucket);
            final int metaOffset = buckets.get(bucketKey, 0);
            if (OffHeapHashTable.MISSING != metaOffset)
            {
                final int count = (int)buckets.buffer().getLong(metaOffset + COUNT_OFFSET);
                recordKey.putLong(8, bucket);
                for (int seq = 0; seq < count; seq++)
                {
                    recordKey.putInt(16, seq);
                    // Nothing is inserted or removed until the pairs are emitted, so the offset stays valid.
                    final int valueOffset = records.get(recordKey, 0);
                    final long timestamp = records.buffer().getLong(valueOffset);
                    if (from <= timestamp && timestamp <= to)
                    {
                        matches.add(timestamp, valueOffset, seq);
                    }
                }
                scanned += count;
            }
            if (bucket == lastBucket)
            {
                break;
            }
        }
        scannedRecords += scanned;
        matches.sort();
    }

    private void freeUpTo()
    {
        leftTimers.fireUpTo(watermark, onLeftBucketTimer, Integer.MAX_VALUE);
        rightTimers.fireUpTo(watermark, onRightBucketTimer, Integer.MAX_VALUE);
        compactIfEmpty();
    }

    private void onLeftBucketTimer(final long timestamp, final DirectBuffer key, final int keyOffset)
    {
        onBucketTimer(true, key, keyOffset);
    }

    private void onRightBucketTimer(final long timestamp, final DirectBuffer key, final int keyOffset)
    {
        onBucketTimer(false, key, keyOffset);
    }

    private void onBucketTimer(final boolean left, final DirectBuffer key, final int keyOffset)
    {
        final OffHeapHashTable buckets = left ? leftBuckets : rightBuckets;
        final int metaOffset = buckets.get(key, keyOffset);
        if (OffHeapHashTable.MISSING == metaOffset)
        {
            return;
        }
        final long unmatchableAt = unmatchableAt(left, buckets.buffer().getLong(metaOffset + MAX_TIMESTAMP_OFFSET));
        if (unmatchableAt > watermark)
        {
            // A later record came after the timer was set: wait for it.
            (left ? leftTimers : rightTimers).register(unmatchableAt, key, keyOffset);
            return;
        }
        final int count = (int)buckets.buffer().getLong(metaOffset + COUNT_OFFSET);
        final OffHeapHashTable records = left ? leftRecords : rightRecords;
        final UnsafeBuffer recordKey = this.recordKey;
        recordKey.putBytes(0, key, keyOffset, BUCKET_KEY_LENGTH);
        for (int seq = 0; seq < count; seq++)
        {
            recordKey.putInt(16, seq);
            records.remove(recordKey, 0);
        }
        buckets.remove(key, keyOffset);
    }

    /**
     * The watermark from which a record can match no future record: {@code ts + upper} for a left record,
     * {@code ts - lower} for a right one, clamped.
     */
    private long unmatchableAt(final boolean left, final long timestamp)
    {
        return left ? JoinSupport.addClamped(timestamp, upper) : JoinSupport.subtractClamped(timestamp, lower);
    }

    private long intervalEnd(final long leftTimestamp)
    {
        if (Long.MAX_VALUE == upper)
        {
            // ts + MAX_VALUE + 1 = ts - MIN_VALUE, exact below zero.
            return leftTimestamp >= 0 ? Long.MAX_VALUE : leftTimestamp - Long.MIN_VALUE;
        }
        return JoinSupport.addClamped(leftTimestamp, upper + 1);
    }

    /**
     * Once all state is freed, give back what grew: the match list, and tables and timers above their initial size.
     * This runs only when the join holds no record, so a join that always holds some never reallocates here.
     */
    private void compactIfEmpty()
    {
        if (!leftBuckets.isEmpty() || !rightBuckets.isEmpty() || 0 != leftTimers.size() || 0 != rightTimers.size())
        {
            return;
        }
        matches.release();
        try
        {
            leftBuckets.trimIfEmpty();
            rightBuckets.trimIfEmpty();
            leftRecords.trimIfEmpty();
            rightRecords.trimIfEmpty();
            leftTimers.trimIfEmpty();
            rightTimers.trimIfEmpty();
        }
        catch (final MemoryBudgetExceededException ex)
        {
            // A trim takes the small segment before it gives back the large one; without room, keep the large one.
        }
    }

    private OffHeapHashTable newBucketTable()
    {
        return new OffHeapHashTable(memoryManager, owner, BUCKET_KEY_LENGTH, BUCKET_VALUE_LENGTH,
            JoinSupport.initialEntries(BUCKET_KEY_LENGTH, BUCKET_VALUE_LENGTH), OffHeapHashTable.DEFAULT_LOAD_FACTOR,
            0L);
    }

    private OffHeapHashTable newRecordTable(final int recordLength)
    {
        final int valueWidth = RECORD_HEADER_LENGTH + recordLength;
        return new OffHeapHashTable(memoryManager, owner, RECORD_KEY_LENGTH, valueWidth,
            JoinSupport.initialEntries(RECORD_KEY_LENGTH, valueWidth), OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
    }

    private static void closeState(
        final OffHeapHashTable leftBuckets,
        final OffHeapHashTable rightBuckets,
        final OffHeapHashTable leftRecords,
        final OffHeapHashTable rightRecords,
        final TimerQueue leftTimers,
        final TimerQueue rightTimers)
    {
        if (null != leftBuckets)
        {
            leftBuckets.close();
        }
        if (null != rightBuckets)
        {
            rightBuckets.close();
        }
        if (null != leftRecords)
        {
            leftRecords.close();
        }
        if (null != rightRecords)
        {
            rightRecords.close();
        }
        if (null != leftTimers)
        {
            leftTimers.close();
        }
        if (null != rightTimers)
        {
            rightTimers.close();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("interval join is closed: owner=" + owner);
        }
    }
}
