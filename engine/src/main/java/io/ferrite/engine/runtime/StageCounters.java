package io.ferrite.engine.runtime;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * A stage instance's live counters: records in and out, input backlog (ring occupancy), back-pressure (duty cycles
 * in which a full output kept it from taking input) and its watermark. The stage counts in plain fields and
 * publishes them here once per duty cycle that did work, one ordered store each, so counting costs the hot path
 * nothing.
 * <p>
 * <b>Note:</b> Updated by the stage's thread, read by any.
 */
public final class StageCounters
{
    private final AtomicCounter recordsIn;
    private final AtomicCounter recordsOut;
    private final AtomicCounter backlog;
    private final AtomicCounter backPressure;
    private final AtomicCounter watermark;

    /**
     * Counters for one stage instance.
     *
     * @param recordsIn    records taken.
     * @param recordsOut   records emitted into output channels.
     * @param backlog      entries waiting in the stage's inputs.
     * @param backPressure duty cycles blocked by a full output.
     * @param watermark    the stage's watermark.
     */
    public StageCounters(
        final AtomicCounter recordsIn,
        final AtomicCounter recordsOut,
        final AtomicCounter backlog,
        final AtomicCounter backPressure,
        final AtomicCounter watermark)
    {
        this.recordsIn = recordsIn;
        this.recordsOut = recordsOut;
        this.backlog = backlog;
        this.backPressure = backPressure;
        this.watermark = watermark;
    }

    /**
     * Publish the stage's counts.
     *
     * @param in           records taken.
     * @param out          records emitted.
     * @param inputBacklog entries waiting.
     * @param pressure     duty cycles blocked by a full output.
     * @param currentWatermark the watermark.
     */
    public void publish(
        final long in, final long out, final long inputBacklog, final long pressure, final long currentWatermark)
    {
        recordsIn.setRelease(in);
        recordsOut.setRelease(out);
        backlog.setRelease(inputBacklog);
        backPressure.setRelease(pressure);
        watermark.setRelease(currentWatermark);
    }
}
