package io.ferrite.perf.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.SourceOptions;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.perf.harness.Schedule;

/**
 * q5's "most bids, every tie" rule on hand-made bids, on Ferrite (stepped in the invoker threading mode) and on the
 * Disruptor baseline's heap version: more ties than are kept, ties, and a tie broken by a later bid.
 */
class Q5Test
{
    private static final long WINDOW_US = 10_000;
    private static final long ORIGIN_US = 1_700_000_000_000_000L;

    /**
     * {event time offset in microseconds, auction}: window 0 has 20 auctions with one bid each, given in descending
     * order; window 1 has auctions 7 and 5 with three bids each and 9 with two; window 2 has 3 and 4 tied at one bid
     * until 4 gets a second.
     */
    private static final long[][] BIDS = bids();

    @TempDir
    Path dir;

    private static long[][] bids()
    {
        final List<long[]> bids = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            bids.add(new long[]{100 + i * 10, 119 - i});
        }
        for (final long auction : new long[]{7, 5, 9, 7, 5, 9, 7, 5})
        {
            bids.add(new long[]{WINDOW_US + 100 + bids.size(), auction});
        }
        bids.add(new long[]{2 * WINDOW_US + 1, 3});
        bids.add(new long[]{2 * WINDOW_US + 2, 4});
        bids.add(new long[]{2 * WINDOW_US + 3, 4});
        return bids.toArray(new long[0][]);
    }

    private static List<String> expected()
    {
        final List<String> expected = new ArrayList<>();
        for (long auction = 100; auction < 116; auction++)
        {
            expected.add(FerriteWorkloads.q5Text(ORIGIN_US, ORIGIN_US + WINDOW_US, auction, 1, 20));
        }
        expected.add(FerriteWorkloads.q5Text(ORIGIN_US + WINDOW_US, ORIGIN_US + 2 * WINDOW_US, 5, 3, 2));
        expected.add(FerriteWorkloads.q5Text(ORIGIN_US + WINDOW_US, ORIGIN_US + 2 * WINDOW_US, 7, 3, 2));
        expected.add(FerriteWorkloads.q5Text(ORIGIN_US + 2 * WINDOW_US, ORIGIN_US + 3 * WINDOW_US, 4, 2, 1));
        expected.sort(null);
        return expected;
    }

    @Test
    void shouldEmitEveryTieUpToTheLimitOnFerrite()
    {
        final List<String> results = new ArrayList<>();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context().directory(dir)
            .threadingMode(ThreadingMode.INVOKER).memoryBudgetBytes(64L << 20).warningHandler((warning) -> { })))
        {
            final Pipeline pipeline = ferrite.pipeline("q5");
            Q5.build(pipeline.generator("bids", FerriteWorkloads.BID, new SourceOptions().journaled(false)
                    .maxRecords(BIDS.length), (sequence, out) ->
                    {
                        out.put(FerriteWorkloads.B_SEQUENCE, sequence)
                            .put(FerriteWorkloads.B_TIME, ORIGIN_US + BIDS[(int)sequence][0])
                            .put(FerriteWorkloads.B_AUCTION, BIDS[(int)sequence][1]);
                        return true;
                    }),
                Duration.ofNanos(WINDOW_US * 1_000), Duration.ofNanos(WINDOW_US * 1_000))
                .sink("results", (record) -> results.add(FerriteWorkloads.q5Text(record.get(Q5.R_START),
                    record.get(Q5.R_END), record.get(Q5.R_AUCTION), record.get(Q5.R_COUNT), record.get(Q5.R_TIES))));
            final Job job = pipeline.start();
            for (int i = 0; i < 10_000 && !job.isDone(); i++)
            {
                job.doWork();
            }
            assertTrue(job.isDone(), "the job ends with its bounded input");
            job.close();
        }
        results.sort(null);
        assertEquals(expected(), results);
    }

    @Test
    void shouldEmitEveryTieUpToTheLimitOnTheBaseline()
    {
        final List<String> results = new ArrayList<>();
        final LatencyRecorder recorder = new LatencyRecorder(Schedule.started(0, 1_000, Long.MAX_VALUE), () -> 0,
            Long.MAX_VALUE);
        for (int window = 0; window < 3; window++)
        {
            final long start = ORIGIN_US + window * WINDOW_US;
            final HeapTies ties = new HeapTies(start);
            // The window stage gives each auction's count once, in any order.
            final TreeMap<Long, Long> counts = new TreeMap<>(Comparator.reverseOrder());
            for (final long[] bid : BIDS)
            {
                if (bid[0] / WINDOW_US == window)
                {
                    counts.merge(bid[1], 1L, Long::sum);
                }
            }
            counts.forEach((auction, count) -> ties.offer(auction, count));
            ties.emit(start + WINDOW_US, recorder, results);
        }
        results.sort(null);
        assertEquals(expected(), results);
        assertEquals(expected().size(), recorder.results());
    }
}
