package io.ferrite.perf.nexmark;

import java.util.ArrayList;
import java.util.List;

import io.ferrite.engine.DataStream;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;

/**
 * NEXMark query 2, selection: the bids on auctions whose id is a multiple of 123 ({@code auction,price}).
 */
public final class Q2 implements NexmarkQuery
{
    /** The divisor selecting auctions. */
    public static final long AUCTION_DIVISOR = 123;

    /** The output: {@code auction,price}. */
    static final Schema OUTPUT = Schema.builder("q2").int64("auction").int64("price").build();

    private static final Int64Field AUCTION = OUTPUT.int64Field("auction");
    private static final Int64Field PRICE = OUTPUT.int64Field("price");

    @Override
    public String name()
    {
        return "q2";
    }

    @Override
    public String columns()
    {
        return "auction,price";
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        return in.bids()
            .filter("q2-select", (bid) -> bid.get(NexmarkSchemas.BID_AUCTION) % AUCTION_DIVISOR == 0)
            .map("q2", OUTPUT, (bid, out) -> out
                .put(AUCTION, bid.get(NexmarkSchemas.BID_AUCTION))
                .put(PRICE, bid.get(NexmarkSchemas.BID_PRICE)));
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid && bid.auction() % AUCTION_DIVISOR == 0)
            {
                lines.add(bid.auction() + "," + bid.price());
            }
        }
        lines.sort(null);
        return lines;
    }
}
