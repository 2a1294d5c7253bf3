package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#INT8}, read and written in native byte order.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class Int8Field extends Field
{
    Int8Field(final String name, final int index, final int offset)
    {
        super(name, FieldType.INT8, index, offset, FieldType.INT8.width());
    }

    /**
     * Read the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the value.
     */
    public byte get(final DirectBuffer buffer, final int recordOffset)
    {
        return buffer.getByte(recordOffset + offset());
    }

    /**
     * Write the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the value.
     */
    public void put(final MutableDirectBuffer buffer, final int recordOffset, final byte value)
    {
        buffer.putByte(recordOffset + offset(), value);
    }

    @Override
    public void appendValue(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        builder.append(get(buffer, recordOffset));
    }
}
