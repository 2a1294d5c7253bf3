package io.ferrite.memory.crash;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Named places where a test can make the process die as {@code kill -9} would, deterministically: with the system
 * property {@code ferrite.crash.point=<name>:<n>}, the n-th time the code passes the point of that name (counted from
 * 1, across all threads), the process prints the point to standard error and calls
 * {@code Runtime.getRuntime().halt(137)} — no shutdown hooks, no finally blocks, no flush, the exit status of a
 * SIGKILL. The crash harness ({@code ferrite crash --crash-points}) cycles through them.
 * <p>
 * Without the property {@link #ENABLED} is a {@code static final false}, so {@link #hit(String)} compiles to nothing
 * once the JIT inlines it: the points cost nothing in production.
 * <p>
 * <b>Note:</b> Threadsafe.
 */
public final class CrashPoints
{
    /**
     * The system property naming the point and the hit to halt at: {@code <name>:<n>}.
     */
    public static final String PROP_NAME = "ferrite.crash.point";

    /**
     * The exit status of a halt at a crash point: that of a process killed by SIGKILL.
     */
    public static final int EXIT_STATUS = 137;

    /**
     * A source stage has appended a record to its journal and not yet forwarded it.
     */
    public static final String JOURNAL_APPEND = "journal-append";

    /**
     * A snapshot file (a stage's state or a manifest) is written and forced under its temporary name, not renamed.
     */
    public static final String SNAPSHOT_WRITE = "snapshot-write";

    /**
     * A snapshot file is renamed to its final name; the directory is not forced yet.
     */
    public static final String SNAPSHOT_RENAME = "snapshot-rename";

    /**
     * A checkpoint's manifest is durable, and nobody has been told the checkpoint is complete: no sink has committed.
     */
    public static final String MANIFEST_WRITE = "manifest-write";

    /**
     * A window operator has emitted a result downstream.
     */
    public static final String WINDOW_FIRE = "window-fire";

    /**
     * A committed-journal sink has appended an output, not yet committed.
     */
    public static final String OUTPUT_APPEND = "output-append";

    /**
     * A committed-journal sink has committed a completed checkpoint's outputs (other sinks may not have yet).
     */
    public static final String COMMIT = "commit";

    /**
     * A recovering job has restored one stage's state from a checkpoint, and not the others yet.
     */
    public static final String RESTORE = "restore";

    /**
     * A recovering source has forwarded a record replayed from its journal.
     */
    public static final String REPLAY = "replay";

    /**
     * Every point, in the order the harness cycles through them.
     */
    private static final String[] ALL = {
        JOURNAL_APPEND, SNAPSHOT_WRITE, SNAPSHOT_RENAME, MANIFEST_WRITE, WINDOW_FIRE, OUTPUT_APPEND, COMMIT, RESTORE,
        REPLAY};

    /**
     * Whether a crash point is armed in this process; a constant, so disarmed points cost nothing.
     */
    public static final boolean ENABLED;

    private static final String ARMED_POINT;
    private static final long ARMED_HIT;
    private static final AtomicLong HITS = new AtomicLong();

    static
    {
        final String setting = System.getProperty(PROP_NAME);
        if (null == setting || setting.isEmpty())
        {
            ENABLED = false;
            ARMED_POINT = null;
            ARMED_HIT = 0;
        }
        else
        {
            final int colon = setting.lastIndexOf(':');
            final String point = colon < 0 ? setting : setting.substring(0, colon);
            final long hit = colon < 0 ? 1 : Long.parseLong(setting.substring(colon + 1));
            if (hit < 1 || !isPoint(point))
            {
                throw new IllegalArgumentException(PROP_NAME + "=" + setting + ": expected <name>:<n> with n >= 1 " +
                    "and a name of " + String.join(", ", ALL));
            }
            ENABLED = true;
            ARMED_POINT = point;
            ARMED_HIT = hit;
        }
    }

    private CrashPoints()
    {
    }

    /**
     * The names of every point.
     *
     * @return a new array of the names.
     */
    public static String[] names()
    {
        return ALL.clone();
    }

    /**
     * Whether a name is a crash point's.
     *
     * @param name the name.
     * @return true if it names a point.
     */
    public static boolean isPoint(final String name)
    {
        for (final String point : ALL)
        {
            if (point.equals(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Pass a crash point: halts the process if this is the armed point's armed hit. Free when nothing is armed.
     *
     * @param point the point's name, one of the constants.
     */
    public static void hit(final String point)
    {
        if (ENABLED)
        {
            onHit(point);
        }
    }

    private static void onHit(final String point)
    {
        // Identity first: the callers pass the constants. Equal strings from elsewhere still count.
        if ((point == ARMED_POINT || point.equals(ARMED_POINT)) && HITS.incrementAndGet() == ARMED_HIT)
        {
            System.err.println("ferrite: crash point " + point + " hit " + ARMED_HIT + ": halting");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
