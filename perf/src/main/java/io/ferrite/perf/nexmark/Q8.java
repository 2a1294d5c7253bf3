package io.ferrite.perf.nexmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.Windows;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * NEXMark q8, monitor new users: the people created in each 10 s tumbling window who put up at least one auction in
 * the same window, one line per person and window.
 * <pre>
 * auctions -&gt; keyBy seller -&gt; tumbling 10 s: count         (one record per seller and window)
 * persons  -&gt; keyBy id ------------------------------------&gt; window join, tumbling 10 s, id = seller
 *                                                            -&gt; windowStart, windowEnd, personId, name
 * </pre>
 * A window join alone would pair a person with each of their auctions in the window, so the auctions are first
 * reduced to one record per seller and window (as Flink's q8 groups both sides by window before its join). That
 * record's event time is {@code window_end - 1}, inside the very window it stands for, so it meets the person in the
 * same tumbling window of the join; a person whose auctions fall in another window meets no record of theirs. The
 * join fires when the watermark passes the window's end, which the seller stage passes on only after it has emitted
 * that window's records, and at the end of the input. Both sides are keyed by the person's id at the query's
 * parallelism; the name is copied as bytes.
 */
public final class Q8 implements NexmarkQuery
{
    /** The window length. */
    public static final Duration WINDOW = Duration.ofSeconds(10);

    /** The output: {@code windowStart,windowEnd,personId,name}. */
    public static final Schema OUTPUT = Schema.builder("q8")
        .timestamp("windowStart", TimeUnit.MILLISECONDS).timestamp("windowEnd", TimeUnit.MILLISECONDS)
        .int64("personId").symbol("name", NexmarkSchemas.NAME_LENGTH)
        .build();

    private static final TimestampField OUT_START = OUTPUT.timestampField("windowStart");
    private static final TimestampField OUT_END = OUTPUT.timestampField("windowEnd");
    private static final Int64Field OUT_ID = OUTPUT.int64Field("personId");
    private static final SymbolField OUT_NAME = OUTPUT.symbolField("name");

    /**
     * The query.
     */
    public Q8()
    {
    }

    @Override
    public String name()
    {
        return "q8";
    }

    @Override
    public String columns()
    {
        return OUTPUT.csvHeader();
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        final DataStream sellers = in.auctions().keyBy("seller", parallelism)
            .window(Windows.tumbling(WINDOW))
            .aggregate("q8-sellers", Aggregates.count("auctions"));
        return in.persons().keyBy("id", parallelism)
            .join(sellers.keyBy("seller", parallelism))
            .window(Windows.tumbling(WINDOW))
            .apply("q8-new-sellers", OUTPUT, (person, seller, windowStart, windowEnd, out) ->
            {
                out.put(OUT_START, windowStart).put(OUT_END, windowEnd)
                    .put(OUT_ID, person.get(NexmarkSchemas.PERSON_ID));
                NexmarkSource.copy(person, NexmarkSchemas.PERSON_NAME, out, OUT_NAME);
            });
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final long size = WINDOW.toMillis();
        final Set<String> sellerWindows = new HashSet<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Auction auction)
            {
                sellerWindows.add(auction.seller() + "@" + References.alignedStart(auction.dateTime(), size));
            }
        }
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Person person)
            {
                final long start = References.alignedStart(person.dateTime(), size);
                if (sellerWindows.contains(person.id() + "@" + start))
                {
                    lines.add(start + "," + (start + size) + "," + person.id() + "," + References.csv(person.name()));
                }
            }
        }
        return References.sorted(lines);
    }
}
