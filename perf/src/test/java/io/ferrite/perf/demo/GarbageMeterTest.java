package io.ferrite.perf.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The garbage meter counts what the job's threads (named {@code ferrite-...}) allocate apart from the rest.
 */
class GarbageMeterTest
{
    private static final int ARRAYS = 64;
    private static final int ARRAY_BYTES = 64 * 1024;

    @Test
    void countsTheJobThreadsAllocationApartFromTheOthers() throws InterruptedException
    {
        final Object[] keep = new Object[ARRAYS];
        final Thread job = new Thread(() ->
        {
            for (int i = 0; i < ARRAYS; i++)
            {
                keep[i] = new byte[ARRAY_BYTES];
            }
            synchronized (keep)
            {
                try
                {
                    keep.wait(10_000);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }, GarbageMeter.JOB_THREAD_PREFIX + "test");
        final GarbageMeter meter = new GarbageMeter();
        meter.start();
        job.start();
        while (null == keep[ARRAYS - 1])
        {
            Thread.sleep(1);
        }
        final GarbageMeter.Figures figures = meter.stop();
        synchronized (keep)
        {
            keep.notifyAll();
        }
        job.join();

        final long made = (long)ARRAYS * ARRAY_BYTES;
        assertTrue(figures.jobAllocated() >= made, figures.toString());
        assertTrue(figures.jobAllocated() < made + 1024 * 1024, figures.toString());
        assertTrue(figures.allAllocated() >= figures.jobAllocated(), figures.toString());
        assertTrue(figures.jobThreads() >= 1, figures.toString());
        assertTrue(figures.collections() >= 0 && figures.collectionMs() >= 0, figures.toString());
    }
}
