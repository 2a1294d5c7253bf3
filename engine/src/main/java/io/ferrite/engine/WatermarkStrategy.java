package io.ferrite.engine;

import io.ferrite.engine.time.WatermarkGenerator;

/**
 * How a source derives watermarks from its records' event times, in journal order so a replay derives the same ones.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public final class WatermarkStrategy
{
    private final long maxOutOfOrderness;

    private WatermarkStrategy(final long maxOutOfOrderness)
    {
        if (maxOutOfOrderness < 0)
        {
            throw new IllegalArgumentException("out-of-orderness must not be negative: " + maxOutOfOrderness);
        }
        this.maxOutOfOrderness = maxOutOfOrderness;
    }

    /**
     * Records may arrive up to {@code maxOutOfOrderness} behind the latest one: the watermark trails the largest
     * event time seen by that much (and one more unit, so a record exactly at the bound is not late).
     *
     * @param maxOutOfOrderness the allowed delay, in the timestamp field's unit.
     * @return the strategy.
     */
    public static WatermarkStrategy boundedOutOfOrderness(final long maxOutOfOrderness)
    {
        return new WatermarkStrategy(maxOutOfOrderness);
    }

    /**
     * Event times never go back.
     *
     * @return the strategy.
     */
    public static WatermarkStrategy monotonic()
    {
        return new WatermarkStrategy(0);
    }

    /**
     * The allowed delay.
     *
     * @return the delay in the timestamp field's unit; 0 for monotonic.
     */
    public long maxOutOfOrderness()
    {
        return maxOutOfOrderness;
    }

    WatermarkGenerator newGenerator()
    {
        return WatermarkGenerator.boundedOutOfOrderness(maxOutOfOrderness);
    }

    @Override
    public String toString()
    {
        return maxOutOfOrderness == 0 ? "monotonic" : "bounded out-of-orderness " + maxOutOfOrderness;
    }
}
