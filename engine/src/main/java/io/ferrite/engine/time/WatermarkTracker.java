package io.ferrite.engine.time;

import java.io.IOException;

import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

import java.util.Arrays;

/**
 * A stage's event-time clock over several inputs: each input's latest watermark, whether it is idle, and the
 * combined watermark — the minimum over the inputs that are open and not idle (Flink's rule), or
 * {@link Long#MAX_VALUE} once every input has ended. The combined watermark never
 * goes back: an input that turns active again behind it holds it where it is until it catches up. When every input
 * is idle, the combined watermark stays where it was. Nothing is allocated per update.
 * <p>
 * <b>Note:</b> Not threadsafe; one tracker per stage.
 */
public final class WatermarkTracker
{
    /**
     * The watermark before any has arrived.
     */
    public static final long NO_WATERMARK = Long.MIN_VALUE;

    private final long[] watermarks;
    private final boolean[] idle;
    private final boolean[] ended;
    private long combined = NO_WATERMARK;

    /**
     * A tracker for a stage with {@code inputs} inputs.
     *
     * @param inputs the number of inputs, at least 1.
     */
    public WatermarkTracker(final int inputs)
    {
        if (inputs < 1)
        {
            throw new IllegalArgumentException("a stage has at least one input: " + inputs);
        }
        watermarks = new long[inputs];
        idle = new boolean[inputs];
        ended = new boolean[inputs];
        Arrays.fill(watermarks, NO_WATERMARK);
    }

    /**
     * An input's watermark arrived; it also marks the input active.
     *
     * @param input     the input's index.
     * @param watermark its watermark; an older one than the input's last is ignored.
     * @return true if the combined watermark advanced.
     */
    public boolean onWatermark(final int input, final long watermark)
    {
        if (watermark > watermarks[input])
        {
            watermarks[input] = watermark;
        }
        idle[input] = false;
        return recompute();
    }

    /**
     * An input turned idle or active again.
     *
     * @param input  the input's index.
     * @param isIdle true when it turned idle.
     * @return true if the combined watermark advanced.
     */
    public boolean onIdle(final int input, final boolean isIdle)
    {
        idle[input] = isIdle;
        return recompute();
    }

    /**
     * An input reached its end: its watermark becomes {@link Long#MAX_VALUE}.
     *
     * @param input the input's index.
     * @return true if the combined watermark advanced.
     */
    public boolean onEndOfStream(final int input)
    {
        ended[input] = true;
        idle[input] = false;
        watermarks[input] = Long.MAX_VALUE;
        return recompute();
    }

    /**
     * The combined watermark.
     *
     * @return the minimum over active inputs, or {@link #NO_WATERMARK} before every active input has one.
     */
    public long watermark()
    {
        return combined;
    }

    /**
     * An input's own watermark.
     *
     * @param input the input's index.
     * @return its latest watermark.
     */
    public long watermark(final int input)
    {
        return watermarks[input];
    }

    /**
     * Whether an input is idle.
     *
     * @param input the input's index.
     * @return true if idle.
     */
    public boolean isIdle(final int input)
    {
        return idle[input];
    }

    /**
     * Whether an input has ended.
     *
     * @param input the input.
     * @return true once its end of stream has come.
     */
    public boolean isEnded(final int input)
    {
        return ended[input];
    }

    /**
     * Write the tracker's state into a checkpoint.
     *
     * @param writer where to write.
     * @throws IOException if writing fails.
     */
    public void writeTo(final SnapshotWriter writer) throws IOException
    {
        writer.writeInt(watermarks.length);
        for (int i = 0; i < watermarks.length; i++)
        {
            writer.writeLong(watermarks[i]);
            writer.writeInt((idle[i] ? 1 : 0) | (ended[i] ? 2 : 0));
        }
        writer.writeLong(combined);
    }

    /**
     * Restore the state {@link #writeTo} wrote.
     *
     * @param reader where to read.
     * @throws IOException if reading fails.
     * @throws SnapshotCorruptedException if the checkpoint's stage had another number of inputs.
     */
    public void readFrom(final SnapshotReader reader) throws IOException
    {
        final int inputs = reader.readInt();
        if (inputs != watermarks.length)
        {
            throw new SnapshotCorruptedException(reader.source(), reader.offset(), "the checkpoint's stage had " +
                inputs + " inputs, this one has " + watermarks.length);
        }
        for (int i = 0; i < inputs; i++)
        {
            watermarks[i] = reader.readLong();
            final int flags = reader.readInt();
            idle[i] = (flags & 1) != 0;
            ended[i] = (flags & 2) != 0;
        }
        combined = reader.readLong();
    }

    /**
     * Whether every input that has not ended is idle (and at least one is idle): the stage itself is idle.
     *
     * @return true if the stage is idle.
     */
    public boolean allIdle()
    {
        boolean anyIdle = false;
        for (int i = 0; i < idle.length; i++)
        {
            if (!idle[i] && !ended[i])
            {
                return false;
            }
            anyIdle |= idle[i];
        }
        return anyIdle;
    }

    /**
     * Whether every input has ended.
     *
     * @return true at the end of every input.
     */
    public boolean allEnded()
    {
        for (final boolean e : ended)
        {
            if (!e)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The number of inputs.
     *
     * @return the count.
     */
    public int inputs()
    {
        return watermarks.length;
    }

    private boolean recompute()
    {
        long min = Long.MAX_VALUE;
        boolean anyActive = false;
        boolean allEnded = true;
        for (int i = 0; i < watermarks.length; i++)
        {
            allEnded &= ended[i];
            if (!idle[i] && !ended[i])
            {
                anyActive = true;
                min = Math.min(min, watermarks[i]);
            }
        }
        // An ended input no longer holds the watermark back, but it cannot advance it past an idle input either:
        // only inputs still open and active do, or the end of every input.
        if ((anyActive || allEnded) && min > combined)
        {
            combined = min;
            return true;
        }
        return false;
    }
}
