package io.ferrite.perf.nexmark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.CoProcessFunction;
import io.ferrite.engine.Collector;
import io.ferrite.engine.DataStream;
import io.ferrite.engine.KeyedContext;
import io.ferrite.engine.RecordView;
import io.ferrite.engine.RecordWriter;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;

/**
 * NEXMark query 3, local item suggestion: the auctions of category 10 whose seller lives in Oregon, Idaho or
 * California, as {@code name,city,state,auctionId}. An unbounded join of persons and auctions keyed by the person's id
 * (the auction's seller) in a co-process function whose value state per person holds:
 * <ul>
 *     <li>whether the person has arrived, and whether they live in OR, ID or CA (then with their name, city and
 *     state): an auction arriving later is answered at once, or dropped;</li>
 *     <li>the ids of up to {@link #MAX_WAITING} category-10 auctions that arrived before their seller, answered (or
 *     dropped) when the seller arrives.</li>
 * </ul>
 * The engine's keyed state is one fixed-size record per key (146 bytes here, kept for every person: the join is
 * unbounded), so the waiting auctions are a bounded array. In the generator's streams a seller arrives before their
 * auctions except when an auction names one of the 10 persons not yet created (Beam's lead, about 1 auction in 400)
 * or the two branches of the split are drained out of step; one seller rarely has more than one waiting. A seller
 * with more than {@link #MAX_WAITING} waiting fails the auction with an error naming the seller, which the job's
 * error policy handles (never a silent loss). Memory grows with the persons seen: about 20 million events fit the
 * default budget of 256 MiB ({@code -Dferrite.memory.budget} raises it).
 */
public final class Q3 implements NexmarkQuery
{
    /** The most auctions one seller can have waiting for them. */
    public static final int MAX_WAITING = 8;
    /** The category selected. */
    public static final long CATEGORY = 10;

    /** The output: {@code name,city,state,auctionId}. */
    static final Schema OUTPUT = Schema.builder("q3")
        .symbol("name", NexmarkSchemas.NAME_LENGTH).symbol("city", NexmarkSchemas.NAME_LENGTH)
        .symbol("state", NexmarkSchemas.STATE_LENGTH).int64("auctionId")
        .build();

    static final Schema STATE = state();

    private static final SymbolField OUT_NAME = OUTPUT.symbolField("name");
    private static final SymbolField OUT_CITY = OUTPUT.symbolField("city");
    private static final SymbolField OUT_STATE = OUTPUT.symbolField("state");
    private static final Int64Field OUT_AUCTION = OUTPUT.int64Field("auctionId");
    private static final Int64Field FLAGS = STATE.int64Field("flags");
    private static final SymbolField ST_NAME = STATE.symbolField("name");
    private static final SymbolField ST_CITY = STATE.symbolField("city");
    private static final SymbolField ST_STATE = STATE.symbolField("state");
    private static final Int64Field WAITING = STATE.int64Field("waiting");
    private static final int FIRST_WAITING_OFFSET = STATE.int64Field("waiting0").offset();
    private static final long ARRIVED = 1;
    private static final long LOCAL = 2;
    private static final long OREGON = stateAsLong("OR");
    private static final long IDAHO = stateAsLong("ID");
    private static final long CALIFORNIA = stateAsLong("CA");

    @Override
    public String name()
    {
        return "q3";
    }

    @Override
    public String columns()
    {
        return "name,city,state,auctionId";
    }

    @Override
    public DataStream build(final NexmarkStreams in, final int parallelism)
    {
        final DataStream auctions = in.auctions()
            .filter("q3-category", (auction) -> auction.get(NexmarkSchemas.AUCTION_CATEGORY) == CATEGORY);
        return in.persons().keyBy("id", parallelism)
            .connect(auctions.keyBy("seller", parallelism))
            .process("q3-join", OUTPUT, STATE, MAX_WAITING, new Join());
    }

