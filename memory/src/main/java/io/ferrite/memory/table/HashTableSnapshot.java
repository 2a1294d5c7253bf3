package io.ferrite.memory.table;

import java.io.IOException;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * The snapshot body of an {@link OffHeapHashTable}, inside the frame of
 * {@link io.ferrite.memory.snapshot.SnapshotFormat} or nested in a bigger body. Little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Magic 'FRHT'                           |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                   Layout fingerprint (64)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Key width                             |
 *  +---------------------------------------------------------------+
 *  |                        Value width                            |
 *  +---------------------------------------------------------------+
 *  |                      Entry count (64)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Probed slots (64), from version 2               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Entries: count x (key bytes, value bytes), packed    ...
 *  +---------------------------------------------------------------+
 * </pre>
 * From version 2 the entries are written in slot order starting after an empty slot, and restored into a table of
 * the same number of slots: inserted in that order with linear probing, each entry lands in the slot it had (the
 * slots between its home and its place precede it in the order, and none of them is the empty starting slot), so the
 * restored table iterates in the same order as the original and snapshots to the same bytes. The all-zero key, which
 * has a slot of its own, comes last. Version 1 snapshots, without the slot count, are still read.
 */
final class HashTableSnapshot
{
    /**
     * The header's length in the current version.
     */
    static final int HEADER_LENGTH = 40;

    /**
     * The header's length in version 1, which has no slot count.
     */
    static final int V1_HEADER_LENGTH = 32;

    /**
     * The first version, without the slot count.
     */
    static final int VERSION_WITHOUT_SLOTS = 1;

    /**
     * The most memory sized by an entry count that the snapshot's length has not vouched for: past it the table grows
     * as entries arrive, so a corrupted count cannot allocate for entries that are not there.
     */
    static final int UNVERIFIED_PRESIZE_BYTES = 1 << 20;

    /**
     * The longest run of bytes asked of a reader at once: a longer entry is read in pieces, so a reader shared with
     * other structures need not have been built for this table's widest entry.
     */
    static final int MAX_READ_LENGTH = 32 * 1024;

    private static final int MIN_SLOTS = 16;
    private static final int MAX_SLOTS = 1 << 30;

    private HashTableSnapshot()
    {
    }

    static void writeBody(final OffHeapHashTable table, final SnapshotWriter writer) throws IOException
    {
        final int slots = table.slotCount();
        writer.writeInt(OffHeapHashTable.SNAPSHOT_MAGIC);
        writer.writeInt(OffHeapHashTable.SNAPSHOT_VERSION);
        writer.writeLong(table.layoutFingerprint());
        writer.writeInt(table.keyWidth());
        writer.writeInt(table.valueWidth());
        writer.writeLong(table.size());
        writer.writeLong(slots);
        final int entryLength = table.keyWidth() + table.valueWidth();
        final int stride = table.stride();
        final UnsafeBuffer buffer = table.buffer();
        // The load factor leaves a slot empty: start after the first one.
        int empty = 0;
        while (!table.isEmptySlot(empty * stride))
        {
            empty++;
        }
        final int mask = slots - 1;
        for (int i = 1; i < slots; i++)
        {
            final int offset = ((empty + i) & mask) * stride;
            if (!table.isEmptySlot(offset))
            {
                writer.writeBytes(buffer, offset, entryLength);
            }
        }
        if (table.hasZeroKey())
        {
            writer.writeBytes(buffer, table.zeroSlotOffset(), entryLength);
        }
    }

