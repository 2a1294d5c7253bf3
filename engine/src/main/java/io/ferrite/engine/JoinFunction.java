package io.ferrite.engine;

/**
 * Makes the output record of one joined pair, for a window join ({@link WindowJoined#apply}) or an interval join
 * ({@link IntervalJoined#process}): called once per pair, it writes exactly one record into a writer of the operator's
 * output schema, which the engine has zeroed. Read each side's event time with {@link RecordView#timestamp()}.
 * <p>
 * The function object is shared by the operator's parallel instances: keep it free of mutable state.
 */
@FunctionalInterface
public interface JoinFunction
{
    /**
     * Make the output record of a pair of records with the same key.
     *
     * @param left        the left (first) stream's record, valid only during this call.
     * @param right       the right (second) stream's record, valid only during this call.
     * @param windowStart a window join: the window's start; an interval join: {@code left.timestamp() + lower}, the
     *                    start of the interval the right record fell in (clamped to the {@code long} range).
     * @param windowEnd   a window join: the window's end, exclusive; an interval join:
     *                    {@code left.timestamp() + upper + 1} (clamped).
     * @param out         the output record to fill.
     * @throws Exception to fail the pair; the job's error policy decides what follows (a dead-lettered pair is
     *                   skipped).
     */
    void join(RecordView left, RecordView right, long windowStart, long windowEnd, RecordWriter out) throws Exception;
}
