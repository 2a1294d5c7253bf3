package io.ferrite.perf.latency;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.KeyedProcessFunction;
import io.ferrite.engine.MapFunction;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.SourceOptions;
import io.ferrite.engine.WindowedStream;
import io.ferrite.engine.Windows;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * The workloads as Ferrite pipelines. The generator source is not journaled and the job takes no checkpoints: the
 * Disruptor baseline does neither, and the harness compares the same work. Stages (a keyed edge starts one; the
 * operators after it are chained into it):
 * <pre>
 * passthrough  [trades -> notional] -> keyBy symbol -> [copy -> sink]                                  2 stages
 * vwap         [trades -> notional] -> keyBy symbol -> [sliding window sums -> VWAP -> sink]           2 stages
 * q5           [bids] -> keyBy auction -> [sliding window count] -> keyBy window_end -> [max, ties -> sink]  3
 * </pre>
 */
final class FerriteWorkloads
{
    static final String SOURCE = "source";
    static final String WINDOW_STAGE = "vwap-window";

    static final Schema TRADE = Schema.builder("trade")
        .int64("sequence").timestamp("time", TimeUnit.MICROSECONDS).int64("symbol").int64("price_cents")
        .int64("quantity").build();
    static final Int64Field T_SEQUENCE = TRADE.int64Field("sequence");
    static final TimestampField T_TIME = TRADE.timestampField("time");
    static final Int64Field T_SYMBOL = TRADE.int64Field("symbol");
    static final Int64Field T_PRICE = TRADE.int64Field("price_cents");
    static final Int64Field T_QUANTITY = TRADE.int64Field("quantity");

    static final Schema NOTIONAL = Schema.builder("notional")
        .int64("sequence").timestamp("time", TimeUnit.MICROSECONDS).int64("symbol").int64("quantity")
        .int64("notional_cents").build();
    static final Int64Field N_SEQUENCE = NOTIONAL.int64Field("sequence");
    static final TimestampField N_TIME = NOTIONAL.timestampField("time");
    static final Int64Field N_SYMBOL = NOTIONAL.int64Field("symbol");
    static final Int64Field N_QUANTITY = NOTIONAL.int64Field("quantity");
    static final Int64Field N_NOTIONAL = NOTIONAL.int64Field("notional_cents");

    static final Schema VWAP = Schema.builder("vwap")
        .int64("symbol").timestamp("window_start", TimeUnit.MICROSECONDS)
        .timestamp("window_end", TimeUnit.MICROSECONDS).int64("trades").int64("volume").int64("notional_cents")
        .float64("vwap").build();
    static final Int64Field V_SYMBOL = VWAP.int64Field("symbol");
    static final TimestampField V_START = VWAP.timestampField("window_start");
    static final TimestampField V_END = VWAP.timestampField("window_end");
    static final Int64Field V_TRADES = VWAP.int64Field("trades");
    static final Int64Field V_VOLUME = VWAP.int64Field("volume");
    static final Int64Field V_NOTIONAL = VWAP.int64Field("notional_cents");
    static final Float64Field V_VWAP = VWAP.float64Field("vwap");

    static final Schema BID = Schema.builder("bid")
        .int64("sequence").timestamp("time", TimeUnit.MICROSECONDS).int64("auction").int64("price").build();
    static final Int64Field B_SEQUENCE = BID.int64Field("sequence");
    static final TimestampField B_TIME = BID.timestampField("time");
    static final Int64Field B_AUCTION = BID.int64Field("auction");
    static final Int64Field B_PRICE = BID.int64Field("price");

    /**
     * The chained map of passthrough and vwap: a trade's notional in cents, the other fields copied.
     */
    static final MapFunction NOTIONAL_MAP = (in, out) -> out
        .put(N_SEQUENCE, in.get(T_SEQUENCE))
        .put(N_TIME, in.get(T_TIME))
        .put(N_SYMBOL, in.get(T_SYMBOL))
        .put(N_QUANTITY, in.get(T_QUANTITY))
        .put(N_NOTIONAL, in.get(T_PRICE) * in.get(T_QUANTITY));

    /**
     * Passthrough's stage after the hop: a copy of every field.
     */
    static final KeyedProcessFunction COPY = (in, ctx, out) ->
    {
        out.begin()
            .put(N_SEQUENCE, in.get(N_SEQUENCE))
            .put(N_TIME, in.get(N_TIME))
            .put(N_SYMBOL, in.get(N_SYMBOL))
            .put(N_QUANTITY, in.get(N_QUANTITY))
            .put(N_NOTIONAL, in.get(N_NOTIONAL));
        out.emit();
    };

    private FerriteWorkloads()
    {
    }

