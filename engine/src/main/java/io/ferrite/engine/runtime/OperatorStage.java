package io.ferrite.engine.runtime;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import io.ferrite.engine.time.WatermarkTracker;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingEntry;

/**
 * A stage that runs a chain of operators over one or more input channels: records go to the {@link StageOperator};
 * watermarks are combined over the inputs ({@link WatermarkTracker}: minimum over the active ones) and, when the
 * combined watermark advances, the operator fires what it makes due — in bounded batches across duty cycles, taking
 * no record meanwhile — and only then is the watermark forwarded; idleness is forwarded when every input is idle;
 * when every input has ended, the operator is told and the stage forwards its end of stream. Processing-time timers
 * fire when the clock reaches them, checked once per duty cycle.
 * <p>
 * The stage never waits on its output: before it takes a record it checks room for the operator's declared maximum
 * outputs, and leaves the record in its input otherwise ({@link EntryHandler#ABORT}), so stages can share a thread;
 * so too while the operator is not {@link StageOperator#readyForRecord() ready} for one.
 * Per-input state lives in the tracker and the poll loop, where checkpoint-barrier alignment will slot in.
 * <p>
 * <b>Note:</b> An {@link Agent}: one thread runs it.
 */
public final class OperatorStage implements Agent
{
    /**
     * The most entries per output channel an operator emits per call while firing timers.
     */
    public static final int FIRE_BATCH = 64;

    private final String name;
    private final RingConsumer[] inputs;
    private final StageOperator operator;
    private final StageOutput output;
    private final int batchLimit;
    private final int maxOutputs;
    private final WatermarkTracker tracker;
    private final NanoClock clock;
    private final JobControl control;
    private final StageCounters counters;
    private final EntryHandler handler = this::onEntry;
    private int currentInput;
    private long pendingWatermark = WatermarkTracker.NO_WATERMARK;
    private boolean forwardedIdle;
    private boolean endPending;
    private boolean done;
    private long recordsIn;
    private long backPressure;

    /**
     * A stage on the system clock, with no job control or counters: for tests and embedding.
     *
     * @param name       the stage's name, its agent's role name.
     * @param inputs     the channels it reads, one consumer each.
     * @param operator   the operator chain it runs.
     * @param output     where the chain writes.
     * @param batchLimit the most entries taken from one input per duty cycle.
     */
    public OperatorStage(
        final String name,
        final RingConsumer[] inputs,
        final StageOperator operator,
        final StageOutput output,
        final int batchLimit)
    {
        this(name, inputs, operator, output, batchLimit, SystemNanoClock.INSTANCE, new JobControl(1), null);
    }

