package io.ferrite.perf.demo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Garbage made and collected between two moments: the collectors' collection counts and times, and the bytes the
 * threads allocated on the heap (HotSpot's per-thread allocation counters), in two sums — the job's own threads (the
 * engine names them {@code ferrite-...}: its stages and its checkpoint writer) and every thread of the JVM (the demo's
 * progress printing, the hiccup meter and the JDK's own threads too).
 * <p>
 * A thread that ends between the two moments takes its count with it; the job's threads live as long as the job.
 * <p>
 * <b>Note:</b> Not threadsafe; used from the thread that runs the demo.
 */
final class GarbageMeter
{
    static final String JOB_THREAD_PREFIX = "ferrite-";

    private final com.sun.management.ThreadMXBean threads;
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final Map<Long, Long> startAllocated = new HashMap<>();
    private long startCollections;
    private long startCollectionMs;
    private boolean started;

    /**
     * Figures between {@link #start()} and {@link #stop()}.
     *
     * @param collections    collections by every collector.
     * @param collectionMs   their accumulated time.
     * @param jobAllocated   bytes the job's threads allocated, or -1 if the JVM cannot count them.
     * @param allAllocated   bytes every live thread allocated, or -1 if the JVM cannot count them.
     * @param jobThreads     how many job threads were counted.
     */
    record Figures(long collections, long collectionMs, long jobAllocated, long allAllocated, int jobThreads)
    {
    }

    GarbageMeter()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        threads = bean instanceof com.sun.management.ThreadMXBean sun &&
            sun.isThreadAllocatedMemorySupported() ? sun : null;
        if (null != threads && !threads.isThreadAllocatedMemoryEnabled())
        {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
    }

    boolean isStarted()
    {
        return started;
    }

    /**
     * Take the first moment's counts.
     */
    void start()
    {
        started = true;
        startCollections = collections();
        startCollectionMs = collectionMs();
        startAllocated.clear();
        if (null != threads)
        {
            final long[] ids = threads.getAllThreadIds();
            final long[] bytes = threads.getThreadAllocatedBytes(ids);
            for (int i = 0; i < ids.length; i++)
            {
                if (bytes[i] >= 0)
                {
                    startAllocated.put(ids[i], bytes[i]);
                }
            }
        }
    }

    /**
     * The figures since {@link #start()}.
     *
     * @return the figures.
     */
    Figures stop()
    {
        long job = 0;
        long all = 0;
        int jobThreads = 0;
        if (null != threads)
        {
            final long[] ids = threads.getAllThreadIds();
            final long[] bytes = threads.getThreadAllocatedBytes(ids);
            final ThreadInfo[] infos = threads.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++)
            {
                if (bytes[i] < 0 || null == infos[i])
                {
                    continue;
                }
                final long made = bytes[i] - startAllocated.getOrDefault(ids[i], 0L);
                all += made;
                if (infos[i].getThreadName().startsWith(JOB_THREAD_PREFIX))
                {
                    job += made;
                    jobThreads++;
                }
            }
        }
        return new Figures(collections() - startCollections, collectionMs() - startCollectionMs,
            null == threads ? -1 : job, null == threads ? -1 : all, jobThreads);
    }

    /**
     * Collections since {@link #start()}, for the progress line.
     *
     * @return the count.
     */
    long collectionsSoFar()
    {
        return started ? collections() - startCollections : 0;
    }

    private long collections()
    {
        long sum = 0;
        for (final GarbageCollectorMXBean bean : collectors)
        {
            sum += Math.max(0, bean.getCollectionCount());
        }
        return sum;
    }

    private long collectionMs()
    {
        long sum = 0;
        for (final GarbageCollectorMXBean bean : collectors)
        {
            sum += Math.max(0, bean.getCollectionTime());
        }
        return sum;
    }
}
