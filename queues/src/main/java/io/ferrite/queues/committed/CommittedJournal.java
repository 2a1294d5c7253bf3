package io.ferrite.queues.committed;

import java.nio.ByteOrder;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalHandler;
import io.ferrite.queues.journal.JournalReader;

/**
 * A job's output journal with exactly-once visibility: outputs are appended at once (a consumer that wants
 * everything, uncommitted included, reads the {@link Journal} directly), and when a checkpoint completes a COMMIT
 * marker makes the outputs up to the checkpoint's {@link #position()} visible to {@link ReadCommittedReader}s. After a
 * crash, {@link #recover(long, long)} commits the restored checkpoint's outputs if the crash came before its marker,
 * and voids the outputs written after it, which the replay will produce again. The entry format is
 * {@link CommittedDescriptor}.
 * <p>
 * The engine's sequence: at a checkpoint barrier, record {@link #position()} in the checkpoint; once the checkpoint's
 * manifest is durable, {@link #commit(long, long)} with that position; at job start, restoring checkpoint n with
 * recorded position p, {@link #recover(long, long)} with (n, p) — or ({@link #NO_CHECKPOINT}, -1) when there is no
 * checkpoint to restore — before producing any output.
 * <p>
 * A journal {@linkplain #open(Journal.Context) opened} here is owned and closed with this object; a
 * {@linkplain #wrap(Journal) wrapped} one is borrowed and left open. Either way this object must be the journal's only
 * appender. Opening reads the retained journal once, to find the last COMMIT, VOID and data entries.
 * <p>
 * <b>Note:</b> Not threadsafe: one thread appends, commits and recovers. Readers may be on other threads or in other
 * processes.
 */
public final class CommittedJournal implements AutoCloseable
{
    /**
     * The checkpoint id of a job that starts with no checkpoint to restore: {@code recover(NO_CHECKPOINT, -1)}.
     */
    public static final long NO_CHECKPOINT = -1;

    private final Journal journal;
    private final boolean ownsJournal;
    private final String name;
    private final int maxPayloadLength;
    private final UnsafeBuffer dataStaging;
    private final UnsafeBuffer markerStaging = new UnsafeBuffer(new byte[CommittedDescriptor.MARKER_LENGTH]);
    private long position = -1;
    private long lastDataIndex = -1;
    private long lastVoidIndex = -1;
    private long lastCommittedCheckpointId = NO_CHECKPOINT;
    private long committedIndex = -1;
    private boolean closed;

    private CommittedJournal(final Journal journal, final boolean ownsJournal)
    {
        this.journal = journal;
        this.ownsJournal = ownsJournal;
        this.name = journal.directory().toString();
        final int journalMax = journal.context().maxPayloadLength();
        if (journalMax < CommittedDescriptor.MARKER_LENGTH)
        {
            throw new IllegalArgumentException("a committed journal needs a max payload of at least " +
                CommittedDescriptor.MARKER_LENGTH + " bytes: journal=" + name + " maxPayloadLength=" + journalMax);
        }
        this.maxPayloadLength = journalMax - CommittedDescriptor.HEADER_LENGTH;
        this.dataStaging = new UnsafeBuffer(new byte[journalMax]);
        dataStaging.putByte(CommittedDescriptor.TYPE_OFFSET, CommittedDescriptor.TYPE_DATA);
        dataStaging.putByte(CommittedDescriptor.VERSION_OFFSET, CommittedDescriptor.VERSION);
        markerStaging.putByte(CommittedDescriptor.VERSION_OFFSET, CommittedDescriptor.VERSION);
        scan();
    }

    /**
     * Open, or create, a committed journal in a directory; the journal is owned and closed by {@link #close()}.
     *
     * @param context the journal's configuration; its max payload must be at least
     *                {@link CommittedDescriptor#MARKER_LENGTH}.
     * @return the committed journal.
     * @throws io.ferrite.queues.journal.JournalCorruptedException if an entry is corrupted or not a committed
     *                                                             journal's.
     */
    public static CommittedJournal open(final Journal.Context context)
    {
        final Journal journal = Journal.open(context);
        try
        {
            return new CommittedJournal(journal, true);
        }
        catch (final RuntimeException | Error ex)
        {
            journal.close();
            throw ex;
        }
    }

    /**
     * A committed journal over an open journal, which stays the caller's to close.
     *
     * @param journal the journal; this object must be its only appender.
     * @return the committed journal.
     * @throws io.ferrite.queues.journal.JournalCorruptedException if an entry is corrupted or not a committed
     *                                                             journal's.
     */
    public static CommittedJournal wrap(final Journal journal)
    {
        return new CommittedJournal(journal, false);
    }

