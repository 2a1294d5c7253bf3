package io.ferrite.queues.committed;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

import io.ferrite.queues.journal.JournalCorruptedException;

/**
 * The header of a committed journal's entries, inside the payload of a {@link io.ferrite.queues.journal.Journal}
 * entry (after the journal's own length and CRC32C frame, which covers it). Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |     Type      |    Version    |         Reserved (0)          |
 *  +---------------+---------------+-------------------------------+
 *  |                         Reserved (0)                          |
 *  +---------------------------------------------------------------+
 *  |  DATA: the output's opaque bytes                            ...
 *  |  COMMIT and VOID: the checkpoint id (8 bytes), then the
 *  |                   up-to journal index (8 bytes)               |
 *  +---------------------------------------------------------------+
 * </pre>
 * <ul>
 *     <li>{@link #TYPE_DATA}: an output; its payload follows the 8-byte header, so it stays 8-byte aligned.</li>
 *     <li>{@link #TYPE_COMMIT}: every data entry with an index at most the up-to index, and not voided by a VOID
 *     marker before this COMMIT, is committed.</li>
 *     <li>{@link #TYPE_VOID}: every data entry with an index after the up-to index and before this marker's own index
 *     is discarded: a recovery will produce those outputs again.</li>
 * </ul>
 * A marker is always {@link #MARKER_LENGTH} bytes and its up-to index is below its own index (-1 for "nothing").
 */
public final class CommittedDescriptor
{
    /**
     * Offset of the entry type.
     */
    public static final int TYPE_OFFSET = 0;

    /**
     * Offset of the format version.
     */
    public static final int VERSION_OFFSET = 1;

    /**
     * Length of the header; a data entry's payload starts here.
     */
    public static final int HEADER_LENGTH = 8;

    /**
     * Offset of a marker's checkpoint id.
     */
    public static final int CHECKPOINT_ID_OFFSET = 8;

    /**
     * Offset of a marker's up-to journal index.
     */
    public static final int UP_TO_INDEX_OFFSET = 16;

    /**
     * Length of a COMMIT or VOID marker.
     */
    public static final int MARKER_LENGTH = 24;

    /**
     * The format version written, and the only one read.
     */
    public static final byte VERSION = 1;

    /**
     * A data entry: an output.
     */
    public static final byte TYPE_DATA = 1;

    /**
     * A COMMIT marker.
     */
    public static final byte TYPE_COMMIT = 2;

    /**
     * A VOID marker.
     */
    public static final byte TYPE_VOID = 3;

    private CommittedDescriptor()
    {
    }

    /**
     * Check an entry's header and return its type.
     *
     * @param journal the journal's name for the error, its directory.
     * @param index   the entry's journal index.
     * @param buffer  the buffer holding the entry.
     * @param offset  where the entry starts.
     * @param length  the entry's length.
     * @return {@link #TYPE_DATA}, {@link #TYPE_COMMIT} or {@link #TYPE_VOID}.
     * @throws JournalCorruptedException if the entry is not a committed journal's entry: too short, an unknown type
     *                                   or version, a marker of the wrong length or covering itself.
     */
    public static byte type(
        final String journal, final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            throw corrupted(journal, index, "entry of " + length + " bytes is shorter than the committed-journal " +
                "header of " + HEADER_LENGTH + " bytes");
        }
        final byte version = buffer.getByte(offset + VERSION_OFFSET);
        if (version != VERSION)
        {
            throw corrupted(journal, index, "unsupported committed-journal version " + version);
        }
        final byte type = buffer.getByte(offset + TYPE_OFFSET);
        switch (type)
        {
            case TYPE_DATA:
                return type;
            case TYPE_COMMIT:
            case TYPE_VOID:
                if (length != MARKER_LENGTH)
                {
                    throw corrupted(journal, index, (type == TYPE_COMMIT ? "COMMIT" : "VOID") + " marker of " +
                        length + " bytes, expected " + MARKER_LENGTH);
                }
                final long upTo = upToIndex(buffer, offset);
                if (upTo < -1 || upTo >= index)
                {
                    throw corrupted(journal, index, (type == TYPE_COMMIT ? "COMMIT" : "VOID") + " marker's up-to " +
                        "index " + upTo + " is not before the marker");
                }
                return type;
            default:
                throw corrupted(journal, index, "unknown committed-journal entry type " + type);
        }
    }

    /**
     * A marker's checkpoint id.
     *
     * @param buffer the buffer holding the marker.
     * @param offset where the marker starts.
     * @return the checkpoint id.
     */
    public static long checkpointId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CHECKPOINT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A marker's up-to journal index.
     *
     * @param buffer the buffer holding the marker.
     * @param offset where the marker starts.
     * @return the index, -1 for "nothing".
     */
    public static long upToIndex(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + UP_TO_INDEX_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    private static JournalCorruptedException corrupted(final String journal, final long index, final String reason)
    {
        return new JournalCorruptedException(journal, index, -1, reason);
    }
}
