package io.ferrite.engine;

import org.agrona.MutableDirectBuffer;

import io.ferrite.memory.schema.BooleanField;
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
 * A record being written: an operator's output, a publisher's claimed slot, or a key's value state. Fields are
 * written through handles resolved once at build time; a writer can read what it holds, like a {@link RecordView}.
 * Nothing is allocated.
 * <p>
 * <b>Note:</b> Not threadsafe; owned by one operator instance or one producer thread.
 */
public final class RecordWriter extends RecordView
{
    MutableDirectBuffer mutableBuffer;

    RecordWriter(final Schema schema)
    {
        super(schema);
    }

    RecordWriter wrapMutable(final MutableDirectBuffer buffer, final int offset)
    {
        wrap(buffer, offset, 0, -1, -1);
        this.mutableBuffer = buffer;
        return this;
    }

    /**
     * The buffer being written, for writing fields through handles directly.
     *
     * @return the buffer.
     */
    public MutableDirectBuffer mutableBuffer()
    {
        return mutableBuffer;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final Int8Field field, final byte value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final Int16Field field, final short value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final Int32Field field, final int value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final Int64Field field, final long value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final Float32Field field, final float value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final Float64Field field, final double value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the value.
     * @return this for a fluent API.
     */
    public RecordWriter put(final BooleanField field, final boolean value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a field.
     *
     * @param field the field's handle.
     * @param value the count of the field's unit since the epoch.
     * @return this for a fluent API.
     */
    public RecordWriter put(final TimestampField field, final long value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a symbol field; no allocation.
     *
     * @param field the field's handle.
     * @param value ASCII characters, at most the field's length.
     * @return this for a fluent API.
     */
    public RecordWriter put(final SymbolField field, final CharSequence value)
    {
        field.put(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Write a symbol field from its long form ({@link RecordView#symbolAsLong}), as a key comes back.
     *
     * @param field the field's handle.
     * @param value the symbol as a long.
     * @return this for a fluent API.
     */
    public RecordWriter putSymbolAsLong(final SymbolField field, final long value)
    {
        field.putAsLong(mutableBuffer, offset, value);
        return this;
    }

    /**
     * Copy a whole record of the same schema into this one.
     *
     * @param source the record to copy.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the schemas differ.
     */
    public RecordWriter copyFrom(final RecordView source)
    {
        if (source.schema != schema && source.schema.fingerprint() != schema.fingerprint())
        {
            throw new IllegalArgumentException("cannot copy a '" + source.schema.name() + "' record into a '" +
                schema.name() + "' record: schemas differ");
        }
        mutableBuffer.putBytes(offset, source.buffer, source.offset, schema.recordLength());
        return this;
    }

    /**
     * Set every byte of the record to zero.
     *
     * @return this for a fluent API.
     */
    public RecordWriter clear()
    {
        mutableBuffer.setMemory(offset, schema.recordLength(), (byte)0);
        return this;
    }
}