    /**
     * Append an output, visible to read-committed readers once a commit covers its index.
     *
     * @param source the buffer holding the output.
     * @param offset where the output starts.
     * @param length the output's length, at most {@link #maxPayloadLength()}.
     * @return the entry's journal index.
     * @throws io.ferrite.queues.journal.JournalIOException if the entry cannot be written.
     */
    public long append(final DirectBuffer source, final int offset, final int length)
    {
        checkOpen();
        if (length < 0 || length > maxPayloadLength)
        {
            throw new IllegalArgumentException("committed journal entry too long: journal=" + name + " length=" +
                length + " maxPayloadLength=" + maxPayloadLength);
        }
        dataStaging.putBytes(CommittedDescriptor.HEADER_LENGTH, source, offset, length);
        final long index = journal.append(dataStaging, 0, CommittedDescriptor.HEADER_LENGTH + length);
        position = index;
        lastDataIndex = index;
        return index;
    }

    /**
     * The index of the last entry written, output or marker: what a checkpoint records as "the outputs up to here
     * belong to this checkpoint".
     *
     * @return the index, -1 if the journal is empty.
     */
    public long position()
    {
        return position;
    }

    /**
     * Append a COMMIT marker: every output with an index at most {@code upToIndex}, not voided before, is committed.
     * The marker, and everything before it, is synced before this returns: on disk in
     * {@link Journal.Durability#POWER_SAFE} mode, in the page cache (safe from the process's death) in
     * {@link Journal.Durability#PROCESS_SAFE} mode. Repeating the last commit exactly does nothing.
     *
     * @param checkpointId the completed checkpoint, at least 0 and above the last committed one.
     * @param upToIndex    the {@link #position()} the checkpoint recorded: at least the last committed index, at
     *                     most the current position.
     * @throws IllegalArgumentException if an argument is out of range.
     * @throws IllegalStateException    if the commit goes backwards.
     */
    public void commit(final long checkpointId, final long upToIndex)
    {
        checkOpen();
        checkArguments("commit", checkpointId, upToIndex);
        if (checkpointId < 0)
        {
            throw new IllegalArgumentException("cannot commit checkpoint " + checkpointId + ": checkpoint ids are " +
                "at least 0: journal=" + name);
        }
        if (lastCommittedCheckpointId != NO_CHECKPOINT)
        {
            if (checkpointId == lastCommittedCheckpointId && upToIndex == committedIndex)
            {
                return;
            }
            if (checkpointId <= lastCommittedCheckpointId)
            {
                throw new IllegalStateException("commit going backwards: checkpoint " + checkpointId +
                    " is not after the last committed checkpoint " + lastCommittedCheckpointId + " (up to index " +
                    committedIndex + "): journal=" + name);
            }
        }
        if (upToIndex < committedIndex)
        {
            throw new IllegalStateException("commit going backwards: checkpoint " + checkpointId + " up to index " +
                upToIndex + " is before the committed index " + committedIndex + " of checkpoint " +
                lastCommittedCheckpointId + ": journal=" + name);
        }
        appendCommit(checkpointId, upToIndex);
        journal.sync();
    }

    /**
     * Prepare the journal for a job restoring a checkpoint, before it produces any output: commit the checkpoint's
     * outputs if the crash came between its manifest and its COMMIT marker, then append a VOID marker discarding the
     * outputs written after the checkpoint's position — if there are any not already voided. Synced before it
     * returns, as {@link #commit(long, long)}. Calling it again, after further crashes, is safe.
     *
     * @param checkpointId the restored checkpoint, or {@link #NO_CHECKPOINT} when the job starts with none.
     * @param upToIndex    the position the checkpoint recorded; -1 with {@link #NO_CHECKPOINT}.
     * @throws IllegalArgumentException if an argument is out of range: a position beyond the journal's end means the
     *                                  journal lost outputs the checkpoint counted on.
     * @throws IllegalStateException    if a later checkpoint is already committed, or the checkpoint was committed
     *                                  up to another index.
     */
    public void recover(final long checkpointId, final long upToIndex)
    {
        checkOpen();
        checkArguments("recover", checkpointId, upToIndex);
        if (checkpointId < NO_CHECKPOINT)
        {
            throw new IllegalArgumentException("cannot recover checkpoint " + checkpointId + ": checkpoint ids are " +
                "at least 0, or NO_CHECKPOINT (-1): journal=" + name);
        }
        if (checkpointId == NO_CHECKPOINT && upToIndex != -1)
        {
            throw new IllegalArgumentException("recovering with no checkpoint keeps no output: upToIndex must be " +
                "-1, not " + upToIndex + ": journal=" + name);
        }
        if (lastCommittedCheckpointId > checkpointId)
        {
            throw new IllegalStateException("cannot recover checkpoint " + checkpointId + ": checkpoint " +
                lastCommittedCheckpointId + " is already committed up to index " + committedIndex +
                " and its outputs may have been read: journal=" + name);
        }
        if (lastCommittedCheckpointId == checkpointId && checkpointId != NO_CHECKPOINT)
        {
            if (upToIndex != committedIndex)
            {
                throw new IllegalStateException("cannot recover checkpoint " + checkpointId + " up to index " +
                    upToIndex + ": it was committed up to index " + committedIndex + ": journal=" + name);
            }
        }
        else if (checkpointId != NO_CHECKPOINT)
        {
            if (upToIndex < committedIndex)
            {
                throw new IllegalStateException("cannot recover checkpoint " + checkpointId + " up to index " +
                    upToIndex + ": it is before the committed index " + committedIndex + " of checkpoint " +
                    lastCommittedCheckpointId + ": journal=" + name);
            }
            appendCommit(checkpointId, upToIndex);
        }
        if (lastDataIndex > Math.max(upToIndex, lastVoidIndex))
        {
            lastVoidIndex = appendMarker(CommittedDescriptor.TYPE_VOID, checkpointId, upToIndex);
        }
        journal.sync();
    }

