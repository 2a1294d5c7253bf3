package io.ferrite.engine.time;

/**
 * Decides when a source turns idle — no event for a timeout of processing time — and when it turns active again, so
 * the source can journal the transition and send an idle marker downstream. Processing time comes from the caller (a
 * manual clock in tests). Nothing is allocated.
 * <p>
 * <b>Note:</b> Not threadsafe; one detector per source.
 */
public final class IdleDetector
{
    /**
     * No change.
     */
    public static final int NO_CHANGE = 0;

    /**
     * The source has just turned idle.
     */
    public static final int BECAME_IDLE = 1;

    /**
     * The source has just turned active again.
     */
    public static final int BECAME_ACTIVE = 2;

    private final long timeoutNs;
    private long lastActivityNs;
    private boolean idle;

    /**
     * A detector with a timeout, starting active at {@code nowNs}.
     *
     * @param timeoutNs the silence after which the source is idle; at least 1.
     * @param nowNs     the current processing time.
     */
    public IdleDetector(final long timeoutNs, final long nowNs)
    {
        if (timeoutNs < 1)
        {
            throw new IllegalArgumentException("idle timeout must be positive: " + timeoutNs);
        }
        this.timeoutNs = timeoutNs;
        this.lastActivityNs = nowNs;
    }

    /**
     * The source produced an event.
     *
     * @param nowNs the current processing time.
     * @return {@link #BECAME_ACTIVE} if it was idle, else {@link #NO_CHANGE}.
     */
    public int onActivity(final long nowNs)
    {
        lastActivityNs = nowNs;
        if (idle)
        {
            idle = false;
            return BECAME_ACTIVE;
        }
        return NO_CHANGE;
    }

    /**
     * Check for the timeout: call from the source's duty cycle.
     *
     * @param nowNs the current processing time.
     * @return {@link #BECAME_IDLE} when the timeout has just passed, else {@link #NO_CHANGE}.
     */
    public int poll(final long nowNs)
    {
        if (!idle && nowNs - lastActivityNs - timeoutNs >= 0)
        {
            idle = true;
            return BECAME_IDLE;
        }
        return NO_CHANGE;
    }

    /**
     * Whether the source is idle.
     *
     * @return true if idle.
     */
    public boolean isIdle()
    {
        return idle;
    }
}
