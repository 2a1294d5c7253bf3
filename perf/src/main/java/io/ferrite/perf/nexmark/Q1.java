package io.ferrite.perf.nexmark;

import java.util.ArrayList;
import java.util.List;

import io.ferrite.engine.DataStream;

/**
 * NEXMark query 1, currency conversion: every bid with its price converted, {@code price * 89 / 100} in integer
 * division ({@code auction,bidder,price,dateTime}).
 */
public final class Q1 implements NexmarkQuery
{
    /** The exchange rate's numerator. */
    public static final long RATE_NUMERATOR = 89;
    /** The exchange rate's denominator. */
    public static final long RATE_DENOMINATOR = 100;

    @Override
    public String name()
    {
        return "q1";
    }

    @Override
    public String columns()
    {
        return "auction,bidder,price,dateTime";
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        return in.bids().map("q1", NexmarkSchemas.BID, (bid, out) -> out
            .put(NexmarkSchemas.BID_AUCTION, bid.get(NexmarkSchemas.BID_AUCTION))
            .put(NexmarkSchemas.BID_BIDDER, bid.get(NexmarkSchemas.BID_BIDDER))
            .put(NexmarkSchemas.BID_PRICE, convert(bid.get(NexmarkSchemas.BID_PRICE)))
            .put(NexmarkSchemas.BID_TIME, bid.get(NexmarkSchemas.BID_TIME)));
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                lines.add(bid.auction() + "," + bid.bidder() + "," + convert(bid.price()) + "," + bid.dateTime());
            }
        }
        lines.sort(null);
        return lines;
    }

    static long convert(final long price)
    {
        return price * RATE_NUMERATOR / RATE_DENOMINATOR;
    }
}