    /**
     * Read a snapshot's body into a new table of the same layout and owner, which the caller adopts or closes.
     * Errors name the reader's source and absolute offsets, so the body may be nested in a bigger one.
     *
     * @param table  the table being restored, whose layout the snapshot must have.
     * @param reader the snapshot, positioned at the body.
     * @param length the snapshot's length in bytes from the body on when the channel knows it, -1 when it does not.
     * @return the new table.
     * @throws IOException if the snapshot is corrupted or the channel fails.
     */
    static OffHeapHashTable readBody(final OffHeapHashTable table, final SnapshotReader reader, final long length)
        throws IOException
    {
        final String source = reader.source();
        final long base = reader.offset();
        final int magic = reader.readInt();
        if (magic != OffHeapHashTable.SNAPSHOT_MAGIC)
        {
            throw new SnapshotCorruptedException(source, base, "bad magic 0x" + Integer.toHexString(magic) +
                ", expected 0x" + Integer.toHexString(OffHeapHashTable.SNAPSHOT_MAGIC) + " (a hash table snapshot)");
        }
        final int version = reader.readInt();
        if (version != OffHeapHashTable.SNAPSHOT_VERSION && version != VERSION_WITHOUT_SLOTS)
        {
            throw new SnapshotCorruptedException(source, base + 4, "unsupported version " + version + ", expected " +
                OffHeapHashTable.SNAPSHOT_VERSION);
        }
        final long fingerprint = reader.readLong();
        if (fingerprint != table.layoutFingerprint())
        {
            throw new SnapshotCorruptedException(source, base + 8, "layout fingerprint 0x" +
                Long.toHexString(fingerprint) + " does not match the table's 0x" +
                Long.toHexString(table.layoutFingerprint()));
        }
        final int keyWidth = reader.readInt();
        final int valueWidth = reader.readInt();
        if (keyWidth != table.keyWidth() || valueWidth != table.valueWidth())
        {
            throw new SnapshotCorruptedException(source, base + 16, "widths key=" + keyWidth + " value=" +
                valueWidth + " do not match the table's key=" + table.keyWidth() + " value=" + table.valueWidth());
        }
        final long count = reader.readLong();
        if (count < 0 || count > Integer.MAX_VALUE / 2)
        {
            throw new SnapshotCorruptedException(source, base + 24, "entry count out of range: " + count);
        }
        final boolean withSlots = version != VERSION_WITHOUT_SLOTS;
        final int headerLength = withSlots ? HEADER_LENGTH : V1_HEADER_LENGTH;
        long slots = 0;
        if (withSlots)
        {
            slots = reader.readLong();
            if (slots < MIN_SLOTS || slots > MAX_SLOTS || 0 != (slots & (slots - 1)))
            {
                throw new SnapshotCorruptedException(source, base + V1_HEADER_LENGTH, "slot count out of range or " +
                    "not a power of two: " + slots);
            }
        }
        final int entryLength = keyWidth + valueWidth;
        final long needed = count * entryLength + SnapshotFormat.TRAILER_LENGTH;
        if (length >= 0 && needed > length - headerLength)
        {
            throw new SnapshotCorruptedException(source, base + length, "truncated: " + count + " entries and the " +
                "trailer need " + needed + " bytes at offset " + (base + headerLength) + ", only " +
                (length - headerLength) + " remain");
        }

        final OffHeapHashTable restored;
        if (withSlots)
        {
            // The slots the table had, so the entries land where they were; it grows should the count pass them.
            restored = OffHeapHashTable.withSlots(table.memoryManager(), table.owner(), keyWidth, valueWidth,
                (int)slots, table.loadFactor(), table.layoutFingerprint());
        }
        else
        {
            final long presize = length >= 0 ? count : Math.min(count, UNVERIFIED_PRESIZE_BYTES / table.stride());
            restored = new OffHeapHashTable(table.memoryManager(), table.owner(), keyWidth, valueWidth,
                (int)presize, table.loadFactor(), table.layoutFingerprint());
        }
        try
        {
            for (long i = 0; i < count; i++)
            {
                readEntry(restored, reader, i);
            }
            return restored;
        }
        catch (final IOException | RuntimeException ex)
        {
            restored.close();
            throw ex;
        }
    }

    private static void readEntry(final OffHeapHashTable restored, final SnapshotReader reader, final long index)
        throws IOException
    {
        final UnsafeBuffer staging = reader.buffer();
        final int keyWidth = restored.keyWidth();
        final int valueWidth = restored.valueWidth();
        final long entryOffset = reader.offset();
        final boolean whole = keyWidth + valueWidth <= MAX_READ_LENGTH;
        final int offset = reader.read(whole ? keyWidth + valueWidth : keyWidth);
        final int valueOffset = restored.getOrInsert(staging, offset);
        if (!restored.lastInsertCreated())
        {
            throw new SnapshotCorruptedException(reader.source(), entryOffset, "duplicate key in entry " + index);
        }
        if (whole)
        {
            restored.buffer().putBytes(valueOffset, staging, offset + keyWidth, valueWidth);
        }
        else
        {
            for (int done = 0; done < valueWidth; )
            {
                final int chunk = Math.min(MAX_READ_LENGTH, valueWidth - done);
                restored.buffer().putBytes(valueOffset + done, staging, reader.read(chunk), chunk);
                done += chunk;
            }
        }
    }
}
