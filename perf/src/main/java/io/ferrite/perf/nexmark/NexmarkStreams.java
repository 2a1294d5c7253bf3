package io.ferrite.perf.nexmark;

import io.ferrite.engine.DataStream;

/**
 * The three typed event streams a query reads, split from one source whose watermark is the largest {@code dateTime}
 * seen minus 4,000 ms (so all three share it). Each stream's schema is {@link NexmarkSchemas#PERSON},
 * {@link NexmarkSchemas#AUCTION} or {@link NexmarkSchemas#BID}, with {@code dateTime} as its event time.
 *
 * @param persons  new persons.
 * @param auctions new auctions.
 * @param bids     bids.
 */
public record NexmarkStreams(DataStream persons, DataStream auctions, DataStream bids)
{
}
