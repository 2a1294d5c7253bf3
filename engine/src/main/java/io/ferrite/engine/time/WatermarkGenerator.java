package io.ferrite.engine.time;

import java.io.IOException;

import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * Generates a source's watermarks from the event timestamps it sees, in journal order, so a replay of the journal
 * generates exactly the same watermarks. Bounded out-of-orderness: the watermark trails the largest timestamp seen by
 * the allowed delay, {@code maxTimestamp - maxOutOfOrdernessMs - 1} (Flink's rule: an event exactly at the bound is
 * not late); a delay of 0 is the monotonic strategy. Nothing is allocated per event.
 * <p>
 * <b>Note:</b> Not threadsafe; one generator per source.
 */
public final class WatermarkGenerator
{
    private final long maxOutOfOrdernessMs;
    private long maxTimestamp = Long.MIN_VALUE;
    private long emitted = WatermarkTracker.NO_WATERMARK;

    private WatermarkGenerator(final long maxOutOfOrdernessMs)
    {
        if (maxOutOfOrdernessMs < 0)
        {
            throw new IllegalArgumentException("out-of-orderness must not be negative: " + maxOutOfOrdernessMs);
        }
        this.maxOutOfOrdernessMs = maxOutOfOrdernessMs;
    }

    /**
     * Events may arrive up to {@code maxOutOfOrdernessMs} behind the latest one.
     *
     * @param maxOutOfOrdernessMs the allowed delay in the timestamp's unit.
     * @return a generator.
     */
    public static WatermarkGenerator boundedOutOfOrderness(final long maxOutOfOrdernessMs)
    {
        return new WatermarkGenerator(maxOutOfOrdernessMs);
    }

    /**
     * Timestamps never go back.
     *
     * @return a generator.
     */
    public static WatermarkGenerator monotonic()
    {
        return new WatermarkGenerator(0);
    }

    /**
     * An event's timestamp was seen.
     *
     * @param timestamp the event time.
     */
    public void onEvent(final long timestamp)
    {
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
        }
    }

    /**
     * The watermark the events so far allow.
     *
     * @return the watermark, or {@link WatermarkTracker#NO_WATERMARK} before the first event.
     */
    public long currentWatermark()
    {
        return maxTimestamp == Long.MIN_VALUE ? WatermarkTracker.NO_WATERMARK :
            maxTimestamp - maxOutOfOrdernessMs - 1;
    }

    /**
     * The watermark to emit now, if it advanced since the last one emitted.
     *
     * @return the new watermark, or {@link WatermarkTracker#NO_WATERMARK} when it has not advanced.
     */
    public long pollAdvance()
    {
        final long watermark = currentWatermark();
        if (watermark > emitted)
        {
            emitted = watermark;
            return watermark;
        }
        return WatermarkTracker.NO_WATERMARK;
    }

    /**
     * Whether an event is late: at or behind the last watermark emitted.
     *
     * @param timestamp the event time.
     * @return true if late.
     */
    public boolean isLate(final long timestamp)
    {
        return timestamp <= emitted;
    }

    /**
     * The generator's state for a checkpoint: the newest timestamp seen and the newest watermark emitted.
     *
     * @param writer where to write.
     * @throws IOException if writing fails.
     */
    public void writeTo(final SnapshotWriter writer) throws IOException
    {
        writer.writeLong(maxTimestamp);
        writer.writeLong(emitted);
    }

    /**
     * Restore the state {@link #writeTo} wrote.
     *
     * @param reader where to read.
     * @throws IOException if reading fails.
     */
    public void readFrom(final SnapshotReader reader) throws IOException
    {
        maxTimestamp = reader.readLong();
        emitted = reader.readLong();
    }

    /**
     * The allowed delay.
     *
     * @return the out-of-orderness bound.
     */
    public long maxOutOfOrdernessMs()
    {
        return maxOutOfOrdernessMs;
    }
}
