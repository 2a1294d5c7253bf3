package io.ferrite.perf.nexmark;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.RecordWriter;
import io.ferrite.memory.schema.SymbolField;

/**
 * NEXMark's events, made deterministically from a seed and the event's number alone, in the model of Apache Beam's
 * generator: of every 50 events, number {@code n % 50 == 0} is a person, 1 to 3 are auctions, 4 to 49 are bids.
 * <ul>
 *     <li><b>Ids</b> count from 1000: person {@code n / 50 + 1000}; auctions three per 50 events, in order.</li>
 *     <li><b>Sellers</b>: 3 in 4 auctions go to the hot seller, the newest person whose base-0 id is a multiple of
 *     100; the rest to one of the 1,000 newest persons or up to 10 not yet created (Beam's lead).</li>
 *     <li><b>Bids</b>: 1 in 2 go to the hot auction (newest multiple of 100), the rest to one of the 100 newest
 *     auctions or up to 10 ahead; 3 in 4 come from the hot bidder (newest multiple of 100, plus 1), the rest from
 *     any active person as for sellers. Prices are {@code round(10^(6u) * 100)} for a uniform {@code u}.</li>
 *     <li><b>Categories</b> 10 to 14; states AZ, CA, ID, OR, WA, WY and ten cities of those states, drawn
 *     independently; names a first and a last name from Beam's lists.</li>
 *     <li><b>Time</b>: event {@code n}'s position is {@code EPOCH_MS + n * 1000 / eventRate} (integer division), and
 *     its {@code dateTime} that minus a delay drawn uniformly from 0 to 3,000 ms inclusive, so event time is out of
 *     order by at most 3 s. An auction expires 10 to 120 s after its {@code dateTime}.</li>
 * </ul>
 * Each event's random numbers come from a SplitMix64 stream seeded by {@code (seed, n)}, so any event can be made
 * without the ones before it (a restarted source regenerates from any sequence).
 * <p>
 * Two ways out of the same computation: {@link #event(long)} as a plain {@link NexmarkEvent} (allocates; for files
 * and references), and {@link #write(long, MutableDirectBuffer, int)} straight into a record of
 * {@link NexmarkSchemas#EVENT} from precomputed byte tables, allocating nothing.
 * <p>
 * <b>Note:</b> Not threadsafe: one instance per source.
 */
public final class NexmarkGenerator
{
    /** The epoch event time starts from: 2026-01-01T00:00:00Z, a multiple of every window size. */
    public static final long EPOCH_MS = 1_767_225_600_000L;
    /** Events per second of event time, unless told otherwise. */
    public static final int DEFAULT_EVENT_RATE = 10_000;
    /** The largest delay of an event's time behind its position. */
    public static final long MAX_DELAY_MS = 3_000;
    /** Events per cycle of kinds. */
    public static final int PROPORTION_DENOMINATOR = 50;
    /** Persons per cycle. */
    public static final int PERSON_PROPORTION = 1;
    /** Auctions per cycle. */
    public static final int AUCTION_PROPORTION = 3;
    /** The first person's id. */
    public static final long FIRST_PERSON_ID = 1_000;
    /** The first auction's id. */
    public static final long FIRST_AUCTION_ID = 1_000;
    /** The first category. */
    public static final long FIRST_CATEGORY_ID = 10;
    /** How many categories. */
    public static final int NUM_CATEGORIES = 5;

    static final int NUM_ACTIVE_PEOPLE = 1_000;
    static final int NUM_IN_FLIGHT_AUCTIONS = 100;
    static final int PERSON_ID_LEAD = 10;
    static final int AUCTION_ID_LEAD = 10;
    static final int HOT_RATIO = 100;
    static final int HOT_AUCTION_ODDS = 2;
    static final int HOT_SELLER_ODDS = 4;
    static final int HOT_BIDDER_ODDS = 4;
    static final long MIN_AUCTION_MS = 10_000;
    static final long MAX_AUCTION_MS = 120_000;
    static final int MIN_ITEM_NAME = 3;
    static final int MIN_DESCRIPTION = 10;

