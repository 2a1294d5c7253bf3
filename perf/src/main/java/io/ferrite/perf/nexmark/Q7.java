package io.ferrite.perf.nexmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ferrite.engine.Collector;
import io.ferrite.engine.DataStream;
import io.ferrite.engine.KeyedContext;
import io.ferrite.engine.KeyedProcessFunction;
import io.ferrite.engine.RecordView;
import io.ferrite.engine.RecordWriter;
import io.ferrite.engine.TimeDomain;
import io.ferrite.engine.Windows;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * NEXMark q7, highest bid: every bid whose price equals the highest price of its 10 s tumbling window (every one of
 * them when several share it).
 * <pre>
 * bids -&gt; keyBy auction -&gt; drop bids below their auction's running maximum in their window       (candidates)
 * candidates -&gt; keyBy auction -&gt; tumbling 10 s: max(price)     (one partial maximum per auction and window)
 *            -&gt; keyBy window_end -&gt; tumbling 10 s: max(maxPrice) (the window's maximum)
 * candidates -&gt; keyBy price -------------------------------------&gt; window join, tumbling 10 s, price = maxPrice
 *                             -&gt; windowStart, windowEnd, auction, bidder, price, dateTime
 * </pre>
 * The join must hold its window's bids until the window's maximum is known, so a first keyed stage drops the bids
 * that cannot be the maximum: one priced below an earlier bid on the same auction in the same window (Flink's q7
 * keeps every bid in its join's state instead). It keeps, per auction, the two newest windows it had bids in and the
 * highest price seen in each (a bid of an older window, which the 4 s watermark makes rare, passes), and event-time
 * timers at the windows' ends forget a closed window and free the state of an auction with no open one. With prices
 * in random order, about the logarithm of an auction's bids in a window pass.
 * <p>
 * The maximum is taken in two steps so that no stage sees every bid on one instance: partial maxima per auction at the
 * query's parallelism, then one maximum per window from the partials (keyed by the window, so different windows may
 * land on different instances). Its record's event time is {@code window_end - 1}, inside the window it stands for.
 * Keying the join by price makes the join's equality the query's condition: a bid pairs with its window's maximum
 * exactly when its price equals it, so the join emits the answer with no filter after it, and the bids spread
 * across the instances by price. The join fires a window once the watermark passes its end on both inputs; the
 * maximum's input gets there only after the maximum has been emitted, so no maximum arrives after its window fired.
 */
public final class Q7 implements NexmarkQuery
{
    /** The window length. */
    public static final Duration WINDOW = Duration.ofSeconds(10);

    /** The output: {@code windowStart,windowEnd,auction,bidder,price,dateTime}. */
    public static final Schema OUTPUT = Schema.builder("q7")
        .timestamp("windowStart", TimeUnit.MILLISECONDS).timestamp("windowEnd", TimeUnit.MILLISECONDS)
        .int64("auction").int64("bidder").int64("price").timestamp("dateTime", TimeUnit.MILLISECONDS)
        .build();

    private static final TimestampField OUT_START = OUTPUT.timestampField("windowStart");
    private static final TimestampField OUT_END = OUTPUT.timestampField("windowEnd");
    private static final Int64Field OUT_AUCTION = OUTPUT.int64Field("auction");
    private static final Int64Field OUT_BIDDER = OUTPUT.int64Field("bidder");
    private static final Int64Field OUT_PRICE = OUTPUT.int64Field("price");
    private static final TimestampField OUT_TIME = OUTPUT.timestampField("dateTime");

    /**
     * The query.
     */
    public Q7()
    {
    }

    @Override
    public String name()
    {
        return "q7";
    }

    @Override
    public String columns()
    {
        return OUTPUT.csvHeader();
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        final DataStream candidates = in.bids().keyBy("auction", parallelism)
            .process("q7-candidates", NexmarkSchemas.BID, RunningMax.STATE, new RunningMax(WINDOW.toMillis()));
        final DataStream partials = candidates.keyBy("auction", parallelism)
            .window(Windows.tumbling(WINDOW))
            .aggregate("q7-auction-max", Aggregates.max(NexmarkSchemas.BID, "price", "maxPrice"));
        final TimestampField partialEnd = partials.schema().timestampField("window_end");
        final DataStream maxima = partials.keyBy("window_end", (partial) -> partial.get(partialEnd), parallelism)
            .window(Windows.tumbling(WINDOW))
            .aggregate("q7-window-max", Aggregates.max(partials.schema(), "maxPrice", "maxPrice"));
        return candidates.keyBy("price", parallelism)
            .join(maxima.keyBy("maxPrice", parallelism))
            .window(Windows.tumbling(WINDOW))
            .apply("q7-highest-bids", OUTPUT, (bid, max, windowStart, windowEnd, out) -> out
                .put(OUT_START, windowStart)
                .put(OUT_END, windowEnd)
                .put(OUT_AUCTION, bid.get(NexmarkSchemas.BID_AUCTION))
                .put(OUT_BIDDER, bid.get(NexmarkSchemas.BID_BIDDER))
                .put(OUT_PRICE, bid.get(NexmarkSchemas.BID_PRICE))
                .put(OUT_TIME, bid.get(NexmarkSchemas.BID_TIME)));
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final long size = WINDOW.toMillis();
        final Map<Long, Long> maxima = new HashMap<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                maxima.merge(References.alignedStart(bid.dateTime(), size), bid.price(), Math::max);
            }
        }
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                final long start = References.alignedStart(bid.dateTime(), size);
                if (bid.price() == maxima.get(start))
                {
                    lines.add(start + "," + (start + size) + "," + bid.auction() + "," + bid.bidder() + "," +
                        bid.price() + "," + bid.dateTime());
                }
            }
        }
        return References.sorted(lines);
    }

    /**
     * Drops a bid priced below an earlier bid of its auction in the same window, which cannot be the window's
     * highest; passes every other bid unchanged. It knows an auction's two newest windows, so the bids that cross a
     * window's edge out of order are filtered too.
     */
    static final class RunningMax implements KeyedProcessFunction
    {
        /** Per auction: the newest window it had a bid in and its highest price, then the window before. */
        static final Schema STATE = Schema.builder("q7_running_max")
            .timestamp("windowStart", TimeUnit.MILLISECONDS).int64("maxPrice")
            .timestamp("previousStart", TimeUnit.MILLISECONDS).int64("previousMaxPrice")
            .build();

        private static final long NONE = Long.MIN_VALUE;
        private static final TimestampField START = STATE.timestampField("windowStart");
        private static final Int64Field MAX = STATE.int64Field("maxPrice");
        private static final TimestampField PREVIOUS_START = STATE.timestampField("previousStart");
        private static final Int64Field PREVIOUS_MAX = STATE.int64Field("previousMaxPrice");

        private final long windowMs;

        RunningMax(final long windowMs)
        {
            this.windowMs = windowMs;
        }

        @Override
        public void processRecord(final RecordView bid, final KeyedContext ctx, final Collector out)
        {
            final long start = Math.floorDiv(bid.get(NexmarkSchemas.BID_TIME), windowMs) * windowMs;
            final long price = bid.get(NexmarkSchemas.BID_PRICE);
            final boolean known = ctx.hasState();
            final RecordWriter state = ctx.state();
            if (!known)
            {
                state.put(START, start).put(MAX, price).put(PREVIOUS_START, NONE);
                ctx.registerEventTimeTimer(start + windowMs - 1);
            }
            else if (start == state.get(START))
            {
                if (price < state.get(MAX))
                {
                    return;
                }
                state.put(MAX, price);
            }
            else if (start > state.get(START))
            {
                state.put(PREVIOUS_START, state.get(START)).put(PREVIOUS_MAX, state.get(MAX))
                    .put(START, start).put(MAX, price);
                ctx.registerEventTimeTimer(start + windowMs - 1);
            }
            else if (start == state.get(PREVIOUS_START))
            {
                if (price < state.get(PREVIOUS_MAX))
                {
                    return;
                }
                state.put(PREVIOUS_MAX, price);
            }
            else if (start > state.get(PREVIOUS_START))
            {
                state.put(PREVIOUS_START, start).put(PREVIOUS_MAX, price);
                ctx.registerEventTimeTimer(start + windowMs - 1);
            }
            out.begin().copyFrom(bid);
            out.emit();
        }

        @Override
        public void onTimer(final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
        {
            if (!ctx.hasState())
            {
                return;
            }
            final RecordWriter state = ctx.state();
            if (state.get(START) + windowMs - 1 <= timestamp)
            {
                ctx.clearState();
            }
            else if (state.get(PREVIOUS_START) != NONE && state.get(PREVIOUS_START) + windowMs - 1 <= timestamp)
            {
                state.put(PREVIOUS_START, NONE);
            }
        }

        @Override
        public String toString()
        {
            return "running max per auction and " + windowMs + " ms window";
        }
    }
}
