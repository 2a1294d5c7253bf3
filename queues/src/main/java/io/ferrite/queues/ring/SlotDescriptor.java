package io.ferrite.queues.ring;

import org.agrona.BitUtil;

/**
 * The layout of a ring slot: a 32-byte header, then the payload. Fields are in native byte order.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Payload length                         |
 *  +-------------------------------+-------------------------------+
 *  |          Entry type           |           Source id           |
 *  +-------------------------------+-------------------------------+
 *  |                  Event timestamp / watermark                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Journal index (origin position)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Aux: checkpoint id (barrier), idle flag (idle)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Payload                              ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * A slot is {@link #slotLength(int)} bytes: the header and the largest payload, rounded up to 8 bytes.
 */
public final class SlotDescriptor
{
    /**
     * Offset of the payload length, an int.
     */
    public static final int LENGTH_OFFSET = 0;

    /**
     * Offset of the entry type, a short (see {@link EntryType}).
     */
    public static final int TYPE_OFFSET = 4;

    /**
     * Offset of the source id, a short.
     */
    public static final int SOURCE_ID_OFFSET = 6;

    /**
     * Offset of the event timestamp (a watermark's value), a long.
     */
    public static final int TIMESTAMP_OFFSET = 8;

    /**
     * Offset of the journal index of the entry's origin, a long.
     */
    public static final int JOURNAL_INDEX_OFFSET = 16;

    /**
     * Offset of the auxiliary value, a long.
     */
    public static final int AUX_OFFSET = 24;

    /**
     * Length of the header; the payload starts here.
     */
    public static final int HEADER_LENGTH = 32;

    /**
     * The largest source id.
     */
    public static final int MAX_SOURCE_ID = Short.MAX_VALUE;

    private SlotDescriptor()
    {
    }

    /**
     * The length of a slot that holds payloads of up to {@code maxPayloadLength} bytes.
     *
     * @param maxPayloadLength the largest payload.
     * @return the slot length, a multiple of 8.
     */
    public static int slotLength(final int maxPayloadLength)
    {
        return BitUtil.align(HEADER_LENGTH + maxPayloadLength, 8);
    }
}
