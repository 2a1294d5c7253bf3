package io.ferrite.engine;

import org.agrona.DirectBuffer;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;

/**
 * How a keyed edge computes a record's key: a field read as a long (integers, timestamps, booleans, symbols of up
 * to 8 characters), or a user's {@link KeySelector}.
 */
final class KeySpec
{
    final String description;
    final Schema schema;
    final Field field;
    final KeySelector selector;

    private KeySpec(final String description, final Schema schema, final Field field, final KeySelector selector)
    {
        this.description = description;
        this.schema = schema;
        this.field = field;
        this.selector = selector;
    }

    static KeySpec ofField(final Schema schema, final String fieldName)
    {
        if (!schema.hasField(fieldName))
        {
            throw new IllegalArgumentException("keyBy: schema '" + schema.name() + "' has no field '" + fieldName +
                "'; fields: " + schema.fields());
        }
        final Field field = schema.field(fieldName);
        switch (field.type())
        {
            case FLOAT32:
            case FLOAT64:
                throw new IllegalArgumentException("keyBy: field '" + fieldName + "' of schema '" + schema.name() +
                    "' is " + field.type() + "; a key must be an integer, timestamp, boolean or symbol field, or " +
                    "come from a KeySelector");
            case SYMBOL:
                if (field.width() > 8)
                {
                    throw new IllegalArgumentException("keyBy: symbol field '" + fieldName + "' of schema '" +
                        schema.name() + "' is " + field.width() + " characters; keys are 64 bits, so a symbol " +
                        "key holds at most 8: use a KeySelector (e.g. a hash or an id lookup) for longer symbols");
                }
                break;
            default:
                break;
        }
        return new KeySpec(fieldName, schema, field, null);
    }

    static KeySpec ofSelector(final Schema schema, final String description, final KeySelector selector)
    {
        if (null == selector)
        {
            throw new NullPointerException("keyBy: key selector");
        }
        return new KeySpec(description, schema, null, selector);
    }

    KeyReader newReader()
    {
        return new KeyReader(this);
    }

    /**
     * Reads keys for one operator instance: a selector needs a view of its own.
     */
    static final class KeyReader
    {
        private final Field field;
        private final KeySelector selector;
        private final RecordView view;

        KeyReader(final KeySpec spec)
        {
            this.field = spec.field;
            this.selector = spec.selector;
            this.view = new RecordView(spec.schema);
        }

        long key(
            final DirectBuffer buffer,
            final int offset,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            if (null != selector)
            {
                return selector.key(view.wrap(buffer, offset, timestamp, sourceId, journalIndex));
            }
            final int at = offset + field.offset();
            switch (field.type())
            {
                case INT8:
                case BOOLEAN:
                    return buffer.getByte(at);
                case INT16:
                    return buffer.getShort(at);
                case INT32:
                    return buffer.getInt(at);
                case SYMBOL:
                    return ((SymbolField)field).getAsLong(buffer, offset);
                default:
                    return buffer.getLong(at);
            }
        }
    }
}
