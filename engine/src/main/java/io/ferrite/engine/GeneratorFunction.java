package io.ferrite.engine;

/**
 * Fills the records of a generator source, one per call, on the source stage's thread.
 */
@FunctionalInterface
public interface GeneratorFunction
{
    /**
     * Fill the next record.
     *
     * @param sequence the record's number, from 0.
     * @param out      the record to fill, zeroed.
     * @return true if a record was filled; false when the generator has no more (a bounded source).
     */
    boolean next(long sequence, RecordWriter out);
}
