package io.ferrite.engine;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.windowing.join.IntervalJoin;
import io.ferrite.windowing.join.JoinOutput;
import io.ferrite.windowing.join.WindowJoin;

/**
 * A window join or interval join instance in a stage, always its head: keys each record of either input, feeds the
 * join of the windowing module, and turns each pair it emits into one output record through the
 * {@link JoinFunction}. The join's state is charged to the instance's own memory owner; records the join refuses as
 * late are counted in the stage's "late records" counter.
 * <p>
 * Output space: a window join emits only when the watermark fires its windows, and an interval join's pairs are
 * queued when the second record of each arrives; either way the stage gives the link a bounded number of pairs per
 * call (watermark, processing-time and end-of-stream calls), sized to its output space. An interval join takes no
 * record while pairs are queued ({@link #ready()}), so the stage leaves the next records in its inputs meanwhile.
 * <p>
 * Checkpoints: the origin of the last record (which the next pairs carry), then the join's own snapshot — its
 * configuration header, watermark, late-record count, records, timers, and where an unfinished firing or a record's
 * queued pairs stopped. The stage holds a barrier back while pairs are queued, as it holds records, so a checkpoint
 * normally finds none; one taken with pairs queued still restores them, and they come out after the restore.
 */
abstract class JoinLink extends Links.Link implements JoinOutput
{
    private final JoinFunction function;
    private final int[] sideOfInput;
    private final KeySpec.KeyReader[] keys;
    private final RecordView[] inputs;
    private final RecordView left;
    private final RecordView right;
    private final RecordWriter writer;
    private final UnsafeBuffer scratch;
    private final int outLength;
    private final AtomicCounter lateCounter;
    private int lastSourceId = -1;
    private long lastJournalIndex;

    JoinLink(
        final Node node,
        final StageErrors errors,
        final int[] sideOfInput,
        final KeySpec[] keySpecs,
        final AtomicCounter lateCounter)
    {
        super(node.name, errors);
        this.function = ((JoinSpec)node.function).function;
        this.sideOfInput = sideOfInput;
        this.keys = new KeySpec.KeyReader[]{keySpecs[0].newReader(), keySpecs[1].newReader()};
        this.inputs = new RecordView[]{new RecordView(keySpecs[0].schema), new RecordView(keySpecs[1].schema)};
        this.left = new RecordView(keySpecs[0].schema);
        this.right = new RecordView(keySpecs[1].schema);
        final Schema output = node.schema;
        this.outLength = output.recordLength();
        this.scratch = new UnsafeBuffer(new byte[Math.max(8, outLength)]);
        this.writer = new RecordWriter(output);
        writer.wrapMutable(scratch, 0);
        this.lateCounter = lateCounter;
    }

    /**
     * The link of a join node.
     *
     * @param node          a {@link Node.Kind#WINDOW_JOIN} or {@link Node.Kind#INTERVAL_JOIN} node.
     * @param owner         the memory owner of the instance's state, its own.
     * @param errors        the stage's error policy.
     * @param sideOfInput   per stage input, 0 for the left stream and 1 for the right.
     * @param keySpecs      the left and right keys.
     * @param memoryManager where the state's memory comes from.
     * @param lateCounter   the stage's late records counter, or null.
     * @return the link.
     */
    static JoinLink create(
        final Node node,
        final String owner,
        final StageErrors errors,
        final int[] sideOfInput,
        final KeySpec[] keySpecs,
        final MemoryManager memoryManager,
        final AtomicCounter lateCounter)
    {
        final JoinSpec spec = (JoinSpec)node.function;
        return spec.isInterval() ?
            new Interval(node, owner, errors, sideOfInput, keySpecs, memoryManager, lateCounter) :
            new Window(node, owner, errors, sideOfInput, keySpecs, memoryManager, lateCounter);
    }

    abstract boolean take(boolean leftSide, long key, long timestamp, DirectBuffer buffer, int offset);

    abstract long lateRecords();

    abstract long outputTime(long leftTimestamp, long rightTimestamp, long windowEnd);

    abstract void snapshotJoin(SnapshotWriter writer) throws IOException;

    abstract void restoreJoin(SnapshotReader reader) throws IOException;

    @Override
    final void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
    {
        writer.writeInt(lastSourceId);
        writer.writeLong(lastJournalIndex);
        snapshotJoin(writer);
    }

    @Override
    final void restore(final long checkpointId, final SnapshotReader reader) throws IOException
    {
        final int sourceId = reader.readInt();
        final long journalIndex = reader.readLong();
        restoreJoin(reader);
        lastSourceId = sourceId;
        lastJournalIndex = journalIndex;
    }

    @Override
    final void recovered(final long checkpointId)
    {
        if (null != lateCounter)
        {
            lateCounter.setRelease(lateRecords());
        }
    }

    final int perCall(final int limit)
    {
        return limit / Math.max(1, maxOutputs);
    }

    @Override
    void onRecord(
        final int input,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timestamp,
        final int sourceId,
        final long journalIndex)
    {
        final int side = sideOfInput[input];
        lastSourceId = sourceId;
        lastJournalIndex = journalIndex;
        try
        {
            final long key = keys[side].key(buffer, offset, timestamp, sourceId, journalIndex);
            if (!take(side == 0, key, timestamp, buffer, offset) && null != lateCounter)
            {
                lateCounter.setRelease(lateRecords());
            }
        }
        catch (final RuntimeException ex)
        {
            errors.onFunctionError(name, inputs[side].wrap(buffer, offset, timestamp, sourceId, journalIndex), ex);
        }
    }

