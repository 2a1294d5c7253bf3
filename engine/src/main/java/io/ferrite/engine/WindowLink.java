package io.ferrite.engine;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.crash.CrashPoints;
import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.windowing.WindowAssigner;
import io.ferrite.windowing.WindowOperator;
import io.ferrite.windowing.WindowOutput;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * A window operator instance in a stage: keys each record, feeds the {@link WindowOperator} of the windowing module,
 * and writes its results as records of the window output schema; late records go to the late side output.
 * <p>
 * Output space: a record may make at most one result due at once (a count window filling); what else it makes due
 * (LATE updates of several windows) waits in the operator and is emitted on the next duty cycles through the
 * processing-time path, which the stage runs with the space it has. Watermarks and the end of the stream fire
 * windows in batches sized to the output space, as process timers do.
 * <p>
 * Checkpoints: the origin and time of the last record (which the next results carry), then the operator's own
 * snapshot — its configuration header, watermark, late-record count, tables, timers and the results still queued —
 * so queued results that a barrier overtakes come out of the restored operator instead. A checkpoint taken with
 * another window configuration is refused by the operator, with what differs.
 */
final class WindowLink extends Links.Link implements WindowOutput
{
    private final WindowOperator operator;
    private final KeySpec.KeyReader keys;
    private final AggregateFunction.ResultWriter result;
    private final UnsafeBuffer out;
    private final int outLength;
    private final Field keyField;
    private final int keyAt;
    private final int startAt;
    private final int endAt;
    private final int firingAt;
    private final int countAt;
    private final boolean processingTime;
    private final boolean eventTimeWindows;
    private final boolean early;
    private final NanoClock clock;
    private final AtomicCounter lateCounter;
    private final RecordView view;
    private final UnsafeBuffer late;
    private final int lateLength;
    private final int[] copyFrom;
    private final int[] copyTo;
    private final int[] copyWidth;
    private final int lateStartAt;
    private final int lateEndAt;
    private Links.Link[] lateTargets = new Links.Link[0];
    private long lastTimestamp;
    private int lastSourceId = -1;
    private long lastJournalIndex;

    WindowLink(
        final Node node,
        final String instanceName,
        final StageErrors errors,
        final MemoryManager memoryManager,
        final NanoClock clock,
        final AtomicCounter lateCounter)
    {
        super(node.name, errors);
        final WindowedStream.WindowSpec spec = (WindowedStream.WindowSpec)node.function;
        final Schema input = spec.key.schema;
        final Schema output = node.schema;
        final TimeUnit unit = node.timeUnit;
        final WindowAssigner assigner = spec.windows.toAssigner(unit, spec.trigger);
        this.processingTime = assigner.isProcessingTime();
        this.eventTimeWindows = assigner.isTimeWindow() && !processingTime;
        this.clock = clock;
        this.lateCounter = lateCounter;
        this.keys = spec.key.newReader();
        this.view = new RecordView(input);
        this.result = spec.aggregate.bindResult(output);
        this.outLength = output.recordLength();
        this.out = new UnsafeBuffer(new byte[Math.max(8, outLength)]);
        this.keyField = output.fields().get(0);
        this.keyAt = keyField.offset();
        this.startAt = output.field("window_start").offset();
        this.endAt = output.field("window_end").offset();
        this.firingAt = output.field("firing").offset();
        this.countAt = output.field("count").offset();
        final int fields = input.fieldCount();
        this.copyFrom = new int[fields];
        this.copyTo = new int[fields];
        this.copyWidth = new int[fields];
        if (null != spec.lateTag)
        {
            final Schema lateSchema = spec.lateTag.schema();
            for (int i = 0; i < fields; i++)
            {
                final Field field = input.fields().get(i);
                copyFrom[i] = field.offset();
                copyTo[i] = lateSchema.field(field.name()).offset();
                copyWidth[i] = field.width();
            }
            this.lateLength = lateSchema.recordLength();
            this.late = new UnsafeBuffer(new byte[Math.max(8, lateLength)]);
            this.lateStartAt = lateSchema.field("window_start").offset();
            this.lateEndAt = lateSchema.field("window_end").offset();
        }
        else
        {
            this.lateLength = 0;
            this.late = null;
            this.lateStartAt = 0;
            this.lateEndAt = 0;
        }
        final long lateness = processingTime || !assigner.isTimeWindow() ? 0 :
            Windows.convert("allowed lateness", spec.allowedLateness, unit);
        final long earlyNs = spec.earlyResults.isZero() ? 0 : spec.earlyResults.toNanos();
        this.early = earlyNs > 0;
        this.operator = assigner.newOperator(
            memoryManager, instanceName + ".windows", spec.aggregate, lateness, earlyNs, this);
    }

    @Override
    void addNext(final int port, final Links.Link link)
    {
        if (port == 0)
        {
            addNext(link);
        }
        else
        {
            lateTargets = java.util.Arrays.copyOf(lateTargets, lateTargets.length + 1);
            lateTargets[lateTargets.length - 1] = link;
            targetsChanged();
        }
    }

    @Override
    Links.Link[][] allTargets()
    {
        return new Links.Link[][]{next, lateTargets};
    }

