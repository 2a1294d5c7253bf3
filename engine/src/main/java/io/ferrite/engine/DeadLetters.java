package io.ferrite.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import io.ferrite.queues.journal.Journal;

/**
 * The job's dead-letter journal ({@value #DIRECTORY} in the job directory), opened at the first dead letter: each
 * entry holds the writing stage's epoch (the last checkpoint it had passed), the operator or source, the reason, the
 * origin and the record's bytes (or the malformed line). Shared by every stage; writes are serialised, as dead letters
 * are the exception, not the hot path.
 * <p>
 * Exactly once across crashes: a job restored from checkpoint {@code n} replays what came after it, and so writes
 * again the dead letters of epochs {@code n} and later. Recovery appends a marker "restored from n"; readers drop the
 * entries before a marker whose epoch is {@code n} or later. Each stage's epoch is its own, so the rule holds however
 * stages interleave their writes.
 */
final class DeadLetters implements AutoCloseable
{
    static final String DIRECTORY = "dead-letters";
    static final int MAX_REASON_BYTES = 2048;
    static final int MAX_RECORD_BYTES = 16 * 1024;
    static final int MAX_PAYLOAD = 8 + 4 + 8 + 2 + 256 + 4 + MAX_REASON_BYTES + 4 + MAX_RECORD_BYTES;
    static final long MARKER_EPOCH = -1;

    private final Path directory;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    private Journal journal;
    private boolean closed;

    DeadLetters(final Path jobDirectory)
    {
        this.directory = jobDirectory.resolve(DIRECTORY);
    }

    synchronized void write(
        final long epoch,
        final String operator,
        final String reason,
        final DirectBuffer record,
        final int offset,
        final int length,
        final int sourceId,
        final long index)
    {
        if (closed)
        {
            throw new IllegalStateException("dead-letter journal closed");
        }
        open();
        final byte[] operatorBytes = operator.getBytes(StandardCharsets.US_ASCII);
        final byte[] reasonBytes = reason.getBytes(StandardCharsets.UTF_8);
        final int operatorLength = Math.min(operatorBytes.length, 256);
        final int reasonLength = Math.min(reasonBytes.length, MAX_REASON_BYTES);
        final int recordLength = null == record ? 0 : Math.min(length, MAX_RECORD_BYTES);
        int at = 0;
        scratch.putLong(at, epoch);
        at += 8;
        scratch.putInt(at, sourceId);
        at += 4;
        scratch.putLong(at, index);
        at += 8;
        scratch.putShort(at, (short)operatorLength);
        at += 2;
        scratch.putBytes(at, operatorBytes, 0, operatorLength);
        at += operatorLength;
        scratch.putInt(at, reasonLength);
        at += 4;
        scratch.putBytes(at, reasonBytes, 0, reasonLength);
        at += reasonLength;
        scratch.putInt(at, recordLength);
        at += 4;
        if (recordLength > 0)
        {
            scratch.putBytes(at, record, offset, recordLength);
            at += recordLength;
        }
        journal.append(scratch, 0, at);
    }

    private void open()
    {
        if (closed)
        {
            throw new IllegalStateException("dead-letter journal closed");
        }
        if (null == journal)
        {
            journal = Journal.open(new Journal.Context().directory(directory).maxPayloadLength(MAX_PAYLOAD));
        }
    }

    /**
     * Recovery from checkpoint {@code checkpointId} (0: from the start of the input) is about to replay: the dead
     * letters written so far in epochs from {@code checkpointId} on will be written again, so mark them void. Does
     * nothing when there are no dead letters yet.
     *
     * @param checkpointId the checkpoint restored.
     */
    synchronized void restoredFrom(final long checkpointId)
    {
        if (null == journal && !Files.isDirectory(directory))
        {
            return;
        }
        open();
        scratch.putLong(0, MARKER_EPOCH);
        scratch.putInt(8, -1);
        scratch.putLong(12, checkpointId);
        scratch.putShort(20, (short)0);
        scratch.putInt(22, 0);
        scratch.putInt(26, 0);
        journal.append(scratch, 0, 30);
    }

    /**
     * The epoch of an entry, {@link #MARKER_EPOCH} for a marker.
     */
    static long epoch(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset);
    }

    /**
     * The checkpoint a marker restored from.
     */
    static long markerCheckpoint(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 12);
    }

    static DeadLetter decode(final long entryIndex, final DirectBuffer buffer, final int offset)
    {
        int at = offset + 8;
        final int sourceId = buffer.getInt(at);
        at += 4;
        final long index = buffer.getLong(at);
        at += 8;
        final int operatorLength = buffer.getShort(at);
        at += 2;
        final String operator = buffer.getStringWithoutLengthAscii(at, operatorLength);
        at += operatorLength;
        final int reasonLength = buffer.getInt(at);
        at += 4;
        final byte[] reasonBytes = new byte[reasonLength];
        buffer.getBytes(at, reasonBytes);
        at += reasonLength;
        final int recordLength = buffer.getInt(at);
        at += 4;
        final byte[] record = new byte[recordLength];
        buffer.getBytes(at, record);
        return new DeadLetter(entryIndex, operator, new String(reasonBytes, StandardCharsets.UTF_8), sourceId, index,
            record);
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        if (null != journal)
        {
            journal.close();
            journal = null;
        }
    }
}
