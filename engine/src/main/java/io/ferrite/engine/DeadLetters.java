package io.ferrite.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import io.ferrite.queues.journal.Journal;

/**
 * The job's dead-letter journal ({@value #DIRECTORY} in the job directory), opened at the first dead letter: each
 * entry holds the operator or source, the reason, the origin and the record's bytes (or the malformed line). Shared by
 * every stage; writes are serialised, as dead letters are the exception, not the hot path.
 */
final class DeadLetters implements AutoCloseable
{
    static final String DIRECTORY = "dead-letters";
    static final int MAX_REASON_BYTES = 2048;
    static final int MAX_RECORD_BYTES = 16 * 1024;
    static final int MAX_PAYLOAD = 4 + 8 + 2 + 256 + 4 + MAX_REASON_BYTES + 4 + MAX_RECORD_BYTES;

    private final Path directory;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    private Journal journal;
    private boolean closed;

    DeadLetters(final Path jobDirectory)
    {
        this.directory = jobDirectory.resolve(DIRECTORY);
    }

    synchronized void write(
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
        if (null == journal)
        {
            journal = Journal.open(new Journal.Context().directory(directory).maxPayloadLength(MAX_PAYLOAD));
        }
        final byte[] operatorBytes = operator.getBytes(StandardCharsets.US_ASCII);
        final byte[] reasonBytes = reason.getBytes(StandardCharsets.UTF_8);
        final int operatorLength = Math.min(operatorBytes.length, 256);
        final int reasonLength = Math.min(reasonBytes.length, MAX_REASON_BYTES);
        final int recordLength = null == record ? 0 : Math.min(length, MAX_RECORD_BYTES);
        int at = 0;
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

    static DeadLetter decode(final long entryIndex, final DirectBuffer buffer, final int offset)
    {
        int at = offset;
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
