package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#BOOLEAN}: one byte, 1 for true and 0 for false. Any non-zero byte reads as true.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class BooleanField extends Field
{
    BooleanField(final String name, final int index, final int offset)
    {
        super(name, FieldType.BOOLEAN, index, offset, FieldType.BOOLEAN.width());
    }

    /**
     * Read the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the value.
     */
    public boolean get(final DirectBuffer buffer, final int recordOffset)
    {
        return 0 != buffer.getByte(recordOffset + offset());
    }

    /**
     * Write the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the value.
     */
    public void put(final MutableDirectBuffer buffer, final int recordOffset, final boolean value)
    {
        buffer.putByte(recordOffset + offset(), value ? (byte)1 : (byte)0);
    }

    @Override
    public void appendValue(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        builder.append(get(buffer, recordOffset));
    }
}
