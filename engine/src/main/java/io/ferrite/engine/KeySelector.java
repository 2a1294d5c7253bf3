package io.ferrite.engine;

/**
 * Computes a record's key as a long: records with equal keys go to the same parallel instance and share state and
 * timers. Must be deterministic and must not allocate.
 */
@FunctionalInterface
public interface KeySelector
{
    /**
     * The key of a record.
     *
     * @param record the record.
     * @return its key.
     */
    long key(RecordView record);
}
