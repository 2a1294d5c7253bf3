package io.ferrite.perf.pingpong;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * Round-trip latency, one message in flight: a ping thread stamps an entry with {@link System#nanoTime()} and
 * publishes it; a pong thread echoes it on a second ring; the ping thread records {@code now - stamp} in an
 * HdrHistogram. Run for a Ferrite {@code RingChannel} pair and a raw Disruptor {@code RingBuffer} pair, one after
 * the other in the same JVM, both busy-spinning (two threads: no more spinning threads than a 2-core machine has).
 * <p>
 * {@code scripts/ferrite pingpong [--seconds S] [--warmup S] [--out DIR]} prints the percentiles and a progress line
 * every second, and writes {@code DIR/pingpong-ferrite.hgrm} and {@code DIR/pingpong-disruptor.hgrm}.
 */
public final class PingPong
{
    private PingPong()
    {
    }

    /**
     * Run both ping-pongs.
     *
     * @param args {@code --seconds S} (default 10), {@code --warmup S} (default 3), {@code --out DIR} (default
     *             {@code ferrite-report}).
     * @throws Exception if a thread fails or a file cannot be written.
     */
    public static void main(final String[] args) throws Exception
    {
        int seconds = 10;
        int warmup = 3;
        Path out = Path.of("ferrite-report");
        int i = 0;
        while (i < args.length)
        {
            final String option = args[i];
            final String value = i + 1 < args.length ? args[i + 1] : null;
            if (null == value || !(option.equals("--seconds") || option.equals("--warmup") || option.equals("--out")))
            {
                System.err.println("usage: pingpong [--seconds S] [--warmup S] [--out DIR]; bad option: " + option);
                System.exit(2);
            }
            switch (option)
            {
                case "--seconds":
                    seconds = Integer.parseInt(value);
                    break;
                case "--warmup":
                    warmup = Integer.parseInt(value);
                    break;
                default:
                    out = Path.of(value);
                    break;
            }
            i += 2;
        }
        if (seconds < 1 || warmup < 0)
        {
            System.err.println("pingpong: --seconds must be at least 1 and --warmup at least 0");
            System.exit(2);
        }
        Files.createDirectories(out);
        System.out.printf(Locale.ROOT, "pingpong: %d s warm-up + %d s measured per candidate; reports in %s%n",
            warmup, seconds, out.toAbsolutePath());

        final Histogram ferrite = run(new FerritePair(), "ferrite", warmup, seconds);
        final Histogram disruptor = run(new DisruptorPair(), "disruptor", warmup, seconds);
        write(out.resolve("pingpong-ferrite.hgrm"), ferrite);
        write(out.resolve("pingpong-disruptor.hgrm"), disruptor);

        System.out.println();
        System.out.println("round trip, microseconds   p50      p90      p99      p99.9    p99.99   max      count");
        print("ferrite", ferrite);
        print("disruptor", disruptor);
        System.out.printf(Locale.ROOT, "ratio p50 %.2f, p99 %.2f (ferrite / disruptor)%n",
            (double)ferrite.getValueAtPercentile(50) / disruptor.getValueAtPercentile(50),
            (double)ferrite.getValueAtPercentile(99) / disruptor.getValueAtPercentile(99));
    }

    private static Histogram run(final Pair pair, final String name, final int warmup, final int seconds)
        throws InterruptedException
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Thread pong = new Thread(pair::pongLoop, name + "-pong");
        pong.setDaemon(true);
        pong.start();
        try
        {
            final long warmupEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            while (System.nanoTime() - warmupEndNs < 0)
            {
                pair.roundTrip();
            }
            final long startNs = System.nanoTime();
            long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
            final long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
            long nowNs = startNs;
            while (nowNs - endNs < 0)
            {
                histogram.recordValue(pair.roundTrip());
                nowNs = System.nanoTime();
                if (nowNs - nextReportNs >= 0)
                {
                    System.out.printf(Locale.ROOT,
                        "%s: %2d s  %,d round trips  p50 %.2f us  p99 %.2f us  max %.1f us%n",
                        name, TimeUnit.NANOSECONDS.toSeconds(nowNs - startNs), histogram.getTotalCount(),
                        histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                        histogram.getMaxValue() / 1000.0);
                    nextReportNs += TimeUnit.SECONDS.toNanos(1);
                }
            }
        }
        finally
        {
            pair.stop();
            pong.join(10_000);
            pair.close();
        }
        return histogram;
    }

    private static void print(final String name, final Histogram h)
    {
        System.out.printf(Locale.ROOT, "%-26s %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f %-8.1f %,d%n", name,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
            h.getValueAtPercentile(99.99) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount());
    }

    private static void write(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream stream = new PrintStream(new FileOutputStream(file.toFile()), false, "US-ASCII"))
        {
            histogram.outputPercentileDistribution(stream, 1000.0);
        }
    }

    /**
     * Two rings, a ping and a pong.
     */
    interface Pair extends AutoCloseable
    {
        /**
         * Send one ping, wait for its pong.
         *
         * @return the round trip in nanoseconds.
         */
        long roundTrip();

        /**
         * Echo pings until stopped: the pong thread's loop.
         */
        void pongLoop();

        /**
         * Ask the pong loop to end.
         */
        void stop();

        @Override
        void close();
    }
}
