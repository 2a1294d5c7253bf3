package io.ferrite.perf.latency;

/**
 * The harness's workloads: what each does is in {@link Latency}'s Javadoc and the README's "Latency harness".
 */
enum Workload
{
    PASSTHROUGH("passthrough", false, 0, 0,
        "trades -> map (notional = price x quantity, fields copied) -> keyBy symbol (one ring hop) -> copy -> sink"),
    VWAP("vwap", true, 1_000, 10,
        "trades -> map (notional) -> keyBy symbol -> sliding window: sum(notional), sum(quantity) -> VWAP -> sink"),
    Q5("q5", true, 100, 20,
        "bids (hot auctions) -> keyBy auction -> sliding window: count -> keyBy window -> the auction(s) with the " +
        "most bids, every tie -> sink");

    final String label;
    final boolean windowed;
    final long defaultWindowMs;
    final long defaultSlideMs;
    final String shape;

    Workload(
        final String label,
        final boolean windowed,
        final long defaultWindowMs,
        final long defaultSlideMs,
        final String shape)
    {
        this.label = label;
        this.windowed = windowed;
        this.defaultWindowMs = defaultWindowMs;
        this.defaultSlideMs = defaultSlideMs;
        this.shape = shape;
    }

    static Workload of(final String label)
    {
        for (final Workload workload : values())
        {
            if (workload.label.equals(label))
            {
                return workload;
            }
        }
        throw new IllegalArgumentException("--workload expects passthrough, vwap or q5, not '" + label + "'");
    }
}
