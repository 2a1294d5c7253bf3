package io.ferrite.engine;

/**
 * The end of a pipeline: called on the sink stage's thread for every record, in order per input.
 */
@FunctionalInterface
public interface SinkFunction
{
    /**
     * Consume a record.
     *
     * @param record the record, valid only during this call.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    void accept(RecordView record) throws Exception;
}
