package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#INT16}, read and written in native byte order.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class Int16Field extends Field
{
    Int16Field(final String name, final int index, final int offset)
    {
        super(name, FieldType.INT16, index, offset, FieldType.INT16.width());
    }

    /**
     * Read the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the value.
     */
    public short get(final DirectBuffer buffer, final int recordOffset)
    {
        return buffer.getShort(recordOffset + offset());
    }

    /**
     * Write the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the value.
     */
    public void put(final MutableDirectBuffer buffer, final int recordOffset, final short value)
    {
        buffer.putShort(recordOffset + offset(), value);
    }

    @Override
    public void appendValue(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        builder.append(get(buffer, recordOffset));
    }
}
