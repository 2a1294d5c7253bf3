package io.ferrite.memory.csv;

/**
 * Thrown when a line of input cannot be decoded into a record: it names the source, the line, the column and field,
 * and the reason, with the offending text. The record being decoded must then be discarded; nothing else is lost.
 */
public final class MalformedRecordException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long lineNumber;
    private final int column;
    private final String fieldName;
    private final String reason;

    /**
     * An exception describing a malformed line.
     *
     * @param source     the file or stream the line came from.
     * @param lineNumber the line's number, from 1.
     * @param column     the column, from 1.
     * @param fieldName  the field the column maps to, or null when there is none (an extra column).
     * @param reason     what is wrong and what was expected.
     */
    public MalformedRecordException(
        final String source, final long lineNumber, final int column, final String fieldName, final String reason)
    {
        super(source + " line " + lineNumber + ", column " + column +
            (null == fieldName ? "" : " (" + fieldName + ")") + ": " + reason);
        this.source = source;
        this.lineNumber = lineNumber;
        this.column = column;
        this.fieldName = fieldName;
        this.reason = reason;
    }

    /**
     * The file or stream the line came from.
     *
     * @return the source's name.
     */
    public String source()
    {
        return source;
    }

    /**
     * The line's number, from 1.
     *
     * @return the line number.
     */
    public long lineNumber()
    {
        return lineNumber;
    }

    /**
     * The column where decoding failed, from 1.
     *
     * @return the column.
     */
    public int column()
    {
        return column;
    }

    /**
     * The field the failing column maps to.
     *
     * @return the field's name, or null for a column past the last field.
     */
    public String fieldName()
    {
        return fieldName;
    }

    /**
     * What is wrong and what was expected, with the offending text.
     *
     * @return the reason.
     */
    public String reason()
    {
        return reason;
    }
}
