package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#INT64}, read and written in native byte order.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class Int64Field extends Field
{
    Int64Field(final String name, final int index, final int offset)
    {
        super(name, FieldType.INT64, index, offset, FieldType.INT64.width());
    }

    /**
     * Read the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the value.
     */
    public long get(final DirectBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + offset());
    }

    /**
     * Write the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the value.
     */
    public void put(final MutableDirectBuffer buffer, final int recordOffset, final long value)
    {
        buffer.putLong(recordOffset + offset(), value);
    }

    @Override
    public void appendValue(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        builder.append(get(buffer, recordOffset));
    }
}