    /**
     * Add a workload's operators to a pipeline.
     *
     * @param pipeline the pipeline.
     * @param options  the run's options.
     * @param input    the generated input.
     * @param stats    the generator's schedule and lag.
     * @param recorder where the sink records latencies.
     * @param capture  where the sink also writes each result as text, or null.
     */
    static void build(
        final Pipeline pipeline,
        final LatencyOptions options,
        final LatencyInput input,
        final GeneratorStats stats,
        final LatencyRecorder recorder,
        final List<String> capture)
    {
        final SourceOptions source = new SourceOptions().journaled(false).ratePerSecond(options.rate)
            .maxRecords(options.maxRecords());
        switch (options.workload)
        {
            case PASSTHROUGH:
                pipeline.generator(SOURCE, TRADE, source, trades(input, stats))
                    .map("notional", NOTIONAL, NOTIONAL_MAP)
                    .keyBy("symbol", 1)
                    .process("copy", NOTIONAL, null, COPY)
                    .sink("latency", (record) ->
                    {
                        final long sequence = record.get(N_SEQUENCE);
                        recorder.onEvent(sequence, LatencyRecorder.hash(sequence, record.get(N_SYMBOL),
                            record.get(N_QUANTITY), record.get(N_NOTIONAL)));
                        if (null != capture)
                        {
                            capture.add(passthroughText(sequence, record.get(N_SYMBOL), record.get(N_QUANTITY),
                                record.get(N_NOTIONAL)));
                        }
                    });
                break;
            case VWAP:
                vwap(pipeline.generator(SOURCE, TRADE, source, trades(input, stats))
                    .map("notional", NOTIONAL, NOTIONAL_MAP), options)
                    .sink("latency", (record) ->
                    {
                        final long symbol = record.get(V_SYMBOL);
                        final long end = record.get(V_END);
                        final long trades = record.get(V_TRADES);
                        final long volume = record.get(V_VOLUME);
                        final long notional = record.get(V_NOTIONAL);
                        recorder.onWindowResult(end, LatencyRecorder.hash(symbol, end, trades,
                            LatencyRecorder.hash(volume, notional, Double.doubleToLongBits(record.get(V_VWAP)), 0)));
                        if (null != capture)
                        {
                            capture.add(vwapText(symbol, record.get(V_START), end, trades, volume, notional,
                                record.get(V_VWAP)));
                        }
                    });
                break;
            default:
                Q5.build(pipeline.generator(SOURCE, BID, source, bids(input, stats)),
                    Duration.ofMillis(options.windowMs), Duration.ofMillis(options.slideMs))
                    .sink("latency", (record) ->
                    {
                        final long end = record.get(Q5.R_END);
                        final long auction = record.get(Q5.R_AUCTION);
                        final long count = record.get(Q5.R_COUNT);
                        final long ties = record.get(Q5.R_TIES);
                        recorder.onWindowResult(end, LatencyRecorder.hash(end, auction, count, ties));
                        if (null != capture)
                        {
                            capture.add(q5Text(record.get(Q5.R_START), end, auction, count, ties));
                        }
                    });
                break;
        }
    }

    private static DataStream vwap(final DataStream notional, final LatencyOptions options)
    {
        final WindowedStream windows = notional.keyBy("symbol", 1)
            .window(Windows.sliding(Duration.ofMillis(options.windowMs), Duration.ofMillis(options.slideMs)));
        final AggregateFunction sums = Aggregates.of(
            Aggregates.sum(NOTIONAL, "notional_cents", "notional_cents"),
            Aggregates.sum(NOTIONAL, "quantity", "volume"));
        final Schema sumsSchema = windows.outputSchema(WINDOW_STAGE, sums);
        final Int64Field sSymbol = sumsSchema.int64Field("symbol");
        final TimestampField sStart = sumsSchema.timestampField("window_start");
        final TimestampField sEnd = sumsSchema.timestampField("window_end");
        final Int64Field sCount = sumsSchema.int64Field("count");
        final Int64Field sVolume = sumsSchema.int64Field("volume");
        final Int64Field sNotional = sumsSchema.int64Field("notional_cents");
        return windows.aggregate(WINDOW_STAGE, sums)
            .map("vwap", VWAP, (in, out) -> out
                .put(V_SYMBOL, in.get(sSymbol))
                .put(V_START, in.get(sStart))
                .put(V_END, in.get(sEnd))
                .put(V_TRADES, in.get(sCount))
                .put(V_VOLUME, in.get(sVolume))
                .put(V_NOTIONAL, in.get(sNotional))
                .put(V_VWAP, vwapOf(in.get(sNotional), in.get(sVolume))));
    }

    /**
     * The volume-weighted average price, in currency units.
     *
     * @param notionalCents the window's notional in cents.
     * @param volume        its volume.
     * @return the VWAP.
     */
    static double vwapOf(final long notionalCents, final long volume)
    {
        return notionalCents / (100.0 * volume);
    }

    private static GeneratorFunction trades(final LatencyInput input, final GeneratorStats stats)
    {
        return (sequence, out) ->
        {
            final long timeUs = stats.onRecord(sequence);
            out.put(T_SEQUENCE, sequence)
                .put(T_TIME, timeUs)
                .put(T_SYMBOL, input.symbol(sequence))
                .put(T_PRICE, input.priceCents(sequence))
                .put(T_QUANTITY, input.quantity(sequence));
            return true;
        };
    }

    private static GeneratorFunction bids(final LatencyInput input, final GeneratorStats stats)
    {
        return (sequence, out) ->
        {
            final long timeUs = stats.onRecord(sequence);
            out.put(B_SEQUENCE, sequence)
                .put(B_TIME, timeUs)
                .put(B_AUCTION, input.auction(sequence, timeUs))
                .put(B_PRICE, input.bidPrice(sequence));
            return true;
        };
    }

    static String passthroughText(final long sequence, final long symbol, final long quantity, final long notional)
    {
        return sequence + "," + symbol + "," + quantity + "," + notional;
    }

    static String vwapText(
        final long symbol,
        final long start,
        final long end,
        final long trades,
        final long volume,
        final long notional,
        final double vwap)
    {
        return String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%s", symbol, start, end, trades, volume, notional,
            Double.toString(vwap));
    }

    static String q5Text(final long start, final long end, final long auction, final long count, final long ties)
    {
        return start + "," + end + "," + auction + "," + count + "," + ties;
    }
}