    /**
     * A stage of a job.
     *
     * @param name       the stage's name, its agent's role name.
     * @param inputs     the channels it reads, one consumer each.
     * @param operator   the operator chain it runs.
     * @param output     where the chain writes.
     * @param batchLimit the most entries taken from one input per duty cycle.
     * @param clock      the processing-time clock.
     * @param control    the job's stop flag and completion count.
     * @param counters   where it publishes its counts, or null.
     */
    public OperatorStage(
        final String name,
        final RingConsumer[] inputs,
        final StageOperator operator,
        final StageOutput output,
        final int batchLimit,
        final NanoClock clock,
        final JobControl control,
        final StageCounters counters)
    {
        if (inputs.length < 1)
        {
            throw new IllegalArgumentException("a stage needs at least one input: " + name);
        }
        this.name = name;
        this.inputs = inputs.clone();
        this.operator = operator;
        this.output = output;
        this.batchLimit = batchLimit;
        this.maxOutputs = Math.max(1, operator.maxOutputsPerRecord());
        this.tracker = new WatermarkTracker(inputs.length);
        this.clock = clock;
        this.control = control;
        this.counters = counters;
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
            long backlog = 0;
            for (final RingConsumer input : inputs)
            {
                backlog += input.backlog();
            }
            counters.publish(recordsIn, output.recordsOut(), backlog, backPressure, tracker.watermark());
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
        final long nextTimer = operator.nextProcessingTime();
        if (nextTimer != Long.MAX_VALUE)
        {
            final long now = clock.nanoTime();
            if (nextTimer <= now)
            {
                final int limit = fireLimit();
                if (limit > 0)
                {
                    work += operator.onProcessingTime(now, output, limit);
                }
            }
        }
        for (int i = 0; i < inputs.length; i++)
        {
            currentInput = i;
            work += inputs[i].poll(handler, batchLimit);
            if (pendingWatermark != WatermarkTracker.NO_WATERMARK || endPending)
            {
                break;
            }
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return name;
    }

    /**
     * The stage's combined watermark.
     *
     * @return the watermark.
     */
    public long watermark()
    {
        return tracker.watermark();
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
     * Whether the stage has forwarded its end of stream.
     *
     * @return true when done.
     */
    public boolean isDone()
    {
        return done;
    }

    private int onEntry(final RingEntry entry)
    {
        final int input = currentInput;
        switch (entry.type())
        {
            case EntryType.RECORD:
                if (!operator.readyForRecord())
                {
                    return EntryHandler.ABORT;
                }
                if (!output.hasCapacity(maxOutputs))
                {
                    backPressure++;
                    return EntryHandler.ABORT;
                }
                recordsIn++;
                operator.onRecord(input, entry.buffer(), entry.payloadOffset(), entry.length(), entry.timestamp(),
                    entry.sourceId(), entry.journalIndex(), output);
                return EntryHandler.CONTINUE;
            case EntryType.WATERMARK:
                if (!output.hasCapacity(1))
                {
                    backPressure++;
                    return EntryHandler.ABORT;
                }
                final boolean advancedByWatermark = tracker.onWatermark(input, entry.timestamp());
                forwardIdleChange();
                return advanced(advancedByWatermark);
            case EntryType.IDLE:
                if (!output.hasCapacity(1))
                {
                    backPressure++;
                    return EntryHandler.ABORT;
                }
                final boolean advancedByIdle = tracker.onIdle(input, entry.aux() != 0);
                forwardIdleChange();
                return advanced(advancedByIdle);
            case EntryType.END_OF_STREAM:
                final boolean advancedByEnd = tracker.onEndOfStream(input);
                if (tracker.allEnded())
                {
                    pendingWatermark = Long.MAX_VALUE;
                    endPending = true;
                    return EntryHandler.BREAK;
                }
                forwardIdleChange();
                return advanced(advancedByEnd);
            default:
                return EntryHandler.CONTINUE;
        }
    }

    private int advanced(final boolean advanced)
    {
        if (advanced)
        {
            pendingWatermark = tracker.watermark();
            continueWatermark();
            return EntryHandler.BREAK;
        }
        return EntryHandler.CONTINUE;
    }

    private void forwardIdleChange()
    {
        final boolean idle = tracker.allIdle();
        if (idle != forwardedIdle && output.hasCapacity(1))
        {
            output.broadcastControl(EntryType.IDLE, tracker.watermark(), -1, idle ? 1 : 0);
            forwardedIdle = idle;
        }
    }

    private int fireLimit()
    {
        return (int)Math.min(Math.max(FIRE_BATCH, maxOutputs), output.freeCapacity() - 1);
    }

    private int continueWatermark()
    {
        final int limit = fireLimit();
        if (limit < 1)
        {
            backPressure++;
            return 0;
        }
        if (operator.onWatermark(pendingWatermark, output, limit))
        {
            output.broadcastControl(EntryType.WATERMARK, pendingWatermark, -1, 0);
            pendingWatermark = WatermarkTracker.NO_WATERMARK;
        }
        return 1;
    }

    private int finish()
    {
        final int limit = fireLimit();
        if (limit < 1)
        {
            backPressure++;
            return 0;
        }
        if (operator.onEndOfStream(output, limit))
        {
            output.broadcastControl(EntryType.END_OF_STREAM, Long.MAX_VALUE, -1, 0);
            done = true;
            control.stageDone();
        }
        return 1;
    }
}
