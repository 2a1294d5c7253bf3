package io.ferrite.engine;

import org.agrona.DirectBuffer;

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
 * A read-only view of one record as a user function sees it: the record's bytes where they lie (a ring slot, a
 * journal entry, an operator's output), read through field handles resolved once at build time, plus the record's
 * event time and origin. The engine re-points one view per operator at each record: a view is valid only during the
 * call that receives it, and nothing is allocated.
 * <p>
 * <b>Note:</b> Not threadsafe; owned by one operator instance.
 */
public class RecordView
{
    DirectBuffer buffer;
    int offset;
    final Schema schema;
    long timestamp;
    int sourceId;
    long journalIndex;

    RecordView(final Schema schema)
    {
        this.schema = schema;
    }

    final RecordView wrap(
        final DirectBuffer buffer, final int offset, final long timestamp, final int sourceId, final long journalIndex)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.timestamp = timestamp;
        this.sourceId = sourceId;
        this.journalIndex = journalIndex;
        return this;
    }

    /**
     * The record's schema.
     *
     * @return the schema.
     */
    public final Schema schema()
    {
        return schema;
    }

    /**
     * The buffer holding the record, for reading fields through handles directly.
     *
     * @return the buffer.
     */
    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the record starts in {@link #buffer()}.
     *
     * @return the offset.
     */
    public final int offset()
    {
        return offset;
    }

    /**
     * The record's event time, in its source's timestamp unit.
     *
     * @return the event time.
     */
    public final long timestamp()
    {
        return timestamp;
    }

    /**
     * The id of the source the record came from, or -1 for a record a timer produced.
     *
     * @return the source id.
     */
    public final int sourceId()
    {
        return sourceId;
    }

    /**
     * The record's position in its source's journal (or file line, or count), its deterministic identity.
     *
     * @return the index.
     */
    public final long journalIndex()
    {
        return journalIndex;
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final byte get(final Int8Field field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final short get(final Int16Field field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final int get(final Int32Field field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final long get(final Int64Field field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final float get(final Float32Field field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final double get(final Float64Field field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the value.
     */
    public final boolean get(final BooleanField field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a field.
     *
     * @param field the field's handle.
     * @return the count of the field's unit since the epoch.
     */
    public final long get(final TimestampField field)
    {
        return field.get(buffer, offset);
    }

    /**
     * Read a symbol of up to 8 characters as a long, the form keys take; no allocation.
     *
     * @param field the field's handle.
     * @return the symbol's bytes as a long.
     */
    public final long symbolAsLong(final SymbolField field)
    {
        return field.getAsLong(buffer, offset);
    }

    /**
     * Whether a symbol field holds the given characters; no allocation.
     *
     * @param field the field's handle.
     * @param value the characters.
     * @return true if equal.
     */
    public final boolean symbolEquals(final SymbolField field, final CharSequence value)
    {
        return field.equalTo(buffer, offset, value);
    }

    /**
     * Append a symbol field's characters; no allocation with a pre-sized {@link StringBuilder}.
     *
     * @param field      the field's handle.
     * @param appendable where the characters go.
     * @param <A>        the appendable's type.
     * @return the appendable.
     */
    public final <A extends Appendable> A appendSymbol(final SymbolField field, final A appendable)
    {
        return field.appendTo(buffer, offset, appendable);
    }

    /**
     * A symbol field as a string: allocates, so keep it off the hot path.
     *
     * @param field the field's handle.
     * @return the string.
     */
    public final String symbol(final SymbolField field)
    {
        return field.getString(buffer, offset);
    }

    /**
     * The record printed through its schema, with its event time and origin: allocates, for errors and tests.
     *
     * @return the text.
     */
    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return schema.name() + "{}";
        }
        return schema.toString(buffer, offset) + " @" + timestamp + " origin=" + sourceId + ":" + journalIndex;
    }
}
