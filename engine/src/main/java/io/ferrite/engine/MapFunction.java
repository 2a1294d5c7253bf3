package io.ferrite.engine;

/**
 * One record in, one record out: the output is written into a writer of the operator's output schema, which the
 * engine has zeroed. The output keeps the input's event time and origin.
 */
@FunctionalInterface
public interface MapFunction
{
    /**
     * Transform a record.
     *
     * @param in  the input, valid only during this call.
     * @param out the output to fill.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    void map(RecordView in, RecordWriter out) throws Exception;
}
