package io.ferrite.engine.runtime;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import io.ferrite.engine.time.IdleDetector;
import io.ferrite.engine.time.WatermarkGenerator;
import io.ferrite.engine.time.WatermarkTracker;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.ring.EntryType;

/**
 * The stage at the head of a pipeline: it takes records from its {@link SourceInput} (a publisher's ring, a
 * generator, a journal, a file), journals each one that is not replayable by itself before it enters the pipeline
 * (so a crash is recovered by replay), stamps it with its origin — source id and journal index — and its event time,
 * and runs it through the operators chained to the source; it generates watermarks from the timestamps in journal
 * order, marks the source idle after a silence, and turns the end of its input into a final watermark (which fires
 * every timer left downstream) and an end of stream.
 * <p>
 * The stage asks its input for no more records than its output has room for, so a record is journaled only when it
 * can go on at once, never twice. With a {@link Journal.Durability#POWER_SAFE} journal each record is synced before
 * it is forwarded. Without a journal (a source whose user needs no recovery), an input that gives no origin index is
 * numbered from 0 and the job cannot recover.
 * <p>
 * <b>Note:</b> An {@link Agent}: one thread runs it, in whichever {@link ThreadingMode}.
 */
public final class SourceStage implements Agent
{
    private static final int CONTROL_RESERVE = 2;

    private final String name;
    private final int sourceId;
    private final SourceInput input;
    private final Journal journal;
    private final boolean syncEachRecord;
    private final TimestampField timestampField;
    private final WatermarkGenerator watermarks;
    private final IdleDetector idleDetector;
    private final NanoClock clock;
    private final int batchLimit;
    private final StageOperator operator;
    private final StageOutput output;
    private final int maxOutputs;
    private final JobControl control;
    private final StageCounters counters;
    private final SourceInput.Handler handler = this::onRecord;

    private long nextLocalIndex;
    private long lastIndex = -1;
    private long pendingWatermark = WatermarkTracker.NO_WATERMARK;
    private long forwardedWatermark = WatermarkTracker.NO_WATERMARK;
    private boolean endPending;
    private boolean done;
    private long recordsIn;
    private long backPressure;

    /**
     * A source stage.
     *
     * @param name           the stage's name, its agent's role name.
     * @param sourceId       the source's id, stamped on every entry.
     * @param input          where records come from.
     * @param journal        the source's journal, or null for an input that is replayable or not journaled.
     * @param timestampField the record field holding the event time.
     * @param watermarks     the watermark strategy.
     * @param idleTimeoutNs  the silence after which the source turns idle; 0 for never.
     * @param clock          the processing-time clock (a manual clock in tests).
     * @param batchLimit     the most records per duty cycle.
     * @param operator       the operators chained to the source.
     * @param output         where the chain writes.
     * @param control        the job's stop flag and completion count.
     * @param counters       where it publishes its counts, or null.
     */
    public SourceStage(
        final String name,
        final int sourceId,
        final SourceInput input,
        final Journal journal,
        final TimestampField timestampField,
        final WatermarkGenerator watermarks,
        final long idleTimeoutNs,
        final NanoClock clock,
        final int batchLimit,
        final StageOperator operator,
        final StageOutput output,
        final JobControl control,
        final StageCounters counters)
    {
        this.name = name;
        this.sourceId = sourceId;
        this.input = input;
        this.journal = journal;
        this.syncEachRecord = null != journal && journal.context().durability() == Journal.Durability.POWER_SAFE;
        this.timestampField = timestampField;
        this.watermarks = watermarks;
        this.idleDetector = idleTimeoutNs > 0 ? new IdleDetector(idleTimeoutNs, clock.nanoTime()) : null;
        this.clock = clock;
        this.batchLimit = batchLimit;
        this.operator = operator;
        this.output = output;
        this.maxOutputs = Math.max(1, operator.maxOutputsPerRecord());
        this.control = control;
        this.counters = counters;
        if (null != journal)
        {
            this.lastIndex = journal.lastIndex();
        }
    }