    @Override
    public List<String> reference(final List<NexmarkEvent> events)
    {
        final Map<Long, NexmarkEvent.Person> persons = new HashMap<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Person person)
            {
                persons.put(person.id(), person);
            }
        }
        final List<String> lines = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            if (event instanceof NexmarkEvent.Auction auction && auction.category() == CATEGORY)
            {
                final NexmarkEvent.Person seller = persons.get(auction.seller());
                if (null != seller && isLocal(seller.state()))
                {
                    lines.add(seller.name() + "," + seller.city() + "," + seller.state() + "," + auction.id());
                }
            }
        }
        lines.sort(null);
        return lines;
    }

    static boolean isLocal(final String state)
    {
        return "OR".equals(state) || "ID".equals(state) || "CA".equals(state);
    }

    /**
     * The join: persons on the first input, category-10 auctions on the second, both keyed by the person's id.
     */
    static final class Join implements CoProcessFunction
    {
        @Override
        public void processFirst(final RecordView person, final KeyedContext ctx, final Collector out)
        {
            final RecordWriter state = ctx.state();
            final long usState = person.symbolAsLong(NexmarkSchemas.PERSON_STATE);
            final boolean local = usState == OREGON || usState == IDAHO || usState == CALIFORNIA;
            final MutableDirectBuffer buffer = state.mutableBuffer();
            final int offset = state.offset();
            if (local)
            {
                copy(person.buffer(), person.offset(), NexmarkSchemas.PERSON_NAME, buffer, offset, ST_NAME);
                copy(person.buffer(), person.offset(), NexmarkSchemas.PERSON_CITY, buffer, offset, ST_CITY);
                copy(person.buffer(), person.offset(), NexmarkSchemas.PERSON_STATE, buffer, offset, ST_STATE);
            }
            state.put(FLAGS, ARRIVED | (local ? LOCAL : 0));
            final int waiting = (int)state.get(WAITING);
            for (int i = 0; i < waiting; i++)
            {
                if (local)
                {
                    emit(buffer, offset, buffer.getLong(offset + FIRST_WAITING_OFFSET + i * Long.BYTES), out);
                }
                buffer.putLong(offset + FIRST_WAITING_OFFSET + i * Long.BYTES, 0);
            }
            state.put(WAITING, 0);
        }

        @Override
        public void processSecond(final RecordView auction, final KeyedContext ctx, final Collector out)
        {
            final RecordWriter state = ctx.state();
            final long flags = state.get(FLAGS);
            final long id = auction.get(NexmarkSchemas.AUCTION_ID);
            final MutableDirectBuffer buffer = state.mutableBuffer();
            final int offset = state.offset();
            if ((flags & ARRIVED) != 0)
            {
                if ((flags & LOCAL) != 0)
                {
                    emit(buffer, offset, id, out);
                }
                return;
            }
            final int waiting = (int)state.get(WAITING);
            if (waiting == MAX_WAITING)
            {
                throw new IllegalStateException("q3: more than " + MAX_WAITING + " auctions wait for seller " +
                    ctx.key() + "; auction " + id + " cannot be held");
            }
            buffer.putLong(offset + FIRST_WAITING_OFFSET + waiting * Long.BYTES, id);
            state.put(WAITING, waiting + 1);
        }

        private static void emit(
            final DirectBuffer state, final int stateOffset, final long auctionId, final Collector out)
        {
            final RecordWriter result = out.begin();
            final MutableDirectBuffer buffer = result.mutableBuffer();
            final int offset = result.offset();
            copy(state, stateOffset, ST_NAME, buffer, offset, OUT_NAME);
            copy(state, stateOffset, ST_CITY, buffer, offset, OUT_CITY);
            copy(state, stateOffset, ST_STATE, buffer, offset, OUT_STATE);
            result.put(OUT_AUCTION, auctionId);
            out.emit();
        }
    }

    private static void copy(
        final DirectBuffer from,
        final int fromOffset,
        final SymbolField fromField,
        final MutableDirectBuffer to,
        final int toOffset,
        final SymbolField toField)
    {
        if (fromField.width() != toField.width())
        {
            throw new IllegalStateException("fields differ in width: " + fromField + " and " + toField);
        }
        to.putBytes(toOffset + toField.offset(), from, fromOffset + fromField.offset(), fromField.width());
    }

    private static Schema state()
    {
        final Schema.Builder builder = Schema.builder("q3_seller")
            .int64("flags").int64("waiting")
            .symbol("name", NexmarkSchemas.NAME_LENGTH).symbol("city", NexmarkSchemas.NAME_LENGTH)
            .symbol("state", NexmarkSchemas.STATE_LENGTH);
        for (int i = 0; i < MAX_WAITING; i++)
        {
            builder.int64("waiting" + i);
        }
        final Schema schema = builder.build();
        final int first = schema.int64Field("waiting0").offset();
        for (int i = 1; i < MAX_WAITING; i++)
        {
            if (schema.int64Field("waiting" + i).offset() != first + i * Long.BYTES)
            {
                throw new IllegalStateException("the waiting auctions are not contiguous in " + schema);
            }
        }
        return schema;
    }

    private static long stateAsLong(final String usState)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[NexmarkSchemas.PERSON.recordLength()]);
        NexmarkSchemas.PERSON_STATE.put(scratch, 0, usState);
        return NexmarkSchemas.PERSON_STATE.getAsLong(scratch, 0);
    }
}
