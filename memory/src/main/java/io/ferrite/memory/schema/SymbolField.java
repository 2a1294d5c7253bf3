package io.ferrite.memory.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#SYMBOL}: fixed-length ASCII text of up to {@link #width()} bytes, padded with
 * zero bytes. Characters 1 to 127 are allowed; a symbol's length is the number of bytes before the first zero byte.
 * A symbol of up to 8 bytes can be read as a {@code long} key with {@link #getAsLong(DirectBuffer, int)}.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class SymbolField extends Field
{
    SymbolField(final String name, final int index, final int offset, final int width)
    {
        super(name, FieldType.SYMBOL, index, offset, width);
    }

    /**
     * Write a symbol, padding the rest of the field with zero bytes.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        ASCII text of at most {@link #width()} characters.
     * @throws IllegalArgumentException if the value is too long or has a character outside 1 to 127; the field is
     *                                  then left unchanged.
     */
    public void put(final MutableDirectBuffer buffer, final int recordOffset, final CharSequence value)
    {
        final int length = value.length();
        final int width = width();
        if (length > width)
        {
            throw new IllegalArgumentException(
                "symbol too long: field=" + name() + " length=" + length + " max=" + width + " value=" + value);
        }
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c == 0 || c > 127)
            {
                throw new IllegalArgumentException(
                    "symbol not ASCII: field=" + name() + " position=" + i + " char=U+" +
                    Integer.toHexString(c).toUpperCase() + " value=" + value);
            }
        }
        final int base = recordOffset + offset();
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(base + i, (byte)value.charAt(i));
        }
        if (length < width)
        {
            buffer.setMemory(base + length, width - length, (byte)0);
        }
    }

    /**
     * Write a symbol from bytes already known to be ASCII 1 to 127, padding the rest with zero bytes.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param source       the buffer holding the bytes.
     * @param sourceOffset where the bytes start.
     * @param length       how many bytes, at most {@link #width()}.
     */
    public void putBytes(
        final MutableDirectBuffer buffer,
        final int recordOffset,
        final DirectBuffer source,
        final int sourceOffset,
        final int length)
    {
        final int width = width();
        if (length > width)
        {
            throw new IllegalArgumentException(
                "symbol too long: field=" + name() + " length=" + length + " max=" + width);
        }
        final int base = recordOffset + offset();
        buffer.putBytes(base, source, sourceOffset, length);
        if (length < width)
        {
            buffer.setMemory(base + length, width - length, (byte)0);
        }
    }

    /**
     * The symbol's length: the bytes before the first zero byte.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the length in characters.
     */
    public int length(final DirectBuffer buffer, final int recordOffset)
    {
        final int base = recordOffset + offset();
        final int width = width();
        for (int i = 0; i < width; i++)
        {
            if (0 == buffer.getByte(base + i))
            {
                return i;
            }
        }
        return width;
    }

    /**
     * Whether the symbol equals the given text, with no allocation.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the text to compare with.
     * @return true if they are the same characters.
     */
    public boolean equalTo(final DirectBuffer buffer, final int recordOffset, final CharSequence value)
    {
        final int length = length(buffer, recordOffset);
        if (length != value.length())
        {
            return false;
        }
        final int base = recordOffset + offset();
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(base + i) != value.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Append the symbol's characters to an {@link Appendable}, with no allocation for a {@link StringBuilder}.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param appendable   where to append.
     * @param <A>          the type of appendable.
     * @return the appendable.
     * @throws UncheckedIOException if the appendable throws.
     */
    public <A extends Appendable> A appendTo(final DirectBuffer buffer, final int recordOffset, final A appendable)
    {
        final int length = length(buffer, recordOffset);
        final int base = recordOffset + offset();
        try
        {
            for (int i = 0; i < length; i++)
            {
                appendable.append((char)buffer.getByte(base + i));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return appendable;
    }

    /**
     * Read the symbol as a new string: for tests and error messages, not the hot path.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the symbol's text.
     */
    public String getString(final DirectBuffer buffer, final int recordOffset)
    {
        return appendTo(buffer, recordOffset, new StringBuilder(width())).toString();
    }

    /**
     * Read a symbol of up to 8 bytes as a {@code long}: its bytes in little-endian order, the padding zero. Two
     * symbols are equal exactly when their longs are, so the long serves as a key.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the symbol as a long.
     * @throws IllegalStateException if the field is wider than 8 bytes.
     */
    public long getAsLong(final DirectBuffer buffer, final int recordOffset)
    {
        final int width = width();
        final int base = recordOffset + offset();
        if (8 == width)
        {
            return buffer.getLong(base, ByteOrder.LITTLE_ENDIAN);
        }
        if (width > 8)
        {
            throw new IllegalStateException("symbol wider than 8 bytes cannot be read as a long: field=" + name() +
                " width=" + width);
        }
        long value = 0;
        for (int i = width - 1; i >= 0; i--)
        {
            value = (value << 8) | (buffer.getByte(base + i) & 0xFFL);
        }
        return value;
    }

    /**
     * Write a symbol from the {@code long} form {@link #getAsLong(DirectBuffer, int)} returns.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the symbol as a long.
     * @throws IllegalStateException if the field is wider than 8 bytes.
     */
    public void putAsLong(final MutableDirectBuffer buffer, final int recordOffset, final long value)
    {
        final int width = width();
        if (width > 8)
        {
            throw new IllegalStateException("symbol wider than 8 bytes cannot be written from a long: field=" +
                name() + " width=" + width);
        }
        final int base = recordOffset + offset();
        long remaining = value;
        for (int i = 0; i < width; i++)
        {
            buffer.putByte(base + i, (byte)remaining);
            remaining >>>= 8;
        }
    }

    @Override
    public void appendValue(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        appendTo(buffer, recordOffset, builder);
    }

    @Override
    String describe()
    {
        return "SYMBOL(" + width() + ')';
    }
}
