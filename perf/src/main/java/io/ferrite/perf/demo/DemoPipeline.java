package io.ferrite.perf.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.NanoClock;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.SourceOptions;
import io.ferrite.engine.WindowedStream;
import io.ferrite.engine.Windows;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * The demo's job:
 * <pre>
 * trades (generator, journaled) -> notional = price x quantity -> keyBy symbol
 *     -> sliding window 10 s every 1 s: sum(notional in cents), sum(quantity) -> VWAP and volume -> vwap.csv
 *                                                                   -> risk limits -> alerts.csv
 * telemetry (generator, journaled) -> keyBy service
 *     -> tumbling window 1 s: p50, p90, p99, p99.9, max of latency_us -> telemetry.csv
 * </pre>
 * Each result stream also ends in a {@link LatencySink}. The CSV sinks are the engine's exactly-once ones.
 */
final class DemoPipeline
{
    static final Duration VWAP_WINDOW = Duration.ofSeconds(10);
    static final Duration VWAP_SLIDE = Duration.ofSeconds(1);
    static final Duration ROLLUP_WINDOW = Duration.ofSeconds(1);

    /**
     * A trade's notional in cents: integer sums subtract exactly, so the sliding window keeps its slices in columns
     * and fires every symbol's window in one sweep.
     */
    static final Schema NOTIONAL = Schema.builder("notional")
        .timestamp("time", TimeUnit.MICROSECONDS).symbol("symbol", 8).int64("quantity").int64("notional_cents")
        .build();
    static final Schema VWAP = Schema.builder("vwap")
        .symbol("symbol", 8).timestamp("window_start", TimeUnit.MICROSECONDS)
        .timestamp("window_end", TimeUnit.MICROSECONDS).int64("trades").int64("volume").float64("notional")
        .float64("vwap").build();
    static final Schema ALERT = Schema.builder("alert")
        .symbol("symbol", 8).timestamp("window_start", TimeUnit.MICROSECONDS)
        .timestamp("window_end", TimeUnit.MICROSECONDS).int64("volume").int64("volume_limit").float64("notional")
        .float64("notional_limit").build();

    static final String VWAP_CSV = "vwap.csv";
    static final String ALERTS_CSV = "alerts.csv";
    static final String TELEMETRY_CSV = "telemetry.csv";
    static final String TRADES_SOURCE = "trades";
    static final String TELEMETRY_SOURCE = "telemetry";
    static final String VWAP_WINDOW_STAGE = "vwap-10s";
    static final String ROLLUP_WINDOW_STAGE = "latency-1s";

    /**
     * The telemetry rollup: p50, p90, p99, p99.9 and the maximum of each service's latencies per window, under 0.8%.
     */
    static final AggregateFunction ROLLUP_AGGREGATE = Aggregates.percentiles(TelemetryGenerator.METRIC,
        "latency_us", "latency", 7, TelemetryGenerator.MAX_LATENCY_US);

    private static final TimestampField N_TIME = NOTIONAL.timestampField("time");
    private static final SymbolField N_SYMBOL = NOTIONAL.symbolField("symbol");
    private static final Int64Field N_QUANTITY = NOTIONAL.int64Field("quantity");
    private static final Int64Field N_NOTIONAL_CENTS = NOTIONAL.int64Field("notional_cents");
    private static final SymbolField V_SYMBOL = VWAP.symbolField("symbol");
    private static final TimestampField V_START = VWAP.timestampField("window_start");
    static final TimestampField V_END = VWAP.timestampField("window_end");
    private static final Int64Field V_TRADES = VWAP.int64Field("trades");
    private static final Int64Field V_VOLUME = VWAP.int64Field("volume");
    private static final Float64Field V_NOTIONAL = VWAP.float64Field("notional");
    private static final Float64Field V_VWAP = VWAP.float64Field("vwap");
    private static final SymbolField A_SYMBOL = ALERT.symbolField("symbol");
    private static final TimestampField A_START = ALERT.timestampField("window_start");
    static final TimestampField A_END = ALERT.timestampField("window_end");
    private static final Int64Field A_VOLUME = ALERT.int64Field("volume");
    private static final Int64Field A_VOLUME_LIMIT = ALERT.int64Field("volume_limit");
    private static final Float64Field A_NOTIONAL = ALERT.float64Field("notional");
    private static final Float64Field A_NOTIONAL_LIMIT = ALERT.float64Field("notional_limit");

    private DemoPipeline()
    {
    }

    /**
     * The sinks that measure latency, one per result stream.
     */
    static final class Sinks
    {
        final LatencySink vwap;
        final LatencySink alerts;
        final LatencySink telemetry;

        Sinks(final LatencySink vwap, final LatencySink alerts, final LatencySink telemetry)
        {
            this.vwap = vwap;
            this.alerts = alerts;
            this.telemetry = telemetry;
        }

        LatencySink[] all()
        {
            return new LatencySink[]{vwap, alerts, telemetry};
        }
    }

