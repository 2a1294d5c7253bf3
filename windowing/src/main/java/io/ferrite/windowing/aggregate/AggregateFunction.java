package io.ferrite.windowing.aggregate;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.ferrite.memory.schema.Schema;

/**
 * An aggregate over a fixed-size accumulator that lives in off-heap memory the window operator owns: the function
 * object is stateless, every call works on {@code (buffer, offset)} flyweight-style, so there is no Java object per
 * key, per window or per event.
 * <p>
 * An accumulator starts as {@link #accumulatorLength()} zero bytes and is then given to {@link #create}; records are
 * {@link #add added}; accumulators of adjacent slices or merged sessions are {@link #merge merged}. When
 * {@link #canSubtract()} is true, {@link #subtract} removes a previously merged accumulator exactly, which lets a
 * sliding window slide by adding the newest slice and deducting the oldest; otherwise windows are recombined from
 * their slices when they fire. {@link #declareResult} adds the result's fields to the output schema, and
 * {@link #bindResult} resolves them once, when the pipeline is built.
 * <p>
 * An empty accumulator (created, nothing added) must be an identity for {@link #merge}. None of the per-record
 * methods may allocate.
 * <p>
 * <b>Note:</b> Implementations must be immutable and threadsafe: parallel operator instances share one.
 */
public interface AggregateFunction
{
    /**
     * The accumulator's length in bytes, fixed.
     *
     * @return the length, at least 1.
     */
    int accumulatorLength();

    /**
     * Initialise an accumulator whose bytes are zero (for example, a minimum starts at {@link Long#MAX_VALUE}).
     *
     * @param accumulator the buffer holding the accumulator.
     * @param offset      the accumulator's offset.
     */
    default void create(final MutableDirectBuffer accumulator, final int offset)
    {
    }

    /**
     * Add one record.
     *
     * @param accumulator  the buffer holding the accumulator.
     * @param offset       the accumulator's offset.
     * @param record       the buffer holding the record.
     * @param recordOffset the record's offset.
     * @param timestamp    the record's event timestamp.
     */
    void add(MutableDirectBuffer accumulator, int offset, DirectBuffer record, int recordOffset, long timestamp);

    /**
     * Merge another accumulator into this one; the other is unchanged.
     *
     * @param accumulator the buffer holding the accumulator to update.
     * @param offset      its offset.
     * @param other       the buffer holding the accumulator to merge in.
     * @param otherOffset its offset.
     */
    void merge(MutableDirectBuffer accumulator, int offset, DirectBuffer other, int otherOffset);

    /**
     * Whether {@link #subtract} is supported and exact.
     *
     * @return true when an accumulator can be deducted from one it was merged into.
     */
    default boolean canSubtract()
    {
        return false;
    }

    /**
     * Deduct an accumulator that was previously merged into this one.
     *
     * @param accumulator the buffer holding the accumulator to update.
     * @param offset      its offset.
     * @param other       the buffer holding the accumulator to deduct.
     * @param otherOffset its offset.
     */
    default void subtract(
        final MutableDirectBuffer accumulator, final int offset, final DirectBuffer other, final int otherOffset)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot subtract");
    }

    /**
     * Add the result's fields to an output schema being built.
     *
     * @param builder the output schema's builder.
     */
    void declareResult(Schema.Builder builder);

    /**
     * Resolve the result's fields in the built output schema.
     *
     * @param outputSchema a schema holding the fields {@link #declareResult} declared.
     * @return the writer of results into records of that schema.
     */
    ResultWriter bindResult(Schema outputSchema);

    /**
     * Writes an accumulator's result into an output record; created once per operator, used per window.
     */
    @FunctionalInterface
    interface ResultWriter
    {
        /**
         * Write the result.
         *
         * @param accumulator  the buffer holding the accumulator.
         * @param offset       the accumulator's offset.
         * @param output       the buffer holding the output record.
         * @param outputOffset the output record's offset.
         */
        void write(DirectBuffer accumulator, int offset, MutableDirectBuffer output, int outputOffset);
    }
}
