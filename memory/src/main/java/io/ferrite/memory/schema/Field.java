package io.ferrite.memory.schema;

import org.agrona.DirectBuffer;

/**
 * A named field of a {@link Schema}, at a fixed offset in every record of that schema. The typed subclasses read and
 * write the field at {@code (buffer, recordOffset)} with no allocation; resolve them once, when a pipeline is built.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public abstract class Field
{
    private final String name;
    private final FieldType type;
    private final int index;
    private final int offset;
    private final int width;

    Field(final String name, final FieldType type, final int index, final int offset, final int width)
    {
        this.name = name;
        this.type = type;
        this.index = index;
        this.offset = offset;
        this.width = width;
    }

    /**
     * The field's name.
     *
     * @return the name.
     */
    public final String name()
    {
        return name;
    }

    /**
     * The field's type.
     *
     * @return the type.
     */
    public final FieldType type()
    {
        return type;
    }

    /**
     * The field's position in declaration order, which is also its CSV column (0-based).
     *
     * @return the index.
     */
    public final int index()
    {
        return index;
    }

    /**
     * The field's offset from the start of a record.
     *
     * @return the offset in bytes.
     */
    public final int offset()
    {
        return offset;
    }

    /**
     * The field's width.
     *
     * @return the width in bytes.
     */
    public final int width()
    {
        return width;
    }

    /**
     * Append the field's value, as text, to a builder: the CSV form, also used to print records.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param builder      where to append.
     */
    public abstract void appendValue(DirectBuffer buffer, int recordOffset, StringBuilder builder);

    String describe()
    {
        return type.name();
    }

    @Override
    public String toString()
    {
        return name + ':' + describe() + '@' + offset;
    }
}
