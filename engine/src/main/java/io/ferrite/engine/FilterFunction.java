package io.ferrite.engine;

/**
 * Keep a record or drop it; a kept record passes on unchanged, without a copy.
 */
@FunctionalInterface
public interface FilterFunction
{
    /**
     * Decide.
     *
     * @param in the record, valid only during this call.
     * @return true to keep it.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    boolean test(RecordView in) throws Exception;
}
