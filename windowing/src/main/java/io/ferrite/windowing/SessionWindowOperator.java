package io.ferrite.windowing;

import static io.ferrite.memory.table.OffHeapHashTable.MISSING;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.memory.timer.TimerHandler;
import io.ferrite.memory.timer.TimerQueue;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * Session windows in event time: a record at {@code t} makes the window {@code [t, t + gap)} (the end clamped to
 * {@link Long#MAX_VALUE}), which merges with every live session of its key that overlaps or touches it (session
 * {@code [s, e)} with {@code s <= t + gap} and {@code e >= t}), so one record may bridge sessions (two at most, as
 * every session is at least a gap long, but the merge takes any number). The merged session is
 * {@code [min start, max end)}, its accumulators merged and its counts summed.
 * <ul>
 *     <li><b>On time.</b> A session fires {@link Firing#ON_TIME} once, when the watermark reaches {@code end - 1};
 *     at one watermark, results go out by {@code end}, then by key (as unsigned), so per key in end order.</li>
 *     <li><b>Lateness.</b> A session's state is kept until the watermark reaches {@code end - 1 + allowedLateness}
 *     (saturating), then freed. A record is refused ({@code onRecord} returns false, {@link #lateRecords()} counts it,
 *     {@link #missedWindowStart()}/{@link #missedWindowEnd()} give {@code [t, t + gap)}) when no live session of its
 *     key overlaps or touches {@code [t, t + gap)} and {@code t + gap - 1 + allowedLateness <= watermark}. As in
 *     Flink, a record within the lateness whose window does not reach a kept session starts a session of its own.</li>
 *     <li><b>Late firings.</b> When an accepted record leaves its (merged) session closed ({@code end - 1 <=}
 *     watermark), a {@link Firing#LATE} result of that session is queued for {@link #emitPending}: one per session,
 *     with the session's contents at emission, so several late records before {@code emitPending} give one result.
 *     The queue is in order of first queuing; a merged session keeps the earliest place of the sessions it merged.
 *     The session may be wider than any earlier result, which it replaces (see {@link Firing}).</li>
 *     <li><b>Re-opened sessions.</b> When a record merges a session that already fired into a session whose merged
 *     end is still open, the merged session is open again: it fires {@link Firing#ON_TIME} at its new end, and that
 *     result replaces the earlier results of the sessions it covers.</li>
 *     <li><b>Early results</b> ({@code earlyResultsPeriod > 0}). Processing time is known only from
 *     {@link #onProcessingTime} (0 before its first call). When a key takes a record and has no early timer, one
 *     is set at {@code now + period}; when it fires, each of the key's sessions that has not fired emits
 *     {@link Firing#EARLY} (in start order), and the key gets no new early timer until it takes another record. A
 *     key's early timer goes when its last session is freed.</li>
 *     <li><b>End of stream.</b> {@link #endOfStream} emits the queued results, fires every session that has not
 *     fired ({@link Firing#ON_TIME}, in the order the final watermark would) and frees all state.</li>
 * </ul>
 * The watermark a call to {@link #advanceWatermark} brings takes effect when that call returns true: until then,
 * {@link #watermark()} and the lateness of records are those of the previous watermark, so a session whose firing is
 * still to come in a repeated call takes records as an open session would.
 * <p>
 * State, all off-heap and charged to the owner, with no Java object per key, session or record:
 * <pre>
 * sessions: [key (8 bytes)][start (8 bytes)] -&gt; value; a key's sessions form a list, newest start first
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          End (8 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |        Start of the next older session of the key (8 bytes)   |
 *  +---------------------------------------------------------------+
 *  |                      Record count (8 bytes)                   |
 *  +---------------------------------------------------------------+
 *  |    Timer: timestamp of the session's one event timer (8 bytes)|
 *  +---------------------------------------------------------------+
 *  |     Pending LATE firing: its sequence number, 0 for none (8)  |
 *  +---------------------------------------------------------------+
 *  |   Flags (4 bytes): FIRED     |     Padding (4 bytes)          |
 *  +---------------------------------------------------------------+
 *  |                Accumulator (aggregate's length)              ...
 *  +---------------------------------------------------------------+
 *
 * heads: key (8 bytes) -&gt; value
 *  +---------------------------------------------------------------+
 *  |               Start of the newest session (8 bytes)           |
 *  +---------------------------------------------------------------+
 *  |                   Early timer's time (8 bytes)                |
 *  +-------------------------------+-------------------------------+
 *  |   Session count (4 bytes)     |   Flags (4): EARLY_TIMER      |
 *  +-------------------------------+-------------------------------+
 *
 * pending: sequence number (8 bytes, from 1) -&gt; [key (8 bytes)][session start (8 bytes)], a FIFO of LATE firings
 * timers:  TimerQueue of (time, [key][start]): the session's firing at end - 1, or once fired its cleanup
 * early:   TimerQueue of (processing time, key), when early results are on
 * </pre>
 * FIRED means the session is closed and handled: its ON_TIME result went out, or it was closed when made and a LATE
 * result is queued. A session has one timer; it may be earlier than due ({@code end - 1}, or
 * {@code end - 1 + allowedLateness} once fired), because a record that extends a session leaves its timer alone: a
 * timer that fires early moves itself to the due time, so records cost no timer operations in the common case; so
 * {@link #nextFiringTime()} is a lower bound. When no session is left, the tables and queues that grew shrink back to
 * their initial size, so {@link #allocatedBytes()} returns to its value when the operator was built.
 * <p>
 * <b>Note:</b> Not threadsafe. No input after {@link #endOfStream}. After a
 * {@link io.ferrite.memory.MemoryBudgetExceededException} from {@link #onRecord} the operator must be closed.
 */
final class SessionWindowOperator implements WindowOperator
{
    /**
     * The magic of the operator's checkpoint: the bytes {@code FRSE}.
     */
    static final int SNAPSHOT_MAGIC = 0x45535246;
    static final int SNAPSHOT_VERSION = 1;

    static final int END_OFFSET = 0;
    static final int NEXT_OFFSET = 8;
    static final int COUNT_OFFSET = 16;
    static final int TIMER_OFFSET = 24;
    static final int PENDING_OFFSET = 32;
    static final int FLAGS_OFFSET = 40;
    static final int ACCUMULATOR_OFFSET = 48;

    static final int FIRST_OFFSET = 0;
    static final int EARLY_TIME_OFFSET = 8;
    static final int SESSION_COUNT_OFFSET = 16;
    static final int HEAD_FLAGS_OFFSET = 20;
    static final int HEAD_LENGTH = 24;

    static final int PENDING_KEY_OFFSET = 0;
    static final int PENDING_START_OFFSET = 8;
    static final int PENDING_LENGTH = 16;

    static final int FIRED = 1;
    static final int EARLY_TIMER = 1;

    private static final int INITIAL_SESSIONS = 256;
    private static final int INITIAL_KEYS = 256;
    private static final int INITIAL_PENDING = 64;
    private static final int INITIAL_TIMERS = 256;

    private final MemoryManager memoryManager;
    private final String owner;
    private final long gap;
    private final AggregateFunction aggregate;
    private final long lateness;
    private final long earlyResultsPeriod;
    private final WindowOutput output;
    private final int sessionLength;
    private final long[] configuration;
    private final UnsafeBuffer sessionKey = new UnsafeBuffer(new byte[16]);
    private final TimerHandler onTimer = this::onTimer;
    private final TimerHandler onEarlyTimer = this::onEarlyTimer;

    private final OffHeapHashTable sessions;
    private final OffHeapHashTable heads;
    private final OffHeapHashTable pending;
    private final TimerQueue timers;
    private final TimerQueue earlyTimers;

    private long pendingHead = 1;
    private long pendingTail = 1;
    private long watermark = Long.MIN_VALUE;
    private long now;
    private long lateRecords;
    private long missedWindowStart;
    private long missedWindowEnd;
    private int timerEmissions;
    private boolean earlyActive;
    private long earlyKey;
    private boolean earlyHasLast;
    private long earlyLastStart;
    private boolean closed;

    SessionWindowOperator(
        final MemoryManager memoryManager,
        final String owner,
        final long gap,
        final AggregateFunction aggregate,
        final long allowedLateness,
        final long earlyResultsPeriod,
        final WindowOutput output)
    {
        if (gap <= 0)
        {
            throw new IllegalArgumentException(owner + ": session gap must be positive: " + gap);
        }
        if (allowedLateness < 0 || earlyResultsPeriod < 0)
        {
            throw new IllegalArgumentException(owner + ": allowed lateness and early results period must not be " +
                "negative: allowedLateness=" + allowedLateness + " earlyResultsPeriod=" + earlyResultsPeriod);
        }
        if (null == aggregate || null == output)
        {
            throw new NullPointerException(owner + ": aggregate and output are required");
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.gap = gap;
        this.aggregate = aggregate;
        this.lateness = allowedLateness;
        this.earlyResultsPeriod = earlyResultsPeriod;
        this.output = output;
        this.sessionLength = ACCUMULATOR_OFFSET + aggregate.accumulatorLength();
        this.configuration = new long[]{gap, aggregate.accumulatorLength(), allowedLateness, earlyResultsPeriod};

        OffHeapHashTable sessions = null;
        OffHeapHashTable heads = null;
        OffHeapHashTable pending = null;
        TimerQueue timers = null;
        TimerQueue earlyTimers = null;
        try
        {
            sessions = new OffHeapHashTable(memoryManager, owner, 16, sessionLength, INITIAL_SESSIONS,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            heads = new OffHeapHashTable(memoryManager, owner, 8, HEAD_LENGTH, INITIAL_KEYS,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            pending = new OffHeapHashTable(memoryManager, owner, 8, PENDING_LENGTH, INITIAL_PENDING,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            timers = new TimerQueue(memoryManager, owner, 16, INITIAL_TIMERS);
            earlyTimers = earlyResultsPeriod > 0 ? new TimerQueue(memoryManager, owner, 8, INITIAL_TIMERS) : null;
        }
        catch (final RuntimeException ex)
        {
            closeAll(sessions, heads, pending, timers, earlyTimers);
            throw ex;
        }
        this.sessions = sessions;
        this.heads = heads;
        this.pending = pending;
        this.timers = timers;
        this.earlyTimers = earlyTimers;
    }

    @Override
    public boolean onRecord(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        final long end = timestamp > Long.MAX_VALUE - gap ? Long.MAX_VALUE : timestamp + gap;

        // Find, newest first, the sessions [timestamp, end] overlaps or touches: they are consecutive in the list.
        boolean hasNewer = false;
        long newerStart = 0;
        boolean hasOlder = false;
        long olderStart = 0;
        int overlaps = 0;
        long newestOverlapStart = 0;
        long newestOverlapEnd = 0;
        long oldestOverlapStart = 0;
        final int headOffset = heads.get(key);
        if (MISSING != headOffset)
        {
            final UnsafeBuffer buffer = sessions.buffer();
            int remaining = heads.buffer().getInt(headOffset + SESSION_COUNT_OFFSET);
            long start = heads.buffer().getLong(headOffset + FIRST_OFFSET);
            while (remaining > 0)
            {
                final int sessionOffset = session(key, start);
                final long sessionEnd = buffer.getLong(sessionOffset + END_OFFSET);
                if (start > end)
                {
                    hasNewer = true;
                    newerStart = start;
                }
                else if (sessionEnd >= timestamp)
                {
                    if (0 == overlaps)
                    {
                        newestOverlapStart = start;
                        newestOverlapEnd = sessionEnd;
                    }
                    oldestOverlapStart = start;
                    overlaps++;
                }
                else
                {
                    hasOlder = true;
                    olderStart = start;
                    break;
                }
                start = buffer.getLong(sessionOffset + NEXT_OFFSET);
                remaining--;
            }
        }

        if (0 == overlaps && cleanupTime(end) <= watermark)
        {
            lateRecords++;
            missedWindowStart = timestamp;
            missedWindowEnd = end;
            return false;
        }

        final long mergedStart = 0 == overlaps ? timestamp : Math.min(timestamp, oldestOverlapStart);
        final long mergedEnd = 0 == overlaps ? end : Math.max(end, newestOverlapEnd);
        final boolean survivorExists = 0 != overlaps && oldestOverlapStart <= timestamp;

        // Inserts, which may grow a table, come first; then the merge, which only reads, updates and removes.
        if (MISSING == headOffset)
        {
            heads.getOrInsert(key);
        }
        long pendingSequence = 0;
        boolean hasTimer = false;
        long timer = 0;
        if (survivorExists)
        {
            final int sessionOffset = session(key, mergedStart);
            pendingSequence = sessions.buffer().getLong(sessionOffset + PENDING_OFFSET);
            timer = sessions.buffer().getLong(sessionOffset + TIMER_OFFSET);
            hasTimer = true;
        }
        else
        {
            sessionKey.putLong(0, key);
            sessionKey.putLong(8, mergedStart);
            final int sessionOffset = sessions.getOrInsert(sessionKey, 0);
            aggregate.create(sessions.buffer(), sessionOffset + ACCUMULATOR_OFFSET);
        }

        long absorbedStart = newestOverlapStart;
        for (int i = survivorExists ? 1 : 0; i < overlaps; i++)
        {
            final UnsafeBuffer buffer = sessions.buffer();
            final int absorbedOffset = session(key, absorbedStart);
            timers.delete(buffer.getLong(absorbedOffset + TIMER_OFFSET), sessionKey, 0);
            final long next = buffer.getLong(absorbedOffset + NEXT_OFFSET);
            final long absorbedPending = buffer.getLong(absorbedOffset + PENDING_OFFSET);
            final int survivorOffset = session(key, mergedStart);
            aggregate.merge(buffer, survivorOffset + ACCUMULATOR_OFFSET, buffer, absorbedOffset + ACCUMULATOR_OFFSET);
            buffer.putLong(survivorOffset + COUNT_OFFSET,
                buffer.getLong(survivorOffset + COUNT_OFFSET) + buffer.getLong(absorbedOffset + COUNT_OFFSET));
            pendingSequence = earlierPending(pendingSequence, absorbedPending);
            sessionKey.putLong(8, absorbedStart);
            sessions.remove(sessionKey, 0);
            absorbedStart = next;
        }

        final UnsafeBuffer buffer = sessions.buffer();
        final int sessionOffset = session(key, mergedStart);
        aggregate.add(buffer, sessionOffset + ACCUMULATOR_OFFSET, record, offset, timestamp);
        buffer.putLong(sessionOffset + COUNT_OFFSET, buffer.getLong(sessionOffset + COUNT_OFFSET) + 1);
        buffer.putLong(sessionOffset + END_OFFSET, mergedEnd);
        buffer.putLong(sessionOffset + NEXT_OFFSET, hasOlder ? olderStart : 0);
        final long due;
        if (mergedEnd - 1 <= watermark)
        {
            buffer.putInt(sessionOffset + FLAGS_OFFSET, FIRED);
            if (0 == pendingSequence)
            {
                pendingSequence = enqueue(key, mergedStart);
            }
            else
            {
                pending.buffer().putLong(pending.get(pendingSequence) + PENDING_START_OFFSET, mergedStart);
            }
            due = cleanupTime(mergedEnd);
        }
        else
        {
            buffer.putInt(sessionOffset + FLAGS_OFFSET, 0);
            if (0 != pendingSequence)
            {
                pending.remove(pendingSequence);
                pendingSequence = 0;
            }
            due = mergedEnd - 1;
        }
        buffer.putLong(sessionOffset + PENDING_OFFSET, pendingSequence);
        if (!hasTimer || timer > due)
        {
            buffer.putLong(sessionOffset + TIMER_OFFSET, due);
            if (hasTimer)
            {
                timers.delete(timer, sessionKey, 0);
            }
            registerTimer(due);
        }

        final int headOffsetNow = heads.get(key);
        final UnsafeBuffer headBuffer = heads.buffer();
        if (hasNewer)
        {
            buffer.putLong(session(key, newerStart) + NEXT_OFFSET, mergedStart);
        }
        else
        {
            headBuffer.putLong(headOffsetNow + FIRST_OFFSET, mergedStart);
        }
        headBuffer.putInt(headOffsetNow + SESSION_COUNT_OFFSET,
            headBuffer.getInt(headOffsetNow + SESSION_COUNT_OFFSET) + 1 - overlaps);
        final int headFlags = headBuffer.getInt(headOffsetNow + HEAD_FLAGS_OFFSET);
        if (earlyResultsPeriod > 0 && 0 == (headFlags & EARLY_TIMER))
        {
            final long at = saturatedAdd(now, earlyResultsPeriod);
            headBuffer.putLong(headOffsetNow + EARLY_TIME_OFFSET, at);
            headBuffer.putInt(headOffsetNow + HEAD_FLAGS_OFFSET, headFlags | EARLY_TIMER);
            earlyTimers.register(at, key);
        }
        return true;
    }

    @Override
    public long missedWindowStart()
    {
        return missedWindowStart;
    }

    @Override
    public long missedWindowEnd()
    {
        return missedWindowEnd;
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
            if (MISSING == pendingOffset)
            {
                continue; // Its session was merged into one that kept an earlier place, or re-opened.
            }
            final long key = pending.buffer().getLong(pendingOffset + PENDING_KEY_OFFSET);
            final long start = pending.buffer().getLong(pendingOffset + PENDING_START_OFFSET);
            pending.remove(sequence);
            final int sessionOffset = existingSession(key, start);
            final UnsafeBuffer buffer = sessions.buffer();
            buffer.putLong(sessionOffset + PENDING_OFFSET, 0);
            output.onWindow(key, start, buffer.getLong(sessionOffset + END_OFFSET), Firing.LATE,
                buffer.getLong(sessionOffset + COUNT_OFFSET), buffer, sessionOffset + ACCUMULATOR_OFFSET);
            emitted++;
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
        final int emitted = emitPending(limit);
        if (!pending.isEmpty())
        {
            return false;
        }
        if (watermark <= this.watermark)
        {
            return true;
        }
        if (!fireTimers(watermark, limit - emitted))
        {
            return false;
        }
        this.watermark = watermark;
        trimIfEmpty();
        return true;
    }

    @Override
    public long watermark()
    {
        return watermark;
    }

    /**
     * A lower bound of the watermark at which the next session fires: the earliest session timer, which may be one
     * that only moves itself to its session's due time, or a cleanup; advancing the watermark to it is always
     * harmless, and the next call then tells a later time.
     *
     * @return the earliest timer, or {@link Long#MAX_VALUE} for none.
     */
    @Override
    public long nextFiringTime()
    {
        return timers.nextTimestamp();
    }

    @Override
    public long nextProcessingTime()
    {
        if (earlyActive)
        {
            return now;
        }
        return null == earlyTimers ? Long.MAX_VALUE : earlyTimers.nextTimestamp();
    }

    @Override
    public int onProcessingTime(final long now, final int limit)
    {
        if (now > this.now)
        {
            this.now = now;
        }
        if (null == earlyTimers || limit <= 0)
        {
            return 0; // A limit of 0 only tells the time, which schedules the early timers of the next records.
        }
        int emitted = 0;
        while (true)
        {
            if (!earlyActive && 0 == earlyTimers.fireUpTo(this.now, onEarlyTimer, 1))
            {
                break;
            }
            emitted += emitEarly(limit - emitted);
            if (earlyActive)
            {
                break;
            }
        }
        return emitted;
    }

    @Override
    public boolean endOfStream(final int limit)
    {
        final int emitted = emitPending(limit);
        if (!pending.isEmpty())
        {
            return false;
        }
        // Every session's timer is at most Long.MAX_VALUE: unfired ones fire, then each is freed by its cleanup,
        // and each key's head and early timer go with its last session.
        if (!fireTimers(Long.MAX_VALUE, limit - emitted))
        {
            return false;
        }
        watermark = Long.MAX_VALUE;
        earlyActive = false;
        trimIfEmpty();
        return true;
    }

    @Override
    public long lateRecords()
    {
        return lateRecords;
    }

    /**
     * The native bytes charged to the operator's owner, which must be this operator's alone: its tables and timer
     * queues.
     *
     * @return bytes.
     */
    @Override
    public long allocatedBytes()
    {
        return closed ? 0 : memoryManager.usedBytes(owner);
    }

    /**
     * {@inheritDoc}
     * <p>
     * After the header: the LATE queue's head and tail sequences, the watermark, the processing time, the late-record
     * count, the last missed window, and where an unfinished round of early results is; then the sessions, heads and
     * pending tables, the session timers and, with early results, the early timers.
     */
    @Override
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        SnapshotHeader.write(writer, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, configuration);
        writer.writeLong(pendingHead);
        writer.writeLong(pendingTail);
        writer.writeLong(watermark);
        writer.writeLong(now);
        writer.writeLong(lateRecords);
        writer.writeLong(missedWindowStart);
        writer.writeLong(missedWindowEnd);
        OperatorSnapshots.writeFlag(writer, earlyActive);
        OperatorSnapshots.writeFlag(writer, earlyHasLast);
        writer.writeLong(earlyKey);
        writer.writeLong(earlyLastStart);
        sessions.writeTo(writer);
        heads.writeTo(writer);
        pending.writeTo(writer);
        timers.writeTo(writer);
        if (null != earlyTimers)
        {
            earlyTimers.writeTo(writer);
        }
    }

    @Override
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        final String what = "session window operator " + owner;
        SnapshotHeader.read(reader, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, what, configuration,
            SessionWindowOperator::describe);
        final long head = reader.readLong();
        final long tail = reader.readLong();
        if (head < 1 || tail < head)
        {
            throw OperatorSnapshots.corrupted(reader, what, "LATE queue sequences out of order: head " + head +
                ", tail " + tail);
        }
        pendingHead = head;
        pendingTail = tail;
        watermark = reader.readLong();
        now = reader.readLong();
        lateRecords = reader.readLong();
        missedWindowStart = reader.readLong();
        missedWindowEnd = reader.readLong();
        earlyActive = OperatorSnapshots.readFlag(reader, what);
        earlyHasLast = OperatorSnapshots.readFlag(reader, what);
        earlyKey = reader.readLong();
        earlyLastStart = reader.readLong();
        sessions.readFrom(reader);
        heads.readFrom(reader);
        pending.readFrom(reader);
        timers.readFrom(reader);
        if (null != earlyTimers)
        {
            earlyTimers.readFrom(reader);
        }
    }

    /**
     * The configuration a checkpoint holds, in words: gap, accumulator length, lateness, early results period.
     */
    static String[] describe(final long[] configuration)
    {
        return new String[]{
            "session gap " + configuration[0],
            OperatorSnapshots.accumulator(configuration[1]),
            OperatorSnapshots.lateness(configuration[2]),
            OperatorSnapshots.early(configuration[3])};
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
            closeAll(sessions, heads, pending, timers, earlyTimers);
        }
    }

    @Override
    public String toString()
    {
        return "SessionWindowOperator{owner=" + owner + ", gap=" + gap + ", allowedLateness=" + lateness +
            ", earlyResultsPeriod=" + earlyResultsPeriod + ", watermark=" + watermark + ", sessions=" +
            (closed ? 0 : sessions.size()) + ", keys=" + (closed ? 0 : heads.size()) + '}';
    }

    private boolean fireTimers(final long time, final int limit)
    {
        final TimerQueue timers = this.timers;
        timerEmissions = 0;
        // Each timer emits at most one result, so firing at most (limit - emitted) timers keeps within the limit.
        while (timerEmissions < limit && timers.size() > 0 && timers.nextTimestamp() <= time)
        {
            timers.fireUpTo(time, onTimer, limit - timerEmissions);
        }
        return 0 == timers.size() || timers.nextTimestamp() > time;
    }

    private void onTimer(final long timestamp, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        final long start = timerKey.getLong(keyOffset + 8);
        final int sessionOffset = existingSession(key, start);
        final UnsafeBuffer buffer = sessions.buffer();
        final long end = buffer.getLong(sessionOffset + END_OFFSET);
        final int flags = buffer.getInt(sessionOffset + FLAGS_OFFSET);
        final boolean fired = 0 != (flags & FIRED);
        final long due = fired ? cleanupTime(end) : end - 1;
        if (due > timestamp)
        {
            buffer.putLong(sessionOffset + TIMER_OFFSET, due);
            registerTimer(due);
        }
        else if (!fired)
        {
            output.onWindow(key, start, end, Firing.ON_TIME, buffer.getLong(sessionOffset + COUNT_OFFSET), buffer,
                sessionOffset + ACCUMULATOR_OFFSET);
            timerEmissions++;
            if (0 == lateness)
            {
                freeSession(key, start);
            }
            else
            {
                final long cleanup = cleanupTime(end);
                buffer.putInt(sessionOffset + FLAGS_OFFSET, flags | FIRED);
                buffer.putLong(sessionOffset + TIMER_OFFSET, cleanup);
                sessionKey.putLong(0, key);
                sessionKey.putLong(8, start);
                registerTimer(cleanup);
            }
        }
        else
        {
            freeSession(key, start);
        }
    }

    private void onEarlyTimer(final long timestamp, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        final int headOffset = heads.get(key);
        final UnsafeBuffer headBuffer = heads.buffer();
        headBuffer.putInt(headOffset + HEAD_FLAGS_OFFSET, headBuffer.getInt(headOffset + HEAD_FLAGS_OFFSET) &
            ~EARLY_TIMER);
        earlyActive = true;
        earlyKey = key;
        earlyHasLast = false;
    }

    /**
     * Emit EARLY results of the unfired sessions of the key whose early timer fired, in start order, resuming after
     * the last one emitted; clears {@code earlyActive} when none is left.
     */
    private int emitEarly(final int limit)
    {
        final long key = earlyKey;
        int emitted = 0;
        while (true)
        {
            final int headOffset = heads.get(key);
            if (MISSING == headOffset)
            {
                earlyActive = false;
                break;
            }
            final UnsafeBuffer buffer = sessions.buffer();
            int remaining = heads.buffer().getInt(headOffset + SESSION_COUNT_OFFSET);
            long start = heads.buffer().getLong(headOffset + FIRST_OFFSET);
            boolean found = false;
            long earliest = 0;
            while (remaining > 0)
            {
                final int sessionOffset = session(key, start);
                if (0 == (buffer.getInt(sessionOffset + FLAGS_OFFSET) & FIRED) &&
                    (!earlyHasLast || start > earlyLastStart) && (!found || start < earliest))
                {
                    found = true;
                    earliest = start;
                }
                start = buffer.getLong(sessionOffset + NEXT_OFFSET);
                remaining--;
            }
            if (!found)
            {
                earlyActive = false;
                break;
            }
            if (emitted >= limit)
            {
                break;
            }
            final int sessionOffset = session(key, earliest);
            output.onWindow(key, earliest, buffer.getLong(sessionOffset + END_OFFSET), Firing.EARLY,
                buffer.getLong(sessionOffset + COUNT_OFFSET), buffer, sessionOffset + ACCUMULATOR_OFFSET);
            earlyHasLast = true;
            earlyLastStart = earliest;
            emitted++;
        }
        return emitted;
    }

    private void freeSession(final long key, final long start)
    {
        final int sessionOffset = existingSession(key, start);
        final UnsafeBuffer buffer = sessions.buffer();
        final long next = buffer.getLong(sessionOffset + NEXT_OFFSET);
        final long pendingSequence = buffer.getLong(sessionOffset + PENDING_OFFSET);
        if (0 != pendingSequence)
        {
            pending.remove(pendingSequence);
        }

        final int headOffset = heads.get(key);
        final UnsafeBuffer headBuffer = heads.buffer();
        final int count = headBuffer.getInt(headOffset + SESSION_COUNT_OFFSET);
        long current = headBuffer.getLong(headOffset + FIRST_OFFSET);
        if (current == start)
        {
            headBuffer.putLong(headOffset + FIRST_OFFSET, next);
        }
        else
        {
            for (int i = 1; i < count; i++)
            {
                final int currentOffset = session(key, current);
                final long currentNext = buffer.getLong(currentOffset + NEXT_OFFSET);
                if (currentNext == start)
                {
                    buffer.putLong(currentOffset + NEXT_OFFSET, next);
                    break;
                }
                current = currentNext;
            }
        }
        sessionKey.putLong(0, key);
        sessionKey.putLong(8, start);
        sessions.remove(sessionKey, 0);

        if (1 == count)
        {
            if (0 != (headBuffer.getInt(headOffset + HEAD_FLAGS_OFFSET) & EARLY_TIMER))
            {
                earlyTimers.delete(headBuffer.getLong(headOffset + EARLY_TIME_OFFSET), key);
            }
            heads.remove(key);
        }
        else
        {
            headBuffer.putInt(headOffset + SESSION_COUNT_OFFSET, count - 1);
        }
    }

    /**
     * Keep the earlier of two pending LATE firings (0 for none) and drop the other.
     */
    private long earlierPending(final long a, final long b)
    {
        if (0 == a)
        {
            return b;
        }
        if (0 == b)
        {
            return a;
        }
        pending.remove(Math.max(a, b));
        return Math.min(a, b);
    }

    private long enqueue(final long key, final long start)
    {
        final long sequence = pendingTail++;
        final int pendingOffset = pending.getOrInsert(sequence);
        pending.buffer().putLong(pendingOffset + PENDING_KEY_OFFSET, key);
        pending.buffer().putLong(pendingOffset + PENDING_START_OFFSET, start);
        return sequence;
    }

    /**
     * Register a timer for the session whose key and start are in {@code sessionKey}.
     */
    private void registerTimer(final long time)
    {
        timers.register(time, sessionKey, 0);
    }

    private int session(final long key, final long start)
    {
        sessionKey.putLong(0, key);
        sessionKey.putLong(8, start);
        return sessions.get(sessionKey, 0);
    }

    private int existingSession(final long key, final long start)
    {
        final int sessionOffset = session(key, start);
        if (MISSING == sessionOffset)
        {
            throw new IllegalStateException(owner + ": session [" + start + ", ...) of key " + key + " is missing");
        }
        return sessionOffset;
    }

    private long cleanupTime(final long end)
    {
        return saturatedAdd(end - 1, lateness);
    }

    private static long saturatedAdd(final long value, final long nonNegative)
    {
        final long sum = value + nonNegative;
        return sum < value ? Long.MAX_VALUE : sum;
    }

    /**
     * With no session left, every structure is empty (pending firings, timers and heads all belong to sessions):
     * give back what grew.
     */
    private void trimIfEmpty()
    {
        if (sessions.isEmpty())
        {
            sessions.trimIfEmpty();
            heads.trimIfEmpty();
            pending.trimIfEmpty();
            timers.trimIfEmpty();
            if (null != earlyTimers)
            {
                earlyTimers.trimIfEmpty();
            }
        }
    }

    private static void closeAll(
        final OffHeapHashTable sessions,
        final OffHeapHashTable heads,
        final OffHeapHashTable pending,
        final TimerQueue timers,
        final TimerQueue earlyTimers)
    {
        if (null != sessions)
        {
            sessions.close();
        }
        if (null != heads)
        {
            heads.close();
        }
        if (null != pending)
        {
            pending.close();
        }
        if (null != timers)
        {
            timers.close();
        }
        if (null != earlyTimers)
        {
            earlyTimers.close();
        }
    }
}
