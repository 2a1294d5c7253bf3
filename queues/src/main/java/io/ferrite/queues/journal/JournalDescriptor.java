package io.ferrite.queues.journal;

/**
 * The framing of a journal entry inside its Chronicle Queue document. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Payload length                         |
 *  +---------------------------------------------------------------+
 *  |            CRC32C of the length field and the payload         |
 *  +---------------------------------------------------------------+
 *  |                           Payload                           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The CRC covers the length too, so a damaged length is caught as surely as a damaged payload. Chronicle Queue's own
 * header marks a document that a killed process left half-written; the length and CRC catch anything else.
 */
public final class JournalDescriptor
{
    /**
     * Offset of the payload length.
     */
    public static final int LENGTH_OFFSET = 0;

    /**
     * Offset of the CRC32C.
     */
    public static final int CRC_OFFSET = 4;

    /**
     * Length of the frame header; the payload starts here.
     */
    public static final int HEADER_LENGTH = 8;

    private JournalDescriptor()
    {
    }
}