    @Override
    public int doWork()
    {
        if (done || control.isStopped())
        {
            return 0;
        }
        final int work = duty();
        if (work > 0 && null != counters)
        {
            counters.publish(recordsIn, output.recordsOut(), input.backlog(), backPressure, forwardedWatermark);
        }
        return work;
    }

    private int duty()
    {
        int work = 0;
        if (pendingWatermark != WatermarkTracker.NO_WATERMARK)
        {
            work += continueWatermark();
            if (pendingWatermark != WatermarkTracker.NO_WATERMARK)
            {
                return work;
            }
        }
        if (endPending)
        {
            return work + finish();
        }
        if (input.isEnded())
        {
            pendingWatermark = Long.MAX_VALUE;
            endPending = true;
            return work + continueWatermark();
        }
        final long free = output.freeCapacity() - CONTROL_RESERVE;
        final int limit = (int)Math.min(batchLimit, free / maxOutputs);
        if (limit < 1)
        {
            backPressure++;
            return work;
        }
        final int taken = input.poll(handler, limit);
        work += taken;
        if (taken == 0 && null != idleDetector && idleDetector.poll(clock.nanoTime()) == IdleDetector.BECAME_IDLE)
        {
            output.broadcastControl(EntryType.IDLE, watermarks.currentWatermark(), sourceId, 1);
            work++;
        }
        final long watermark = watermarks.pollAdvance();
        if (watermark != WatermarkTracker.NO_WATERMARK)
        {
            pendingWatermark = watermark;
            work += continueWatermark();
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return name;
    }

    @Override
    public void onClose()
    {
        input.close();
    }

    /**
     * Whether the stage has forwarded its end of stream.
     *
     * @return true when done.
     */
    public boolean isDone()
    {
        return done;
    }

    /**
     * Records taken so far.
     *
     * @return the count.
     */
    public long recordsIn()
    {
        return recordsIn;
    }

    /**
     * Duty cycles in which a full output kept the stage from taking input.
     *
     * @return the count.
     */
    public long backPressureEvents()
    {
        return backPressure;
    }

    /**
     * The journal index (or origin index) of the last record taken, -1 before the first.
     *
     * @return the position.
     */
    public long position()
    {
        return lastIndex;
    }

    private void onRecord(final DirectBuffer buffer, final int offset, final int length, final long originIndex)
    {
        if (null != idleDetector && idleDetector.onActivity(clock.nanoTime()) == IdleDetector.BECAME_ACTIVE)
        {
            output.broadcastControl(EntryType.IDLE, watermarks.currentWatermark(), sourceId, 0);
        }
        final long index;
        if (null != journal)
        {
            index = journal.append(buffer, offset, length);
            if (syncEachRecord)
            {
                journal.sync();
            }
        }
        else
        {
            index = originIndex >= 0 ? originIndex : nextLocalIndex++;
        }
        lastIndex = index;
        final long timestamp = timestampField.get(buffer, offset);
        watermarks.onEvent(timestamp);
        recordsIn++;
        operator.onRecord(0, buffer, offset, length, timestamp, sourceId, index, output);
    }

    private int continueWatermark()
    {
        final int limit = (int)Math.min(Math.max(OperatorStage.FIRE_BATCH, maxOutputs), output.freeCapacity() - 1);
        if (limit < 1)
        {
            backPressure++;
            return 0;
        }
        if (operator.onWatermark(pendingWatermark, output, limit))
        {
            output.broadcastControl(EntryType.WATERMARK, pendingWatermark, sourceId, 0);
            forwardedWatermark = pendingWatermark;
            pendingWatermark = WatermarkTracker.NO_WATERMARK;
        }
        return 1;
    }

    private int finish()
    {
        final int limit = (int)Math.min(Math.max(OperatorStage.FIRE_BATCH, maxOutputs), output.freeCapacity() - 1);
        if (limit < 1)
        {
            backPressure++;
            return 0;
        }
        if (operator.onEndOfStream(output, limit))
        {
            if (null != journal)
            {
                journal.sync();
            }
            output.broadcastControl(EntryType.END_OF_STREAM, Long.MAX_VALUE, sourceId, 0);
            done = true;
            control.stageDone();
        }
        return 1;
    }
}
