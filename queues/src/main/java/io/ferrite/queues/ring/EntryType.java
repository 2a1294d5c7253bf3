package io.ferrite.queues.ring;

/**
 * The types of entry a ring slot holds. Control entries travel in order with the records.
 */
public final class EntryType
{
    /**
     * A record: the payload is a record of the channel's schema.
     */
    public static final int RECORD = 1;

    /**
     * A watermark: the header's timestamp is the watermark; no payload.
     */
    public static final int WATERMARK = 2;

    /**
     * A checkpoint barrier: the header's aux field is the checkpoint id, its journal index the source's position.
     */
    public static final int BARRIER = 3;

    /**
     * An idle marker: aux 1 when the source turns idle, 0 when it turns active again.
     */
    public static final int IDLE = 4;

    /**
     * End of stream: the source has no more entries.
     */
    public static final int END_OF_STREAM = 5;

    /**
     * Padding: a claimed slot whose entry could not be written (its producer failed after the claim); consumers skip
     * it.
     */
    public static final int PADDING = 6;

    private EntryType()
    {
    }

    /**
     * The name of an entry type, for messages.
     *
     * @param type the type.
     * @return its name, or {@code UNKNOWN(type)}.
     */
    public static String name(final int type)
    {
        switch (type)
        {
            case RECORD:
                return "RECORD";
            case WATERMARK:
                return "WATERMARK";
            case BARRIER:
                return "BARRIER";
            case IDLE:
                return "IDLE";
            case END_OF_STREAM:
                return "END_OF_STREAM";
            case PADDING:
                return "PADDING";
            default:
                return "UNKNOWN(" + type + ")";
        }
    }

    /**
     * Whether a type is one of the known types.
     *
     * @param type the type.
     * @return true if known.
     */
    public static boolean isValid(final int type)
    {
        return type >= RECORD && type <= PADDING;
    }
}
