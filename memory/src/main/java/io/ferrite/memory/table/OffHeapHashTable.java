package io.ferrite.memory.table;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ConcurrentModificationException;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFiles;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * A hash table of fixed-width keys (1 to {@value #MAX_KEY_WIDTH} bytes) to fixed-width values, in one segment of
 * native memory from a {@link MemoryManager}, charged to the table's owner. No Java object per entry.
 * <p>
 * Open addressing with linear probing; a slot is {@code [key][value]}, padded to a multiple of 8 bytes. A slot whose
 * key bytes are all zero is empty, so the all-zero key itself lives in one extra slot past the probed ones (the
 * technique of fastutil's maps). Hashing is Fibonacci hashing of the key's 8-byte words, the high bits giving the
 * slot. Removal shifts the following run back, so there are no tombstones. The table doubles when it passes its
 * load factor, while the budget allows: when it does not, {@link MemoryBudgetExceededException} is thrown and the
 * table is unchanged.
 * <p>
 * Values are read and written in place: {@link #get(long)} and {@link #getOrInsert(long)} return the offset of the
 * value in {@link #buffer()}. A new entry's value is all zero bytes, and {@link #lastInsertCreated()} says whether
 * the last {@code getOrInsert} created it. An offset, and the buffer itself, stay valid until the next insert or
 * removal: an insert may grow the table into a new segment, a removal may move entries.
 * <p>
 * The {@code long} methods are the fast path for 8-byte keys and use the key's native-order bytes, so they and the
 * buffer methods address the same entries.
 * <p>
 * <b>Note:</b> Not threadsafe; a table belongs to one operator on one thread.
 */
public final class OffHeapHashTable implements AutoCloseable
{
    /**
     * Returned by the lookup methods when the key is absent.
     */
    public static final int MISSING = -1;

    /**
     * The widest key.
     */
    public static final int MAX_KEY_WIDTH = 64;

    /**
     * The widest value.
     */
    public static final int MAX_VALUE_WIDTH = 64 * 1024;

    /**
     * The default load factor, as Agrona's maps use.
     */
    public static final float DEFAULT_LOAD_FACTOR = 0.65f;

    /**
     * The default initial capacity in slots.
     */
    public static final int DEFAULT_INITIAL_CAPACITY = 1024;

    static final int SNAPSHOT_MAGIC = 0x54485246;
    static final int SNAPSHOT_VERSION = 2;
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final MemoryManager memoryManager;
    private final String owner;
    private final int keyWidth;
    private final int valueWidth;
    private final int stride;
    private final float loadFactor;
    private final long layoutFingerprint;
    private final boolean longKeys;
    private final Cursor cursor;
    private final int initialSlots;

    private MemorySegment segment;
    private UnsafeBuffer buffer;
    private int capacity;
    private int mask;
    private int shift;
    private int zeroSlotOffset;
    private int resizeThreshold;
    private int size;
    private boolean hasZeroKey;
    private boolean lastInsertCreated;
    private int modCount;
    private boolean closed;

    /**
     * A table with the default capacity and load factor and no layout fingerprint.
     *
     * @param memoryManager where the table's memory comes from.
     * @param owner         the owner the memory is charged to, usually the operator's name.
     * @param keyWidth      the key's width in bytes, 1 to {@value #MAX_KEY_WIDTH}.
     * @param valueWidth    the value's width in bytes, 0 to {@value #MAX_VALUE_WIDTH}.
     */
    public OffHeapHashTable(
        final MemoryManager memoryManager, final String owner, final int keyWidth, final int valueWidth)
    {
        this(memoryManager, owner, keyWidth, valueWidth, DEFAULT_INITIAL_CAPACITY, DEFAULT_LOAD_FACTOR, 0L);
    }

    /**
     * A table.
     *
     * @param memoryManager     where the table's memory comes from.
     * @param owner             the owner the memory is charged to, usually the operator's name.
     * @param keyWidth          the key's width in bytes, 1 to {@value #MAX_KEY_WIDTH}.
     * @param valueWidth        the value's width in bytes, 0 to {@value #MAX_VALUE_WIDTH}.
     * @param initialCapacity   the entries to hold before the first growth.
     * @param loadFactor        the fraction of slots used before the table doubles, in (0, 0.9].
     * @param layoutFingerprint a fingerprint of the key and value layout (a schema's), written into snapshots and
     *                          checked on restore; 0 for none.
     * @throws MemoryBudgetExceededException if the first segment does not fit the budget.
     */
    public OffHeapHashTable(
        final MemoryManager memoryManager,
        final String owner,
        final int keyWidth,
        final int valueWidth,
        final int initialCapacity,
        final float loadFactor,
        final long layoutFingerprint)
    {
        this(memoryManager, owner, keyWidth, valueWidth, initialCapacity, loadFactor, layoutFingerprint, false);
    }

    /**
     * A table of an exact number of probed slots, a power of two of at least 16, or sized for an initial capacity.
     */
    private OffHeapHashTable(
        final MemoryManager memoryManager,
        final String owner,
        final int keyWidth,
        final int valueWidth,
        final int initialCapacity,
        final float loadFactor,
        final long layoutFingerprint,
        final boolean exactSlots)
    {
        if (keyWidth < 1 || keyWidth > MAX_KEY_WIDTH)
        {
            throw new IllegalArgumentException(
                "key width out of range [1, " + MAX_KEY_WIDTH + "]: owner=" + owner + " keyWidth=" + keyWidth);
        }
        if (valueWidth < 0 || valueWidth > MAX_VALUE_WIDTH)
        {
            throw new IllegalArgumentException("value width out of range [0, " + MAX_VALUE_WIDTH + "]: owner=" +
                owner + " valueWidth=" + valueWidth);
        }
        if (!(loadFactor > 0.0f && loadFactor <= 0.9f))
        {
            throw new IllegalArgumentException(
                "load factor out of range (0, 0.9]: owner=" + owner + " loadFactor=" + loadFactor);
        }
        if (initialCapacity < 0)
        {
            throw new IllegalArgumentException(
                "initial capacity negative: owner=" + owner + " initialCapacity=" + initialCapacity);
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.keyWidth = keyWidth;
        this.valueWidth = valueWidth;
        this.stride = BitUtil.align(keyWidth + valueWidth, 8);
        this.loadFactor = loadFactor;
        this.layoutFingerprint = layoutFingerprint;
        this.longKeys = 8 == keyWidth;
        this.cursor = new Cursor(this);

        final int slots = exactSlots ? initialCapacity : slotsFor(initialCapacity);
        this.initialSlots = slots;
        install(allocate(slots), slots);
    }

    /**
     * The owner the table's memory is charged to.
     *
     * @return the owner.
     */
    public String owner()
    {
        return owner;
    }

    /**
     * The key's width.
     *
     * @return the width in bytes.
     */
    public int keyWidth()
    {
        return keyWidth;
    }

    /**
     * The value's width.
     *
     * @return the width in bytes.
     */
    public int valueWidth()
    {
        return valueWidth;
    }

    /**
     * The layout fingerprint written into snapshots.
     *
     * @return the fingerprint, 0 for none.
     */
    public long layoutFingerprint()
    {
        return layoutFingerprint;
    }

    /**
     * The number of entries.
     *
     * @return the size.
     */
    public int size()
    {
        return size;
    }

    /**
     * Whether the table has no entries.
     *
     * @return true if empty.
     */
    public boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * The number of probed slots; the table doubles when the size passes {@code capacity * loadFactor}.
     *
     * @return the capacity in slots.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * The native bytes the table holds.
     *
     * @return the bytes of its segment.
     */
    public long allocatedBytes()
    {
        return null == segment ? 0 : segment.capacity();
    }

    /**
     * The buffer that value and key offsets point into; a different one after the table grows.
     *
     * @return the buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Whether the last {@code getOrInsert} created the entry rather than finding it.
     *
     * @return true if it was created, its value zeroed.
     */
    public boolean lastInsertCreated()
    {
        return lastInsertCreated;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The fast path for 8-byte keys.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Find the value of an 8-byte key.
     *
     * @param key the key.
     * @return the value's offset in {@link #buffer()}, or {@link #MISSING}.
     */
    public int get(final long key)
    {
        checkLongKeys();
        if (0 == key)
        {
            return hasZeroKey ? zeroSlotOffset + 8 : MISSING;
        }

        final UnsafeBuffer buffer = this.buffer;
        final int mask = this.mask;
        final int stride = this.stride;
        int index = (int)((key * GOLDEN) >>> shift);
        while (true)
        {
            final int offset = index * stride;
            final long candidate = buffer.getLong(offset);
            if (candidate == key)
            {
                return offset + 8;
            }
            if (0 == candidate)
            {
                return MISSING;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Find the value of an 8-byte key, inserting a zeroed value if the key is absent.
     *
     * @param key the key.
     * @return the value's offset in {@link #buffer()}.
     * @throws MemoryBudgetExceededException if the table must grow and the budget does not allow it; the table is
     *                                       then unchanged.
     */
    public int getOrInsert(final long key)
    {
        checkLongKeys();
        if (0 == key)
        {
            return zeroKeyGetOrInsert();
        }

        while (true)
        {
            final UnsafeBuffer buffer = this.buffer;
            final int mask = this.mask;
            final int stride = this.stride;
            int index = (int)((key * GOLDEN) >>> shift);
            while (true)
            {
                final int offset = index * stride;
                final long candidate = buffer.getLong(offset);
                if (candidate == key)
                {
                    lastInsertCreated = false;
                    return offset + 8;
                }
                if (0 == candidate)
                {
                    if (size >= resizeThreshold)
                    {
                        break;
                    }
                    buffer.putLong(offset, key);
                    size++;
                    modCount++;
                    lastInsertCreated = true;
                    return offset + 8;
                }
                index = (index + 1) & mask;
            }
            grow();
        }
    }

    /**
     * Read an 8-byte value of an 8-byte key.
     *
     * @param key          the key.
     * @param missingValue what to return when the key is absent.
     * @return the value, or {@code missingValue}.
     */
    public long getLong(final long key, final long missingValue)
    {
        checkLongValues();
        final int offset = get(key);
        return MISSING == offset ? missingValue : buffer.getLong(offset);
    }

    /**
     * Write an 8-byte value for an 8-byte key, inserting the key if absent.
     *
     * @param key   the key.
     * @param value the value; the value width must be at least 8.
     */
    public void putLong(final long key, final long value)
    {
        checkLongValues();
        final int offset = getOrInsert(key);
        buffer.putLong(offset, value);
    }

    /**
     * Whether an 8-byte key is present.
     *
     * @param key the key.
     * @return true if present.
     */
    public boolean containsKey(final long key)
    {
        return MISSING != get(key);
    }

    /**
     * Remove an 8-byte key.
     *
     * @param key the key.
     * @return true if it was present.
     */
    public boolean remove(final long key)
    {
        checkLongKeys();
        if (0 == key)
        {
            return removeZeroKey();
        }
        final UnsafeBuffer buffer = this.buffer;
        int index = (int)((key * GOLDEN) >>> shift);
        while (true)
        {
            final long candidate = buffer.getLong(index * stride);
            if (candidate == key)
            {
                removeAt(index);
                return true;
            }
            if (0 == candidate)
            {
                return false;
            }
            index = (index + 1) & mask;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Keys of any width, read from a buffer.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Find the value of a key held in a buffer.
     *
     * @param key       the buffer holding the key's {@link #keyWidth()} bytes.
     * @param keyOffset where the key starts.
     * @return the value's offset in {@link #buffer()}, or {@link #MISSING}.
     */
    public int get(final DirectBuffer key, final int keyOffset)
    {
        if (longKeys)
        {
            return get(key.getLong(keyOffset));
        }
        if (isZero(key, keyOffset))
        {
            return hasZeroKey ? zeroSlotOffset + keyWidth : MISSING;
        }
        final UnsafeBuffer buffer = this.buffer;
        int index = (int)(hash(key, keyOffset) >>> shift);
        while (true)
        {
            final int offset = index * stride;
            if (isZero(buffer, offset))
            {
                return MISSING;
            }
            if (keyEquals(buffer, offset, key, keyOffset))
            {
                return offset + keyWidth;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Find the value of a key held in a buffer, inserting a zeroed value if the key is absent.
     *
     * @param key       the buffer holding the key's {@link #keyWidth()} bytes.
     * @param keyOffset where the key starts.
     * @return the value's offset in {@link #buffer()}.
     * @throws MemoryBudgetExceededException if the table must grow and the budget does not allow it; the table is
     *                                       then unchanged.
     */
    public int getOrInsert(final DirectBuffer key, final int keyOffset)
    {
        if (longKeys)
        {
            return getOrInsert(key.getLong(keyOffset));
        }
        if (isZero(key, keyOffset))
        {
            return zeroKeyGetOrInsert();
        }
        final long hash = hash(key, keyOffset);
        while (true)
        {
            final UnsafeBuffer buffer = this.buffer;
            int index = (int)(hash >>> shift);
            while (true)
            {
                final int offset = index * stride;
                if (isZero(buffer, offset))
                {
                    if (size >= resizeThreshold)
                    {
                        break;
                    }
                    buffer.putBytes(offset, key, keyOffset, keyWidth);
                    size++;
                    modCount++;
                    lastInsertCreated = true;
                    return offset + keyWidth;
                }
                if (keyEquals(buffer, offset, key, keyOffset))
                {
                    lastInsertCreated = false;
                    return offset + keyWidth;
                }
                index = (index + 1) & mask;
            }
            grow();
        }
    }

    /**
     * Remove a key held in a buffer.
     *
     * @param key       the buffer holding the key's {@link #keyWidth()} bytes.
     * @param keyOffset where the key starts.
     * @return true if it was present.
     */
    public boolean remove(final DirectBuffer key, final int keyOffset)
    {
        if (longKeys)
        {
            return remove(key.getLong(keyOffset));
        }
        if (isZero(key, keyOffset))
        {
            return removeZeroKey();
        }
        final UnsafeBuffer buffer = this.buffer;
        int index = (int)(hash(key, keyOffset) >>> shift);
        while (true)
        {
            final int offset = index * stride;
            if (isZero(buffer, offset))
            {
                return false;
            }
            if (keyEquals(buffer, offset, key, keyOffset))
            {
                removeAt(index);
                return true;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Remove every entry, keeping the current capacity.
     */
    public void clear()
    {
        buffer.setMemory(0, (capacity + 1) * stride, (byte)0);
        size = 0;
        hasZeroKey = false;
        modCount++;
    }

    /**
     * Give memory back when the table is empty: a table that grew returns to its initial capacity, so an operator
     * whose state has all been freed holds no more than when it was new. Nothing happens to a table with entries.
     *
     * @return the bytes released.
     */
    public long trimIfEmpty()
    {
        checkOpen();
        if (0 != size || capacity <= initialSlots)
        {
            return 0;
        }
        final long before = allocatedBytes();
        final MemorySegment oldSegment = segment;
        install(allocate(initialSlots), initialSlots);
        oldSegment.release();
        modCount++;
        return before - allocatedBytes();
    }

    /**
     * The table's reusable cursor, reset to before the first entry. Iterating allocates nothing; the table must not
     * be changed while a cursor walks it, except through values in place.
     *
     * @return the cursor.
     */
    public Cursor cursor()
    {
        return cursor.reset();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Snapshot and restore.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Write every entry to a channel in the snapshot format: the body of {@link #writeTo(SnapshotWriter)} and the
     * CRC32C trailer.
     *
     * @param channel where to write; not closed or forced.
     * @return the bytes written.
     * @throws IOException if the channel fails.
     */
    public long snapshot(final WritableByteChannel channel) throws IOException
    {
        final SnapshotWriter writer = new SnapshotWriter(channel);
        writeTo(writer);
        return writer.finish();
    }

    /**
     * Write a snapshot file atomically and durably (temporary file, fsync, rename, directory fsync).
     *
     * @param file the file.
     * @return the bytes written.
     * @throws IOException if writing fails; an older file of that name is then kept.
     */
    public long snapshot(final Path file) throws IOException
    {
        return SnapshotFiles.writeAtomically(file, this::writeTo);
    }

    /**
     * Write the table as a snapshot body — a header (magic, version, layout fingerprint, widths, count, slots) and
     * the entries — into a writer that other structures may share: the caller writes what comes before and after,
     * and finishes the snapshot. The entries go in an order that rebuilds the same slots, so a table restored by
     * {@link #readFrom(SnapshotReader)} iterates in the same order as this one and snapshots to the same bytes.
     * Allocates nothing.
     *
     * @param writer where the body goes.
     * @throws IOException if the writer's channel fails.
     */
    public void writeTo(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        HashTableSnapshot.writeBody(this, writer);
    }

    /**
     * Replace the table's entries with a snapshot body written by {@link #writeTo(SnapshotWriter)}, read from a
     * reader that other structures may share. The body is read into new memory, which replaces the current entries
     * once the whole body has been read and checked; the CRC32C of the snapshot is the caller's to verify, after
     * everything sharing it has been read. A bad body leaves the table as it was.
     *
     * @param reader where the body comes from.
     * @throws SnapshotCorruptedException    if the body is truncated, of another kind or layout, or its counts are out
     *                                       of range; the exception names the reader's source and the offset.
     * @throws MemoryBudgetExceededException if its entries do not fit the budget.
     * @throws IOException                   if the reader's channel fails.
     */
    public void readFrom(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        adopt(HashTableSnapshot.readBody(this, reader, -1));
    }

    /**
     * Replace the table's entries with a snapshot's. The snapshot is read into new memory and checked in full —
     * header, every entry, CRC32C trailer — before it replaces the current entries, so a bad snapshot leaves the
     * table exactly as it was.
     *
     * @param channel where to read; not closed.
     * @param source  the snapshot's name, for errors.
     * @throws SnapshotCorruptedException    if the snapshot is empty, truncated, corrupted or of another layout.
     * @throws MemoryBudgetExceededException if its entries do not fit the budget.
     * @throws IOException                   if the channel fails.
     */
    public void restore(final ReadableByteChannel channel, final String source) throws IOException
    {
        checkOpen();
        final long length = channel instanceof SeekableByteChannel ?
            ((SeekableByteChannel)channel).size() - ((SeekableByteChannel)channel).position() : -1;
        final SnapshotReader reader = new SnapshotReader(channel, source, keyWidth + valueWidth);
        final OffHeapHashTable restored = HashTableSnapshot.readBody(this, reader, length);
        try
        {
            reader.verifyTrailer();
        }
        catch (final IOException | RuntimeException ex)
        {
            restored.close();
            throw ex;
        }
        adopt(restored);
    }

    /**
     * Replace the table's entries with those of a snapshot file; see {@link #restore(ReadableByteChannel, String)}.
     *
     * @param file the file.
     * @throws IOException if the file cannot be read or is corrupted; the table is then unchanged.
     */
    public void restore(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            restore(channel, file.toString());
        }
    }

    /**
     * Release the table's memory. Idempotent; the table cannot be used afterwards.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != segment)
            {
                segment.release();
                segment = null;
            }
            buffer = new UnsafeBuffer(0L, 0);
            hasZeroKey = false;
            size = 0;
            capacity = 0;
        }
    }

    @Override
    public String toString()
    {
        return "OffHeapHashTable{owner=" + owner + ", keyWidth=" + keyWidth + ", valueWidth=" + valueWidth +
            ", size=" + size + ", capacity=" + capacity + ", bytes=" + allocatedBytes() + '}';
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals, package-private for the cursor and snapshot.
    // ---------------------------------------------------------------------------------------------------------------

    int stride()
    {
        return stride;
    }

    /**
     * A table for a restore: exactly {@code slots} probed slots, so that entries inserted in the order a snapshot
     * wrote them land in the slots they had.
     */
    static OffHeapHashTable withSlots(
        final MemoryManager memoryManager,
        final String owner,
        final int keyWidth,
        final int valueWidth,
        final int slots,
        final float loadFactor,
        final long layoutFingerprint)
    {
        return new OffHeapHashTable(memoryManager, owner, keyWidth, valueWidth, slots, loadFactor, layoutFingerprint,
            true);
    }

    int slotCount()
    {
        return capacity;
    }

    boolean hasZeroKey()
    {
        return hasZeroKey;
    }

    int zeroSlotOffset()
    {
        return zeroSlotOffset;
    }

    int modCount()
    {
        return modCount;
    }

    boolean isEmptySlot(final int offset)
    {
        return longKeys ? 0 == buffer.getLong(offset) : isZero(buffer, offset);
    }

    MemoryManager memoryManager()
    {
        return memoryManager;
    }

    float loadFactor()
    {
        return loadFactor;
    }

    void checkModCount(final int expected)
    {
        if (expected != modCount)
        {
            throw new ConcurrentModificationException("table changed while a cursor walked it: " + this);
        }
    }

    static int slotsFor(final int entries, final float loadFactor)
    {
        final long needed = (long)Math.ceil(Math.max(entries, 1) / (double)loadFactor) + 1;
        if (needed > (1 << 30))
        {
            throw new IllegalArgumentException("too many entries for one table: " + entries);
        }
        return Math.max(16, BitUtil.findNextPositivePowerOfTwo((int)needed));
    }

    private int slotsFor(final int entries)
    {
        return slotsFor(entries, loadFactor);
    }

    private MemorySegment allocate(final int slots)
    {
        final long bytes = (long)(slots + 1) * stride;
        if (bytes > MemoryManager.MAX_SEGMENT_BYTES)
        {
            throw new MemoryBudgetExceededException("hash table larger than one segment can hold", owner, bytes,
                memoryManager.usedBytes(owner), memoryManager.usedBytes(), memoryManager.budgetBytes());
        }
        return memoryManager.allocate(owner, bytes);
    }

    private void install(final MemorySegment newSegment, final int slots)
    {
        segment = newSegment;
        buffer = newSegment.buffer();
        capacity = slots;
        mask = slots - 1;
        shift = 64 - Integer.numberOfTrailingZeros(slots);
        zeroSlotOffset = slots * stride;
        resizeThreshold = (int)(slots * loadFactor);
    }

    private void grow()
    {
        checkOpen();
        final int newSlots = capacity << 1;
        final MemorySegment newSegment = allocate(newSlots);
        final UnsafeBuffer newBuffer = newSegment.buffer();
        final int newMask = newSlots - 1;
        final int newShift = 64 - Integer.numberOfTrailingZeros(newSlots);
        final UnsafeBuffer oldBuffer = buffer;
        final int stride = this.stride;

        if (longKeys)
        {
            final boolean twoWords = 16 == stride;
            for (int i = 0, n = capacity; i < n; i++)
            {
                final int offset = i * stride;
                final long key = oldBuffer.getLong(offset);
                if (0 != key)
                {
                    int index = (int)((key * GOLDEN) >>> newShift);
                    while (0 != newBuffer.getLong(index * stride))
                    {
                        index = (index + 1) & newMask;
                    }
                    final int newOffset = index * stride;
                    if (twoWords)
                    {
                        newBuffer.putLong(newOffset, key);
                        newBuffer.putLong(newOffset + 8, oldBuffer.getLong(offset + 8));
                    }
                    else
                    {
                        newBuffer.putBytes(newOffset, oldBuffer, offset, stride);
                    }
                }
            }
        }
        else
        {
            for (int i = 0, n = capacity; i < n; i++)
            {
                final int offset = i * stride;
                if (!isZero(oldBuffer, offset))
                {
                    int index = (int)(hash(oldBuffer, offset) >>> newShift);
                    while (!isZero(newBuffer, index * stride))
                    {
                        index = (index + 1) & newMask;
                    }
                    newBuffer.putBytes(index * stride, oldBuffer, offset, stride);
                }
            }
        }
        if (hasZeroKey)
        {
            newBuffer.putBytes(newSlots * stride, oldBuffer, zeroSlotOffset, stride);
        }

        final MemorySegment oldSegment = segment;
        install(newSegment, newSlots);
        oldSegment.release();
        modCount++;
    }

    private void adopt(final OffHeapHashTable restored)
    {
        final MemorySegment oldSegment = segment;
        install(restored.segment, restored.capacity);
        size = restored.size;
        hasZeroKey = restored.hasZeroKey;
        modCount++;
        restored.segment = null;
        restored.close();
        oldSegment.release();
    }

    private int zeroKeyGetOrInsert()
    {
        checkOpen();
        lastInsertCreated = !hasZeroKey;
        if (!hasZeroKey)
        {
            hasZeroKey = true;
            size++;
            modCount++;
        }
        return zeroSlotOffset + keyWidth;
    }

    private boolean removeZeroKey()
    {
        if (!hasZeroKey)
        {
            return false;
        }
        hasZeroKey = false;
        buffer.setMemory(zeroSlotOffset, stride, (byte)0);
        size--;
        modCount++;
        return true;
    }

    private void removeAt(final int removedIndex)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int mask = this.mask;
        final int stride = this.stride;
        int hole = removedIndex;
        int index = removedIndex;
        while (true)
        {
            index = (index + 1) & mask;
            final int offset = index * stride;
            if (isEmptySlot(offset))
            {
                break;
            }
            final long hash = longKeys ? buffer.getLong(offset) * GOLDEN : hash(buffer, offset);
            final int home = (int)(hash >>> shift);
            // Leave the entry where it is if its home lies cyclically in (hole, index].
            final boolean stays = hole <= index ? (hole < home && home <= index) : (hole < home || home <= index);
            if (!stays)
            {
                buffer.putBytes(hole * stride, buffer, offset, stride);
                hole = index;
            }
        }
        buffer.setMemory(hole * stride, stride, (byte)0);
        size--;
        modCount++;
    }

    private long hash(final DirectBuffer key, final int keyOffset)
    {
        final int width = keyWidth;
        long hash = 0;
        int i = 0;
        for (; i + 8 <= width; i += 8)
        {
            hash = Long.rotateLeft(hash, 29) ^ key.getLong(keyOffset + i);
            hash *= GOLDEN;
        }
        if (i < width)
        {
            long tail = 0;
            for (int j = width - 1; j >= i; j--)
            {
                tail = (tail << 8) | (key.getByte(keyOffset + j) & 0xFFL);
            }
            hash = (Long.rotateLeft(hash, 29) ^ tail) * GOLDEN;
        }
        return (hash ^ (hash >>> 32)) * GOLDEN;
    }

    private boolean isZero(final DirectBuffer key, final int keyOffset)
    {
        final int width = keyWidth;
        int i = 0;
        for (; i + 8 <= width; i += 8)
        {
            if (0 != key.getLong(keyOffset + i))
            {
                return false;
            }
        }
        for (; i < width; i++)
        {
            if (0 != key.getByte(keyOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    private boolean keyEquals(final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset)
    {
        final int width = keyWidth;
        int i = 0;
        for (; i + 8 <= width; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                return false;
            }
        }
        for (; i < width; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void checkLongKeys()
    {
        if (!longKeys)
        {
            throw new IllegalStateException("long key methods need an 8-byte key: owner=" + owner +
                " keyWidth=" + keyWidth);
        }
    }

    private void checkLongValues()
    {
        if (valueWidth < 8)
        {
            throw new IllegalStateException("long value methods need a value of at least 8 bytes: owner=" + owner +
                " valueWidth=" + valueWidth);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("hash table is closed: owner=" + owner);
        }
    }

    /**
     * Walks a table's entries with no allocation: {@code while (cursor.next()) { ... }}.
     * <p>
     * <b>Note:</b> Not threadsafe; changing the table's keys during a walk throws
     * {@link ConcurrentModificationException} from {@link #next()}.
     */
    public static final class Cursor
    {
        private final OffHeapHashTable table;
        private int index;
        private int keyOffset;
        private int expectedModCount;

        Cursor(final OffHeapHashTable table)
        {
            this.table = table;
        }

        Cursor reset()
        {
            index = -1;
            keyOffset = MISSING;
            expectedModCount = table.modCount();
            return this;
        }

        /**
         * Move to the next entry.
         *
         * @return false when there are no more.
         */
        public boolean next()
        {
            table.checkModCount(expectedModCount);
            final int slots = table.slotCount();
            final int stride = table.stride();
            while (++index < slots)
            {
                final int offset = index * stride;
                if (!table.isEmptySlot(offset))
                {
                    keyOffset = offset;
                    return true;
                }
            }
            if (index == slots && table.hasZeroKey())
            {
                keyOffset = table.zeroSlotOffset();
                return true;
            }
            index = slots + 1;
            keyOffset = MISSING;
            return false;
        }

        /**
         * The buffer holding the current entry.
         *
         * @return the table's buffer.
         */
        public UnsafeBuffer buffer()
        {
            return table.buffer();
        }

        /**
         * The current key's offset in {@link #buffer()}.
         *
         * @return the offset.
         */
        public int keyOffset()
        {
            return keyOffset;
        }

        /**
         * The current value's offset in {@link #buffer()}.
         *
         * @return the offset.
         */
        public int valueOffset()
        {
            return keyOffset + table.keyWidth();
        }

        /**
         * The current key of a table with 8-byte keys.
         *
         * @return the key.
         */
        public long longKey()
        {
            return table.buffer().getLong(keyOffset);
        }
    }
}
