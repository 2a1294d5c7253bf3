package io.ferrite.memory.schema;

import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A field of type {@link FieldType#TIMESTAMP}: a signed 64-bit count of {@link #unit()} since 1970-01-01T00:00Z.
 * <p>
 * <b>Note:</b> Immutable and threadsafe; the buffers it reads and writes are not.
 */
public final class TimestampField extends Field
{
    private final TimeUnit unit;

    TimestampField(final String name, final int index, final int offset, final TimeUnit unit)
    {
        super(name, FieldType.TIMESTAMP, index, offset, FieldType.TIMESTAMP.width());
        this.unit = unit;
    }

    /**
     * The unit of the stored count.
     *
     * @return the time unit.
     */
    public TimeUnit unit()
    {
        return unit;
    }

    /**
     * Read the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the count of {@link #unit()} since the epoch.
     */
    public long get(final DirectBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + offset());
    }

    /**
     * Read the field converted to milliseconds since the epoch.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return milliseconds since the epoch, rounded toward negative infinity for finer units.
     */
    public long getMillis(final DirectBuffer buffer, final int recordOffset)
    {
        final long value = get(buffer, recordOffset);
        switch (unit)
        {
            case MILLISECONDS:
                return value;
            case MICROSECONDS:
                return Math.floorDiv(value, 1_000L);
            case NANOSECONDS:
                return Math.floorDiv(value, 1_000_000L);
            default:
                return unit.toMillis(value);
        }
    }

    /**
     * Write the field.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param value        the count of {@link #unit()} since the epoch.
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

    @Override
    String describe()
    {
        return "TIMESTAMP(" + unit + ')';
    }
}
