package io.ferrite.memory.csv;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.schema.BooleanField;
import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Float32Field;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int16Field;
import io.ferrite.memory.schema.Int32Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Int8Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * Encodes records of a {@link Schema} as CSV lines and decodes lines into records. Columns follow the schema's
 * declaration order. Decoding parses numbers straight from the line's bytes and allocates nothing for a well-formed
 * line of numbers and symbols (a float outside Clinger's fast path falls back to the JDK's parser).
 * <p>
 * The accepted text, per type: integers and timestamps as {@code [+-]digits} within the type's range (a timestamp
 * counts its field's unit since the epoch); floats as {@code [+-]digits[.digits][(e|E)[+-]digits]}, {@code NaN},
 * {@code Infinity} or {@code -Infinity}; booleans as {@code true}/{@code false} in any case, or {@code 1}/{@code 0};
 * symbols as ASCII (1 to 127) up to the field's length. Any field may be enclosed in double quotes, with {@code ""}
 * for a quote inside; the encoder quotes only symbols that are empty or hold the delimiter, a quote, CR or LF. No
 * field may be empty but a quoted empty symbol, {@code ""}, and no whitespace is trimmed: {@code " 12"} is not a
 * number. A trailing CR (a CRLF file) is ignored.
 * <p>
 * Anything else throws {@link MalformedRecordException} naming the source, line, column, field and the reason. The
 * record is then partly written and must be discarded (a source does not commit the slot); nothing else is lost.
 * <p>
 * <b>Note:</b> Not threadsafe; one codec per thread.
 */
public final class CsvCodec
{
    private static final int MAX_INT8 = Byte.MAX_VALUE;
    private static final int MAX_INT16 = Short.MAX_VALUE;

    private final Schema schema;
    private final Field[] fields;
    private final byte delimiter;
    private final String header;
    private final AsciiNumberParser parser = new AsciiNumberParser();
    private final StringBuilder scratch = new StringBuilder(32);
    private final UnsafeBuffer stringBuffer = new UnsafeBuffer(new byte[0]);
    private int quotedStart;
    private int quotedLength;
    private boolean quotedHasEscapes;

    /**
     * A comma-separated codec for a schema.
     *
     * @param schema the records' schema.
     */
    public CsvCodec(final Schema schema)
    {
        this(schema, ',');
    }

    /**
     * A codec for a schema with another delimiter.
     *
     * @param schema    the records' schema.
     * @param delimiter an ASCII delimiter other than a quote, CR or LF.
     */
    public CsvCodec(final Schema schema, final char delimiter)
    {
        if (delimiter == '"' || delimiter == '\r' || delimiter == '\n' || delimiter == 0 || delimiter > 127)
        {
            throw new IllegalArgumentException("delimiter must be ASCII other than quote, CR, LF: " + (int)delimiter);
        }
        this.schema = schema;
        final List<Field> list = schema.fields();
        this.fields = list.toArray(new Field[0]);
        this.delimiter = (byte)delimiter;
        this.header = schema.csvHeader().replace(',', delimiter);
    }

    /**
     * The schema this codec reads and writes.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * The header line: the field names in column order.
     *
     * @return the header, without a line terminator.
     */
    public String header()
    {
        return header;
    }

