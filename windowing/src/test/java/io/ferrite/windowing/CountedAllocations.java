package io.ferrite.windowing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Measures the heap allocation of the calling thread over rounds of a workload, and checks that its steady state
 * allocates nothing.
 * <p>
 * The first rounds warm up: tables grow, the JIT compiles. After them, one round may show a single allocation of a
 * kilobyte or two that the JVM makes on the thread's account, not the code under test: it comes at the same point of
 * execution in every operator's test (the third round, with {@code -Xbatch}), never recurs over 30 rounds, and a
 * standalone JVM running the same loop shows none. What must not happen is an allocation that recurs: one per record,
 * per result or per watermark shows in every round, as hundreds of kilobytes.
 */
final class CountedAllocations
{
    static final int ROUNDS = 12;
    static final int WARM_UP_ROUNDS = 2;
    static final long QUIET_BYTES = 64;
    static final long ONE_OFF_BYTES = 16 * 1024;

    private CountedAllocations()
    {
    }

    /**
     * Run the rounds, measuring each.
     */
    static long[] measure(final Runnable round)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final long[] allocated = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            round.run();
            allocated[i] = threads.getCurrentThreadAllocatedBytes() - before;
        }
        return allocated;
    }

    /**
     * After the warm-up, every round quiet but at most one, and that one small.
     */
    static void assertSteadyStateAllocatesNothing(final String what, final long[] allocated)
    {
        final String rounds = what + ": bytes allocated per round " + Arrays.toString(allocated);
        int loud = 0;
        for (int i = WARM_UP_ROUNDS; i < allocated.length; i++)
        {
            if (allocated[i] > QUIET_BYTES)
            {
                loud++;
                assertTrue(allocated[i] < ONE_OFF_BYTES, rounds);
            }
        }
        assertTrue(loud <= 1, rounds);
        System.out.println(rounds);
    }
}
