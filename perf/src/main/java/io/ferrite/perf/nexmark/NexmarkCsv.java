package io.ferrite.perf.nexmark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.csv.CsvCodec;
import io.ferrite.memory.csv.CsvLineReader;
import io.ferrite.memory.csv.MalformedRecordException;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * NEXMark's event file: one event per line, no header, times in epoch milliseconds, strings without commas:
 * <pre>
 * P,id,name,emailAddress,creditCard,city,state,dateTime
 * A,id,itemName,description,initialBid,reserve,dateTime,expires,seller,category
 * B,auction,bidder,price,dateTime
 * </pre>
 * A line is decoded by the {@link CsvCodec} of its kind's row schema, so a malformed line (an unknown kind, the wrong
 * number of fields, a number that is not one, a string longer than {@link NexmarkSchemas} allows) throws a
 * {@link MalformedRecordException} naming the file, the line, the column and field, and what was expected.
 * <p>
 * <b>Note:</b> An instance is a decoder with its own scratch buffers: not threadsafe, one per reader.
 */
public final class NexmarkCsv
{
    /** The longest line accepted. */
    public static final int MAX_LINE_LENGTH = 512;

    static final Schema PERSON_ROW = Schema.builder("person_row")
        .symbol("kind", 1).int64("id").symbol("name", NexmarkSchemas.NAME_LENGTH)
        .symbol("emailAddress", NexmarkSchemas.EMAIL_LENGTH).symbol("creditCard", NexmarkSchemas.CREDIT_CARD_LENGTH)
        .symbol("city", NexmarkSchemas.NAME_LENGTH).symbol("state", NexmarkSchemas.STATE_LENGTH)
        .timestamp("dateTime", TimeUnit.MILLISECONDS)
        .build();
    static final Schema AUCTION_ROW = Schema.builder("auction_row")
        .symbol("kind", 1).int64("id").symbol("itemName", NexmarkSchemas.NAME_LENGTH)
        .symbol("description", NexmarkSchemas.DESCRIPTION_LENGTH).int64("initialBid").int64("reserve")
        .timestamp("dateTime", TimeUnit.MILLISECONDS).timestamp("expires", TimeUnit.MILLISECONDS)
        .int64("seller").int64("category")
        .build();
    static final Schema BID_ROW = Schema.builder("bid_row")
        .symbol("kind", 1).int64("auction").int64("bidder").int64("price")
        .timestamp("dateTime", TimeUnit.MILLISECONDS)
        .build();

    private static final Int64Field P_ID = PERSON_ROW.int64Field("id");
    private static final SymbolField P_NAME = PERSON_ROW.symbolField("name");
    private static final SymbolField P_EMAIL = PERSON_ROW.symbolField("emailAddress");
    private static final SymbolField P_CREDIT_CARD = PERSON_ROW.symbolField("creditCard");
    private static final SymbolField P_CITY = PERSON_ROW.symbolField("city");
    private static final SymbolField P_STATE = PERSON_ROW.symbolField("state");
    private static final TimestampField P_TIME = PERSON_ROW.timestampField("dateTime");
    private static final Int64Field A_ID = AUCTION_ROW.int64Field("id");
    private static final SymbolField A_ITEM_NAME = AUCTION_ROW.symbolField("itemName");
    private static final SymbolField A_DESCRIPTION = AUCTION_ROW.symbolField("description");
    private static final Int64Field A_INITIAL_BID = AUCTION_ROW.int64Field("initialBid");
    private static final Int64Field A_RESERVE = AUCTION_ROW.int64Field("reserve");
    private static final TimestampField A_TIME = AUCTION_ROW.timestampField("dateTime");
    private static final TimestampField A_EXPIRES = AUCTION_ROW.timestampField("expires");
    private static final Int64Field A_SELLER = AUCTION_ROW.int64Field("seller");
    private static final Int64Field A_CATEGORY = AUCTION_ROW.int64Field("category");
    private static final Int64Field B_AUCTION = BID_ROW.int64Field("auction");
    private static final Int64Field B_BIDDER = BID_ROW.int64Field("bidder");
    private static final Int64Field B_PRICE = BID_ROW.int64Field("price");
    private static final TimestampField B_TIME = BID_ROW.timestampField("dateTime");

