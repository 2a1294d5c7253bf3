package io.ferrite.perf.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * The latency histograms of the demo and the latency harness: nanoseconds up to an hour, three significant digits,
 * and their percentile distribution file ({@code .hgrm}, HdrHistogram's own format, values in microseconds).
 */
public final class Histograms
{
    /**
     * The largest latency recorded; larger ones are clamped to it.
     */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.HOURS.toNanos(1);

    /**
     * The histograms' precision.
     */
    public static final int SIGNIFICANT_DIGITS = 3;

    private Histograms()
    {
    }

    /**
     * An empty histogram of nanoseconds.
     *
     * @return the histogram.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    /**
     * A latency clamped to what the histograms hold.
     *
     * @param latencyNs the latency, possibly negative or huge.
     * @return the latency in [0, {@link #HIGHEST_TRACKABLE_NS}].
     */
    public static long clamp(final long latencyNs)
    {
        return Math.max(0, Math.min(HIGHEST_TRACKABLE_NS, latencyNs));
    }

    /**
     * Write a histogram's percentile distribution, in microseconds, as HdrHistogram's
     * {@code outputPercentileDistribution} does (the format its plotter and {@code HistogramLogProcessor} use).
     *
     * @param file      the file.
     * @param histogram values in nanoseconds.
     * @throws IOException if the file cannot be written.
     */
    public static void writeHgrm(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream stream = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.US_ASCII))
        {
            histogram.outputPercentileDistribution(stream, 1000.0);
        }
    }
}
