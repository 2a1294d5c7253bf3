package io.ferrite.memory.schema;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.agrona.DirectBuffer;

/**
 * The fixed layout of a record: named fixed-width fields at fixed offsets, {@link #recordLength()} bytes in all.
 * <p>
 * Fields are laid out by alignment class, widest first — 8-byte fields, then 4-, 2- and 1-byte fields, then symbols —
 * keeping declaration order within a class, so a record starting on an 8-byte boundary has every numeric field
 * naturally aligned and needs no padding. Values are stored in native byte order. A trade schema declared as
 * {@code symbol("sym", 8).float64("price").int32("qty").timestamp("ts", MILLISECONDS).bool("buy")} is laid out as:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        price (float64)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     ts (timestamp, int64)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          qty (int32)                          |
 *  +---------------+-----------------------------------------------+
 *  |  buy (bool)   |            sym (symbol(8)) bytes 0-2          |
 *  +---------------+-----------------------------------------------+
 *  |                       sym bytes 3-6                           |
 *  +---------------+-----------------------------------------------+
 *  | sym byte 7    |
 *  +---------------+
 * </pre>
 * which is 29 bytes; {@link #layout()} draws the table of any schema. The CSV column order is the declaration order
 * ({@link Field#index()}), not the layout order.
 * <p>
 * The {@link #fingerprint()} is a 64-bit hash of the layout — every field's name, type, width, unit, offset and
 * column, and the byte order — so journals and snapshots can refuse data written with another schema. The schema's
 * own name is left out: renaming a schema does not change its records.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public final class Schema
{
    /**
     * The longest symbol field.
     */
    public static final int MAX_SYMBOL_LENGTH = 256;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String name;
    private final List<Field> fields;
    private final List<Field> fieldsByOffset;
    private final Map<String, Field> fieldsByName;
    private final int recordLength;
    private final long fingerprint;

    private Schema(final String name, final List<Field> fields, final List<Field> fieldsByOffset)
    {
        this.name = name;
        this.fields = Collections.unmodifiableList(fields);
        this.fieldsByOffset = Collections.unmodifiableList(fieldsByOffset);
        final Map<String, Field> byName = new HashMap<>();
        int length = 0;
        for (final Field field : fields)
        {
            byName.put(field.name(), field);
            length += field.width();
        }
        this.fieldsByName = byName;
        this.recordLength = length;
        this.fingerprint = computeFingerprint(fieldsByOffset);
    }

    /**
     * Start building a schema.
     *
     * @param name the schema's name, for messages.
     * @return a builder.
     */
    public static Builder builder(final String name)
    {
        return new Builder(name);
    }

    /**
     * The schema's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The fields in declaration order, which is the CSV column order.
     *
     * @return an unmodifiable list of fields.
     */
    public List<Field> fields()
    {
        return fields;
    }

    /**
     * The fields in layout order, by offset.
     *
     * @return an unmodifiable list of fields.
     */
    public List<Field> fieldsByOffset()
    {
        return fieldsByOffset;
    }

    /**
     * The number of fields.
     *
     * @return the field count.
     */
    public int fieldCount()
    {
        return fields.size();
    }

    /**
     * The bytes one record takes.
     *
     * @return the record length.
     */
    public int recordLength()
    {
        return recordLength;
    }

    /**
     * A 64-bit hash of the layout that tells two schemas apart.
     *
     * @return the fingerprint.
     */
    public long fingerprint()
    {
        return fingerprint;
    }

    /**
     * The field with the given name.
     *
     * @param fieldName the name.
     * @return the field.
     * @throws IllegalArgumentException naming the schema and its fields if there is no such field.
     */
    public Field field(final String fieldName)
    {
        final Field field = fieldsByName.get(fieldName);
        if (null == field)
        {
            throw new IllegalArgumentException(
                "no field '" + fieldName + "' in schema " + name + ": fields=" + fields);
        }
        return field;
    }

    /**
     * Whether the schema has a field with the given name.
     *
     * @param fieldName the name.
     * @return true if it has.
     */
    public boolean hasField(final String fieldName)
    {
        return fieldsByName.containsKey(fieldName);
    }

    /**
     * The {@link FieldType#INT8} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public Int8Field int8Field(final String fieldName)
    {
        return typed(fieldName, Int8Field.class, FieldType.INT8);
    }

    /**
     * The {@link FieldType#INT16} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public Int16Field int16Field(final String fieldName)
    {
        return typed(fieldName, Int16Field.class, FieldType.INT16);
    }

    /**
     * The {@link FieldType#INT32} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public Int32Field int32Field(final String fieldName)
    {
        return typed(fieldName, Int32Field.class, FieldType.INT32);
    }

    /**
     * The {@link FieldType#INT64} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public Int64Field int64Field(final String fieldName)
    {
        return typed(fieldName, Int64Field.class, FieldType.INT64);
    }

    /**
     * The {@link FieldType#FLOAT32} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public Float32Field float32Field(final String fieldName)
    {
        return typed(fieldName, Float32Field.class, FieldType.FLOAT32);
    }

    /**
     * The {@link FieldType#FLOAT64} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public Float64Field float64Field(final String fieldName)
    {
        return typed(fieldName, Float64Field.class, FieldType.FLOAT64);
    }

    /**
     * The {@link FieldType#BOOLEAN} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public BooleanField booleanField(final String fieldName)
    {
        return typed(fieldName, BooleanField.class, FieldType.BOOLEAN);
    }

    /**
     * The {@link FieldType#TIMESTAMP} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public TimestampField timestampField(final String fieldName)
    {
        return typed(fieldName, TimestampField.class, FieldType.TIMESTAMP);
    }

    /**
     * The {@link FieldType#SYMBOL} field with the given name.
     *
     * @param fieldName the name.
     * @return the field handle.
     */
    public SymbolField symbolField(final String fieldName)
    {
        return typed(fieldName, SymbolField.class, FieldType.SYMBOL);
    }

    /**
     * Append a readable form of a record, {@code name{field=value, ...}} in declaration order, for messages.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @param builder      where to append.
     * @return the builder.
     */
    public StringBuilder appendRecord(final DirectBuffer buffer, final int recordOffset, final StringBuilder builder)
    {
        builder.append(name).append('{');
        for (int i = 0, n = fields.size(); i < n; i++)
        {
            final Field field = fields.get(i);
            if (i > 0)
            {
                builder.append(", ");
            }
            builder.append(field.name()).append('=');
            if (field.type() == FieldType.SYMBOL)
            {
                builder.append('\'');
                field.appendValue(buffer, recordOffset, builder);
                builder.append('\'');
            }
            else
            {
                field.appendValue(buffer, recordOffset, builder);
            }
        }
        return builder.append('}');
    }

    /**
     * A readable form of a record, for messages; allocates.
     *
     * @param buffer       the buffer holding the record.
     * @param recordOffset the record's offset in the buffer.
     * @return the record as text.
     */
    public String toString(final DirectBuffer buffer, final int recordOffset)
    {
        return appendRecord(buffer, recordOffset, new StringBuilder(64)).toString();
    }

    /**
     * A table of the layout: offset, width, type and name of every field, the record length and the fingerprint.
     *
     * @return the layout as text.
     */
    public String layout()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("schema ").append(name).append(": ").append(recordLength).append(" bytes, fingerprint 0x")
            .append(Long.toHexString(fingerprint)).append(", ").append(ByteOrder.nativeOrder()).append('\n');
        sb.append(String.format("  %6s  %5s  %-22s  %s%n", "offset", "width", "type", "field (csv column)"));
        for (final Field field : fieldsByOffset)
        {
            sb.append(String.format("  %6d  %5d  %-22s  %s (%d)%n",
                field.offset(), field.width(), field.describe(), field.name(), field.index() + 1));
        }
        return sb.toString();
    }

    /**
     * The field names in declaration order, joined by commas: a CSV header line.
     *
     * @return the header.
     */
    public String csvHeader()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Field field : fields)
        {
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(field.name());
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || (o instanceof Schema && ((Schema)o).fingerprint == fingerprint &&
            ((Schema)o).fields.toString().equals(fields.toString()));
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(fingerprint);
    }

    @Override
    public String toString()
    {
        return "Schema{" + name + ", fields=" + fields + ", length=" + recordLength + '}';
    }

    private <T extends Field> T typed(final String fieldName, final Class<T> type, final FieldType fieldType)
    {
        final Field field = field(fieldName);
        if (field.type() != fieldType)
        {
            throw new IllegalArgumentException("field '" + fieldName + "' in schema " + name + " is " +
                field.describe() + ", not " + fieldType);
        }
        return type.cast(field);
    }

    private static long computeFingerprint(final List<Field> fieldsByOffset)
    {
        final StringBuilder sb = new StringBuilder("ferrite-schema-v1;").append(ByteOrder.nativeOrder()).append(';');
        for (final Field field : fieldsByOffset)
        {
            sb.append(field.name()).append(':').append(field.describe()).append(':').append(field.width())
                .append('@').append(field.offset()).append('#').append(field.index()).append(';');
        }
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < sb.length(); i++)
        {
            hash ^= sb.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /**
     * Builds a {@link Schema} from fields in declaration order.
     * <p>
     * <b>Note:</b> Not threadsafe.
     */
    public static final class Builder
    {
        private final String name;
        private final List<FieldSpec> specs = new ArrayList<>();

        Builder(final String name)
        {
            if (null == name || name.isEmpty())
            {
                throw new IllegalArgumentException("schema must be named");
            }
            this.name = name;
        }

        /**
         * Add a signed 8-bit integer field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder int8(final String fieldName)
        {
            return add(fieldName, FieldType.INT8, 1, null);
        }

        /**
         * Add a signed 16-bit integer field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder int16(final String fieldName)
        {
            return add(fieldName, FieldType.INT16, 2, null);
        }

        /**
         * Add a signed 32-bit integer field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder int32(final String fieldName)
        {
            return add(fieldName, FieldType.INT32, 4, null);
        }

        /**
         * Add a signed 64-bit integer field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder int64(final String fieldName)
        {
            return add(fieldName, FieldType.INT64, 8, null);
        }

        /**
         * Add a single-precision float field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder float32(final String fieldName)
        {
            return add(fieldName, FieldType.FLOAT32, 4, null);
        }

        /**
         * Add a double-precision float field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder float64(final String fieldName)
        {
            return add(fieldName, FieldType.FLOAT64, 8, null);
        }

        /**
         * Add a boolean field.
         *
         * @param fieldName the field's name.
         * @return this for a fluent API.
         */
        public Builder bool(final String fieldName)
        {
            return add(fieldName, FieldType.BOOLEAN, 1, null);
        }

        /**
         * Add a timestamp field counting {@code unit} since the epoch.
         *
         * @param fieldName the field's name.
         * @param unit      the unit of the stored count.
         * @return this for a fluent API.
         */
        public Builder timestamp(final String fieldName, final TimeUnit unit)
        {
            if (null == unit)
            {
                throw new IllegalArgumentException("timestamp field needs a unit: field=" + fieldName);
            }
            return add(fieldName, FieldType.TIMESTAMP, 8, unit);
        }

        /**
         * Add a fixed-length ASCII symbol field.
         *
         * @param fieldName the field's name.
         * @param length    the most characters it holds, 1 to {@link #MAX_SYMBOL_LENGTH}.
         * @return this for a fluent API.
         */
        public Builder symbol(final String fieldName, final int length)
        {
            if (length < 1 || length > MAX_SYMBOL_LENGTH)
            {
                throw new IllegalArgumentException("symbol length out of range [1, " + MAX_SYMBOL_LENGTH +
                    "]: field=" + fieldName + " length=" + length);
            }
            return add(fieldName, FieldType.SYMBOL, length, null);
        }

        /**
         * Add a field of the same type, width and unit as another schema's field: to derive one schema from another
         * (a copy of the input's fields, a result of the same type as the field it aggregates).
         *
         * @param fieldName the new field's name.
         * @param like      the field whose type it takes.
         * @return this for a fluent API.
         */
        public Builder like(final String fieldName, final Field like)
        {
            return add(fieldName, like.type(), like.width(),
                like.type() == FieldType.TIMESTAMP ? ((TimestampField)like).unit() : null);
        }

        /**
         * Lay out the fields and build the schema.
         *
         * @return the schema.
         * @throws IllegalArgumentException if there are no fields.
         */
        public Schema build()
        {
            if (specs.isEmpty())
            {
                throw new IllegalArgumentException("schema has no fields: " + name);
            }
            final List<FieldSpec> ordered = new ArrayList<>(specs);
            ordered.sort((a, b) -> Integer.compare(b.alignment(), a.alignment()));

            final Field[] byIndex = new Field[specs.size()];
            final List<Field> byOffset = new ArrayList<>(specs.size());
            int offset = 0;
            for (final FieldSpec spec : ordered)
            {
                final Field field = spec.create(offset);
                byIndex[spec.index] = field;
                byOffset.add(field);
                offset += spec.width;
            }
            return new Schema(name, List.of(byIndex), byOffset);
        }

        private Builder add(final String fieldName, final FieldType type, final int width, final TimeUnit unit)
        {
            if (null == fieldName || !NAME.matcher(fieldName).matches())
            {
                throw new IllegalArgumentException(
                    "field name must match " + NAME + ": schema=" + name + " field=" + fieldName);
            }
            for (final FieldSpec spec : specs)
            {
                if (spec.name.equals(fieldName))
                {
                    throw new IllegalArgumentException("duplicate field: schema=" + name + " field=" + fieldName);
                }
            }
            specs.add(new FieldSpec(fieldName, type, width, unit, specs.size()));
            return this;
        }
    }

    private static final class FieldSpec
    {
        final String name;
        final FieldType type;
        final int width;
        final TimeUnit unit;
        final int index;

        FieldSpec(final String name, final FieldType type, final int width, final TimeUnit unit, final int index)
        {
            this.name = name;
            this.type = type;
            this.width = width;
            this.unit = unit;
            this.index = index;
        }

        int alignment()
        {
            return type == FieldType.SYMBOL ? 0 : width;
        }

        Field create(final int offset)
        {
            switch (type)
            {
                case INT8:
                    return new Int8Field(name, index, offset);
                case INT16:
                    return new Int16Field(name, index, offset);
                case INT32:
                    return new Int32Field(name, index, offset);
                case INT64:
                    return new Int64Field(name, index, offset);
                case FLOAT32:
                    return new Float32Field(name, index, offset);
                case FLOAT64:
                    return new Float64Field(name, index, offset);
                case BOOLEAN:
                    return new BooleanField(name, index, offset);
                case TIMESTAMP:
                    return new TimestampField(name, index, offset, unit);
                case SYMBOL:
                    return new SymbolField(name, index, offset, width);
                default:
                    throw new IllegalStateException("unknown type: " + type);
            }
        }
    }
}
