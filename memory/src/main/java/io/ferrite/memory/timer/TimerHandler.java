package io.ferrite.memory.timer;

import org.agrona.DirectBuffer;

/**
 * Receives the timers a {@link TimerQueue} fires.
 */
@FunctionalInterface
public interface TimerHandler
{
    /**
     * A timer has fired. The handler may register and delete timers, including ones that fire in the same call.
     *
     * @param timestamp the timer's timestamp.
     * @param key       the buffer holding the timer's key, valid only during this call.
     * @param keyOffset where the key starts.
     */
    void onTimer(long timestamp, DirectBuffer key, int keyOffset);
}
