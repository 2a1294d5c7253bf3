package io.ferrite.engine;

/**
 * What happens when a user function throws or an input record is malformed.
 */
public enum ErrorPolicy
{
    /**
     * Stop the job: the handle reports the operator, the exception and the record, printed through its schema.
     */
    FAIL,

    /**
     * Write the record and the reason to the job's dead-letter journal, count it, and carry on with the next.
     */
    DEAD_LETTER
}
