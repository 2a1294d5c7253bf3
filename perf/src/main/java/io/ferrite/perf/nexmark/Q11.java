package io.ferrite.perf.nexmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * NEXMark q11, user sessions: how many bids each bidder made in each session, a session ending after 10 s without a
 * bid.
 * <pre>
 * bids -&gt; keyBy bidder -&gt; session windows, gap 10 s: count -&gt; bidder, sessionStart, sessionEnd, bidCount
 * </pre>
 * The engine's session windows are exactly the query's: a bid at {@code t} opens {@code [t, t + gap)} and merges with
 * every session of its bidder that overlaps or touches it (as Flink's {@code TimeWindow.intersects} does), so a
 * session's {@code window_start} is its first bid's time and its {@code window_end} its last bid's time plus the gap;
 * two bids exactly 10 s apart are one session. A count aggregate gives the bids, and a map renames the columns. With
 * no allowed lateness (no bid is late under the 4 s watermark) each session fires once, when the watermark passes its
 * end or at the end of the input.
 */
public final class Q11 implements NexmarkQuery
{
    /** The inactivity that ends a session. */
    public static final Duration GAP = Duration.ofSeconds(10);

    /** The output: {@code bidder,sessionStart,sessionEnd,bidCount}. */
    public static final Schema OUTPUT = Schema.builder("q11")
        .int64("bidder").timestamp("sessionStart", TimeUnit.MILLISECONDS)
        .timestamp("sessionEnd", TimeUnit.MILLISECONDS).int64("bidCount")
        .build();

    private static final String SESSIONS = "q11-sessions";
    private static final Int64Field OUT_BIDDER = OUTPUT.int64Field("bidder");
    private static final TimestampField OUT_START = OUTPUT.timestampField("sessionStart");
    private static final TimestampField OUT_END = OUTPUT.timestampField("sessionEnd");
    private static final Int64Field OUT_COUNT = OUTPUT.int64Field("bidCount");

    /**
     * The query.
     */
    public Q11()
    {
    }

    @Override
    public String name()
    {
        return "q11";
    }

    @Override
    public String columns()
    {
        return OUTPUT.csvHeader();
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        final WindowedStream sessions = in.bids().keyBy("bidder", parallelism).window(Windows.session(GAP));
        final AggregateFunction count = Aggregates.count("bids");
        final Schema results = sessions.outputSchema(SESSIONS, count);
        final Int64Field bidder = results.int64Field("bidder");
        final TimestampField start = results.timestampField("window_start");
        final TimestampField end = results.timestampField("window_end");
        final Int64Field bids = results.int64Field("bids");
        return sessions.aggregate(SESSIONS, count)
            .map("q11-user-sessions", OUTPUT, (result, out) -> out
                .put(OUT_BIDDER, result.get(bidder))
                .put(OUT_START, result.get(start))
                .put(OUT_END, result.get(end))
                .put(OUT_COUNT, result.get(bids)));
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final long gap = GAP.toMillis();
        final Map<Long, List<Long>> times = new HashMap<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                times.computeIfAbsent(bid.bidder(), (k) -> new ArrayList<>()).add(bid.dateTime());
            }
        }
        final List<String> lines = new ArrayList<>();
        for (final Map.Entry<Long, List<Long>> entry : times.entrySet())
        {
            final List<Long> sorted = entry.getValue();
            sorted.sort(null);
            long first = sorted.get(0);
            long last = first;
            long count = 0;
            for (final long time : sorted)
            {
                if (time - last > gap)
                {
                    lines.add(entry.getKey() + "," + first + "," + (last + gap) + "," + count);
                    first = time;
                    count = 0;
                }
                last = time;
                count++;
            }
            lines.add(entry.getKey() + "," + first + "," + (last + gap) + "," + count);
        }
        return References.sorted(lines);
    }
}