    static final String[] FIRST_NAMES =
        {"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"};
    static final String[] LAST_NAMES =
        {"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"};
    static final String[] STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};
    static final String[] CITIES =
        {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent",
            "Cheyenne"};

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final byte[][] NAMES = table(names());
    private static final byte[][] STATE_BYTES = table(STATES);
    private static final byte[][] CITY_BYTES = table(CITIES);
    private static final int EMAIL_LENGTH = 17;

    private final long seed;
    private final long eventRate;
    private final byte[] email = new byte[EMAIL_LENGTH];
    private final byte[] creditCard = new byte[NexmarkSchemas.CREDIT_CARD_LENGTH];
    private final byte[] itemName = new byte[NexmarkSchemas.NAME_LENGTH];
    private final byte[] description = new byte[NexmarkSchemas.DESCRIPTION_LENGTH];
    private final UnsafeBuffer emailBuffer = new UnsafeBuffer(email);
    private final UnsafeBuffer creditCardBuffer = new UnsafeBuffer(creditCard);
    private final UnsafeBuffer itemNameBuffer = new UnsafeBuffer(itemName);
    private final UnsafeBuffer descriptionBuffer = new UnsafeBuffer(description);
    private final UnsafeBuffer tableBuffer = new UnsafeBuffer(new byte[0]);

    private long state;
    private char kind;
    private long dateTime;
    private long id;
    private int name;
    private int city;
    private int usState;
    private int itemNameLength;
    private int descriptionLength;
    private long initialBid;
    private long reserve;
    private long expires;
    private long seller;
    private long category;
    private long auction;
    private long bidder;
    private long price;

    /**
     * A generator.
     *
     * @param seed      the seed: the same seed gives the same events.
     * @param eventRate events per second of event time, at least 1.
     */
    public NexmarkGenerator(final long seed, final long eventRate)
    {
        if (eventRate < 1)
        {
            throw new IllegalArgumentException("event rate must be at least 1 per second: " + eventRate);
        }
        this.seed = seed;
        this.eventRate = eventRate;
    }

    /**
     * The seed.
     *
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * Events per second of event time.
     *
     * @return the rate.
     */
    public long eventRate()
    {
        return eventRate;
    }

    /**
     * Event {@code n}'s position in event time, before its delay.
     *
     * @param n the event's number, from 0.
     * @return epoch milliseconds.
     */
    public long positionTimeMs(final long n)
    {
        return EPOCH_MS + n * 1_000L / eventRate;
    }

    /**
     * A generator function for {@code Pipeline.generator}: record {@code n} is event {@code n}, for {@code count}
     * events; allocation-free.
     *
     * @param count how many events.
     * @return the function; it uses this generator, so only one source may use it.
     */
    public GeneratorFunction function(final long count)
    {
        return (sequence, out) ->
        {
            if (sequence >= count)
            {
                return false;
            }
            write(sequence, out);
            return true;
        };
    }

    /**
     * Fill a record of {@link NexmarkSchemas#EVENT} with event {@code n}, allocating nothing.
     *
     * @param n   the event's number.
     * @param out a zeroed record.
     */
    public void write(final long n, final RecordWriter out)
    {
        write(n, out.mutableBuffer(), out.offset());
    }

    /**
     * Fill a record of {@link NexmarkSchemas#EVENT} with event {@code n}, allocating nothing.
     *
     * @param n      the event's number.
     * @param buffer the buffer holding a zeroed record.
     * @param offset where the record starts.
     */
    public void write(final long n, final MutableDirectBuffer buffer, final int offset)
    {
        compute(n);
        NexmarkSource.TIME.put(buffer, offset, dateTime);
        if ('P' == kind)
        {
            NexmarkSource.KIND.putAsLong(buffer, offset, NexmarkSource.KIND_PERSON);
            NexmarkSource.ID.put(buffer, offset, id);
            putTable(NexmarkSource.NAME, buffer, offset, NAMES[name]);
            NexmarkSource.EMAIL.putBytes(buffer, offset, emailBuffer, 0, EMAIL_LENGTH);
            NexmarkSource.CREDIT_CARD.putBytes(buffer, offset, creditCardBuffer, 0, creditCard.length);
            putTable(NexmarkSource.CITY, buffer, offset, CITY_BYTES[city]);
            putTable(NexmarkSource.STATE, buffer, offset, STATE_BYTES[usState]);
        }
        else if ('A' == kind)
        {
            NexmarkSource.KIND.putAsLong(buffer, offset, NexmarkSource.KIND_AUCTION);
            NexmarkSource.ID.put(buffer, offset, id);
            NexmarkSource.ITEM_NAME.putBytes(buffer, offset, itemNameBuffer, 0, itemNameLength);
            NexmarkSource.DESCRIPTION.putBytes(buffer, offset, descriptionBuffer, 0, descriptionLength);
            NexmarkSource.INITIAL_BID.put(buffer, offset, initialBid);
            NexmarkSource.RESERVE.put(buffer, offset, reserve);
            NexmarkSource.EXPIRES.put(buffer, offset, expires);
            NexmarkSource.SELLER.put(buffer, offset, seller);
            NexmarkSource.CATEGORY.put(buffer, offset, category);
        }
        else
        {
            NexmarkSource.KIND.putAsLong(buffer, offset, NexmarkSource.KIND_BID);
            NexmarkSource.AUCTION.put(buffer, offset, auction);
            NexmarkSource.BIDDER.put(buffer, offset, bidder);
            NexmarkSource.PRICE.put(buffer, offset, price);
        }
    }

    /**
     * Event {@code n} as a plain event (allocates).
     *
     * @param n the event's number, from 0.
     * @return the event.
     */
    public NexmarkEvent event(final long n)
    {
        compute(n);
        if ('P' == kind)
        {
            return new NexmarkEvent.Person(id, text(NAMES[name], NAMES[name].length), text(email, EMAIL_LENGTH),
                text(creditCard, creditCard.length), CITIES[city], STATES[usState], dateTime);
        }
        if ('A' == kind)
        {
            return new NexmarkEvent.Auction(id, text(itemName, itemNameLength), text(description, descriptionLength),
                initialBid, reserve, dateTime, expires, seller, category);
        }
        return new NexmarkEvent.Bid(auction, bidder, price, dateTime);
    }

    /**
     * The first {@code count} events as plain events.
     *
     * @param count how many.
     * @return the events in order.
     */
    public List<NexmarkEvent> events(final int count)
    {
        final List<NexmarkEvent> events = new ArrayList<>(count);
        for (int n = 0; n < count; n++)
        {
            events.add(event(n));
        }
        return events;
    }

    /**
     * The kind of event {@code n}, from its number alone.
     *
     * @param n the event's number.
     * @return {@code 'P'}, {@code 'A'} or {@code 'B'}.
     */
    public static char kindOf(final long n)
    {
        final long offset = n % PROPORTION_DENOMINATOR;
        if (offset < PERSON_PROPORTION)
        {
            return 'P';
        }
        return offset < PERSON_PROPORTION + AUCTION_PROPORTION ? 'A' : 'B';
    }

    /**
     * The base-0 id of the newest person made at or before event {@code n}.
     *
     * @param n the event's number.
     * @return the id less {@link #FIRST_PERSON_ID}.
     */
    static long lastBase0PersonId(final long n)
    {
        final long epoch = n / PROPORTION_DENOMINATOR;
        long offset = n % PROPORTION_DENOMINATOR;
        if (offset >= PERSON_PROPORTION)
        {
            offset = PERSON_PROPORTION - 1;
        }
        return epoch * PERSON_PROPORTION + offset;
    }

    /**
     * The base-0 id of the newest auction made at or before event {@code n} (-1 before the first).
     *
     * @param n the event's number.
     * @return the id less {@link #FIRST_AUCTION_ID}.
     */
    static long lastBase0AuctionId(final long n)
    {
        long epoch = n / PROPORTION_DENOMINATOR;
        long offset = n % PROPORTION_DENOMINATOR;
        if (offset < PERSON_PROPORTION)
        {
            epoch--;
            offset = AUCTION_PROPORTION - 1;
        }
        else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION)
        {
            offset = AUCTION_PROPORTION - 1;
        }
        else
        {
            offset -= PERSON_PROPORTION;
        }
        return epoch * AUCTION_PROPORTION + offset;
    }

    private void compute(final long n)
    {
        if (n < 0)
        {
            throw new IllegalArgumentException("event number must not be negative: " + n);
        }
        state = mix(seed ^ mix(n + GOLDEN_GAMMA));
        kind = kindOf(n);
        dateTime = positionTimeMs(n) - nextInt((int)MAX_DELAY_MS + 1);
        if ('P' == kind)
        {
            id = lastBase0PersonId(n) + FIRST_PERSON_ID;
            name = nextInt(NAMES.length);
            randomLetters(email, 0, 7);
            email[7] = '@';
            randomLetters(email, 8, 5);
            email[13] = '.';
            email[14] = 'c';
            email[15] = 'o';
            email[16] = 'm';
            for (int group = 0; group < 4; group++)
            {
                final int value = nextInt(10_000);
                final int at = group * 5;
                creditCard[at] = (byte)('0' + value / 1000);
                creditCard[at + 1] = (byte)('0' + value / 100 % 10);
                creditCard[at + 2] = (byte)('0' + value / 10 % 10);
                creditCard[at + 3] = (byte)('0' + value % 10);
                if (group < 3)
                {
                    creditCard[at + 4] = ' ';
                }
            }
            city = nextInt(CITIES.length);
            usState = nextInt(STATES.length);
        }
        else if ('A' == kind)
        {
            id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
            final long base0Seller = nextInt(HOT_SELLER_ODDS) > 0 ?
                lastBase0PersonId(n) / HOT_RATIO * HOT_RATIO : nextBase0PersonId(n);
            seller = base0Seller + FIRST_PERSON_ID;
            category = FIRST_CATEGORY_ID + nextInt(NUM_CATEGORIES);
            initialBid = nextPrice();
            reserve = initialBid + nextPrice();
            expires = dateTime + MIN_AUCTION_MS + nextLong(MAX_AUCTION_MS - MIN_AUCTION_MS + 1);
            itemNameLength = randomText(itemName, MIN_ITEM_NAME, itemName.length);
            descriptionLength = randomText(description, MIN_DESCRIPTION, description.length);
        }
        else
        {
            final long base0Auction = nextInt(HOT_AUCTION_ODDS) > 0 ?
                lastBase0AuctionId(n) / HOT_RATIO * HOT_RATIO : nextBase0AuctionId(n);
            auction = base0Auction + FIRST_AUCTION_ID;
            final long base0Bidder = nextInt(HOT_BIDDER_ODDS) > 0 ?
                lastBase0PersonId(n) / HOT_RATIO * HOT_RATIO + 1 : nextBase0PersonId(n);
            bidder = base0Bidder + FIRST_PERSON_ID;
            price = nextPrice();
        }
    }

    private long nextBase0PersonId(final long n)
    {
        final long numPeople = lastBase0PersonId(n) + 1;
        final long activePeople = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
        return numPeople - activePeople + nextLong(activePeople + PERSON_ID_LEAD);
    }

    private long nextBase0AuctionId(final long n)
    {
        final long maxAuction = lastBase0AuctionId(n);
        final long minAuction = Math.max(maxAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
        return minAuction + nextLong(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
    }

    private long nextPrice()
    {
        return Math.round(Math.pow(10.0, nextDouble() * 6.0) * 100.0);
    }

    private void randomLetters(final byte[] into, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            into[i] = (byte)('a' + nextInt(26));
        }
    }

    private int randomText(final byte[] into, final int minLength, final int maxLength)
    {
        final int length = minLength + nextInt(maxLength - minLength + 1);
        for (int i = 0; i < length; i++)
        {
            // Beam's strings: lower-case letters with a space now and then, never first or last.
            into[i] = i > 0 && i < length - 1 && nextInt(13) == 0 ? (byte)' ' : (byte)('a' + nextInt(26));
        }
        return length;
    }

    private long nextRaw()
    {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    private int nextInt(final int bound)
    {
        return (int)nextLong(bound);
    }

    private long nextLong(final long bound)
    {
        return Long.remainderUnsigned(nextRaw(), bound);
    }

    private double nextDouble()
    {
        return (nextRaw() >>> 11) * 0x1.0p-53;
    }

    private void putTable(
        final SymbolField field,
        final MutableDirectBuffer buffer,
        final int offset,
        final byte[] bytes)
    {
        tableBuffer.wrap(bytes);
        field.putBytes(buffer, offset, tableBuffer, 0, bytes.length);
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String text(final byte[] bytes, final int length)
    {
        return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    private static String[] names()
    {
        final String[] names = new String[FIRST_NAMES.length * LAST_NAMES.length];
        for (int i = 0; i < FIRST_NAMES.length; i++)
        {
            for (int j = 0; j < LAST_NAMES.length; j++)
            {
                names[i * LAST_NAMES.length + j] = FIRST_NAMES[i] + " " + LAST_NAMES[j];
            }
        }
        return names;
    }

    private static byte[][] table(final String[] strings)
    {
        final byte[][] table = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++)
        {
            table[i] = strings[i].getBytes(StandardCharsets.US_ASCII);
        }
        return table;
    }
}
