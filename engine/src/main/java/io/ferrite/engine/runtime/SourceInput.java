package io.ferrite.engine.runtime;

import org.agrona.DirectBuffer;

/**
 * Where a {@link SourceStage} takes records from: a publisher's ring, a generator, a journal, a file. The stage asks
 * for no more records than its output has room for, so an input never has to take a record back.
 */
public interface SourceInput extends AutoCloseable
{
    /**
     * Receives a source's records.
     */
    @FunctionalInterface
    interface Handler
    {
        /**
         * A record.
         *
         * @param buffer      the buffer holding it, valid only during this call.
         * @param offset      where it starts.
         * @param length      its length.
         * @param originIndex its position in a replayable input (journal index, line number), or -1 when the stage
         *                    must journal it to give it one.
         */
        void onRecord(DirectBuffer buffer, int offset, int length, long originIndex);
    }

    /**
     * Hand up to {@code limit} records to the handler.
     *
     * @param handler where they go.
     * @param limit   the most to hand over.
     * @return the work done: records handed over, or other progress such as skipped lines.
     */
    int poll(Handler handler, int limit);

    /**
     * Whether the input has ended: no record will come again.
     *
     * @return true once ended.
     */
    boolean isEnded();

    /**
     * Entries waiting in the input, where that is known (a publisher's ring); 0 otherwise.
     *
     * @return the backlog.
     */
    default long backlog()
    {
        return 0;
    }

    /**
     * Whether {@link #seekAfter} works: the input can give its records again (a journal, a file, a generator).
     *
     * @return true if replayable.
     */
    default boolean isReplayable()
    {
        return false;
    }

    /**
     * Move past every record up to and including {@code originIndex}, to resume after a checkpoint: the next record
     * handed over is the one after it.
     *
     * @param originIndex the last record's origin index (journal index, line number, sequence).
     * @throws UnsupportedOperationException if the input cannot be replayed (a publisher's ring): journal it.
     */
    default void seekAfter(final long originIndex)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be replayed; journal the " +
            "source to recover it");
    }

    /**
     * Release what the input holds.
     */
    @Override
    void close();
}
