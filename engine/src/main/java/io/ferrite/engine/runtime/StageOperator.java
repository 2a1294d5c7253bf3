package io.ferrite.engine.runtime;

import java.io.IOException;

import org.agrona.DirectBuffer;

import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * The contract between a stage and the chain of operators it runs: records, watermarks, processing time and the end
 * of input, with every output written to the stage's {@link StageOutput}. Operators do bounded work per call so a
 * stage can share a thread: {@link #onWatermark} and {@link #onEndOfStream} may ask to be called again.
 */
public interface StageOperator
{
    /**
     * The most entries one input record can produce in any one output channel: the stage checks that much room
     * before it takes the record.
     *
     * @return the bound, at least 1.
     */
    int maxOutputsPerRecord();

    /**
     * Whether the operator takes a record now. An operator that queues a record's outputs beyond the
     * {@link #maxOutputsPerRecord()} it declared (an interval join's pairs) says no until it has emitted them through
     * {@link #onProcessingTime} (due at once while it is not ready, see {@link #nextProcessingTime()}); the stage then
     * leaves its records in their inputs, as it does when its output is full.
     *
     * @return true to be handed the next record.
     */
    default boolean readyForRecord()
    {
        return true;
    }

    /**
     * Handle one record.
     *
     * @param input        the index of the stage input it came from.
     * @param buffer       the buffer holding the record, valid only during this call.
     * @param offset       where the record starts.
     * @param length       its length.
     * @param timestamp    its event time.
     * @param sourceId     its origin's source.
     * @param journalIndex its origin's journal index.
     * @param output       where results go.
     */
    void onRecord(
        int input,
        DirectBuffer buffer,
        int offset,
        int length,
        long timestamp,
        int sourceId,
        long journalIndex,
        StageOutput output);

    /**
     * The stage's watermark advanced: fire what it makes due, at most {@code limit} entries per output channel in
     * this call.
     *
     * @param watermark the new watermark.
     * @param output    where results go.
     * @param limit     the most entries to emit into any one channel now.
     * @return true when everything due at this watermark has been done; false to be called again.
     */
    boolean onWatermark(long watermark, StageOutput output, int limit);

    /**
     * When the earliest processing-time timer is due, so the stage reads its clock only when one is pending.
     *
     * @return the time in nanoseconds, or {@link Long#MAX_VALUE} for none.
     */
    default long nextProcessingTime()
    {
        return Long.MAX_VALUE;
    }

    /**
     * Fire processing-time timers due at {@code nowNs}, at most {@code limit} entries per output channel.
     *
     * @param nowNs  the clock's time.
     * @param output where results go.
     * @param limit  the most entries to emit into any one channel now.
     * @return the timers fired.
     */
    default int onProcessingTime(final long nowNs, final StageOutput output, final int limit)
    {
        return 0;
    }

    /**
     * Every input has ended (and the final watermark has fired): flush what is left, at most {@code limit} entries
     * per output channel in this call; after the last call the stage forwards its end of stream.
     *
     * @param output where results go.
     * @param limit  the most entries to emit now.
     * @return true when everything is flushed; false to be called again.
     */
    boolean onEndOfStream(StageOutput output, int limit);

    /**
     * Write the chain's state into a checkpoint, at a barrier: every record before it has been taken and none after.
     * Runs on the stage's thread; stateless operators write nothing.
     *
     * @param checkpointId the checkpoint.
     * @param writer       where to write.
     * @throws IOException if writing fails.
     */
    default void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
    {
    }

    /**
     * Restore the state {@link #snapshot} wrote, into a chain just built and not yet started.
     *
     * @param checkpointId the checkpoint.
     * @param reader       where to read.
     * @throws IOException if reading fails or the state does not fit this chain.
     */
    default void restore(final long checkpointId, final SnapshotReader reader) throws IOException
    {
    }

    /**
     * Recovery is over, before the stage starts: called with the checkpoint restored, or -1 when the job starts
     * without one (a sink then discards what an earlier run wrote after its last commit).
     *
     * @param checkpointId the checkpoint restored, or -1.
     */
    default void recovered(final long checkpointId)
    {
    }

    /**
     * A checkpoint has completed: every stage's state and the manifest are on disk. Runs on the stage's thread, after
     * the stage has passed the checkpoint's barrier; sinks commit what they wrote before it.
     *
     * @param checkpointId the checkpoint.
     */
    default void onCheckpointComplete(final long checkpointId)
    {
    }
}
