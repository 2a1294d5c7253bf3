package io.ferrite.windowing.join;

import org.agrona.DirectBuffer;

/**
 * Receives the pairs a {@link WindowJoin} or an {@link IntervalJoin} emits.
 * <p>
 * <b>Note:</b> The buffers are the join's own state, valid only during the call; copy what must outlive it. The
 * callback must not call back into the join that emits to it. A pair whose call throws is emitted again by the next
 * call that emits.
 */
@FunctionalInterface
public interface JoinOutput
{
    /**
     * One joined pair.
     *
     * @param key            the key both records share.
     * @param left           the buffer holding the left record.
     * @param leftOffset     the left record's offset.
     * @param leftTimestamp  the left record's timestamp.
     * @param right          the buffer holding the right record.
     * @param rightOffset    the right record's offset.
     * @param rightTimestamp the right record's timestamp.
     * @param windowStart    the window's start; for an interval join {@code leftTimestamp + lower}, clamped.
     * @param windowEnd      the window's end, exclusive; for an interval join {@code leftTimestamp + upper + 1},
     *                       clamped.
     */
    void onPair(
        long key,
        DirectBuffer left,
        int leftOffset,
        long leftTimestamp,
        DirectBuffer right,
        int rightOffset,
        long rightTimestamp,
        long windowStart,
        long windowEnd);
}
