package io.ferrite.perf.nexmark;

import java.util.concurrent.TimeUnit;

import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * The record schemas of NEXMark's three event types, and the union schema the source reads them into. Times are epoch
 * milliseconds; strings are symbols of bounded length (the generator never makes longer ones, and a longer one in an
 * input file is malformed).
 */
public final class NexmarkSchemas
{
    /** The longest name, item name or city. */
    public static final int NAME_LENGTH = 32;
    /** The longest e-mail address. */
    public static final int EMAIL_LENGTH = 48;
    /** A credit card number: four groups of four digits separated by spaces. */
    public static final int CREDIT_CARD_LENGTH = 19;
    /** A US state's two-letter code. */
    public static final int STATE_LENGTH = 2;
    /** The longest description. */
    public static final int DESCRIPTION_LENGTH = 64;

    /** A new person: {@code P,id,name,emailAddress,creditCard,city,state,dateTime}. */
    public static final Schema PERSON = Schema.builder("person")
        .int64("id").symbol("name", NAME_LENGTH).symbol("emailAddress", EMAIL_LENGTH)
        .symbol("creditCard", CREDIT_CARD_LENGTH).symbol("city", NAME_LENGTH).symbol("state", STATE_LENGTH)
        .timestamp("dateTime", TimeUnit.MILLISECONDS)
        .build();

    /** A new auction: {@code A,id,itemName,description,initialBid,reserve,dateTime,expires,seller,category}. */
    public static final Schema AUCTION = Schema.builder("auction")
        .int64("id").symbol("itemName", NAME_LENGTH).symbol("description", DESCRIPTION_LENGTH)
        .int64("initialBid").int64("reserve").timestamp("dateTime", TimeUnit.MILLISECONDS)
        .timestamp("expires", TimeUnit.MILLISECONDS).int64("seller").int64("category")
        .build();

    /** A bid: {@code B,auction,bidder,price,dateTime}. */
    public static final Schema BID = Schema.builder("bid")
        .int64("auction").int64("bidder").int64("price").timestamp("dateTime", TimeUnit.MILLISECONDS)
        .build();

    /**
     * Every event type in one record, as the source reads it: {@code kind} is {@code P}, {@code A} or {@code B}, the
     * fields the kind does not have are zero or empty. {@code dateTime} is the event time of all three.
     */
    public static final Schema EVENT = Schema.builder("nexmark_event")
        .symbol("kind", 1).timestamp("dateTime", TimeUnit.MILLISECONDS)
        .int64("id").symbol("name", NAME_LENGTH).symbol("emailAddress", EMAIL_LENGTH)
        .symbol("creditCard", CREDIT_CARD_LENGTH).symbol("city", NAME_LENGTH).symbol("state", STATE_LENGTH)
        .symbol("itemName", NAME_LENGTH).symbol("description", DESCRIPTION_LENGTH)
        .int64("initialBid").int64("reserve").timestamp("expires", TimeUnit.MILLISECONDS)
        .int64("seller").int64("category")
        .int64("auction").int64("bidder").int64("price")
        .build();

    /** {@link #BID}'s fields. */
    public static final Int64Field BID_AUCTION = BID.int64Field("auction");
    /** {@link #BID}'s bidder. */
    public static final Int64Field BID_BIDDER = BID.int64Field("bidder");
    /** {@link #BID}'s price. */
    public static final Int64Field BID_PRICE = BID.int64Field("price");
    /** {@link #BID}'s event time. */
    public static final TimestampField BID_TIME = BID.timestampField("dateTime");

    /** {@link #PERSON}'s id. */
    public static final Int64Field PERSON_ID = PERSON.int64Field("id");
    /** {@link #PERSON}'s name. */
    public static final SymbolField PERSON_NAME = PERSON.symbolField("name");
    /** {@link #PERSON}'s city. */
    public static final SymbolField PERSON_CITY = PERSON.symbolField("city");
    /** {@link #PERSON}'s state. */
    public static final SymbolField PERSON_STATE = PERSON.symbolField("state");
    /** {@link #PERSON}'s event time. */
    public static final TimestampField PERSON_TIME = PERSON.timestampField("dateTime");

    /** {@link #AUCTION}'s id. */
    public static final Int64Field AUCTION_ID = AUCTION.int64Field("id");
    /** {@link #AUCTION}'s seller. */
    public static final Int64Field AUCTION_SELLER = AUCTION.int64Field("seller");
    /** {@link #AUCTION}'s category. */
    public static final Int64Field AUCTION_CATEGORY = AUCTION.int64Field("category");
    /** {@link #AUCTION}'s event time. */
    public static final TimestampField AUCTION_TIME = AUCTION.timestampField("dateTime");

    private NexmarkSchemas()
    {
    }
}
