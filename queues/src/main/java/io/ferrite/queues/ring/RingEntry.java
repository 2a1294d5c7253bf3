package io.ferrite.queues.ring;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A view of one ring slot, re-wrapped for every entry a {@link RingConsumer} delivers: the header's fields and where
 * the payload lies. Valid only during the {@link EntryHandler#onEntry(RingEntry)} call that received it.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class RingEntry extends RingEntryFields
{
    long q01;
    long q02;
    long q03;
    long q04;
    long q05;
    long q06;
    long q07;
    long q08;

    RingEntry wrap(final UnsafeBuffer buffer, final int slotOffset, final long sequence)
    {
        this.buffer = buffer;
        this.slotOffset = slotOffset;
        this.sequence = sequence;
        return this;
    }

    /**
     * The entry's type, one of {@link EntryType}.
     *
     * @return the type.
     */
    public int type()
    {
        return buffer.getShort(slotOffset + SlotDescriptor.TYPE_OFFSET);
    }

    /**
     * The payload's length.
     *
     * @return the length in bytes; 0 for control entries.
     */
    public int length()
    {
        return buffer.getInt(slotOffset + SlotDescriptor.LENGTH_OFFSET);
    }

    /**
     * The event timestamp of a record, or the value of a watermark.
     *
     * @return the timestamp.
     */
    public long timestamp()
    {
        return buffer.getLong(slotOffset + SlotDescriptor.TIMESTAMP_OFFSET);
    }

    /**
     * The id of the source the entry came from.
     *
     * @return the source id.
     */
    public int sourceId()
    {
        return buffer.getShort(slotOffset + SlotDescriptor.SOURCE_ID_OFFSET);
    }

    /**
     * The journal index of the entry's origin.
     *
     * @return the index.
     */
    public long journalIndex()
    {
        return buffer.getLong(slotOffset + SlotDescriptor.JOURNAL_INDEX_OFFSET);
    }

    /**
     * The auxiliary value: a barrier's checkpoint id, an idle marker's flag.
     *
     * @return the aux value.
     */
    public long aux()
    {
        return buffer.getLong(slotOffset + SlotDescriptor.AUX_OFFSET);
    }

    /**
     * The buffer holding the entry.
     *
     * @return the ring's buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the payload starts in {@link #buffer()}.
     *
     * @return the payload's offset.
     */
    public int payloadOffset()
    {
        return slotOffset + SlotDescriptor.HEADER_LENGTH;
    }

    /**
     * The entry's sequence in the ring, from 0.
     *
     * @return the sequence.
     */
    public long sequence()
    {
        return sequence;
    }

    @Override
    public String toString()
    {
        return null == buffer ? "RingEntry{unwrapped}" : "RingEntry{sequence=" + sequence + ", type=" +
            EntryType.name(type()) + ", length=" + length() + ", timestamp=" + timestamp() + ", source=" +
            sourceId() + ", journalIndex=" + journalIndex() + ", aux=" + aux() + '}';
    }
}
