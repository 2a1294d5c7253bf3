package io.ferrite.engine;

/**
 * A keyed operator over two connected streams, for joins and enrichment: both inputs are keyed alike, so records of
 * one key from either side meet the same value state and timers.
 */
public interface CoProcessFunction
{
    /**
     * Process a record from the first stream.
     *
     * @param record the record, valid only during this call.
     * @param ctx    the key's state, timers and side outputs.
     * @param out    the main output.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    void processFirst(RecordView record, KeyedContext ctx, Collector out) throws Exception;

    /**
     * Process a record from the second stream.
     *
     * @param record the record, valid only during this call.
     * @param ctx    the key's state, timers and side outputs.
     * @param out    the main output.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    void processSecond(RecordView record, KeyedContext ctx, Collector out) throws Exception;

    /**
     * A timer of the current key fired.
     *
     * @param timestamp the timer's time.
     * @param domain    event or processing time.
     * @param ctx       the key's state, timers and side outputs.
     * @param out       the main output.
     * @throws Exception to fail; the job's error policy decides what follows.
     */
    default void onTimer(final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
        throws Exception
    {
    }
}
