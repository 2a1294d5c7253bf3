package io.ferrite.perf.latency;

import java.util.List;

/**
 * One window's highest count so far and the smallest ids among the auctions that have it: {@link Q5}'s rule, for the
 * Disruptor baseline's last q5 stage.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
final class HeapTies
{
    private final long startUs;
    private final long[] smallest = new long[Q5.MAX_TIES];
    private long max;
    private long ties;

    HeapTies(final long startUs)
    {
        this.startUs = startUs;
    }

    void offer(final long auction, final long count)
    {
        if (0 == ties || count > max)
        {
            max = count;
            ties = 1;
            smallest[0] = auction;
        }
        else if (count == max)
        {
            final int held = (int)Math.min(ties, Q5.MAX_TIES);
            int at = held;
            while (at > 0 && smallest[at - 1] > auction)
            {
                if (at < Q5.MAX_TIES)
                {
                    smallest[at] = smallest[at - 1];
                }
                at--;
            }
            if (at < Q5.MAX_TIES)
            {
                smallest[at] = auction;
            }
            ties++;
        }
    }

    void emit(final long endUs, final LatencyRecorder recorder, final List<String> capture)
    {
        final int emitted = (int)Math.min(ties, Q5.MAX_TIES);
        for (int i = 0; i < emitted; i++)
        {
            recorder.onWindowResult(endUs, LatencyRecorder.hash(endUs, smallest[i], max, ties));
            if (null != capture)
            {
                capture.add(FerriteWorkloads.q5Text(startUs, endUs, smallest[i], max, ties));
            }
        }
    }
}
