package io.ferrite.perf.harness;

import java.util.function.Supplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.ferrite.engine.runtime.ThreadingMode;

/**
 * How the demo and the latency harness run their stages, and why: a dedicated busy-spinning thread per stage instance
 * when the machine has a core for each and one more (for the JVM's own threads, the checkpoint writer and the
 * progress printer), otherwise every stage on one shared thread with a back-off idle strategy, so no more threads spin
 * than there are cores.
 */
public final class ThreadingChoice
{
    private final ThreadingMode mode;
    private final String idleStrategy;
    private final String reason;

    private ThreadingChoice(final ThreadingMode mode, final String idleStrategy, final String reason)
    {
        this.mode = mode;
        this.idleStrategy = idleStrategy;
        this.reason = reason;
    }

    /**
     * Choose.
     *
     * @param requested {@code auto}, {@code shared} or {@code dedicated}.
     * @param cores     the cores the JVM may use.
     * @param instances the stage instances of the job's plan.
     * @return the choice.
     */
    public static ThreadingChoice choose(final String requested, final int cores, final int instances)
    {
        final int needed = instances + 1;
        final String counts = instances + " stage instances, " + cores + " core" + (cores == 1 ? "" : "s");
        switch (requested)
        {
            case "shared":
                return new ThreadingChoice(ThreadingMode.SHARED, "back-off",
                    counts + ": one shared thread, as asked (--threading shared)");
            case "dedicated":
                if (cores >= needed)
                {
                    return new ThreadingChoice(ThreadingMode.DEDICATED, "busy-spin",
                        counts + ": a busy-spinning thread per stage instance, as asked (--threading dedicated)");
                }
                return new ThreadingChoice(ThreadingMode.DEDICATED, "back-off",
                    counts + ": a thread per stage instance, as asked (--threading dedicated), backing off when " +
                    "idle since spinning needs " + needed + " cores");
            default:
                if (cores >= needed)
                {
                    return new ThreadingChoice(ThreadingMode.DEDICATED, "busy-spin",
                        counts + ": a busy-spinning thread per stage instance (dedicated needs " + needed +
                        " cores: one per instance and one for the JVM, the checkpoint writer and this printer)");
                }
                return new ThreadingChoice(ThreadingMode.SHARED, "back-off",
                    counts + ": every stage on one shared thread with a back-off idle strategy (dedicated " +
                    "threads need " + needed + " cores: one per instance and one for the JVM, the checkpoint " +
                    "writer and this printer)");
        }
    }

    /**
     * The threading mode.
     *
     * @return the mode.
     */
    public ThreadingMode mode()
    {
        return mode;
    }

    /**
     * The idle strategy's name.
     *
     * @return {@code busy-spin} or {@code back-off}.
     */
    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * The idle strategy, for each thread.
     *
     * @return a supplier of new idle strategies.
     */
    public Supplier<IdleStrategy> idleStrategySupplier()
    {
        return "busy-spin".equals(idleStrategy) ? BusySpinIdleStrategy::new : BackoffIdleStrategy::new;
    }

    /**
     * Why this choice, for the report.
     *
     * @return the reason.
     */
    public String reason()
    {
        return reason;
    }

    @Override
    public String toString()
    {
        return mode + " (" + idleStrategy + "): " + reason;
    }
}
