package io.ferrite.queues.journal;

import org.agrona.DirectBuffer;

/**
 * Receives the entries a {@link JournalReader} replays.
 */
@FunctionalInterface
public interface JournalHandler
{
    /**
     * Handle one entry; its bytes are valid only during this call.
     *
     * @param index  the entry's journal index.
     * @param buffer the buffer holding the payload.
     * @param offset where the payload starts.
     * @param length the payload's length.
     */
    void onEntry(long index, DirectBuffer buffer, int offset, int length);
}
