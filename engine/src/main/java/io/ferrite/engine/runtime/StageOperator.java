package io.ferrite.engine.runtime;

import io.ferrite.queues.ring.RingEntry;

/**
 * The contract between a stage and the chain of operators it runs: records, watermarks and the end of input, with
 * every output written to the stage's {@link StageOutput}. Operators do bounded work per call so a stage can share a
 * thread: {@link #onWatermark} may ask to be called again.
 */
public interface StageOperator
{
    /**
     * The most records one input record can produce, per output partition: the stage checks that much room before
     * it takes the record.
     *
     * @return the bound, at least 1.
     */
    int maxOutputsPerRecord();

    /**
     * Handle one record.
     *
     * @param record the input entry, valid only during this call.
     * @param output where results go.
     */
    void onRecord(RingEntry record, StageOutput output);

    /**
     * The stage's watermark advanced: fire what it makes due, at most {@code limit} results in this call.
     *
     * @param watermark the new watermark.
     * @param output    where results go.
     * @param limit     the most results to emit now.
     * @return true when everything due at this watermark has been done; false to be called again.
     */
    boolean onWatermark(long watermark, StageOutput output, int limit);

    /**
     * Every input has ended (and the final watermark has fired): flush what is left, at most {@code limit} results
     * in this call; after the last call the stage forwards its end of stream.
     *
     * @param output where results go.
     * @param limit  the most results to emit now.
     * @return true when everything is flushed; false to be called again.
     */
    boolean onEndOfStream(StageOutput output, int limit);
}
