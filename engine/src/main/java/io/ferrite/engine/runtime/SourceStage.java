package io.ferrite.engine.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import io.ferrite.engine.time.IdleDetector;
import io.ferrite.engine.time.WatermarkGenerator;
import io.ferrite.engine.time.WatermarkTracker;
import io.ferrite.memory.crash.CrashPoints;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFiles;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalHandler;
import io.ferrite.queues.journal.JournalReader;
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
    private static final int STATE_MAGIC = 0x47535253;
    private static final int STATE_VERSION = 1;

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
    private final JournalHandler replayHandler = this::onReplayed;

    private CheckpointCoordinator checkpoints;
    private final SnapshotBytes.Pool snapshotBuffers = new SnapshotBytes.Pool(256);
    private int stageIndex;
    private long injected;
    private long completedSeen;
    private JournalReader replay;
    private boolean replayPending;
    private long replayFrom;
    private Path trimMarker;
    private final long[] keptIds = new long[CheckpointCoordinator.KEEP];
    private final long[] keptPositions = new long[CheckpointCoordinator.KEEP];
    private long replaySkipThrough = -1;
    private long replayEnd = -1;

    private long nextLocalIndex;
    private long lastIndex = -1;
    private long pendingWatermark = WatermarkTracker.NO_WATERMARK;
    private long forwardedWatermark = WatermarkTracker.NO_WATERMARK;
    private boolean endPending;
    private boolean done;
    private long recordsIn;
    private long inputRecords;
    private long backPressure;
    private long replayedCount;
    private volatile long replayed;
    private volatile long caughtUpNs = -1;

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
        if (control.isStopped())
        {
            return 0;
        }
        if (null != checkpoints)
        {
            final long completed = checkpoints.completedCheckpoint();
            if (completed > completedSeen)
            {
                completedSeen = completed;
                operator.onCheckpointComplete(completed);
                trimJournal(completed);
            }
            if (done && checkpoints.requestedCheckpoint() > injected)
            {
                // Its input has ended and its end went downstream: it takes part with its final state, and sends no
                // barrier (the stages after it align without an ended input), so the live sources' checkpoints go on.
                writeCheckpoint(checkpoints.requestedCheckpoint());
            }
        }
        if (done)
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
        if (null != checkpoints && checkpoints.requestedCheckpoint() > injected)
        {
            if (!output.hasCapacity(1))
            {
                backPressure++;
                return work;
            }
            injectBarrier(checkpoints.requestedCheckpoint());
            work++;
        }
        if (replayPending)
        {
            return work + pollReplay();
        }
        if (input.isEnded())
        {
            pendingWatermark = Long.MAX_VALUE;
            endPending = true;
            return work + continueWatermark();
        }
        final int limit = inputLimit();
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
        return work + pollWatermark();
    }

    /**
     * The most records to take now: no more than the output has room for, so a record never has to be taken back.
     */
    private int inputLimit()
    {
        final long free = output.freeCapacity() - CONTROL_RESERVE;
        return (int)Math.min(batchLimit, free / maxOutputs);
    }

    private int pollWatermark()
    {
        final long watermark = watermarks.pollAdvance();
        if (watermark == WatermarkTracker.NO_WATERMARK)
        {
            return 0;
        }
        pendingWatermark = watermark;
        return continueWatermark();
    }

    @Override
    public String roleName()
    {
        return name;
    }

    @Override
    public void onClose()
    {
        if (null != replay)
        {
            replay.close();
            replay = null;
        }
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
     * Records replayed from the source's own journal at start (published every poll).
     *
     * @return the count.
     */
    public long replayedRecords()
    {
        return replayed;
    }

    /**
     * When the stage caught up: its replay at start ended, or there was none ({@link System#nanoTime()}).
     *
     * @return the time, or -1 while it is still replaying.
     */
    public long caughtUpNanoTime()
    {
        return caughtUpNs;
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
            CrashPoints.hit(CrashPoints.JOURNAL_APPEND);
        }
        else
        {
            index = originIndex >= 0 ? originIndex : nextLocalIndex++;
        }
        forward(buffer, offset, length, index);
    }

    private void forward(final DirectBuffer buffer, final int offset, final int length, final long index)
    {
        lastIndex = index;
        inputRecords++;
        final long timestamp = timestampField.get(buffer, offset);
        watermarks.onEvent(timestamp);
        recordsIn++;
        operator.onRecord(0, buffer, offset, length, timestamp, sourceId, index, output);
    }

    /**
     * Take part in the job's checkpoints.
     *
     * @param coordinator the job's checkpoint coordinator.
     * @param index       this stage's index in it.
     * @param trimMarker  the file written before the first journal cycle is deleted: from then on the journal no
     *                    longer holds the whole input.
     */
    public void checkpoints(final CheckpointCoordinator coordinator, final int index, final Path trimMarker)
    {
        operator.recovered(coordinator.restoredCheckpoint());
        this.checkpoints = coordinator;
        this.stageIndex = index;
        this.trimMarker = trimMarker;
        this.injected = coordinator.requestedCheckpoint();
        this.completedSeen = coordinator.completedCheckpoint();
    }

    private void trimJournal(final long completed)
    {
        // The oldest checkpoint kept needs the journal from its position on; entries before it are never replayed.
        final long oldestKept = completed - CheckpointCoordinator.KEEP + 1;
        final int slot = (int)Math.floorMod(oldestKept, (long)CheckpointCoordinator.KEEP);
        if (null == journal || oldestKept < 1 || keptIds[slot] != oldestKept || keptPositions[slot] < 0 ||
            !journal.hasCyclesBefore(keptPositions[slot]))
        {
            // Nothing to delete (the usual case: a cycle lasts an hour): no file work, no garbage.
            return;
        }
        try
        {
            // The marker goes to disk before the first deletion; it is taken back if nothing was deleted.
            final boolean created = !Files.exists(trimMarker);
            if (created)
            {
                Files.createDirectories(trimMarker.getParent());
                Files.createFile(trimMarker);
                SnapshotFiles.forceDirectory(trimMarker.getParent());
            }
            if (journal.deleteCyclesBefore(keptPositions[slot]) == 0 && created)
            {
                Files.delete(trimMarker);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("source stage " + name + ": cannot write " + trimMarker, ex);
        }
    }

    private void injectBarrier(final long id)
    {
        writeCheckpoint(id);
        output.broadcastControl(EntryType.BARRIER, forwardedWatermark, sourceId, id);
    }

    private void writeCheckpoint(final long id)
    {
        injected = id;
        final int slot = (int)Math.floorMod(id, (long)CheckpointCoordinator.KEEP);
        keptIds[slot] = id;
        keptPositions[slot] = lastIndex;
        final SnapshotBytes bytes = snapshotBuffers.acquire();
        try
        {
            final SnapshotWriter writer = snapshotBuffers.writer(bytes);
            writer.writeInt(STATE_MAGIC);
            writer.writeInt(STATE_VERSION);
            writer.writeLong(lastIndex);
            writer.writeLong(nextLocalIndex);
            writer.writeLong(forwardedWatermark);
            writer.writeLong(recordsIn);
            writer.writeLong(inputRecords);
            watermarks.writeTo(writer);
            operator.snapshot(id, writer);
            final long total = writer.finish();
            checkpoints.acknowledge(id, stageIndex, bytes, (int)(total - SnapshotFormat.TRAILER_LENGTH),
                lastIndex, 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("source stage " + name + ": cannot write checkpoint " + id, ex);
        }
    }

    /**
     * Restore the stage's state from a checkpoint, before it starts, and position its input after the checkpoint's
     * last record: a journaled source replays its own journal from there (without journaling it again) before taking
     * new input; a replayable input (a journal, a file, a generator) is moved past it.
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
            throw new SnapshotCorruptedException(reader.source(), 0, "not a source stage's state (magic 0x" +
                Integer.toHexString(magic) + ", version " + version + ")");
        }
        lastIndex = reader.readLong();
        nextLocalIndex = reader.readLong();
        forwardedWatermark = reader.readLong();
        recordsIn = reader.readLong();
        inputRecords = reader.readLong();
        watermarks.readFrom(reader);
        operator.restore(checkpointId, reader);
        reader.verifyTrailer();
        resumeAfter(lastIndex);
    }

    /**
     * Start from the beginning of a journaled source's journal, when there is no checkpoint: replay everything it
     * holds. Refuses when older journal cycles were deleted, since state rebuilt from part of the input is wrong.
     *
     * @param trimmed whether cycles of the journal were deleted after an earlier checkpoint.
     */
    public void replayFromStart(final boolean trimmed)
    {
        if (null == journal || journal.lastIndex() < 0)
        {
            return;
        }
        if (trimmed)
        {
            throw new IllegalStateException("source " + name + ": no usable checkpoint, and the journal " +
                journal.directory() + " no longer reaches back to its first entry (older cycles were deleted after " +
                "a checkpoint); refusing to start with state rebuilt from part of the input");
        }
        replayFrom = journal.firstIndex();
        replayPending = true;
        replayEnd = journal.lastIndex();
        replaySkipThrough = -1;
    }

    /**
     * Called once recovery has positioned the stage: with nothing to replay it has caught up now.
     */
    public void recoveryPositioned()
    {
        if (!replayPending && caughtUpNs < 0)
        {
            caughtUpNs = System.nanoTime();
        }
    }

    private void resumeAfter(final long position)
    {
        if (null != journal)
        {
            final long last = journal.lastIndex();
            if (position > last)
            {
                throw new IllegalStateException("source " + name + ": the checkpoint's position " + position +
                    " is past the end of the journal " + journal.directory() + " (last " + last + ")");
            }
            if (position < last)
            {
                replayFrom = position < 0 ? journal.firstIndex() : position;
                replayPending = true;
                replaySkipThrough = position;
                replayEnd = last;
            }
            else
            {
                resumeInput();
            }
        }
        else if (position >= 0)
        {
            input.seekAfter(position);
        }
    }

    private int pollReplay()
    {
        final int limit = inputLimit();
        if (limit < 1)
        {
            backPressure++;
            return 0;
        }
        if (null == replay)
        {
            // Opened here, on the stage's thread: a Chronicle tailer belongs to the thread that first uses it, and
            // recovery positions the stage on the thread that builds the job.
            replay = journal.reader(replayFrom);
        }
        final int taken = replay.poll(replayHandler, limit);
        replayed = replayedCount;
        if (lastIndex >= replayEnd)
        {
            replay.close();
            replay = null;
            replayPending = false;
            caughtUpNs = System.nanoTime();
            resumeInput();
        }
        pollWatermark();
        return Math.max(1, taken);
    }

    private void onReplayed(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (index > replaySkipThrough && index <= replayEnd)
        {
            replayedCount++;
            forward(buffer, offset, length, index);
            CrashPoints.hit(CrashPoints.REPLAY);
        }
    }

    /**
     * After a journaled source's replay: a replayable input (a generator) moves past every record it gave before the
     * crash — they are all in the journal; a publisher's producers simply go on.
     */
    private void resumeInput()
    {
        if (input.isReplayable() && inputRecords > 0)
        {
            input.seekAfter(inputRecords - 1);
        }
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
