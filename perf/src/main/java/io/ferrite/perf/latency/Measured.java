package io.ferrite.perf.latency;

import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * What one candidate of a latency run — Ferrite or the Disruptor baseline — measured.
 */
final class Measured
{
    final String name;
    int stages;
    Histogram latency;
    Histogram fromWindowEnd;
    Histogram hiccups;
    long events;
    double achievedRate;
    long generatorMaxLagNs;
    long generatorMaxLagAfterWarmupNs;
    long results;
    long resultsInWarmup;
    long resultsAtEnd;
    long digest;
    boolean completed;
    double elapsedSeconds;
    String failure;
    List<String> capture;

    Measured(final String name)
    {
        this.name = name;
    }

    /**
     * Whether another candidate gave the same results: as many, with the same digest.
     *
     * @param other the other candidate.
     * @return true if the same.
     */
    boolean sameResultsAs(final Measured other)
    {
        return results == other.results && digest == other.digest;
    }
}
