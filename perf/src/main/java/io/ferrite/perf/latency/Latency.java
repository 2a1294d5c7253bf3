package io.ferrite.perf.latency;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import io.ferrite.perf.harness.ThreadingChoice;

/**
 * {@code scripts/ferrite latency --workload passthrough|vwap|q5 --out DIR [OPTIONS]}: the open-loop latency harness.
 * A generator offers events at a fixed rate ({@code --rate}, default 100,000/s, for {@code --seconds}, default 20) and
 * stamps each with its intended time (event {@code n} is due {@code n} periods after the first, whenever it is really
 * made: a generator that falls behind keeps its schedule, so the lag shows as latency, and the run reports the
 * generator's worst lag). The sink records {@code now - intended} in an HdrHistogram after the warm-up
 * ({@code --warmup}, default 5 s); a hiccup meter (a thread sleeping 1 ms at a time) runs alongside.
 * <p>
 * The workloads (ring hops: one per keyed edge; the operators after one are chained into its stage):
 * <ul>
 *     <li><b>passthrough</b>: trades -> map (notional = price x quantity, the other fields copied) -> keyBy symbol
 *     (one ring hop) -> copy of every field -> sink. Latency per event: sink time minus the event's intended
 *     time.</li>
 *     <li><b>vwap</b>: trades for 100 symbols -> map (notional) -> keyBy symbol -> sliding window (1 s every 10 ms by
 *     default) sum(notional), sum(quantity) -> VWAP -> sink.</li>
 *     <li><b>q5</b>: NEXMark q5's shape on bids (half of them to four hot auctions that change every second) -> keyBy
 *     auction -> sliding window count (NEXMark's 10 s every 2 s scaled down to 100 ms every 20 ms by default, so a
 *     short run closes thousands of windows; {@code --window-ms 10000 --slide-ms 2000} is the original) -> keyBy
 *     window -> the auction(s) with the most bids, every tie -> sink.</li>
 * </ul>
 * Event time is the intended time. A window result's latency is measured from the intended time of the event that
 * closed the window (the first event at or after the window's end, whose watermark fired it) to the result's arrival
 * at the sink; Hazelcast Jet's convention (arrival minus the window's end) is recorded beside it.
 * <p>
 * {@code --baseline disruptor} then runs the same workload, at the same rate for as long, through a hand-built LMAX
 * Disruptor pipeline ({@link DisruptorBaseline}) in the same JVM, and reports both, their ratios, and whether their
 * results were equal. Writes {@code DIR/latency.hgrm}, {@code latency.hlog}, {@code latency.png},
 * {@code summary.json} and more: see {@link LatencyReport}.
 */
public final class Latency
{
    private Latency()
    {
    }

    /**
     * Run and exit: 0 when it ran, 1 when it failed, 2 for bad options.
     *
     * @param args the options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run.
     *
     * @param args the options.
     * @param out  where progress and the summary go.
     * @param err  where errors go.
     * @return the exit code: 0 when it ran, 1 when it failed, 2 for bad options.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final LatencyOptions options;
        try
        {
            options = LatencyOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("ferrite latency: " + ex.getMessage());
            err.println("ferrite latency: scripts/ferrite latency --help lists the options");
            return 2;
        }
        if (options.help)
        {
            out.println(LatencyOptions.USAGE);
            return 0;
        }
        try
        {
            final LatencyResult result = execute(options, out, false);
            final boolean ok = result.ferrite.completed && (null == result.baseline || result.baseline.completed);
            if (!ok)
            {
                err.println("ferrite latency: a run did not complete; see above");
            }
            return ok ? 0 : 1;
        }
        catch (final IOException ex)
        {
            err.println("ferrite latency: " + ex);
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("ferrite latency: interrupted");
            return 1;
        }
    }

    /**
     * Run Ferrite, then the baseline if asked, print the summary and write the report.
     *
     * @param options the options.
     * @param out     where progress and the summary go.
     * @param capture whether the sinks keep every result as text (for tests: short runs only).
     * @return the run.
     * @throws IOException if a file cannot be written.
     * @throws InterruptedException if interrupted while waiting.
     */
    static LatencyResult execute(final LatencyOptions options, final PrintStream out, final boolean capture)
        throws IOException, InterruptedException
    {
        Files.createDirectories(options.out);
        final OffsetEpochNanoClock epochClock = new OffsetEpochNanoClock();
        final NanoClock clock = epochClock::nanoTime;
        final int instances = LatencyRun.planInstances(options);
        final ThreadingChoice threading = ThreadingChoice.choose(options.threading,
            Runtime.getRuntime().availableProcessors(), instances);
        out.printf(Locale.ROOT, "ferrite latency: %s: %s%n", options.workload.label, options.workload.shape);
        if (options.workload.windowed)
        {
            out.printf(Locale.ROOT, "ferrite latency: sliding window %,d ms every %,d ms%n", options.windowMs,
                options.slideMs);
        }
        out.printf(Locale.ROOT, "ferrite latency: %,d events/s for %d s, open loop; latency recorded after a %d s " +
            "warm-up%s%n", options.rate, options.seconds, options.warmupSeconds,
            !options.baseline ? "" : options.baselineFirst ? "; the Disruptor baseline first, the same way" :
            "; then the Disruptor baseline, the same way");
        out.printf(Locale.ROOT, "ferrite latency: threading %s%n", threading);

        final LatencyRun run = new LatencyRun(options, out, clock, capture);
        Measured baseline = null;
        if (options.baselineFirst)
        {
            baseline = run.baseline(threading, options.out.resolve("baseline.hlog"));
        }
        final Measured ferrite = run.ferrite(threading, options.out.resolve("latency.hlog"));
        if (options.baseline && !options.baselineFirst)
        {
            baseline = run.baseline(threading, options.out.resolve("baseline.hlog"));
        }
        final LatencyResult result = new LatencyResult(options, threading, ferrite, baseline);
        final List<String> files = LatencyReport.write(result, options.out);
        out.print(LatencyReport.table(result));
        out.printf("report: %s (%s)%n", options.out.toAbsolutePath(), String.join(", ", files));
        return result;
    }
}
