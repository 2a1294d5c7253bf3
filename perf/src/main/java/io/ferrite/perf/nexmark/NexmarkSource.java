package io.ferrite.perf.nexmark;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.RecordView;
import io.ferrite.engine.RecordWriter;
import io.ferrite.engine.SourceOptions;
import io.ferrite.engine.WatermarkStrategy;
import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * The one source every query reads: events in the union schema {@link NexmarkSchemas#EVENT}, event time
 * {@code dateTime}, watermark the largest {@code dateTime} seen minus 4,000 ms; and the split of it into the three
 * typed streams.
 */
public final class NexmarkSource
{
    /** How far the watermark trails the largest event time seen. */
    public static final long WATERMARK_DELAY_MS = 4_000;

    static final Schema EVENT = NexmarkSchemas.EVENT;
    static final SymbolField KIND = EVENT.symbolField("kind");
    static final TimestampField TIME = EVENT.timestampField("dateTime");
    static final Int64Field ID = EVENT.int64Field("id");
    static final SymbolField NAME = EVENT.symbolField("name");
    static final SymbolField EMAIL = EVENT.symbolField("emailAddress");
    static final SymbolField CREDIT_CARD = EVENT.symbolField("creditCard");
    static final SymbolField CITY = EVENT.symbolField("city");
    static final SymbolField STATE = EVENT.symbolField("state");
    static final SymbolField ITEM_NAME = EVENT.symbolField("itemName");
    static final SymbolField DESCRIPTION = EVENT.symbolField("description");
    static final Int64Field INITIAL_BID = EVENT.int64Field("initialBid");
    static final Int64Field RESERVE = EVENT.int64Field("reserve");
    static final TimestampField EXPIRES = EVENT.timestampField("expires");
    static final Int64Field SELLER = EVENT.int64Field("seller");
    static final Int64Field CATEGORY = EVENT.int64Field("category");
    static final Int64Field AUCTION = EVENT.int64Field("auction");
    static final Int64Field BIDDER = EVENT.int64Field("bidder");
    static final Int64Field PRICE = EVENT.int64Field("price");

    /** The kind symbols as the longs {@link RecordView#symbolAsLong} returns, so a filter compares two longs. */
    static final long KIND_PERSON = kindAsLong("P");
    static final long KIND_AUCTION = kindAsLong("A");
    static final long KIND_BID = kindAsLong("B");

    private static final Schema PERSON = NexmarkSchemas.PERSON;
    private static final Schema AUCTION_SCHEMA = NexmarkSchemas.AUCTION;
    private static final Schema BID = NexmarkSchemas.BID;

    /** The typed schemas' fields the split fills, looked up once rather than per record. */
    private static final SymbolField P_EMAIL = PERSON.symbolField("emailAddress");
    private static final SymbolField P_CREDIT_CARD = PERSON.symbolField("creditCard");
    private static final SymbolField A_ITEM_NAME = AUCTION_SCHEMA.symbolField("itemName");
    private static final SymbolField A_DESCRIPTION = AUCTION_SCHEMA.symbolField("description");
    private static final Int64Field A_INITIAL_BID = AUCTION_SCHEMA.int64Field("initialBid");
    private static final Int64Field A_RESERVE = AUCTION_SCHEMA.int64Field("reserve");
    private static final TimestampField A_EXPIRES = AUCTION_SCHEMA.timestampField("expires");

    private NexmarkSource()
    {
    }

    /**
     * The source options every query's event source uses: event time {@code dateTime}, and a watermark of the largest
     * {@code dateTime} seen minus 4,000 ms (the engine's watermark trails the bound by one more unit).
     *
     * @return new options, to which the caller may add a rate or a record limit.
     */
    public static SourceOptions options()
    {
        return new SourceOptions()
            .timestampField("dateTime")
            .watermarks(WatermarkStrategy.boundedOutOfOrderness(WATERMARK_DELAY_MS - 1));
    }

    /**
     * Split the union stream into persons, auctions and bids: a filter on {@code kind} and a copy of the kind's fields
     * into its own schema each, allocation-free.
     *
     * @param events the union stream, schema {@link NexmarkSchemas#EVENT}.
     * @return the three typed streams.
     */
    public static NexmarkStreams split(final DataStream events)
    {
        if (events.schema() != EVENT && !events.schema().equals(EVENT))
        {
            throw new IllegalArgumentException("not a NEXMark event stream: " + events.schema());
        }
        final DataStream persons = events
            .filter("persons", (in) -> in.symbolAsLong(KIND) == KIND_PERSON)
            .map("person", PERSON, (in, out) ->
            {
                out.put(NexmarkSchemas.PERSON_ID, in.get(ID));
                copy(in, NAME, out, NexmarkSchemas.PERSON_NAME);
                copy(in, EMAIL, out, P_EMAIL);
                copy(in, CREDIT_CARD, out, P_CREDIT_CARD);
                copy(in, CITY, out, NexmarkSchemas.PERSON_CITY);
                copy(in, STATE, out, NexmarkSchemas.PERSON_STATE);
                out.put(NexmarkSchemas.PERSON_TIME, in.get(TIME));
            });
        final DataStream auctions = events
            .filter("auctions", (in) -> in.symbolAsLong(KIND) == KIND_AUCTION)
            .map("auction", AUCTION_SCHEMA, (in, out) ->
            {
                out.put(NexmarkSchemas.AUCTION_ID, in.get(ID));
                copy(in, ITEM_NAME, out, A_ITEM_NAME);
                copy(in, DESCRIPTION, out, A_DESCRIPTION);
                out.put(A_INITIAL_BID, in.get(INITIAL_BID))
                    .put(A_RESERVE, in.get(RESERVE))
                    .put(NexmarkSchemas.AUCTION_TIME, in.get(TIME))
                    .put(A_EXPIRES, in.get(EXPIRES))
                    .put(NexmarkSchemas.AUCTION_SELLER, in.get(SELLER))
                    .put(NexmarkSchemas.AUCTION_CATEGORY, in.get(CATEGORY));
            });
        final DataStream bids = events
            .filter("bids", (in) -> in.symbolAsLong(KIND) == KIND_BID)
            .map("bid", BID, (in, out) -> out
                .put(NexmarkSchemas.BID_AUCTION, in.get(AUCTION))
                .put(NexmarkSchemas.BID_BIDDER, in.get(BIDDER))
                .put(NexmarkSchemas.BID_PRICE, in.get(PRICE))
                .put(NexmarkSchemas.BID_TIME, in.get(TIME)));
        return new NexmarkStreams(persons, auctions, bids);
    }

    /**
     * Fill a union record from a plain event (allocates for the strings: for tests and the file reader, not a hot
     * path).
     *
     * @param event the event.
     * @param out   a zeroed record of {@link NexmarkSchemas#EVENT}.
     */
    public static void write(final NexmarkEvent event, final RecordWriter out)
    {
        if (event instanceof NexmarkEvent.Person person)
        {
            out.put(KIND, "P").put(TIME, person.dateTime()).put(ID, person.id()).put(NAME, person.name())
                .put(EMAIL, person.emailAddress()).put(CREDIT_CARD, person.creditCard()).put(CITY, person.city())
                .put(STATE, person.state());
        }
        else if (event instanceof NexmarkEvent.Auction auction)
        {
            out.put(KIND, "A").put(TIME, auction.dateTime()).put(ID, auction.id()).put(ITEM_NAME, auction.itemName())
                .put(DESCRIPTION, auction.description()).put(INITIAL_BID, auction.initialBid())
                .put(RESERVE, auction.reserve()).put(EXPIRES, auction.expires()).put(SELLER, auction.seller())
                .put(CATEGORY, auction.category());
        }
        else
        {
            final NexmarkEvent.Bid bid = (NexmarkEvent.Bid)event;
            out.put(KIND, "B").put(TIME, bid.dateTime()).put(AUCTION, bid.auction()).put(BIDDER, bid.bidder())
                .put(PRICE, bid.price());
        }
    }

    /**
     * Read a union record back as a plain event (allocates: for tests and references).
     *
     * @param buffer the buffer holding a record of {@link NexmarkSchemas#EVENT}.
     * @param offset where the record starts.
     * @return the event its kind says.
     * @throws IllegalArgumentException if the kind is not P, A or B.
     */
    public static NexmarkEvent read(final DirectBuffer buffer, final int offset)
    {
        final long kind = KIND.getAsLong(buffer, offset);
        final long time = TIME.get(buffer, offset);
        if (kind == KIND_PERSON)
        {
            return new NexmarkEvent.Person(ID.get(buffer, offset), NAME.getString(buffer, offset),
                EMAIL.getString(buffer, offset), CREDIT_CARD.getString(buffer, offset), CITY.getString(buffer, offset),
                STATE.getString(buffer, offset), time);
        }
        if (kind == KIND_AUCTION)
        {
            return new NexmarkEvent.Auction(ID.get(buffer, offset), ITEM_NAME.getString(buffer, offset),
                DESCRIPTION.getString(buffer, offset), INITIAL_BID.get(buffer, offset), RESERVE.get(buffer, offset),
                time, EXPIRES.get(buffer, offset), SELLER.get(buffer, offset), CATEGORY.get(buffer, offset));
        }
        if (kind == KIND_BID)
        {
            return new NexmarkEvent.Bid(AUCTION.get(buffer, offset), BIDDER.get(buffer, offset),
                PRICE.get(buffer, offset), time);
        }
        throw new IllegalArgumentException("not a NEXMark event kind: '" + KIND.getString(buffer, offset) + "'");
    }

    /**
     * Copy a symbol field between records of two schemas whose fields have the same width, as bytes: no decoding,
     * no allocation.
     *
     * @param in   the record read.
     * @param from its field.
     * @param out  the record written.
     * @param to   its field, as wide as {@code from}.
     * @throws IllegalStateException if the fields differ in width.
     */
    static void copy(final RecordView in, final SymbolField from, final RecordWriter out, final SymbolField to)
    {
        checkSameWidth(from, to);
        out.mutableBuffer().putBytes(out.offset() + to.offset(), in.buffer(), in.offset() + from.offset(),
            from.width());
    }

    private static void checkSameWidth(final Field from, final Field to)
    {
        if (from.width() != to.width())
        {
            throw new IllegalStateException("fields differ in width: " + from + " and " + to);
        }
    }

    private static long kindAsLong(final String kind)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[EVENT.recordLength()]);
        KIND.put(scratch, 0, kind);
        return KIND.getAsLong(scratch, 0);
    }
}
