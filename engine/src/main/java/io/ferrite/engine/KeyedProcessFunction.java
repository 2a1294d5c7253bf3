package io.ferrite.engine;

/**
 * The general keyed operator: per record and per timer, with the key's value state, timers and side outputs in the
 * {@link KeyedContext}. Keep state in the context, not in fields: parallel instances share the function object.
 */
public interface KeyedProcessFunction
{
    /**
     * Process a record of the current key.
     *
     * @param record the record, valid only during this call.
     * @param ctx    the key's state, timers and side outputs.
     * @param out    the main output.
     * @throws Exception to fail the record; the job's error policy decides what follows.
     */
    void processRecord(RecordView record, KeyedContext ctx, Collector out) throws Exception;

    /**
     * A timer of the current key fired. Event-time timers fire in (timestamp, key) order before the watermark that
     * made them due is passed on; at the end of a bounded input the final watermark fires every one left.
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
