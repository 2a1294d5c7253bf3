package io.ferrite.engine.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a job's stages share: a stop flag every stage reads at the start of its duty cycle, and a count of the
 * stages still running, so the job knows when it is done.
 * <p>
 * <b>Note:</b> Threadsafe.
 */
public final class JobControl
{
    private final CountDownLatch running;
    private volatile boolean stopped;

    /**
     * Control for a number of stages.
     *
     * @param stages the stages that will report {@link #stageDone()}.
     */
    public JobControl(final int stages)
    {
        this.running = new CountDownLatch(stages);
    }

    /**
     * Ask every stage to stop working: on failure or cancel.
     */
    public void stop()
    {
        stopped = true;
    }

    /**
     * Whether the stages have been asked to stop.
     *
     * @return true once stopped.
     */
    public boolean isStopped()
    {
        return stopped;
    }

    /**
     * A stage has forwarded its end of stream.
     */
    public void stageDone()
    {
        running.countDown();
    }

    /**
     * Whether every stage is done.
     *
     * @return true when done.
     */
    public boolean allDone()
    {
        return running.getCount() == 0;
    }

    /**
     * Wait for every stage to be done.
     *
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if done, false on timeout.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitDone(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return running.await(timeout, unit);
    }
}
