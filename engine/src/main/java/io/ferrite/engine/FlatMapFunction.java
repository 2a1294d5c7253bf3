package io.ferrite.engine;

/**
 * One record in, zero or more out, up to the operator's declared maximum per input record.
 */
@FunctionalInterface
public interface FlatMapFunction
{
    /**
     * Transform a record.
     *
     * @param in  the input, valid only during this call.
     * @param out where outputs go: {@link Collector#begin()}, write, {@link Collector#emit()}.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    void flatMap(RecordView in, Collector out) throws Exception;
}
