package io.ferrite.windowing;

import org.agrona.DirectBuffer;

/**
 * Receives window results from a {@link WindowOperator}, on the operator's thread, during the call that fired them.
 */
@FunctionalInterface
public interface WindowOutput
{
    /**
     * One window's result.
     *
     * @param key               the key.
     * @param start             the window's start (inclusive).
     * @param end               the window's end (exclusive).
     * @param firing            {@link Firing#EARLY}, {@link Firing#ON_TIME} or {@link Firing#LATE}.
     * @param count             how many records the window holds (at least 1: empty windows emit nothing).
     * @param accumulator       the buffer holding the window's aggregate accumulator; valid during this call only.
     * @param accumulatorOffset the accumulator's offset.
     */
    void onWindow(long key, long start, long end, byte firing, long count, DirectBuffer accumulator,
        int accumulatorOffset);
}