    /**
     * The index up to which outputs are committed: the last COMMIT marker's up-to index.
     *
     * @return the index, -1 if nothing is committed.
     */
    public long committedIndex()
    {
        return committedIndex;
    }

    /**
     * The checkpoint of the last COMMIT marker.
     *
     * @return the checkpoint id, {@link #NO_CHECKPOINT} if nothing is committed.
     */
    public long lastCommittedCheckpointId()
    {
        return lastCommittedCheckpointId;
    }

    /**
     * The longest output.
     *
     * @return the journal's max payload less the {@link CommittedDescriptor#HEADER_LENGTH}.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * A read-committed reader of this journal, for a consumer in this process.
     *
     * @param afterIndex the last index already delivered to the consumer, to resume after it; -1 to start from the
     *                   first entry kept.
     * @return the reader; closed with the journal.
     */
    public ReadCommittedReader reader(final long afterIndex)
    {
        checkOpen();
        return ReadCommittedReader.open(journal, afterIndex);
    }

    /**
     * The underlying journal.
     *
     * @return the journal.
     */
    public Journal journal()
    {
        return journal;
    }

    /**
     * The journal's directory.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return journal.directory();
    }

    /**
     * Close the journal if it is owned, syncing what is pending, and every reader on it. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (ownsJournal)
            {
                journal.close();
            }
        }
    }

    private void scan()
    {
        if (journal.lastIndex() < 0)
        {
            return;
        }
        final JournalHandler handler = this::onScannedEntry;
        try (JournalReader reader = journal.readerFromStart())
        {
            while (reader.poll(handler, 1024) > 0)
            {
                // read the whole retained journal
            }
        }
        position = Math.max(position, journal.lastIndex());
    }

    private void onScannedEntry(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte type = CommittedDescriptor.type(name, index, buffer, offset, length);
        if (type == CommittedDescriptor.TYPE_DATA)
        {
            lastDataIndex = index;
        }
        else if (type == CommittedDescriptor.TYPE_COMMIT)
        {
            lastCommittedCheckpointId = CommittedDescriptor.checkpointId(buffer, offset);
            committedIndex = Math.max(committedIndex, CommittedDescriptor.upToIndex(buffer, offset));
        }
        else
        {
            lastVoidIndex = index;
        }
        position = index;
    }

    private void checkArguments(final String operation, final long checkpointId, final long upToIndex)
    {
        if (upToIndex < -1)
        {
            throw new IllegalArgumentException("cannot " + operation + " checkpoint " + checkpointId + ": upToIndex " +
                upToIndex + " is negative: journal=" + name);
        }
        if (upToIndex > position)
        {
            throw new IllegalArgumentException("cannot " + operation + " checkpoint " + checkpointId + ": upToIndex " +
                upToIndex + " is beyond the journal's end (last index " + position + "): journal=" + name);
        }
    }

    private void appendCommit(final long checkpointId, final long upToIndex)
    {
        appendMarker(CommittedDescriptor.TYPE_COMMIT, checkpointId, upToIndex);
        lastCommittedCheckpointId = checkpointId;
        committedIndex = upToIndex;
    }

    private long appendMarker(final byte type, final long checkpointId, final long upToIndex)
    {
        markerStaging.putByte(CommittedDescriptor.TYPE_OFFSET, type);
        markerStaging.putLong(CommittedDescriptor.CHECKPOINT_ID_OFFSET, checkpointId, ByteOrder.LITTLE_ENDIAN);
        markerStaging.putLong(CommittedDescriptor.UP_TO_INDEX_OFFSET, upToIndex, ByteOrder.LITTLE_ENDIAN);
        final long index = journal.append(markerStaging, 0, CommittedDescriptor.MARKER_LENGTH);
        position = index;
        return index;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("committed journal is closed: " + name);
        }
    }
}
