package io.ferrite.perf.harness;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * A thread that sleeps 1 ms at a time and records how much later than asked it wakes: the stalls of the machine (the
 * hypervisor, the GC, the scheduler) that any thread of the job would have seen too, reported beside the job's
 * latency so its tail can be read for what it is.
 * <p>
 * <b>Note:</b> {@link #start()} and {@link #stop()} from one thread; the histogram is read after {@link #stop()}.
 */
public final class HiccupMeter
{
    private static final long SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Histogram histogram = Histograms.newHistogram();
    private final Thread thread = new Thread(this::run, "hiccup-meter");
    private volatile boolean running = true;

    /**
     * Start the thread, a daemon.
     *
     * @return this.
     */
    public HiccupMeter start()
    {
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run()
    {
        while (running)
        {
            final long beforeNs = System.nanoTime();
            LockSupport.parkNanos(SLEEP_NS);
            final long lateNs = System.nanoTime() - beforeNs - SLEEP_NS;
            histogram.recordValue(Math.max(0, Math.min(Histograms.HIGHEST_TRACKABLE_NS, lateNs)));
        }
    }

    /**
     * Stop the thread and wait for it.
     *
     * @return the hiccups: how late each 1 ms sleep woke, in nanoseconds.
     * @throws InterruptedException if interrupted while waiting.
     */
    public Histogram stop() throws InterruptedException
    {
        running = false;
        thread.join();
        return histogram;
    }
}
