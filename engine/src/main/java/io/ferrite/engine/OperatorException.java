package io.ferrite.engine;

/**
 * A user function failed under the {@link ErrorPolicy#FAIL} policy, or a source met a malformed record: names the
 * operator and the record (printed through its schema) and carries the cause. The job stops and reports it from
 * {@link Job#failure()} and {@link Job#await}.
 */
public final class OperatorException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String operator;
    private final String record;

    /**
     * An operator's failure.
     *
     * @param operator the operator's name.
     * @param record   the record it failed on, printed through its schema, or a description of the timer.
     * @param cause    what it threw.
     */
    public OperatorException(final String operator, final String record, final Throwable cause)
    {
        super("operator '" + operator + "' failed on " + record + ": " + cause, cause);
        this.operator = operator;
        this.record = record;
    }

    /**
     * The failing operator's name.
     *
     * @return the name.
     */
    public String operator()
    {
        return operator;
    }

    /**
     * The record it failed on, printed through its schema.
     *
     * @return the text.
     */
    public String record()
    {
        return record;
    }
}
