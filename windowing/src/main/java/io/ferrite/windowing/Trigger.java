package io.ferrite.windowing;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Decides when a {@link WindowAssigner#global global} window fires. (Placeholder: the full trigger is being built.)
 */
public interface Trigger
{
    /**
     * Keep accumulating.
     */
    byte CONTINUE = 0;

    /**
     * Emit the window's result and keep its contents.
     */
    byte FIRE = 1;

    /**
     * Emit the window's result and clear it.
     */
    byte FIRE_AND_PURGE = 2;

    /**
     * The bytes of per-key trigger state.
     *
     * @return the length, 0 for none.
     */
    default int stateLength()
    {
        return 0;
    }

    /**
     * A record was added to the key's window.
     *
     * @param state        the buffer holding the key's trigger state.
     * @param stateOffset  its offset.
     * @param record       the buffer holding the record.
     * @param recordOffset the record's offset.
     * @param timestamp    the record's timestamp.
     * @param count        the records in the window, including this one.
     * @return {@link #CONTINUE}, {@link #FIRE} or {@link #FIRE_AND_PURGE}.
     */
    byte onRecord(MutableDirectBuffer state, int stateOffset, DirectBuffer record, int recordOffset, long timestamp,
        long count);
}