    @Override
    void onRecord(
        final int side,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timestamp,
        final int sourceId,
        final long journalIndex)
    {
        final long key = keys.key(buffer, offset, timestamp, sourceId, journalIndex);
        lastTimestamp = timestamp;
        lastSourceId = sourceId;
        lastJournalIndex = journalIndex;
        try
        {
            final long now = processingTime || early ? clock.nanoTime() : 0;
            if (early)
            {
                // Tells the operator the time, so a key's early results come a period after this record.
                operator.onProcessingTime(now, 0);
            }
            final long time = processingTime ? now : timestamp;
            if (!operator.onRecord(key, time, buffer, offset))
            {
                onLate(buffer, offset, timestamp, sourceId, journalIndex);
            }
            if (operator.hasPending())
            {
                operator.emitPending(1);
            }
        }
        catch (final RuntimeException ex)
        {
            errors.onFunctionError(name, view.wrap(buffer, offset, timestamp, sourceId, journalIndex), ex);
        }
    }

    private void onLate(
        final DirectBuffer buffer, final int offset, final long timestamp, final int sourceId, final long journalIndex)
    {
        if (null != lateCounter)
        {
            lateCounter.setRelease(operator.lateRecords());
        }
        if (null != late && lateTargets.length > 0)
        {
            for (int i = 0; i < copyFrom.length; i++)
            {
                late.putBytes(copyTo[i], buffer, offset + copyFrom[i], copyWidth[i]);
            }
            late.putLong(lateStartAt, operator.missedWindowStart());
            late.putLong(lateEndAt, operator.missedWindowEnd());
            for (final Links.Link link : lateTargets)
            {
                link.onRecord(0, late, 0, lateLength, timestamp, sourceId, journalIndex);
            }
        }
    }

    @Override
    public void onWindow(
        final long key,
        final long start,
        final long end,
        final byte firing,
        final long count,
        final DirectBuffer accumulator,
        final int accumulatorOffset)
    {
        writeKey(key);
        out.putLong(startAt, start);
        out.putLong(endAt, end);
        out.putByte(firingAt, firing);
        out.putLong(countAt, count);
        result.write(accumulator, accumulatorOffset, out, 0);
        final long time = eventTimeWindows ? (end == Long.MAX_VALUE ? end : end - 1) : lastTimestamp;
        push(out, 0, outLength, time, lastSourceId, lastJournalIndex);
        CrashPoints.hit(CrashPoints.WINDOW_FIRE);
    }

    private void writeKey(final long key)
    {
        switch (keyField.type())
        {
            case INT8:
            case BOOLEAN:
                out.putByte(keyAt, (byte)key);
                break;
            case INT16:
                out.putShort(keyAt, (short)key);
                break;
            case INT32:
                out.putInt(keyAt, (int)key);
                break;
            case SYMBOL:
                ((SymbolField)keyField).putAsLong(out, 0, key);
                break;
            default:
                out.putLong(keyAt, key);
                break;
        }
    }

    private int perCall(final int limit)
    {
        return limit / Math.max(1, maxOutputs);
    }

    @Override
    boolean onWatermark(final long watermark, final int limit)
    {
        if (eventTimeWindows)
        {
            final int windows = perCall(limit);
            if (windows < 1 || !operator.advanceWatermark(watermark, windows))
            {
                return false;
            }
        }
        return super.onWatermark(watermark, limit);
    }

    @Override
    long nextProcessingTime()
    {
        if (operator.hasPending())
        {
            return Long.MIN_VALUE;
        }
        long next = operator.nextProcessingTime();
        if (processingTime)
        {
            final long due = operator.nextFiringTime();
            next = Math.min(next, due == Long.MAX_VALUE ? due : due + 1);
        }
        return next;
    }

    @Override
    int onProcessingTime(final long nowNs, final int limit)
    {
        final int budget = perCall(limit);
        if (budget < 1)
        {
            return 0;
        }
        int emitted = operator.emitPending(budget);
        if (processingTime && emitted < budget)
        {
            final long before = operator.watermark();
            operator.advanceWatermark(nowNs - 1, budget - emitted);
            emitted += operator.watermark() != before ? 1 : 0;
        }
        if (emitted < budget)
        {
            emitted += operator.onProcessingTime(nowNs, budget - emitted);
        }
        return Math.max(emitted, 1);
    }

    @Override
    boolean onEndOfStream(final int limit)
    {
        final int windows = perCall(limit);
        if (windows < 1 || !operator.endOfStream(windows))
        {
            return false;
        }
        return super.onEndOfStream(limit);
    }

    @Override
    void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
    {
        writer.writeLong(lastTimestamp);
        writer.writeInt(lastSourceId);
        writer.writeLong(lastJournalIndex);
        operator.snapshot(writer);
    }

    @Override
    void restore(final long checkpointId, final SnapshotReader reader) throws IOException
    {
        final long timestamp = reader.readLong();
        final int sourceId = reader.readInt();
        final long journalIndex = reader.readLong();
        operator.restore(reader);
        lastTimestamp = timestamp;
        lastSourceId = sourceId;
        lastJournalIndex = journalIndex;
    }

    @Override
    void recovered(final long checkpointId)
    {
        if (null != lateCounter)
        {
            lateCounter.setRelease(operator.lateRecords());
        }
    }

    @Override
    void close()
    {
        operator.close();
    }
}
