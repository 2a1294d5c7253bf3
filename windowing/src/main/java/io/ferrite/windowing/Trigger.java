package io.ferrite.windowing;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Decides when a {@link WindowAssigner#global global} window fires: after each record is added to its key's window,
 * the operator asks the trigger whether to {@link #CONTINUE}, {@link #FIRE} (emit the window's result, keep its
 * contents) or {@link #FIRE_AND_PURGE} (emit it, then clear the window). A trigger may keep a few bytes of state per
 * key ({@link #stateLength()}): the operator stores them next to the key's accumulator, off-heap, zeroed when the
 * window is created and when it is purged, so a trigger object holds no per-key state of its own.
 * <p>
 * Built-ins: {@link #count(long)} (Flink's {@code PurgingTrigger.of(CountTrigger.of(n))}) and
 * {@link #continuousCount(long)} (Flink's {@code CountTrigger.of(n)}: a running result).
 * <p>
 * <b>Note:</b> Implementations must be immutable and threadsafe, as parallel operator instances share one, and
 * {@link #onRecord} must not allocate. Implement {@code toString()}: the assigner's description shows it.
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

    /**
     * Fire and purge every {@code n} records: tumbling windows of {@code n} records per key, as
     * {@link WindowAssigner#count(long)} makes, but through the global window.
     *
     * @param n the records per window, positive.
     * @return the trigger, described as {@code count(n)}.
     */
    static Trigger count(final long n)
    {
        if (n <= 0)
        {
            throw new IllegalArgumentException("count trigger needs a positive count: " + n);
        }
        return new Trigger()
        {
            @Override
            public byte onRecord(
                final MutableDirectBuffer state,
                final int stateOffset,
                final DirectBuffer record,
                final int recordOffset,
                final long timestamp,
                final long count)
            {
                return count >= n ? FIRE_AND_PURGE : CONTINUE;
            }

            @Override
            public String toString()
            {
                return "count(" + n + ")";
            }
        };
    }

    /**
     * Fire every {@code n} records without purging: each result covers everything the key has had so far (a
     * running total), and the window keeps growing until the end of the stream.
     *
     * @param n the records between results, positive.
     * @return the trigger, described as {@code continuousCount(n)}.
     */
    static Trigger continuousCount(final long n)
    {
        if (n <= 0)
        {
            throw new IllegalArgumentException("continuous count trigger needs a positive count: " + n);
        }
        return new Trigger()
        {
            @Override
            public byte onRecord(
                final MutableDirectBuffer state,
                final int stateOffset,
                final DirectBuffer record,
                final int recordOffset,
                final long timestamp,
                final long count)
            {
                return 0 == count % n ? FIRE : CONTINUE;
            }

            @Override
            public String toString()
            {
                return "continuousCount(" + n + ")";
            }
        };
    }
}
