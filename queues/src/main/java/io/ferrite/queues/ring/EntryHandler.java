package io.ferrite.queues.ring;

/**
 * Receives the entries a {@link RingConsumer} polls, and says whether to go on.
 */
@FunctionalInterface
public interface EntryHandler
{
    /**
     * The entry is consumed; deliver the next.
     */
    int CONTINUE = 0;

    /**
     * The entry is consumed; stop this poll (a stage aligning on a barrier stops reading the input).
     */
    int BREAK = 1;

    /**
     * The entry is not consumed and will be delivered again by the next poll; stop this poll (the output is
     * back-pressured).
     */
    int ABORT = 2;

    /**
     * Handle one entry.
     *
     * @param entry the entry, valid only during this call.
     * @return {@link #CONTINUE}, {@link #BREAK} or {@link #ABORT}.
     */
    int onEntry(RingEntry entry);
}
