package io.ferrite.memory.snapshot;

/**
 * The frame every Ferrite snapshot shares: the body, written by the snapshot's owner and opening with its own magic,
 * version and header, is followed by an 8-byte trailer.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Body (magic, version, ...)                 ...
 *  ...                                                             |
 *  +---------------------------------------------------------------+
 *  |                  CRC32C of every byte of the body             |
 *  +---------------------------------------------------------------+
 *  |                     Trailer magic 'FEND'                      |
 *  +---------------------------------------------------------------+
 * </pre>
 * Integers are little-endian. A reader checks the CRC32C before it trusts anything it has restored, and that nothing
 * follows the trailer.
 */
public final class SnapshotFormat
{
    /**
     * The trailer's magic: the bytes {@code FEND}.
     */
    public static final int TRAILER_MAGIC = 0x444E4546;

    /**
     * The trailer's length: CRC32C and magic.
     */
    public static final int TRAILER_LENGTH = 8;

    private SnapshotFormat()
    {
    }
}