    /**
     * Add the demo's operators to a pipeline.
     *
     * @param pipeline   the pipeline.
     * @param trades     the trade generator.
     * @param telemetry  the telemetry generator.
     * @param limits     the risk limits.
     * @param resultsDir where the CSV sinks write.
     * @param clock      the job's clock.
     * @param warmupNs   how long after the sources start latencies are not recorded.
     * @return the latency sinks.
     */
    static Sinks build(
        final Pipeline pipeline,
        final TradeGenerator trades,
        final TelemetryGenerator telemetry,
        final RiskLimits limits,
        final Path resultsDir,
        final NanoClock clock,
        final long warmupNs)
    {
        final LatencySink vwapLatency = new LatencySink("vwap", V_END, trades.schedule(), clock, warmupNs);
        final LatencySink alertsLatency = new LatencySink("alerts", A_END, trades.schedule(), clock, warmupNs);
        final DataStream notional = pipeline.generator(TRADES_SOURCE, TradeGenerator.TRADE, new SourceOptions()
                .ratePerSecond(trades.schedule().ratePerSecond()).maxRecords(trades.schedule().maxRecords()), trades)
            .map("notional", NOTIONAL, (in, out) -> out
                .put(N_TIME, in.get(TradeGenerator.TIME))
                .putSymbolAsLong(N_SYMBOL, in.symbolAsLong(TradeGenerator.SYMBOL))
                .put(N_QUANTITY, in.get(TradeGenerator.QUANTITY))
                .put(N_NOTIONAL_CENTS, Math.round(in.get(TradeGenerator.PRICE) * 100.0) *
                    in.get(TradeGenerator.QUANTITY)));

        final WindowedStream vwapWindows = notional.keyBy("symbol", 1).window(Windows.sliding(VWAP_WINDOW, VWAP_SLIDE));
        final AggregateFunction sums = Aggregates.of(
            Aggregates.sum(NOTIONAL, "notional_cents", "notional_cents"),
            Aggregates.sum(NOTIONAL, "quantity", "volume"));
        final Schema sumsSchema = vwapWindows.outputSchema(VWAP_WINDOW_STAGE, sums);
        final SymbolField sSymbol = sumsSchema.symbolField("symbol");
        final TimestampField sStart = sumsSchema.timestampField("window_start");
        final TimestampField sEnd = sumsSchema.timestampField("window_end");
        final Int64Field sCount = sumsSchema.int64Field("count");
        final Int64Field sVolume = sumsSchema.int64Field("volume");
        final Int64Field sNotionalCents = sumsSchema.int64Field("notional_cents");

        final DataStream vwap = vwapWindows.aggregate(VWAP_WINDOW_STAGE, sums)
            .map("vwap", VWAP, (in, out) -> out
                .putSymbolAsLong(V_SYMBOL, in.symbolAsLong(sSymbol))
                .put(V_START, in.get(sStart))
                .put(V_END, in.get(sEnd))
                .put(V_TRADES, in.get(sCount))
                .put(V_VOLUME, in.get(sVolume))
                .put(V_NOTIONAL, in.get(sNotionalCents) / 100.0)
                .put(V_VWAP, in.get(sNotionalCents) / (100.0 * in.get(sVolume))));
        vwap.sinkToCsv("vwap-out", resultsDir.resolve(VWAP_CSV));
        vwap.sink("vwap-latency", vwapLatency);

        final DataStream alerts = vwap
            .filter("risk-limit", (in) -> limits.isBreached(in.symbolAsLong(V_SYMBOL), in.get(V_VOLUME),
                in.get(V_NOTIONAL)))
            .map("alert", ALERT, (in, out) ->
            {
                final int symbol = limits.indexOf(in.symbolAsLong(V_SYMBOL));
                out.putSymbolAsLong(A_SYMBOL, in.symbolAsLong(V_SYMBOL))
                    .put(A_START, in.get(V_START))
                    .put(A_END, in.get(V_END))
                    .put(A_VOLUME, in.get(V_VOLUME))
                    .put(A_VOLUME_LIMIT, limits.volumeLimit(symbol))
                    .put(A_NOTIONAL, in.get(V_NOTIONAL))
                    .put(A_NOTIONAL_LIMIT, limits.notionalLimit(symbol));
            });
        alerts.sinkToCsv("alerts-out", resultsDir.resolve(ALERTS_CSV));
        alerts.sink("alerts-latency", alertsLatency);

        final WindowedStream rollupWindows = pipeline.generator(TELEMETRY_SOURCE, TelemetryGenerator.METRIC,
                new SourceOptions().ratePerSecond(telemetry.schedule().ratePerSecond())
                    .maxRecords(telemetry.schedule().maxRecords()), telemetry)
            .keyBy("service", 1)
            .window(Windows.tumbling(ROLLUP_WINDOW));
        final DataStream rollups = rollupWindows.aggregate(ROLLUP_WINDOW_STAGE, ROLLUP_AGGREGATE);
        final LatencySink rollupLatency = new LatencySink("telemetry", rollups.schema().timestampField("window_end"),
            telemetry.schedule(), clock, warmupNs);
        rollups.sinkToCsv("telemetry-out", resultsDir.resolve(TELEMETRY_CSV));
        rollups.sink("telemetry-latency", rollupLatency);
        return new Sinks(vwapLatency, alertsLatency, rollupLatency);
    }
}