    private final CsvCodec persons = new CsvCodec(PERSON_ROW);
    private final CsvCodec auctions = new CsvCodec(AUCTION_ROW);
    private final CsvCodec bids = new CsvCodec(BID_ROW);
    private final UnsafeBuffer row = new UnsafeBuffer(new byte[Math.max(PERSON_ROW.recordLength(),
        Math.max(AUCTION_ROW.recordLength(), BID_ROW.recordLength()))]);
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[NexmarkSchemas.EVENT.recordLength()]);
    private final UnsafeBuffer text = new UnsafeBuffer(new byte[0]);

    /**
     * A decoder.
     */
    public NexmarkCsv()
    {
    }

    /**
     * Append an event as a line, without its line terminator.
     *
     * @param event the event.
     * @param out   where to append.
     * @return {@code out}.
     * @throws IllegalArgumentException if a string holds a comma, a quote or a line break.
     */
    public static StringBuilder format(final NexmarkEvent event, final StringBuilder out)
    {
        if (event instanceof NexmarkEvent.Person p)
        {
            out.append("P,").append(p.id()).append(',').append(plain(p.name())).append(',')
                .append(plain(p.emailAddress())).append(',').append(plain(p.creditCard())).append(',')
                .append(plain(p.city())).append(',').append(plain(p.state())).append(',').append(p.dateTime());
        }
        else if (event instanceof NexmarkEvent.Auction a)
        {
            out.append("A,").append(a.id()).append(',').append(plain(a.itemName())).append(',')
                .append(plain(a.description())).append(',').append(a.initialBid()).append(',').append(a.reserve())
                .append(',').append(a.dateTime()).append(',').append(a.expires()).append(',').append(a.seller())
                .append(',').append(a.category());
        }
        else
        {
            final NexmarkEvent.Bid b = (NexmarkEvent.Bid)event;
            out.append("B,").append(b.auction()).append(',').append(b.bidder()).append(',').append(b.price())
                .append(',').append(b.dateTime());
        }
        return out;
    }

    /**
     * An event as a line, without its line terminator.
     *
     * @param event the event.
     * @return the line.
     */
    public static String format(final NexmarkEvent event)
    {
        return format(event, new StringBuilder(128)).toString();
    }

    /**
     * Write events to a file, one line each, replacing it.
     *
     * @param file   the file.
     * @param events the events.
     * @throws IOException if writing fails.
     */
    public static void write(final Path file, final List<NexmarkEvent> events) throws IOException
    {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII))
        {
            final StringBuilder line = new StringBuilder(256);
            for (final NexmarkEvent e : events)
            {
                line.setLength(0);
                out.append(format(e, line)).append('\n');
            }
        }
    }

    /**
     * Read every event of a file.
     *
     * @param file the file.
     * @return the events in file order.
     * @throws IOException              if reading fails.
     * @throws MalformedRecordException for the first malformed line.
     */
    public static List<NexmarkEvent> read(final Path file) throws IOException
    {
        final NexmarkCsv csv = new NexmarkCsv();
        final List<NexmarkEvent> events = new ArrayList<>();
        try (CsvLineReader lines = new CsvLineReader(file, MAX_LINE_LENGTH))
        {
            int length;
            while ((length = lines.next()) >= 0)
            {
                events.add(csv.parse(lines.source(), lines.lineNumber(), lines.buffer(), lines.lineOffset(), length));
            }
        }
        return events;
    }

    /**
     * Decode a line into a plain event.
     *
     * @param source     the file's name, for errors.
     * @param lineNumber the line's number from 1, for errors.
     * @param line       the line without its terminator.
     * @return the event.
     * @throws MalformedRecordException if the line is malformed.
     */
    public NexmarkEvent parse(final String source, final long lineNumber, final String line)
    {
        final byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        text.wrap(bytes);
        return parse(source, lineNumber, text, 0, bytes.length);
    }

    private NexmarkEvent parse(
        final String source, final long lineNumber, final DirectBuffer line, final int offset, final int length)
    {
        event.setMemory(0, event.capacity(), (byte)0);
        decode(source, lineNumber, line, offset, length, event, 0);
        return NexmarkSource.read(event, 0);
    }

    /**
     * Decode a line into a record of {@link NexmarkSchemas#EVENT}, allocating nothing for a well-formed line.
     *
     * @param source       the file's name, for errors.
     * @param lineNumber   the line's number from 1, for errors.
     * @param line         the buffer holding the line.
     * @param lineOffset   where the line starts.
     * @param lineLength   its length without its LF.
     * @param out          the buffer holding the zeroed record.
     * @param outOffset    where the record starts.
     * @throws MalformedRecordException if the line is malformed; the record is then partly written.
     */
    public void decode(
        final String source,
        final long lineNumber,
        final DirectBuffer line,
        final int lineOffset,
        final int lineLength,
        final MutableDirectBuffer out,
        final int outOffset)
    {
        final byte kind = lineLength > 0 ? line.getByte(lineOffset) : 0;
        if (lineLength < 2 || line.getByte(lineOffset + 1) != ',' || (kind != 'P' && kind != 'A' && kind != 'B'))
        {
            throw new MalformedRecordException(source, lineNumber, 1, "kind", "expected P, A or B followed by a " +
                "comma, found '" + line.getStringWithoutLengthAscii(lineOffset, Math.min(lineLength, 16)) + "'");
        }
        row.setMemory(0, row.capacity(), (byte)0);
        final UnsafeBuffer row = this.row;
        if ('P' == kind)
        {
            persons.decode(source, lineNumber, line, lineOffset, lineLength, row, 0);
            NexmarkSource.KIND.putAsLong(out, outOffset, NexmarkSource.KIND_PERSON);
            NexmarkSource.ID.put(out, outOffset, P_ID.get(row, 0));
            copy(row, P_NAME, out, outOffset, NexmarkSource.NAME);
            copy(row, P_EMAIL, out, outOffset, NexmarkSource.EMAIL);
            copy(row, P_CREDIT_CARD, out, outOffset, NexmarkSource.CREDIT_CARD);
            copy(row, P_CITY, out, outOffset, NexmarkSource.CITY);
            copy(row, P_STATE, out, outOffset, NexmarkSource.STATE);
            NexmarkSource.TIME.put(out, outOffset, P_TIME.get(row, 0));
        }
        else if ('A' == kind)
        {
            auctions.decode(source, lineNumber, line, lineOffset, lineLength, row, 0);
            NexmarkSource.KIND.putAsLong(out, outOffset, NexmarkSource.KIND_AUCTION);
            NexmarkSource.ID.put(out, outOffset, A_ID.get(row, 0));
            copy(row, A_ITEM_NAME, out, outOffset, NexmarkSource.ITEM_NAME);
            copy(row, A_DESCRIPTION, out, outOffset, NexmarkSource.DESCRIPTION);
            NexmarkSource.INITIAL_BID.put(out, outOffset, A_INITIAL_BID.get(row, 0));
            NexmarkSource.RESERVE.put(out, outOffset, A_RESERVE.get(row, 0));
            NexmarkSource.TIME.put(out, outOffset, A_TIME.get(row, 0));
            NexmarkSource.EXPIRES.put(out, outOffset, A_EXPIRES.get(row, 0));
            NexmarkSource.SELLER.put(out, outOffset, A_SELLER.get(row, 0));
            NexmarkSource.CATEGORY.put(out, outOffset, A_CATEGORY.get(row, 0));
        }
        else
        {
            bids.decode(source, lineNumber, line, lineOffset, lineLength, row, 0);
            NexmarkSource.KIND.putAsLong(out, outOffset, NexmarkSource.KIND_BID);
            NexmarkSource.AUCTION.put(out, outOffset, B_AUCTION.get(row, 0));
            NexmarkSource.BIDDER.put(out, outOffset, B_BIDDER.get(row, 0));
            NexmarkSource.PRICE.put(out, outOffset, B_PRICE.get(row, 0));
            NexmarkSource.TIME.put(out, outOffset, B_TIME.get(row, 0));
        }
    }

    private static void copy(
        final DirectBuffer row,
        final SymbolField from,
        final MutableDirectBuffer out,
        final int outOffset,
        final SymbolField to)
    {
        if (from.width() != to.width())
        {
            throw new IllegalStateException("fields differ in width: " + from + " and " + to);
        }
        out.putBytes(outOffset + to.offset(), row, from.offset(), from.width());
    }

    private static String plain(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r')
            {
                throw new IllegalArgumentException("a NEXMark string may not hold a comma, a quote or a line " +
                    "break: '" + value + "'");
            }
        }
        return value;
    }
}
