package io.ferrite.perf.nexmark;

import java.util.ArrayList;
import java.util.List;

import io.ferrite.engine.DataStream;

/**
 * NEXMark query 0, the pass-through: every bid, unchanged ({@code auction,bidder,price,dateTime}). It measures the
 * cost of the source, the split and the sink.
 */
public final class Q0 implements NexmarkQuery
{
    @Override
    public String name()
    {
        return "q0";
    }

    @Override
    public String columns()
    {
        return "auction,bidder,price,dateTime";
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        return in.bids().map("q0", NexmarkSchemas.BID, (bid, out) -> out.copyFrom(bid));
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                lines.add(bid.auction() + "," + bid.bidder() + "," + bid.price() + "," + bid.dateTime());
            }
        }
        lines.sort(null);
        return lines;
    }
}
