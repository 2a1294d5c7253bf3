package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;

/**
 * A view of one record of a {@link Schema} at {@code (buffer, offset)}: re-wrapped per record, never allocated per
 * record. Read fields through the schema's typed handles with {@link #buffer()} and {@link #offset()}; print the
 * record for a message with {@link #toString()}.
 * <p>
 * <b>Note:</b> Not threadsafe; one flyweight per thread.
 */
public final class RecordFlyweight
{
    private final Schema schema;
    private DirectBuffer buffer;
    private int offset;

    /**
     * A flyweight for records of a schema, wrapping nothing yet.
     *
     * @param schema the records' schema.
     */
    public RecordFlyweight(final Schema schema)
    {
        this.schema = schema;
    }

    /**
     * Point the flyweight at a record.
     *
     * @param buffer the buffer holding the record.
     * @param offset the record's offset.
     * @return this for a fluent API.
     */
    public RecordFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * The schema of the records this flyweight views.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * The buffer holding the current record.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * The current record's offset in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Append the record in readable form.
     *
     * @param builder where to append.
     * @return the builder.
     */
    public StringBuilder appendTo(final StringBuilder builder)
    {
        return null == buffer ? builder.append(schema.name()).append("{unwrapped}") :
            schema.appendRecord(buffer, offset, builder);
    }

    @Override
    public String toString()
    {
        return appendTo(new StringBuilder(64)).toString();
    }
}
