package io.ferrite.memory.table;

import java.io.IOException;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * The snapshot body of an {@link OffHeapHashTable}, inside the frame of
 * {@link io.ferrite.memory.snapshot.SnapshotFormat}. Little-endian:
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
 *  |        Entries: count x (key bytes, value bytes), packed    ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class HashTableSnapshot
{
    static final int HEADER_LENGTH = 32;

    /**
     * The most memory sized by an entry count that the snapshot's length has not vouched for: past it the table grows
     * as entries arrive, so a corrupted count cannot allocate for entries that are not there.
     */
    static final int UNVERIFIED_PRESIZE_BYTES = 1 << 20;

    private HashTableSnapshot()
    {
    }

    static void writeBody(final OffHeapHashTable table, final SnapshotWriter writer) throws IOException
    {
        writer.writeInt(OffHeapHashTable.SNAPSHOT_MAGIC);
        writer.writeInt(OffHeapHashTable.SNAPSHOT_VERSION);
        writer.writeLong(table.layoutFingerprint());
        writer.writeInt(table.keyWidth());
        writer.writeInt(table.valueWidth());
        writer.writeLong(table.size());
        final int entryLength = table.keyWidth() + table.valueWidth();
        final OffHeapHashTable.Cursor cursor = table.newCursor();
        while (cursor.next())
        {
            writer.writeBytes(cursor.buffer(), cursor.keyOffset(), entryLength);
        }
    }

    /**
     * Read a snapshot's body into a new table of the same layout and owner, which the caller adopts or closes.
     *
     * @param table  the table being restored, whose layout the snapshot must have.
     * @param reader the snapshot.
     * @param length the snapshot's length in bytes when the channel knows it, -1 when it does not.
     * @return the new table.
     * @throws IOException if the snapshot is corrupted or the channel fails.
     */
    static OffHeapHashTable readBody(final OffHeapHashTable table, final SnapshotReader reader, final long length)
        throws IOException
    {
        final String source = reader.source();
        final int magic = reader.readInt();
        if (magic != OffHeapHashTable.SNAPSHOT_MAGIC)
        {
            throw new SnapshotCorruptedException(source, 0, "bad magic 0x" + Integer.toHexString(magic) +
                ", expected 0x" + Integer.toHexString(OffHeapHashTable.SNAPSHOT_MAGIC) + " (a hash table snapshot)");
        }
        final int version = reader.readInt();
        if (version != OffHeapHashTable.SNAPSHOT_VERSION)
        {
            throw new SnapshotCorruptedException(source, 4, "unsupported version " + version + ", expected " +
                OffHeapHashTable.SNAPSHOT_VERSION);
        }
        final long fingerprint = reader.readLong();
        if (fingerprint != table.layoutFingerprint())
        {
            throw new SnapshotCorruptedException(source, 8, "layout fingerprint 0x" + Long.toHexString(fingerprint) +
                " does not match the table's 0x" + Long.toHexString(table.layoutFingerprint()));
        }
        final int keyWidth = reader.readInt();
        final int valueWidth = reader.readInt();
        if (keyWidth != table.keyWidth() || valueWidth != table.valueWidth())
        {
            throw new SnapshotCorruptedException(source, 16, "widths key=" + keyWidth + " value=" + valueWidth +
                " do not match the table's key=" + table.keyWidth() + " value=" + table.valueWidth());
        }
        final long count = reader.readLong();
        if (count < 0 || count > Integer.MAX_VALUE / 2)
        {
            throw new SnapshotCorruptedException(source, 24, "entry count out of range: " + count);
        }
        final int entryLength = keyWidth + valueWidth;
        final long needed = count * entryLength + SnapshotFormat.TRAILER_LENGTH;
        if (length >= 0 && needed > length - HEADER_LENGTH)
        {
            throw new SnapshotCorruptedException(source, length, "truncated: " + count + " entries and the trailer " +
                "need " + needed + " bytes at offset " + HEADER_LENGTH + ", only " + (length - HEADER_LENGTH) +
                " remain");
        }

        final long presize = length >= 0 ? count : Math.min(count, UNVERIFIED_PRESIZE_BYTES / table.stride());
        final OffHeapHashTable restored = new OffHeapHashTable(table.memoryManager(), table.owner(), keyWidth,
            valueWidth, (int)presize, table.loadFactor(), table.layoutFingerprint());
        try
        {
            final UnsafeBuffer staging = reader.buffer();
            for (long i = 0; i < count; i++)
            {
                final long entryOffset = reader.offset();
                final int offset = reader.read(entryLength);
                final int valueOffset = restored.getOrInsert(staging, offset);
                if (!restored.lastInsertCreated())
                {
                    throw new SnapshotCorruptedException(source, entryOffset, "duplicate key in entry " + i);
                }
                restored.buffer().putBytes(valueOffset, staging, offset + keyWidth, valueWidth);
            }
            return restored;
        }
        catch (final IOException | RuntimeException ex)
        {
            restored.close();
            throw ex;
        }
    }
}
