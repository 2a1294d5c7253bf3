package io.ferrite.perf.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

import io.ferrite.perf.harness.Histograms;
import io.ferrite.perf.harness.ThreadingChoice;

/**
 * What a demo run measured, for the summary table and the report folder.
 */
final class DemoResult
{
    /**
     * The latencies of one result stream.
     */
    static final class Stream
    {
        final String name;
        final Histogram fromClosing = newHistogram();
        final Histogram fromWindowEnd = newHistogram();
        long results;
        long inWarmup;
        long atEnd;

        Stream(final String name)
        {
            this.name = name;
        }
    }

    DemoOptions options;
    ThreadingChoice threading;
    int cores;
    String plan;
    TradeGenerator trades;
    TelemetryGenerator telemetry;
    RiskLimits limits;

    final List<Stream> streams = new ArrayList<>();
    final Histogram allFromClosing = newHistogram();
    final Histogram allFromWindowEnd = newHistogram();
    Histogram hiccups = newHistogram();

    long tradeEvents;
    long telemetryEvents;
    double elapsedSeconds;
    boolean completed;
    long generatorMaxBehindNs;
    long watermarkMaxLagUs = -1;

    long memoryBudgetBytes;
    long memoryPeakBytes;

    long checkpointsCompleted;
    long lastCheckpointId = -1;
    long lastCheckpointDurationNs;
    long lastCheckpointSizeBytes;

    final GarbageMeter runGarbageMeter = new GarbageMeter();
    final GarbageMeter steadyGarbageMeter = new GarbageMeter();
    GarbageMeter.Figures runGarbage;
    GarbageMeter.Figures steadyGarbage;
    long steadyGarbageStartNs;
    double steadyGarbageSeconds;

    long restoredCheckpoint = -1;
    long recoveryTimeNs = -1;
    long replayedRecords;

    Path jobDirectory;
    boolean jobDirectoryKept;
    Path reportDirectory;

    static Histogram newHistogram()
    {
        return Histograms.newHistogram();
    }

    long events()
    {
        return tradeEvents + telemetryEvents;
    }

    double eventsPerSecond()
    {
        return elapsedSeconds > 0 ? events() / elapsedSeconds : 0;
    }

    /**
     * Move the latencies the sinks recorded since the last call into each stream's histograms and the totals.
     *
     * @param sinks the run's latency sinks, in the order of {@link #streams}.
     */
    void drain(final DemoPipeline.Sinks sinks)
    {
        final LatencySink[] all = sinks.all();
        for (int i = 0; i < all.length; i++)
        {
            final DemoResult.Stream stream = streams.get(i);
            all[i].drain(new Histogram[]{stream.fromClosing, allFromClosing},
                new Histogram[]{stream.fromWindowEnd, allFromWindowEnd});
        }
    }
}
