package io.ferrite.engine;

/**
 * What a keyed process function sees of its key besides the record: the key, the key's value state (a fixed-size
 * record of the operator's state schema, off-heap), event-time and processing-time timers, the current watermark and
 * side outputs. Valid only during the call that receives it.
 * <p>
 * <b>Note:</b> Not threadsafe; owned by one operator instance.
 */
public interface KeyedContext
{
    /**
     * The current key.
     *
     * @return the key.
     */
    long key();

    /**
     * The event time of the record being processed, or the timestamp of the firing timer.
     *
     * @return the time.
     */
    long timestamp();

    /**
     * The operator's current watermark: every record with an event time at or below it is late.
     *
     * @return the watermark, {@link Long#MIN_VALUE} before the first.
     */
    long watermark();

    /**
     * The job clock's current time, in nanoseconds.
     *
     * @return the time.
     */
    long processingTime();

    /**
     * Whether the current key has value state.
     *
     * @return true if it has.
     */
    boolean hasState();

    /**
     * The current key's value state, created zeroed if it had none. The writer is valid until the next call that may
     * create state for another key; write fields in place to update it.
     *
     * @return the state record.
     * @throws IllegalStateException if the operator declared no state schema.
     */
    RecordWriter state();

    /**
     * Drop the current key's value state.
     */
    void clearState();

    /**
     * Register an event-time timer for the current key; registering the same time twice is one timer.
     *
     * @param timestamp when it fires, in the source's timestamp unit.
     */
    void registerEventTimeTimer(long timestamp);

    /**
     * Delete an event-time timer of the current key, if registered.
     *
     * @param timestamp its time.
     */
    void deleteEventTimeTimer(long timestamp);

    /**
     * Register a processing-time timer for the current key.
     *
     * @param timeNs when it fires, on the job's clock in nanoseconds.
     */
    void registerProcessingTimeTimer(long timeNs);

    /**
     * Delete a processing-time timer of the current key, if registered.
     *
     * @param timeNs its time.
     */
    void deleteProcessingTimeTimer(long timeNs);

    /**
     * Where to emit records of a side output.
     *
     * @param tag the side output, declared when the operator was added.
     * @return its collector.
     * @throws IllegalArgumentException if the operator did not declare the tag.
     */
    Collector side(OutputTag tag);
}
