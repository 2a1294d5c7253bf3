package io.ferrite.perf.nexmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.WindowedStream;
import io.ferrite.engine.Windows;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * NEXMark q5, hot items: in each sliding window of 10 s every 2 s, the auction or auctions with the most bids (every
 * one of them on a tie).
 * <pre>
 * bids -&gt; keyBy auction -&gt; sliding 10 s every 2 s: count -&gt; windowStart, windowEnd, auction, count   (counts)
 * counts -&gt; keyBy windowEnd -&gt; tumbling 2 s: max(count)                                             (maxima)
 * counts -&gt; keyBy count ------------------------------------&gt; window join with maxima keyBy maxCount,
 *                                                             tumbling 2 s -&gt; the counts equal to their maximum
 * </pre>
 * As Flink's q5 does, the counts are joined with their window's maximum (Beam's combines a list of the leaders
 * instead, which would need a list per window in state). A window result's event time is {@code window_end - 1}, and
 * the sliding windows' ends are multiples of the 2 s slide, so the epoch-aligned tumbling window of the slide's length
 * that holds a count is {@code [windowEnd - 2 s, windowEnd)}: it holds the counts of exactly one sliding window. The
 * maximum is therefore a plain tumbling-window aggregate over the counts, and in the join the tumbling window already
 * separates the sliding windows, so the join's key only has to say "equal to the maximum": keying the counts by
 * {@code count} and the maxima by {@code maxCount} makes the join emit exactly the leaders, every tie, with no filter.
 * Each stage passes a watermark on only after emitting the windows it closed, so a window's maximum reaches the join
 * before the join's watermark passes that window's end; the end of the input fires every window left, stage by stage.
 */
public final class Q5 implements NexmarkQuery
{
    /** The window length. */
    public static final Duration WINDOW = Duration.ofSeconds(10);
    /** The distance between window starts. */
    public static final Duration SLIDE = Duration.ofSeconds(2);

    /** The output: {@code windowStart,windowEnd,auction,count}; also the schema of every auction's count. */
    public static final Schema OUTPUT = Schema.builder("q5")
        .timestamp("windowStart", TimeUnit.MILLISECONDS).timestamp("windowEnd", TimeUnit.MILLISECONDS)
        .int64("auction").int64("count")
        .build();

    private static final String COUNTS = "q5-bids-per-auction";
    private static final TimestampField OUT_START = OUTPUT.timestampField("windowStart");
    private static final TimestampField OUT_END = OUTPUT.timestampField("windowEnd");
    private static final Int64Field OUT_AUCTION = OUTPUT.int64Field("auction");
    private static final Int64Field OUT_COUNT = OUTPUT.int64Field("count");

    /**
     * The query.
     */
    public Q5()
    {
    }

    @Override
    public String name()
    {
        return "q5";
    }

    @Override
    public String columns()
    {
        return OUTPUT.csvHeader();
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        final WindowedStream sliding = in.bids().keyBy("auction", parallelism).window(Windows.sliding(WINDOW, SLIDE));
        final AggregateFunction count = Aggregates.count("bids");
        final Schema results = sliding.outputSchema(COUNTS, count);
        final Int64Field auction = results.int64Field("auction");
        final TimestampField start = results.timestampField("window_start");
        final TimestampField end = results.timestampField("window_end");
        final Int64Field bids = results.int64Field("bids");
        final DataStream counts = sliding.aggregate(COUNTS, count)
            .map("q5-counts", OUTPUT, (result, out) -> out
                .put(OUT_START, result.get(start))
                .put(OUT_END, result.get(end))
                .put(OUT_AUCTION, result.get(auction))
                .put(OUT_COUNT, result.get(bids)));
        final DataStream maxima = counts.keyBy("windowEnd", parallelism)
            .window(Windows.tumbling(SLIDE))
            .aggregate("q5-max-count", Aggregates.max(OUTPUT, "count", "maxCount"));
        return counts.keyBy("count", parallelism)
            .join(maxima.keyBy("maxCount", parallelism))
            .window(Windows.tumbling(SLIDE))
            .apply("q5-leaders", OUTPUT, (leader, max, windowStart, windowEnd, out) -> out.copyFrom(leader));
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final long size = WINDOW.toMillis();
        final long slide = SLIDE.toMillis();
        final Map<Long, Map<Long, Long>> countsByStart = new TreeMap<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                for (long start = References.alignedStart(bid.dateTime(), slide); start > bid.dateTime() - size;
                    start -= slide)
                {
                    countsByStart.computeIfAbsent(start, (k) -> new HashMap<>()).merge(bid.auction(), 1L, Long::sum);
                }
            }
        }
        final List<String> lines = new ArrayList<>();
        for (final Map.Entry<Long, Map<Long, Long>> window : countsByStart.entrySet())
        {
            long max = 0;
            for (final long c : window.getValue().values())
            {
                max = Math.max(max, c);
            }
            for (final Map.Entry<Long, Long> auctionCount : window.getValue().entrySet())
            {
                if (auctionCount.getValue() == max)
                {
                    lines.add(window.getKey() + "," + (window.getKey() + size) + "," + auctionCount.getKey() + "," +
                        max);
                }
            }
        }
        return References.sorted(lines);
    }
}
