package io.ferrite.engine.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import io.ferrite.engine.time.WatermarkTracker;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
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
 * <p>
 * Checkpoint barriers align: after barrier <i>n</i> on one input the stage reads no more of that input until barrier
 * <i>n</i> has come on every input still open; then it writes its state (the tracker's and the operators') for the
 * {@link CheckpointCoordinator}, forwards the barrier and reads on. A barrier, like a record, waits while the operator
 * is not ready, so no queued output straddles it.
 * <p>
 * <b>Note:</b> An {@link Agent}: one thread runs it.
 */
public final class OperatorStage implements Agent
{
    /**
     * The most entries per output channel an operator emits per call while firing timers.
     */
    public static final int FIRE_BATCH = 64;

    private static final int STATE_MAGIC = 0x4753504F;
    private static final int STATE_VERSION = 1;

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
    private CheckpointCoordinator checkpoints;
    private final SnapshotBytes.Pool snapshotBuffers = new SnapshotBytes.Pool(4096);
    private int stageIndex;
    private final boolean[] blocked;
    private long aligningId = -1;
    private long alignStartNs;
    private long completedSeen;
    private long lastCheckpointWritten = -1;

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
        this.blocked = new boolean[inputs.length];
        this.clock = clock;
        this.control = control;
        this.counters = counters;
    }

    @Override
    public int doWork()
    {
        if (control.isStopped())
        {
            return 0;
        }
        if (done)
        {
            return checkpointWhileDone();
        }
        if (null != checkpoints && checkpoints.completedCheckpoint() > completedSeen && aligningId < 0)
        {
            completedSeen = checkpoints.completedCheckpoint();
            operator.onCheckpointComplete(completedSeen);
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
            if (blocked[i])
            {
                continue;
            }
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
            case EntryType.BARRIER:
                if (!operator.readyForRecord())
                {
                    return EntryHandler.ABORT;
                }
                if (!output.hasCapacity(1))
                {
                    backPressure++;
                    return EntryHandler.ABORT;
                }
                onBarrier(input, entry.aux());
                return EntryHandler.BREAK;
            case EntryType.END_OF_STREAM:
                final boolean advancedByEnd = tracker.onEndOfStream(input);
                if (aligningId >= 0)
                {
                    checkAligned();
                }
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

    /**
     * Take part in the job's checkpoints.
     *
     * @param coordinator the job's checkpoint coordinator.
     * @param index       this stage's index in it.
     */
    public void checkpoints(final CheckpointCoordinator coordinator, final int index)
    {
        operator.recovered(coordinator.restoredCheckpoint());
        this.checkpoints = coordinator;
        this.stageIndex = index;
        this.completedSeen = coordinator.completedCheckpoint();
    }

    private void onBarrier(final int input, final long id)
    {
        if (id != aligningId)
        {
            aligningId = id;
            alignStartNs = System.nanoTime();
        }
        blocked[input] = true;
        checkAligned();
    }

    private void checkAligned()
    {
        for (int i = 0; i < blocked.length; i++)
        {
            if (!blocked[i] && !tracker.isEnded(i))
            {
                return;
            }
        }
        final long id = aligningId;
        final long alignmentNs = System.nanoTime() - alignStartNs;
        writeCheckpoint(id, alignmentNs);
        output.broadcastControl(EntryType.BARRIER, tracker.watermark(), -1, id);
        Arrays.fill(blocked, false);
        aligningId = -1;
    }

    /**
     * Every input has ended and the end went downstream, so no barrier reaches this stage again: it takes part in
     * each checkpoint the sources are asked for with its final state, sending no barrier (the stages after it align
     * without an ended input), so that checkpoints go on while other sources are live.
     */
    private int checkpointWhileDone()
    {
        if (null == checkpoints)
        {
            return 0;
        }
        final long requested = checkpoints.requestedCheckpoint();
        if (requested <= lastCheckpointWritten || requested <= checkpoints.completedCheckpoint())
        {
            return 0;
        }
        writeCheckpoint(requested, 0);
        return 1;
    }

    private void writeCheckpoint(final long id, final long alignmentNs)
    {
        if (null != checkpoints)
        {
            lastCheckpointWritten = id;
            final SnapshotBytes bytes = snapshotBuffers.acquire();
            try
            {
                final SnapshotWriter writer = snapshotBuffers.writer(bytes);
                writeState(id, writer);
                final long total = writer.finish();
                checkpoints.acknowledge(id, stageIndex, bytes,
                    (int)(total - SnapshotFormat.TRAILER_LENGTH), -1, alignmentNs);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("stage " + name + ": cannot write checkpoint " + id, ex);
            }
        }
    }

    private void writeState(final long id, final SnapshotWriter writer) throws IOException
    {
        writer.writeInt(STATE_MAGIC);
        writer.writeInt(STATE_VERSION);
        tracker.writeTo(writer);
        writer.writeInt(forwardedIdle ? 1 : 0);
        writer.writeLong(recordsIn);
        operator.snapshot(id, writer);
    }

    /**
     * Restore the stage's state from a checkpoint, before it starts.
     *
     * @param checkpointId the checkpoint.
     * @param reader       the stage's state.
     * @throws IOException if reading fails or the state is not this stage's.
     */
    public void restore(final long checkpointId, final SnapshotReader reader) throws IOException
    {
        final int magic = reader.readInt();
        final int version = reader.readInt();
        if (magic != STATE_MAGIC || version != STATE_VERSION)
        {
            throw new SnapshotCorruptedException(reader.source(), 0, "not an operator stage's state (magic 0x" +
                Integer.toHexString(magic) + ", version " + version + ")");
        }
        tracker.readFrom(reader);
        forwardedIdle = reader.readInt() != 0;
        recordsIn = reader.readLong();
        operator.restore(checkpointId, reader);
        reader.verifyTrailer();
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
