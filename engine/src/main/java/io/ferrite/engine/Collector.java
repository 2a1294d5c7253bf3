package io.ferrite.engine;

/**
 * Where an operator emits records: {@link #begin()} hands out the operator's zeroed output record, the function
 * writes its fields, {@link #emit()} passes it on (synchronously, through the rest of the stage) and the writer may
 * be begun again; a begun record that is not emitted is dropped. An operator may emit at most its declared maximum
 * per input record or timer; more is an error.
 * <p>
 * <b>Note:</b> Not threadsafe; valid only during the call that receives it.
 */
public interface Collector
{
    /**
     * Start a new output record.
     *
     * @return the output record, zeroed.
     */
    RecordWriter begin();

    /**
     * Emit the begun record with the event time of the input (or of the firing timer).
     */
    void emit();

    /**
     * Emit the begun record with the given event time.
     *
     * @param timestamp the output's event time, in the source's timestamp unit.
     */
    void emit(long timestamp);
}
