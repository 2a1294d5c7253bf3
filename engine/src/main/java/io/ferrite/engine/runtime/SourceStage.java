package io.ferrite.engine.runtime;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.time.IdleDetector;
import io.ferrite.engine.time.WatermarkGenerator;
import io.ferrite.engine.time.WatermarkTracker;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingEntry;
import io.ferrite.queues.ring.RingProducer;

/**
 * The stage at the head of a pipeline: it drains the ring the application's threads publish into, journals every
 * record before it enters the pipeline (so a crash is recovered by replay), stamps it with its origin — source id and
 * journal index — and its event time, and forwards it; it generates watermarks from the timestamps in journal order,
 * marks the source idle after a silence, and turns the publisher's end of stream into a final watermark and an end
 * of stream.
 * <p>
 * A record is journaled only once it has a slot in the output ring: when the output is back-pressured the record
 * stays in the input ring and nothing is appended, so it is never journaled twice. With a
 * {@link Journal.Durability#POWER_SAFE} journal each record is synced before it is forwarded.
 * <p>
 * Without a journal (a source whose user needs no recovery), the origin index is a count from 0 and the job cannot
 * recover.
 * <p>
 * <b>Note:</b> An {@link Agent}: one thread runs it, in whichever {@link ThreadingMode}.
 */
public final class SourceStage implements Agent
{
    private final String name;
    private final int sourceId;
    private final RingConsumer input;
    private final RingProducer output;
    private final Journal journal;
    private final boolean syncEachRecord;
    private final TimestampField timestampField;
    private final WatermarkGenerator watermarks;
    private final IdleDetector idleDetector;
    private final NanoClock clock;
    private final int batchLimit;
    private final EntryHandler handler = this::onEntry;

    private long nextLocalIndex;
    private long lastIndex = -1;
    private long pendingWatermark = WatermarkTracker.NO_WATERMARK;
    private int pendingIdleFlag = -1;
    private boolean endOfInput;
    private boolean endWatermarkSent;
    private boolean done;
    private long recordsIn;
    private long backPressureEvents;

    /**
     * A source stage.
     *
     * @param name           the stage's name, its agent's role name.
     * @param sourceId       the source's id, stamped on every entry.
     * @param input          the ring the publisher threads write into.
     * @param output         where the stage forwards entries.
     * @param journal        the source's journal, or null for a source that is not journaled.
     * @param timestampField the record field holding the event time.
     * @param watermarks     the watermark strategy.
     * @param idleTimeoutNs  the silence after which the source turns idle; 0 for never.
     * @param clock          the processing-time clock (a manual clock in tests).
     * @param batchLimit     the most input entries per duty cycle.
     */
    public SourceStage(
        final String name,
        final int sourceId,
        final RingConsumer input,
        final RingProducer output,
        final Journal journal,
        final TimestampField timestampField,
        final WatermarkGenerator watermarks,
        final long idleTimeoutNs,
        final NanoClock clock,
        final int batchLimit)
    {
        this.name = name;
        this.sourceId = sourceId;
        this.input = input;
        this.output = output;
        this.journal = journal;
        this.syncEachRecord = null != journal && journal.context().durability() == Journal.Durability.POWER_SAFE;
        this.timestampField = timestampField;
        this.watermarks = watermarks;
        this.idleDetector = idleTimeoutNs > 0 ? new IdleDetector(idleTimeoutNs, clock.nanoTime()) : null;
        this.clock = clock;
        this.batchLimit = batchLimit;
        if (null != journal)
        {
            this.lastIndex = journal.lastIndex();
        }
        output.channel().requireFits(name + " records", input.channel().maxPayloadLength());
    }

