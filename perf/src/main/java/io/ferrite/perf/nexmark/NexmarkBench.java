package io.ferrite.perf.nexmark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.ferrite.engine.RecordView;
import io.ferrite.engine.SinkFunction;

/**
 * {@code nexmark bench}: every registered query on events generated in memory, twice.
 * <ol>
 *     <li><b>Throughput</b>: the generator as fast as the job takes events, the results counted in a callback sink;
 *     events per second over the whole run, after one unmeasured pass of q0 to warm the JIT up.</li>
 *     <li><b>Latency</b>, open loop: the generator offers events at a fixed rate, a quarter of the throughput just
 *     measured, for {@link #LATENCY_SECONDS} s whatever the event count. Event {@code n}'s intended time is the
 *     schedule's start ({@link NexmarkRunner#scheduleStartNs()}) plus {@code n} periods; each result's latency is its
 *     arrival at the sink minus the intended time of the event it came from (the engine's origin of the result: for a
 *     window fired by a watermark, the event that advanced the watermark). Results of the first second (warm-up) and
 *     those the end of the input fired are not recorded. p99 from an HdrHistogram.</li>
 * </ol>
 * Every stage shares one thread (back-off idle strategy), so the figures are one core's.
 */
final class NexmarkBench
{
    /** Events per query unless told otherwise: about a minute for eight queries on a small machine. */
    static final long DEFAULT_EVENTS = 1_000_000;
    static final long LATENCY_SECONDS = 5;
    static final long WARMUP_NS = TimeUnit.SECONDS.toNanos(1);
    static final long MIN_RATE = 1_000;

    private final long events;
    private final long latencySeconds;
    private final int parallelism;
    private final long seed;
    private final PrintStream out;
    private final PrintStream err;

    NexmarkBench(final long events, final int parallelism, final long seed, final PrintStream out,
        final PrintStream err)
    {
        this(events, LATENCY_SECONDS, parallelism, seed, out, err);
    }

    NexmarkBench(final long events, final long latencySeconds, final int parallelism, final long seed,
        final PrintStream out, final PrintStream err)
    {
        this.events = events;
        this.latencySeconds = latencySeconds;
        this.parallelism = parallelism;
        this.seed = seed;
        this.out = out;
        this.err = err;
    }

    void run() throws IOException, InterruptedException
    {
        // One unmeasured pass first, so the first query's figure does not carry the JIT's warm-up alone.
        err.println("nexmark bench: warm-up, q0 over " + events + " events");
        new NexmarkRunner(NexmarkQueries.create("q0")).generate(events, seed).parallelism(parallelism)
            .sink(new CountingSink()).run();
        out.println(String.format(Locale.ROOT, "%-6s %14s %12s %16s %12s %10s", "query", "events/s", "results",
            "latency rate/s", "p99 us", "recorded"));
        for (final String name : NexmarkQueries.names())
        {
            final Row row = measure(NexmarkQueries.create(name));
            out.println(String.format(Locale.ROOT, "%-6s %14.0f %12d %16d %12.1f %10d", name, row.eventsPerSecond,
                row.results, row.latencyRate, row.p99Us, row.recorded));
            out.flush();
        }
        out.println("throughput: " + events + " events per query, generated in memory, unthrottled, after one " +
            "unmeasured warm-up pass of q0, parallelism " + parallelism + ", every stage on one shared thread; " +
            "latency: a second pass offering events at the rate shown (a quarter of the measured throughput) " +
            "for " + latencySeconds + " s, latency = arrival at the sink - intended time of the event the " +
            "result came from (for a window, the event whose watermark closed it), first second and " +
            "end-of-input results not recorded; " + Runtime.getRuntime().availableProcessors() + " cores");
    }

    Row measure(final NexmarkQuery query) throws IOException, InterruptedException
    {
        final CountingSink counting = new CountingSink();
        err.println("nexmark bench: " + query.name() + " throughput, " + events + " events");
        final NexmarkRunner.Result throughput = new NexmarkRunner(query).generate(events, seed)
            .parallelism(parallelism).sink(counting).progress(err).run();
        final long rate = Math.max(MIN_RATE, (long)(throughput.eventsPerSecond() / 4) / 1_000 * 1_000);
        final long latencyEvents = rate * latencySeconds;
        err.println("nexmark bench: " + query.name() + " latency, " + latencyEvents + " events at " + rate + "/s");
        final NexmarkRunner runner = new NexmarkRunner(query);
        final LatencySink latency = new LatencySink(runner, rate, latencyEvents);
        runner.generate(latencyEvents, seed).parallelism(parallelism).sourceRate(rate).sink(latency).progress(err)
            .run();
        final Histogram histogram = latency.histogram;
        if (latency.negative() > 0)
        {
            throw new IllegalStateException(query.name() + ": " + latency.negative() + " results arrived before " +
                "their events' intended times: the latency schedule is wrong");
        }
        return new Row(throughput.eventsPerSecond(), counting.count, rate,
            histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(99) / 1e3,
            histogram.getTotalCount());
    }

    record Row(double eventsPerSecond, long results, long latencyRate, double p99Us, long recorded)
    {
    }

    /**
     * Counts results.
     */
    static final class CountingSink implements SinkFunction
    {
        private volatile long count;

        @Override
        public void accept(final RecordView record)
        {
            count++;
        }
    }

    /**
     * Records now minus the intended time of each result's origin event.
     */
    static final class LatencySink implements SinkFunction
    {
        private final NexmarkRunner runner;
        private final long periodNs;
        private final long events;
        private final Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
        private long negative;

        LatencySink(final NexmarkRunner runner, final long rate, final long events)
        {
            this.runner = runner;
            this.periodNs = Math.max(1, 1_000_000_000L / rate);
            this.events = events;
        }

        @Override
        public void accept(final RecordView record)
        {
            final long nowNs = System.nanoTime();
            final long origin = record.journalIndex();
            if (origin < 0 || origin >= events - 1)
            {
                return;
            }
            final long offsetNs = origin * periodNs;
            if (offsetNs < WARMUP_NS)
            {
                return;
            }
            final long latencyNs = nowNs - (runner.scheduleStartNs() + offsetNs);
            if (latencyNs < 0)
            {
                negative++;
            }
            histogram.recordValue(Math.max(0, Math.min(histogram.getHighestTrackableValue(), latencyNs)));
        }

        Histogram histogram()
        {
            return histogram;
        }

        /**
         * Results that arrived before their event's intended time: none unless the schedule is wrong.
         *
         * @return the count.
         */
        long negative()
        {
            return negative;
        }
    }
}
