package io.ferrite.engine;

import java.io.IOException;

import org.agrona.DirectBuffer;

import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * The identity a committed-journal sink opened with
 * {@link DataStream#sinkToCommittedJournal(String, boolean) identity} writes before each record (and a CSV sink
 * opened with {@link DataStream#sinkToCsv(String, java.nio.file.Path, boolean) identity} as its three last columns):
 * the origin source, the journal index (or line number, or sequence) of the input record the output came from, and
 * the output's index among the outputs that input gave at this sink. It is deterministic — a replay after a crash
 * gives every output the identity it had — so a consumer that reads outputs more than once (a plain reader of the
 * journal, which sees uncommitted records too) can drop duplicates by it.
 * <p>
 * Layout, little-endian: {@code [int source id][long journal index][int output index][record]}.
 */
public final class OutputIdentity
{
    /**
     * Bytes before the record.
     */
    public static final int LENGTH = 16;

    private OutputIdentity()
    {
    }

    /**
     * A sink's count of outputs per origin: the output index of the next output, reset when the origin changes. Its
     * state belongs in the sink's checkpoint, since an origin's outputs can straddle a barrier (window results of a
     * later watermark carry the last record's origin).
     */
    static final class Counter
    {
        private int lastSourceId = -1;
        private long lastJournalIndex = -1;
        private int next;

        /**
         * The output index of an output of this origin.
         */
        int next(final int sourceId, final long journalIndex)
        {
            if (sourceId != lastSourceId || journalIndex != lastJournalIndex)
            {
                lastSourceId = sourceId;
                lastJournalIndex = journalIndex;
                next = 0;
            }
            return next++;
        }

        void writeTo(final SnapshotWriter writer) throws IOException
        {
            writer.writeInt(lastSourceId);
            writer.writeLong(lastJournalIndex);
            writer.writeInt(next);
        }

        void readFrom(final SnapshotReader reader) throws IOException
        {
            lastSourceId = reader.readInt();
            lastJournalIndex = reader.readLong();
            next = reader.readInt();
        }
    }

    /**
     * The origin source's id.
     *
     * @param buffer the entry.
     * @param offset where the entry starts.
     * @return the source id.
     */
    public static int sourceId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset);
    }

    /**
     * The origin's journal index (line number for a CSV source, sequence for a generator).
     *
     * @param buffer the entry.
     * @param offset where the entry starts.
     * @return the index.
     */
    public static long journalIndex(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 4);
    }

    /**
     * The output's index among the outputs of its origin at this sink, from 0.
     *
     * @param buffer the entry.
     * @param offset where the entry starts.
     * @return the index.
     */
    public static int outputIndex(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + 12);
    }

    /**
     * Where the record starts.
     *
     * @param offset where the entry starts.
     * @return the record's offset.
     */
    public static int recordOffset(final int offset)
    {
        return offset + LENGTH;
    }
}