    @Override
    public final void onPair(
        final long key,
        final DirectBuffer leftBuffer,
        final int leftOffset,
        final long leftTimestamp,
        final DirectBuffer rightBuffer,
        final int rightOffset,
        final long rightTimestamp,
        final long windowStart,
        final long windowEnd)
    {
        final long time = outputTime(leftTimestamp, rightTimestamp, windowEnd);
        left.wrap(leftBuffer, leftOffset, leftTimestamp, -1, -1);
        right.wrap(rightBuffer, rightOffset, rightTimestamp, -1, -1);
        writer.clear();
        writer.wrap(scratch, 0, time, lastSourceId, lastJournalIndex);
        try
        {
            function.join(left, right, windowStart, windowEnd, writer);
        }
        catch (final Exception ex)
        {
            errors.onPairError(name, left, right, ex);
            return;
        }
        push(scratch, 0, outLength, time, lastSourceId, lastJournalIndex);
    }

    /**
     * A window join: pairs come when the watermark fires their window, with the timestamp {@code window_end - 1}.
     */
    static final class Window extends JoinLink
    {
        private final WindowJoin join;

        Window(
            final Node node,
            final String owner,
            final StageErrors errors,
            final int[] sideOfInput,
            final KeySpec[] keySpecs,
            final MemoryManager memoryManager,
            final AtomicCounter lateCounter)
        {
            super(node, errors, sideOfInput, keySpecs, lateCounter);
            this.join = new WindowJoin(memoryManager, owner, ((JoinSpec)node.function).windows,
                keySpecs[0].schema.recordLength(), keySpecs[1].schema.recordLength(), this);
        }

        @Override
        boolean take(
            final boolean leftSide, final long key, final long timestamp, final DirectBuffer buffer, final int offset)
        {
            return leftSide ? join.onLeft(key, timestamp, buffer, offset) :
                join.onRight(key, timestamp, buffer, offset);
        }

        @Override
        long lateRecords()
        {
            return join.lateRecords();
        }

        @Override
        long outputTime(final long leftTimestamp, final long rightTimestamp, final long windowEnd)
        {
            return windowEnd == Long.MAX_VALUE ? windowEnd : windowEnd - 1;
        }

        @Override
        void snapshotJoin(final SnapshotWriter writer) throws IOException
        {
            join.snapshot(writer);
        }

        @Override
        void restoreJoin(final SnapshotReader reader) throws IOException
        {
            join.restore(reader);
        }

        @Override
        boolean onWatermark(final long watermark, final int limit)
        {
            final int pairs = perCall(limit);
            if (pairs < 1 || !join.advanceWatermark(watermark, pairs))
            {
                return false;
            }
            return super.onWatermark(watermark, limit);
        }

        @Override
        boolean onEndOfStream(final int limit)
        {
            final int pairs = perCall(limit);
            if (pairs < 1 || !join.endOfStream(pairs))
            {
                return false;
            }
            return super.onEndOfStream(limit);
        }

        @Override
        void close()
        {
            join.close();
        }
    }

    /**
     * An interval join: a record's pairs are queued when it arrives, the first emitted at once and the rest on the
     * next duty cycles, with the timestamp {@code max(left.ts, right.ts)}.
     */
    static final class Interval extends JoinLink
    {
        private final IntervalJoin join;

        Interval(
            final Node node,
            final String owner,
            final StageErrors errors,
            final int[] sideOfInput,
            final KeySpec[] keySpecs,
            final MemoryManager memoryManager,
            final AtomicCounter lateCounter)
        {
            super(node, errors, sideOfInput, keySpecs, lateCounter);
            final JoinSpec spec = (JoinSpec)node.function;
            this.join = new IntervalJoin(memoryManager, owner, spec.lower, spec.upper,
                keySpecs[0].schema.recordLength(), keySpecs[1].schema.recordLength(), this);
        }

        @Override
        boolean take(
            final boolean leftSide, final long key, final long timestamp, final DirectBuffer buffer, final int offset)
        {
            final boolean taken = leftSide ? join.onLeft(key, timestamp, buffer, offset) :
                join.onRight(key, timestamp, buffer, offset);
            if (join.hasPending())
            {
                // The stage checked room for one pair's outputs before it handed the record over.
                join.emitPending(1);
            }
            return taken;
        }

        @Override
        long lateRecords()
        {
            return join.lateRecords();
        }

        @Override
        long outputTime(final long leftTimestamp, final long rightTimestamp, final long windowEnd)
        {
            return Math.max(leftTimestamp, rightTimestamp);
        }

        @Override
        void snapshotJoin(final SnapshotWriter writer) throws IOException
        {
            join.snapshot(writer);
        }

        @Override
        void restoreJoin(final SnapshotReader reader) throws IOException
        {
            join.restore(reader);
        }

        @Override
        boolean ready()
        {
            return !join.hasPending();
        }

        @Override
        long nextProcessingTime()
        {
            return join.hasPending() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }

        @Override
        int onProcessingTime(final long nowNs, final int limit)
        {
            final int pairs = perCall(limit);
            return pairs < 1 ? 0 : join.emitPending(pairs);
        }

        @Override
        boolean onWatermark(final long watermark, final int limit)
        {
            final int pairs = perCall(limit);
            if (pairs < 1 || !join.advanceWatermark(watermark, pairs))
            {
                return false;
            }
            return super.onWatermark(watermark, limit);
        }

        @Override
        boolean onEndOfStream(final int limit)
        {
            final int pairs = perCall(limit);
            if (pairs < 1 || !join.endOfStream(pairs))
            {
                return false;
            }
            return super.onEndOfStream(limit);
        }

        @Override
        void close()
        {
            join.close();
        }
    }
}