    /**
     * Whether a line is this schema's header line.
     *
     * @param line       the buffer holding the line.
     * @param lineOffset where the line starts.
     * @param lineLength its length, with or without a trailing CR.
     * @return true if it is the header.
     */
    public boolean isHeader(final DirectBuffer line, final int lineOffset, final int lineLength)
    {
        int length = lineLength;
        if (length > 0 && line.getByte(lineOffset + length - 1) == '\r')
        {
            length--;
        }
        if (length != header.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (line.getByte(lineOffset + i) != header.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Decode a line of text into a record, for tests and tools: the line is converted to bytes first.
     *
     * @param source       the name of the file or stream, for errors.
     * @param lineNumber   the line's number from 1, for errors.
     * @param line         the line, without a line terminator.
     * @param record       the buffer to write the record into.
     * @param recordOffset where the record starts.
     * @throws MalformedRecordException if the line is malformed.
     */
    public void decode(
        final String source,
        final long lineNumber,
        final String line,
        final MutableDirectBuffer record,
        final int recordOffset)
    {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        stringBuffer.wrap(bytes);
        decode(source, lineNumber, stringBuffer, 0, bytes.length, record, recordOffset);
    }

    /**
     * Decode a line into a record, with no allocation for a well-formed line.
     *
     * @param source       the name of the file or stream, for errors.
     * @param lineNumber   the line's number from 1, for errors.
     * @param line         the buffer holding the line.
     * @param lineOffset   where the line starts.
     * @param lineLength   the line's length, without its LF; a trailing CR is ignored.
     * @param record       the buffer to write the record into.
     * @param recordOffset where the record starts.
     * @throws MalformedRecordException if the line is malformed; the record is then partly written.
     */
    public void decode(
        final String source,
        final long lineNumber,
        final DirectBuffer line,
        final int lineOffset,
        final int lineLength,
        final MutableDirectBuffer record,
        final int recordOffset)
    {
        int end = lineOffset + lineLength;
        if (lineLength > 0 && line.getByte(end - 1) == '\r')
        {
            end--;
        }

        final Field[] fields = this.fields;
        final byte delimiter = this.delimiter;
        int position = lineOffset;
        for (int column = 0; column < fields.length; column++)
        {
            if (position > end)
            {
                throw new MalformedRecordException(source, lineNumber, column + 1, fields[column].name(),
                    "wrong column count: expected " + fields.length + ", found " + column);
            }

            final int fieldStart;
            final int fieldEnd;
            if (position < end && line.getByte(position) == '"')
            {
                final int next = scanQuoted(source, lineNumber, column, line, position, end);
                fieldStart = quotedStart;
                fieldEnd = quotedStart + quotedLength;
                if (fieldEnd == fieldStart && fields[column] instanceof SymbolField)
                {
                    ((SymbolField)fields[column]).put(record, recordOffset, "");
                }
                else
                {
                    decodeField(source, lineNumber, column, line, fieldStart, fieldEnd - fieldStart, record,
                        recordOffset, quotedHasEscapes);
                }
                position = next;
            }
            else
            {
                fieldStart = position;
                int i = position;
                while (i < end && line.getByte(i) != delimiter)
                {
                    i++;
                }
                fieldEnd = i;
                decodeField(
                    source, lineNumber, column, line, fieldStart, fieldEnd - fieldStart, record, recordOffset, false);
                position = fieldEnd + 1;
            }
        }

        if (position <= end)
        {
            throw new MalformedRecordException(source, lineNumber, fields.length + 1, null,
                "wrong column count: expected " + fields.length + ", found " +
                (fields.length + countColumns(line, position, end)));
        }
    }

    /**
     * Encode a record as a line into a buffer, without a line terminator.
     *
     * @param record       the buffer holding the record.
     * @param recordOffset where the record starts.
     * @param out          the buffer to write the line into; an expandable buffer grows as needed.
     * @param outOffset    where the line starts.
     * @return the line's length in bytes.
     */
    public int encode(
        final DirectBuffer record, final int recordOffset, final MutableDirectBuffer out, final int outOffset)
    {
        int position = outOffset;
        for (int column = 0; column < fields.length; column++)
        {
            if (column > 0)
            {
                out.putByte(position++, delimiter);
            }
            final Field field = fields[column];
            switch (field.type())
            {
                case INT8:
                    position += out.putIntAscii(position, ((Int8Field)field).get(record, recordOffset));
                    break;
                case INT16:
                    position += out.putIntAscii(position, ((Int16Field)field).get(record, recordOffset));
                    break;
                case INT32:
                    position += out.putIntAscii(position, ((Int32Field)field).get(record, recordOffset));
                    break;
                case INT64:
                    position += out.putLongAscii(position, ((Int64Field)field).get(record, recordOffset));
                    break;
                case TIMESTAMP:
                    position += out.putLongAscii(position, ((TimestampField)field).get(record, recordOffset));
                    break;
                case BOOLEAN:
                    position += out.putStringWithoutLengthAscii(
                        position, ((BooleanField)field).get(record, recordOffset) ? "true" : "false");
                    break;
                default:
                    scratch.setLength(0);
                    appendField(field, record, recordOffset, scratch);
                    for (int i = 0, n = scratch.length(); i < n; i++)
                    {
                        out.putByte(position++, (byte)scratch.charAt(i));
                    }
                    break;
            }
        }
        return position - outOffset;
    }

    /**
     * Append a record as a line to a builder, without a line terminator.
     *
     * @param record       the buffer holding the record.
     * @param recordOffset where the record starts.
     * @param out          where to append.
     * @return the builder.
     */
    public StringBuilder encode(final DirectBuffer record, final int recordOffset, final StringBuilder out)
    {
        for (int column = 0; column < fields.length; column++)
        {
            if (column > 0)
            {
                out.append((char)delimiter);
            }
            appendField(fields[column], record, recordOffset, out);
        }
        return out;
    }

    private void appendField(
        final Field field, final DirectBuffer record, final int recordOffset, final StringBuilder out)
    {
        if (field instanceof SymbolField)
        {
            final SymbolField symbol = (SymbolField)field;
            final int length = symbol.length(record, recordOffset);
            final int base = recordOffset + symbol.offset();
            boolean quote = 0 == length;
            for (int i = 0; i < length && !quote; i++)
            {
                final byte b = record.getByte(base + i);
                quote = b == delimiter || b == '"' || b == '\r' || b == '\n';
            }
            if (quote)
            {
                out.append('"');
                for (int i = 0; i < length; i++)
                {
                    final char c = (char)record.getByte(base + i);
                    out.append(c);
                    if (c == '"')
                    {
                        out.append('"');
                    }
                }
                out.append('"');
            }
            else
            {
                symbol.appendTo(record, recordOffset, out);
            }
        }
        else
        {
            field.appendValue(record, recordOffset, out);
        }
    }

    private int scanQuoted(
        final String source,
        final long lineNumber,
        final int column,
        final DirectBuffer line,
        final int quote,
        final int end)
    {
        int i = quote + 1;
        quotedHasEscapes = false;
        while (true)
        {
            if (i >= end)
            {
                throw malformed(source, lineNumber, column, "unterminated quote");
            }
            if (line.getByte(i) == '"')
            {
                if (i + 1 < end && line.getByte(i + 1) == '"')
                {
                    quotedHasEscapes = true;
                    i += 2;
                    continue;
                }
                break;
            }
            i++;
        }
        quotedStart = quote + 1;
        quotedLength = i - quotedStart;
        final int after = i + 1;
        if (after < end && line.getByte(after) != delimiter)
        {
            throw malformed(source, lineNumber, column, "unexpected character after closing quote: '" +
                (char)line.getByte(after) + "'");
        }
        return after + 1;
    }

    private void decodeField(
        final String source,
        final long lineNumber,
        final int column,
        final DirectBuffer line,
        final int offset,
        final int length,
        final MutableDirectBuffer record,
        final int recordOffset,
        final boolean hasEscapes)
    {
        final Field field = fields[column];
        if (0 == length)
        {
            throw malformed(source, lineNumber, column, "empty field, expected " + expected(field));
        }

        switch (field.type())
        {
            case INT8:
                ((Int8Field)field).put(record, recordOffset,
                    (byte)integer(source, lineNumber, column, line, offset, length, -MAX_INT8 - 1, MAX_INT8));
                break;
            case INT16:
                ((Int16Field)field).put(record, recordOffset,
                    (short)integer(source, lineNumber, column, line, offset, length, -MAX_INT16 - 1, MAX_INT16));
                break;
            case INT32:
                ((Int32Field)field).put(record, recordOffset, (int)integer(
                    source, lineNumber, column, line, offset, length, Integer.MIN_VALUE, Integer.MAX_VALUE));
                break;
            case INT64:
                ((Int64Field)field).put(record, recordOffset,
                    integer(source, lineNumber, column, line, offset, length, Long.MIN_VALUE, Long.MAX_VALUE));
                break;
            case TIMESTAMP:
                ((TimestampField)field).put(record, recordOffset,
                    integer(source, lineNumber, column, line, offset, length, Long.MIN_VALUE, Long.MAX_VALUE));
                break;
            case FLOAT32:
                check(source, lineNumber, column, line, offset, length, parser.parseFloat(line, offset, length));
                ((Float32Field)field).put(record, recordOffset, parser.floatValue);
                break;
            case FLOAT64:
                check(source, lineNumber, column, line, offset, length, parser.parseDouble(line, offset, length));
                ((Float64Field)field).put(record, recordOffset, parser.doubleValue);
                break;
            case BOOLEAN:
                ((BooleanField)field).put(record, recordOffset,
                    bool(source, lineNumber, column, line, offset, length));
                break;
            case SYMBOL:
                symbol((SymbolField)field, source, lineNumber, column, line, offset, length, record, recordOffset,
                    hasEscapes);
                break;
            default:
                throw new IllegalStateException("unknown field type: " + field);
        }
    }

    private long integer(
        final String source,
        final long lineNumber,
        final int column,
        final DirectBuffer line,
        final int offset,
        final int length,
        final long min,
        final long max)
    {
        check(source, lineNumber, column, line, offset, length, parser.parseLong(line, offset, length, min, max));
        return parser.longValue;
    }

    private void check(
        final String source,
        final long lineNumber,
        final int column,
        final DirectBuffer line,
        final int offset,
        final int length,
        final int status)
    {
        if (status == AsciiNumberParser.NOT_A_NUMBER)
        {
            throw malformed(source, lineNumber, column, "not a number, expected " + expected(fields[column]) +
                ": '" + AsciiNumberParser.text(line, offset, length) + "'");
        }
        if (status == AsciiNumberParser.OUT_OF_RANGE)
        {
            throw malformed(source, lineNumber, column, "out of range for " + expected(fields[column]) + ": '" +
                AsciiNumberParser.text(line, offset, length) + "'");
        }
    }

    private boolean bool(
        final String source,
        final long lineNumber,
        final int column,
        final DirectBuffer line,
        final int offset,
        final int length)
    {
        if (1 == length)
        {
            final byte b = line.getByte(offset);
            if (b == '1' || b == '0')
            {
                return b == '1';
            }
        }
        else if (equalsIgnoreCase(line, offset, length, "true"))
        {
            return true;
        }
        else if (equalsIgnoreCase(line, offset, length, "false"))
        {
            return false;
        }
        throw malformed(source, lineNumber, column, "bad boolean, expected true, false, 1 or 0: '" +
            AsciiNumberParser.text(line, offset, length) + "'");
    }

    private void symbol(
        final SymbolField field,
        final String source,
        final long lineNumber,
        final int column,
        final DirectBuffer line,
        final int offset,
        final int length,
        final MutableDirectBuffer record,
        final int recordOffset,
        final boolean hasEscapes)
    {
        int symbolLength = 0;
        int i = 0;
        while (i < length)
        {
            final byte b = line.getByte(offset + i);
            if (b <= 0)
            {
                throw malformed(source, lineNumber, column, "not ASCII at character " + (symbolLength + 1) +
                    ", expected " + expected(field) + ": '" + AsciiNumberParser.text(line, offset, length) + "'");
            }
            i += hasEscapes && b == '"' ? 2 : 1;
            symbolLength++;
        }
        if (symbolLength > field.width())
        {
            throw malformed(source, lineNumber, column, "symbol too long: " + symbolLength + " characters, expected " +
                expected(field) + ": '" + AsciiNumberParser.text(line, offset, length) + "'");
        }

        if (!hasEscapes)
        {
            field.putBytes(record, recordOffset, line, offset, length);
        }
        else
        {
            final int base = recordOffset + field.offset();
            int j = 0;
            int k = 0;
            while (k < length)
            {
                final byte b = line.getByte(offset + k);
                record.putByte(base + j, b);
                k += b == '"' ? 2 : 1;
                j++;
            }
            if (j < field.width())
            {
                record.setMemory(base + j, field.width() - j, (byte)0);
            }
        }
    }

    private MalformedRecordException malformed(
        final String source, final long lineNumber, final int column, final String reason)
    {
        return new MalformedRecordException(source, lineNumber, column + 1, fields[column].name(), reason);
    }

    private int countColumns(final DirectBuffer line, final int from, final int end)
    {
        int columns = 1;
        boolean quoted = false;
        for (int i = from; i < end; i++)
        {
            final byte b = line.getByte(i);
            if (b == '"')
            {
                quoted = !quoted;
            }
            else if (b == delimiter && !quoted)
            {
                columns++;
            }
        }
        return columns;
    }

    private static String expected(final Field field)
    {
        switch (field.type())
        {
            case SYMBOL:
                return "ASCII symbol of at most " + field.width() + " characters";
            case TIMESTAMP:
                return "timestamp as an integer count of " +
                    ((TimestampField)field).unit().name().toLowerCase() + " since the epoch";
            default:
                return field.type().name().toLowerCase();
        }
    }

    private static boolean equalsIgnoreCase(
        final DirectBuffer line, final int offset, final int length, final String text)
    {
        if (length != text.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final int b = line.getByte(offset + i) | 0x20;
            if (b != text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
