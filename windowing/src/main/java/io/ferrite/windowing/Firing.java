package io.ferrite.windowing;

/**
 * Why a window emitted a result: each emission is the window's complete result as known at that moment, never a
 * delta, so a consumer that keeps the latest result per (key, window) always holds the right one.
 * <ul>
 *     <li>{@link #EARLY}: a partial result before the window closes ({@code earlyResults}); more will follow.</li>
 *     <li>{@link #ON_TIME}: the first result when the watermark reaches {@code end - 1}; at most one per window.</li>
 *     <li>{@link #LATE}: emitted because a late record (timestamp at or below the watermark) arrived within the
 *     allowed lateness and changed a window whose end had passed; it replaces every earlier result for that window
 *     (there may be none, if the window was empty when it closed).</li>
 * </ul>
 * Session windows merge, so a result's bounds may be wider than an earlier result's for the same session: a result
 * replaces the earlier results of every window of its key that it overlaps.
 */
public final class Firing
{
    /**
     * A partial result of a window that has not closed yet.
     */
    public static final byte EARLY = 0;

    /**
     * The result when the watermark closes the window.
     */
    public static final byte ON_TIME = 1;

    /**
     * An updated result after a late record changed a fired window.
     */
    public static final byte LATE = 2;

    private Firing()
    {
    }

    /**
     * The firing's name.
     *
     * @param firing a firing code.
     * @return its name.
     */
    public static String name(final byte firing)
    {
        switch (firing)
        {
            case EARLY:
                return "EARLY";
            case ON_TIME:
                return "ON_TIME";
            case LATE:
                return "LATE";
            default:
                return "UNKNOWN(" + firing + ")";
        }
    }
}
