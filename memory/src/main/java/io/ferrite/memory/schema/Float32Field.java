package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#FLOAT32}, read and written in native byte order.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class Float32Field extends Field
{
    Float32Field(final String name, final int index, final int offset)
    {
        super(name, FieldType.FLOAT32, index, offset, FieldType.FLOAT32.width());
    }

    /**
     * Read the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the value.
     */
    public float get(final DirectBuffer buffer, final int recordOffset)
    {
        return buffer.getFloat(recordOffset + offset());
    }

    /**
     * Write the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the value.
     */
    public void put(final MutableDirectBuffer buffer, final int recordOffset, final float value)
    {
        buffer.putFloat(recordOffset + offset(), value);
    }

    @Override
    public void appendValue(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        builder.append(get(buffer, recordOffset));
    }
}