    @Override
    public int doWork()
    {
        if (done)
        {
            return 0;
        }
        int work = emitPendingControl();
        if (pendingIdleFlag < 0 && pendingWatermark == WatermarkTracker.NO_WATERMARK && !endOfInput)
        {
            work += input.poll(handler, batchLimit);
            final long watermark = watermarks.pollAdvance();
            if (watermark != WatermarkTracker.NO_WATERMARK)
            {
                pendingWatermark = watermark;
            }
            if (null != idleDetector && idleDetector.poll(clock.nanoTime()) == IdleDetector.BECAME_IDLE)
            {
                pendingIdleFlag = 1;
            }
            work += emitPendingControl();
        }
        if (endOfInput && pendingIdleFlag < 0 && pendingWatermark == WatermarkTracker.NO_WATERMARK)
        {
            work += finish();
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return name;
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
     * Records forwarded so far.
     *
     * @return the count.
     */
    public long recordsIn()
    {
        return recordsIn;
    }

    /**
     * Times the output ring was full.
     *
     * @return the count.
     */
    public long backPressureEvents()
    {
        return backPressureEvents;
    }

    private int onEntry(final RingEntry entry)
    {
        if (entry.type() == EntryType.END_OF_STREAM)
        {
            endOfInput = true;
            return EntryHandler.BREAK;
        }
        if (entry.type() != EntryType.RECORD)
        {
            return EntryHandler.CONTINUE;
        }
        if (null != idleDetector && idleDetector.onActivity(clock.nanoTime()) == IdleDetector.BECAME_ACTIVE)
        {
            pendingIdleFlag = 0;
            if (emitPendingControl() == 0)
            {
                return EntryHandler.ABORT;
            }
        }
        final long sequence = output.tryClaim();
        if (sequence < 0)
        {
            backPressureEvents++;
            return EntryHandler.ABORT;
        }
        final UnsafeBuffer payload = entry.buffer();
        final int offset = entry.payloadOffset();
        final int length = entry.length();
        final long index;
        try
        {
            if (null != journal)
            {
                index = journal.append(payload, offset, length);
                if (syncEachRecord)
                {
                    journal.sync();
                }
            }
            else
            {
                index = nextLocalIndex++;
            }
            lastIndex = index;
        }
        catch (final RuntimeException ex)
        {
            // The claimed slot must still be published, or consumers would stall or read a stale slot: pad it.
            output.commitControl(sequence, EntryType.PADDING, 0, sourceId, -1, 0);
            throw ex;
        }
        final long timestamp = timestampField.get(payload, offset);
        watermarks.onEvent(timestamp);
        output.buffer().putBytes(output.payloadOffset(sequence), payload, offset, length);
        output.commitRecord(sequence, length, timestamp, sourceId, index);
        recordsIn++;
        return EntryHandler.CONTINUE;
    }

    private int emitPendingControl()
    {
        int work = 0;
        if (pendingIdleFlag >= 0)
        {
            final long sequence = output.tryClaim();
            if (sequence < 0)
            {
                backPressureEvents++;
                return work;
            }
            output.commitControl(sequence, EntryType.IDLE, watermarks.currentWatermark(), sourceId, position(),
                pendingIdleFlag);
            pendingIdleFlag = -1;
            work++;
        }
        if (pendingWatermark != WatermarkTracker.NO_WATERMARK)
        {
            final long sequence = output.tryClaim();
            if (sequence < 0)
            {
                backPressureEvents++;
                return work;
            }
            output.commitControl(sequence, EntryType.WATERMARK, pendingWatermark, sourceId, position(), 0);
            pendingWatermark = WatermarkTracker.NO_WATERMARK;
            work++;
        }
        return work;
    }

    private int finish()
    {
        final long sequence = output.tryClaim();
        if (sequence < 0)
        {
            backPressureEvents++;
            return 0;
        }
        if (watermarks.currentWatermark() != Long.MAX_VALUE && !endWatermarkSent)
        {
            output.commitControl(sequence, EntryType.WATERMARK, Long.MAX_VALUE, sourceId, position(), 0);
            endWatermarkSent = true;
            return 1;
        }
        output.commitControl(sequence, EntryType.END_OF_STREAM, Long.MAX_VALUE, sourceId, position(), 0);
        done = true;
        return 1;
    }

    private long position()
    {
        return lastIndex;
    }
}
