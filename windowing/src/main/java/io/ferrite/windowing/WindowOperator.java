package io.ferrite.windowing;

import java.io.IOException;

import org.agrona.DirectBuffer;

import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * A keyed window operator: pure, single-threaded logic driven by calls — a record with its key and timestamp, a
 * watermark, the processing time, the end of the stream — emitting results to a {@link WindowOutput}. State
 * (accumulators, window bookkeeping, timers) lives in off-heap tables charged to the operator's owner in a
 * {@code MemoryManager}; there is no Java object per key, window or record, and no call allocates in steady state.
 * <p>
 * Output is bounded per call so the caller can hold the space for it: a call with a {@code limit} emits at most that
 * many results and says whether it finished; the rest waits for the next call. {@link #onRecord} itself emits
 * nothing: what a record makes due (the update of a window that already fired, a count window that filled) is queued
 * and emitted by {@link #emitPending}, which the caller runs after each batch of records, and which
 * {@link #advanceWatermark} and {@link #endOfStream} run first.
 * <p>
 * Watermarks follow Flink's rules: watermark {@code w} says no record with a timestamp {@code <= w} is still to come;
 * window {@code [start, end)} fires when the watermark reaches {@code end - 1}, once, with results per key in
 * timestamp order; a record is late when every window it belongs to has been closed for longer than the allowed
 * lateness (its end {@code - 1 + lateness <= watermark}): it is then refused and the caller sends it to the late side
 * output with the window it missed ({@link #missedWindowStart()}, {@link #missedWindowEnd()}).
 * <p>
 * <b>Note:</b> Not threadsafe; an operator belongs to one thread.
 */
public interface WindowOperator extends AutoCloseable
{
    /**
     * Take one record.
     *
     * @param key       the record's key.
     * @param timestamp the record's event timestamp (for processing-time windows, the processing time now).
     * @param record    the buffer holding the record.
     * @param offset    the record's offset.
     * @return true when the record was taken, false when it is late beyond the allowed lateness and was not.
     */
    boolean onRecord(long key, long timestamp, DirectBuffer record, int offset);

    /**
     * The start of the window the last refused record missed (the latest window it belongs to).
     *
     * @return the window's start.
     */
    long missedWindowStart();

    /**
     * The end of the window the last refused record missed.
     *
     * @return the window's end.
     */
    long missedWindowEnd();

    /**
     * Whether results are queued for {@link #emitPending}.
     *
     * @return true when a call to {@link #emitPending} would emit something.
     */
    boolean hasPending();

    /**
     * Emit queued results.
     *
     * @param limit the most results to emit.
     * @return how many were emitted.
     */
    int emitPending(int limit);

    /**
     * Advance the watermark and fire the windows it closes, after any queued results.
     *
     * @param watermark the new watermark; one below the current one is ignored.
     * @param limit     the most results to emit.
     * @return true when everything due at this watermark was emitted, false when the call must be repeated.
     */
    boolean advanceWatermark(long watermark, int limit);

    /**
     * The current watermark.
     *
     * @return the watermark, {@link Long#MIN_VALUE} before the first.
     */
    long watermark();

    /**
     * The watermark at which the next window fires (for processing-time windows, the caller advances the watermark
     * to the clock when it gets there).
     *
     * @return the watermark, or {@link Long#MAX_VALUE} when no window is waiting to fire.
     */
    long nextFiringTime();

    /**
     * When {@link #onProcessingTime} next has work (early results, processing-time triggers).
     *
     * @return the processing time, or {@link Long#MAX_VALUE} for none.
     */
    long nextProcessingTime();

    /**
     * Run what is due at a processing time (early results). A call with a limit of 0 only tells the operator the
     * time, which it needs to schedule early results a period after a record.
     *
     * @param now   the processing time now.
     * @param limit the most results to emit.
     * @return how many were emitted; call again while {@link #nextProcessingTime()} {@code <= now}.
     */
    int onProcessingTime(long now, int limit);

    /**
     * The input has ended: fire every window that still holds records, as the final watermark would.
     *
     * @param limit the most results to emit.
     * @return true when done, false when the call must be repeated.
     */
    boolean endOfStream(int limit);

    /**
     * How many records were refused as late.
     *
     * @return the count.
     */
    long lateRecords();

    /**
     * The native memory the operator's state holds now.
     *
     * @return bytes.
     */
    long allocatedBytes();

    /**
     * Write the operator's whole state into a checkpoint: a header (the operator's magic and version, and its
     * configuration — window shape, accumulator length, lateness, early results period, whatever decides the layout
     * and meaning of the state), every scalar that matters (watermark, processing time, late-record count, ...),
     * then its tables and timer queues. The writer may be shared with other operators: the caller writes what
     * comes before and after, and finishes the snapshot. Called between calls, on the operator's thread, possibly
     * while results are still due (a call returned false); allocates nothing per key, window or timer.
     *
     * @param writer where the state goes.
     * @throws IOException                   if the writer's channel fails.
     * @throws UnsupportedOperationException if the operator cannot take checkpoints.
     */
    void snapshot(SnapshotWriter writer) throws IOException;

    /**
     * Restore the state a {@link #snapshot} wrote. Called on a freshly built operator with the same configuration
     * (and the same aggregate and trigger), before any record; afterwards the operator continues exactly as the one
     * that took the snapshot would have, results and their order included. The caller verifies the CRC32C trailer of
     * the whole file after everything in it has been read; on any failure, here or there, the operator must be closed
     * and discarded.
     *
     * @param reader where the state comes from, positioned at this operator's part.
     * @throws io.ferrite.memory.snapshot.SnapshotCorruptedException if the snapshot is not this kind of operator's,
     *                                                               was taken with another configuration (the
     *                                                               message says which) or is corrupted.
     * @throws IOException                                           if the reader's channel fails.
     */
    void restore(SnapshotReader reader) throws IOException;

    /**
     * Free the operator's state.
     */
    @Override
    void close();
}
