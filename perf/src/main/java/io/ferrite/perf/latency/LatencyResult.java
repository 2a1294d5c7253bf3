package io.ferrite.perf.latency;

import io.ferrite.perf.harness.ThreadingChoice;

/**
 * A latency run: its options, how its stages ran, and what each candidate measured.
 */
final class LatencyResult
{
    final LatencyOptions options;
    final ThreadingChoice threading;
    final Measured ferrite;
    final Measured baseline;

    LatencyResult(
        final LatencyOptions options, final ThreadingChoice threading, final Measured ferrite, final Measured baseline)
    {
        this.options = options;
        this.threading = threading;
        this.ferrite = ferrite;
        this.baseline = baseline;
    }
}
