package io.ferrite.queues.journal;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Replays a {@link Journal} in order from an index, checking every entry's length and CRC32C before handing it on.
 * A corrupted entry throws {@link JournalCorruptedException}; a document a killed process left half-written is never
 * delivered. Nothing is allocated per entry.
 * <p>
 * <b>Note:</b> Not threadsafe: one thread reads a reader.
 */
public final class JournalReader implements AutoCloseable
{
    private final Journal journal;
    private final ExcerptTailer tailer;
    private final byte[] staging;
    private final UnsafeBuffer stagingBuffer;
    private final CRC32C crc = new CRC32C();
    private long entries;
    private boolean closed;

    JournalReader(final Journal journal, final ExcerptTailer tailer, final int maxPayloadLength)
    {
        this.journal = journal;
        this.tailer = tailer;
        this.staging = new byte[JournalDescriptor.HEADER_LENGTH + maxPayloadLength];
        this.stagingBuffer = new UnsafeBuffer(staging);
    }

    /**
     * Hand up to {@code limit} entries to a handler, in order.
     *
     * @param handler what to do with each entry.
     * @param limit   the most entries to hand over.
     * @return how many were handed over; 0 at the end of what has been appended.
     * @throws JournalCorruptedException if an entry fails its check; the reader does not move past it. If the handler
     *                                   throws, the entry is delivered again by the next poll.
     */
    public int poll(final JournalHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                if (!dc.isData())
                {
                    continue;
                }
                final long index = dc.index();
                final Bytes<?> bytes = dc.wire().bytes();
                final long position = bytes.readPosition();
                final long remaining = bytes.readRemaining();
                if (remaining < JournalDescriptor.HEADER_LENGTH)
                {
                    dc.rollbackOnClose();
                    throw corrupted(index, position, "entry of " + remaining + " bytes is shorter than its header");
                }
                final int length = bytes.readInt();
                final int storedCrc = bytes.readInt();
                if (length < 0 || length != remaining - JournalDescriptor.HEADER_LENGTH || length > staging.length -
                    JournalDescriptor.HEADER_LENGTH)
                {
                    dc.rollbackOnClose();
                    throw corrupted(index, position, "length field " + length + " does not match the entry's " +
                        (remaining - JournalDescriptor.HEADER_LENGTH) + " payload bytes");
                }
                stagingBuffer.putInt(JournalDescriptor.LENGTH_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
                bytes.read(staging, JournalDescriptor.HEADER_LENGTH, length);
                crc.reset();
                crc.update(staging, JournalDescriptor.LENGTH_OFFSET, 4);
                crc.update(staging, JournalDescriptor.HEADER_LENGTH, length);
                final int computed = (int)crc.getValue();
                if (computed != storedCrc)
                {
                    dc.rollbackOnClose();
                    throw corrupted(index, position, "CRC32C mismatch: stored 0x" + Integer.toHexString(storedCrc) +
                        ", computed 0x" + Integer.toHexString(computed));
                }
                try
                {
                    handler.onEntry(index, stagingBuffer, JournalDescriptor.HEADER_LENGTH, length);
                }
                catch (final RuntimeException | Error ex)
                {
                    // The entry was not handled: leave the tailer on it so the next poll delivers it again.
                    dc.rollbackOnClose();
                    throw ex;
                }
                count++;
                entries++;
            }
        }
        return count;
    }

    /**
     * The index the next {@link #poll(JournalHandler, int)} starts at.
     *
     * @return the index.
     */
    public long index()
    {
        return tailer.index();
    }

    /**
     * Entries handed over so far.
     *
     * @return the count.
     */
    public long entries()
    {
        return entries;
    }

    /**
     * Release the reader. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            tailer.close();
            journal.onReaderClosed(this);
        }
    }

    private JournalCorruptedException corrupted(final long index, final long position, final String reason)
    {
        final java.io.File file = tailer.currentFile();
        return new JournalCorruptedException(null == file ? journal.directory().toString() : file.getPath(),
            index, position, reason);
    }
}
