package io.ferrite.memory.schema;

/**
 * The types a {@link Schema} field may have. Every type has a fixed width; a symbol's width is chosen per field.
 */
public enum FieldType
{
    /**
     * A signed 8-bit integer.
     */
    INT8(1),
    /**
     * A signed 16-bit integer.
     */
    INT16(2),
    /**
     * A signed 32-bit integer.
     */
    INT32(4),
    /**
     * A signed 64-bit integer.
     */
    INT64(8),
    /**
     * An IEEE 754 single-precision float.
     */
    FLOAT32(4),
    /**
     * An IEEE 754 double-precision float.
     */
    FLOAT64(8),
    /**
     * A boolean stored as one byte, 0 or 1.
     */
    BOOLEAN(1),
    /**
     * A signed 64-bit count of a time unit since the epoch.
     */
    TIMESTAMP(8),
    /**
     * Fixed-length ASCII text of 1 to {@link Schema#MAX_SYMBOL_LENGTH} bytes, padded with zero bytes.
     */
    SYMBOL(0);

    private final int width;

    FieldType(final int width)
    {
        this.width = width;
    }

    /**
     * The width of a field of this type; 0 for {@link #SYMBOL}, whose width is set per field.
     *
     * @return the width in bytes.
     */
    public int width()
    {
        return width;
    }
}
