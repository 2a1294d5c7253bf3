package io.ferrite.perf.latency;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.ferrite.engine.Collector;
import io.ferrite.engine.DataStream;
import io.ferrite.engine.KeyedContext;
import io.ferrite.engine.KeyedProcessFunction;
import io.ferrite.engine.RecordView;
import io.ferrite.engine.RecordWriter;
import io.ferrite.engine.TimeDomain;
import io.ferrite.engine.WindowedStream;
import io.ferrite.engine.Windows;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * NEXMark query 5's shape ("hot items") on Ferrite, for the latency harness:
 * <pre>
 * bids -> keyBy auction -> sliding window: count -> keyBy window_end -> the auction(s) with the most bids -> results
 * </pre>
 * The second stage keeps, per window, the highest count, how many auctions have it ({@code ties}) and the
 * {@value #MAX_TIES} smallest auction ids among them; when the watermark passes the window's end (its results all
 * came before that watermark) it emits one result per tied auction — every tie when there are at most
 * {@value #MAX_TIES}, which the hot auctions make the rule (a window with more ties, such as one holding a handful of
 * bids, gets the {@value #MAX_TIES} smallest ids, and {@code ties} says how many there were). The Disruptor baseline
 * applies the same rule.
 * <p>
 * <b>Why not {@code io.ferrite.perf.nexmark.Q5}:</b> NEXMark's own q5 joins the counts with each window's maximum (a
 * window join after a second window stage), reads bids in NEXMark's schema with millisecond times, and lists every tie
 * without a bound. The harness needs one pipeline that a hand-built Disruptor pipeline can mirror stage for stage, on
 * its own microsecond-stamped bids; this is that pipeline, and the NEXMark query is measured by {@code nexmark bench}.
 */
final class Q5
{
    static final int MAX_TIES = 16;
    static final String COUNT_STAGE = "q5-count";
    static final String MAX_STAGE = "q5-max";

    static final Schema RESULT = Schema.builder("q5")
        .timestamp("window_start", TimeUnit.MICROSECONDS).timestamp("window_end", TimeUnit.MICROSECONDS)
        .int64("auction").int64("count").int64("ties").build();
    static final TimestampField R_START = RESULT.timestampField("window_start");
    static final TimestampField R_END = RESULT.timestampField("window_end");
    static final Int64Field R_AUCTION = RESULT.int64Field("auction");
    static final Int64Field R_COUNT = RESULT.int64Field("count");
    static final Int64Field R_TIES = RESULT.int64Field("ties");

    private static final Schema STATE = state();
    private static final Int64Field S_START = STATE.int64Field("window_start");
    private static final Int64Field S_MAX = STATE.int64Field("max");
    private static final Int64Field S_TIES = STATE.int64Field("ties");
    private static final Int64Field[] S_AUCTIONS = auctionFields();

    private Q5()
    {
    }

    /**
     * Add q5 to a bid stream.
     *
     * @param bids   bids with {@code auction} (int64) and their event time.
     * @param window the window's size.
     * @param slide  its slide.
     * @return the results, of {@link #RESULT}.
     */
    static DataStream build(final DataStream bids, final Duration window, final Duration slide)
    {
        final WindowedStream windows = bids.keyBy("auction", 1).window(Windows.sliding(window, slide));
        final DataStream counts = windows.aggregate(COUNT_STAGE, Aggregates.count("bids"));
        return counts.keyBy("window_end", 1)
            .process(MAX_STAGE, RESULT, STATE, MAX_TIES, new MaxWithTies(counts.schema()));
    }

    private static Schema state()
    {
        final Schema.Builder builder = Schema.builder("q5-max-state").int64("window_start").int64("max").int64("ties");
        for (int i = 0; i < MAX_TIES; i++)
        {
            builder.int64("auction" + i);
        }
        return builder.build();
    }

    private static Int64Field[] auctionFields()
    {
        final Int64Field[] fields = new Int64Field[MAX_TIES];
        for (int i = 0; i < MAX_TIES; i++)
        {
            fields[i] = STATE.int64Field("auction" + i);
        }
        return fields;
    }

    /**
     * Per window (the key), the highest count and the smallest ids of the auctions that have it.
     */
    private static final class MaxWithTies implements KeyedProcessFunction
    {
        private final TimestampField inStart;
        private final Int64Field inAuction;
        private final Int64Field inCount;

        MaxWithTies(final Schema counts)
        {
            inStart = counts.timestampField("window_start");
            inAuction = counts.int64Field("auction");
            inCount = counts.int64Field("count");
        }

        @Override
        public void processRecord(final RecordView record, final KeyedContext ctx, final Collector out)
        {
            final RecordWriter state = ctx.state();
            final long count = record.get(inCount);
            final long auction = record.get(inAuction);
            final long ties = state.get(S_TIES);
            if (0 == ties)
            {
                state.put(S_START, record.get(inStart));
                ctx.registerEventTimeTimer(ctx.timestamp());
            }
            if (0 == ties || count > state.get(S_MAX))
            {
                state.put(S_MAX, count).put(S_TIES, 1).put(S_AUCTIONS[0], auction);
            }
            else if (count == state.get(S_MAX))
            {
                insert(state, (int)Math.min(ties, MAX_TIES), auction);
                state.put(S_TIES, ties + 1);
            }
        }

        /**
         * Insert an id into the ascending list of the {@value #MAX_TIES} smallest, which holds {@code held}.
         */
        private static void insert(final RecordWriter state, final int held, final long auction)
        {
            int at = held;
            while (at > 0 && state.get(S_AUCTIONS[at - 1]) > auction)
            {
                if (at < MAX_TIES)
                {
                    state.put(S_AUCTIONS[at], state.get(S_AUCTIONS[at - 1]));
                }
                at--;
            }
            if (at < MAX_TIES)
            {
                state.put(S_AUCTIONS[at], auction);
            }
        }

        @Override
        public void onTimer(
            final long timestamp,
            final TimeDomain domain,
            final KeyedContext ctx,
            final Collector out)
        {
            final RecordWriter state = ctx.state();
            final long ties = state.get(S_TIES);
            final int emitted = (int)Math.min(ties, MAX_TIES);
            for (int i = 0; i < emitted; i++)
            {
                out.begin()
                    .put(R_START, state.get(S_START))
                    .put(R_END, ctx.key())
                    .put(R_AUCTION, state.get(S_AUCTIONS[i]))
                    .put(R_COUNT, state.get(S_MAX))
                    .put(R_TIES, ties);
                out.emit();
            }
            ctx.clearState();
        }
    }
}
