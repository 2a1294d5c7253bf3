package io.ferrite.memory.table;

import static io.ferrite.memory.table.TableTestSupport.KEY_OFFSET;
import static io.ferrite.memory.table.TableTestSupport.assertContents;
import static io.ferrite.memory.table.TableTestSupport.bytes;
import static io.ferrite.memory.table.TableTestSupport.channel;
import static io.ferrite.memory.table.TableTestSupport.snapshotBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.table.TableTestSupport.Key;

/**
 * Random operations on an {@link OffHeapHashTable} checked step by step against a {@link HashMap} model.
 */
class OffHeapHashTableModelTest
{
    private static final int OPERATIONS = 100_000;
    private static final int FULL_COMPARE_EVERY = 5_000;
    private static final int SNAPSHOT_EVERY = 16_384;
    private static final int CLEAR_AT = 60_001;
    private static final long BUDGET = 256L * 1024 * 1024;
    private static final String OWNER = "model-op";
    private static final int[] KEY_WIDTHS = {1, 3, 8, 13, 16, 64};

    @TempDir
    Path tempDir;

    static Stream<Arguments> runs()
    {
        final List<Arguments> runs = new ArrayList<>();
        long seed = 0x5EED_0001L;
        for (final int keyWidth : KEY_WIDTHS)
        {
            final int largeSpace = 1 == keyWidth ? 256 : 150_000;
            // keyWidth, valueWidth, keySpace, initialCapacity, loadFactor, seed
            runs.add(Arguments.of(keyWidth, 0, 1 == keyWidth ? 40 : 64, 1, 0.65f, seed++));
            runs.add(Arguments.of(keyWidth, 8, 1 == keyWidth ? 256 : 700, 0, 0.9f, seed++));
            runs.add(Arguments.of(keyWidth, 12, largeSpace, 1, 0.65f, seed++));
            runs.add(Arguments.of(keyWidth, 8, largeSpace, 4, 0.5f, seed++));
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "keyWidth={0} valueWidth={1} keySpace={2} initialCapacity={3} loadFactor={4} seed={5}")
    @MethodSource("runs")
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // A probe loop that never ends fails.
    void shouldBehaveLikeHashMapUnderRandomOperations(
        final int keyWidth,
        final int valueWidth,
        final int keySpace,
        final int initialCapacity,
        final float loadFactor,
        final long seed) throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            try (OffHeapHashTable table = new OffHeapHashTable(
                manager, OWNER, keyWidth, valueWidth, initialCapacity, loadFactor, 0xF1D0L + keyWidth))
            {
                new ModelRun(manager, table, keySpace, seed, tempDir).run();
            }
            assertEquals(0, manager.usedBytes(OWNER), "close releases the table's memory");
            assertEquals(0, manager.usedBytes());
        }
    }

    @Test
    void shouldThrowConcurrentModificationWhenAKeyIsInsertedDuringAWalk()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8))
        {
            for (long k = 1; k <= 10; k++)
            {
                table.putLong(k, k * 10);
            }
            final OffHeapHashTable.Cursor cursor = table.cursor();
            assertTrue(cursor.next());
            table.getOrInsert(11L);
            assertThrows(ConcurrentModificationException.class, cursor::next);
        }
    }

    @Test
    void shouldThrowConcurrentModificationWhenTheZeroKeyIsInsertedOrRemovedDuringAWalk()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 3, 4))
        {
            final Key zero = new Key(new byte[3]);
            TableTestSupport.put(table, new Key(new byte[] {1, 2, 3}), new byte[] {1, 1, 1, 1});
            final OffHeapHashTable.Cursor cursor = table.cursor();
            assertTrue(cursor.next());
            table.getOrInsert(zero.buffer(), KEY_OFFSET);
            assertThrows(ConcurrentModificationException.class, cursor::next);

            final OffHeapHashTable.Cursor again = table.cursor();
            assertTrue(again.next());
            assertTrue(table.remove(zero.buffer(), KEY_OFFSET));
            assertThrows(ConcurrentModificationException.class, again::next);
        }
    }

    @Test
    void shouldThrowConcurrentModificationWhenAKeyIsRemovedDuringAWalk()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 16, 0))
        {
            final Key a = new Key(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
            final Key b = new Key(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17});
            table.getOrInsert(a.buffer(), KEY_OFFSET);
            table.getOrInsert(b.buffer(), KEY_OFFSET);
            final OffHeapHashTable.Cursor cursor = table.cursor();
            assertTrue(cursor.next());
            assertTrue(table.remove(b.buffer(), KEY_OFFSET));
            assertThrows(ConcurrentModificationException.class, cursor::next);
        }
    }

    @Test
    void shouldThrowConcurrentModificationWhenClearedOrGrownOrRestoredDuringAWalk() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 1, 0.65f, 0L))
        {
            table.putLong(1, 1);
            final OffHeapHashTable.Cursor cleared = table.cursor();
            assertTrue(cleared.next());
            table.clear();
            assertThrows(ConcurrentModificationException.class, cleared::next);

            for (long k = 1; k <= 8; k++)
            {
                table.putLong(k, k);
            }
            final int capacity = table.capacity();
            final OffHeapHashTable.Cursor grown = table.cursor();
            assertTrue(grown.next());
            long k = 100;
            while (table.capacity() == capacity)
            {
                table.putLong(k++, 1);
            }
            assertThrows(ConcurrentModificationException.class, grown::next);

            final byte[] snapshot = snapshotBytes(table);
            final OffHeapHashTable.Cursor restored = table.cursor();
            assertTrue(restored.next());
            table.restore(channel(snapshot), "walk");
            assertThrows(ConcurrentModificationException.class, restored::next);
        }
    }

    @Test
    void shouldNotThrowConcurrentModificationForValueWritesAndLookupsOfPresentKeysDuringAWalk()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8))
        {
            for (long k = 0; k < 50; k++)
            {
                table.putLong(k, k);
            }
            final OffHeapHashTable.Cursor cursor = table.cursor();
            int walked = 0;
            while (cursor.next())
            {
                final long key = cursor.longKey();
                cursor.buffer().putLong(cursor.valueOffset(), key * 3);
                assertEquals(cursor.valueOffset(), table.getOrInsert(key));
                assertFalse(table.lastInsertCreated());
                assertFalse(table.remove(1_000_000L + key), "removing an absent key changes nothing");
                table.putLong(key, table.getLong(key, -1) + 1);
                walked++;
            }
            assertEquals(50, walked);
            for (long k = 0; k < 50; k++)
            {
                assertEquals(k * 3 + 1, table.getLong(k, -1));
            }
        }
    }

    @Test
    void shouldResetTheCursorOnEachCallToCursor()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 0))
        {
            assertFalse(table.cursor().next(), "an empty table has no entries");
            table.getOrInsert(0L);
            table.getOrInsert(7L);
            final OffHeapHashTable.Cursor cursor = table.cursor();
            assertTrue(cursor.next());
            assertTrue(cursor.next());
            assertFalse(cursor.next());
            assertFalse(cursor.next());
            int count = 0;
            final OffHeapHashTable.Cursor again = table.cursor();
            while (again.next())
            {
                count++;
            }
            assertEquals(2, count);
        }
    }

    /**
     * One model run: the table, the model, the random source, and where it has got to, for failure messages.
     */
    private static final class ModelRun
    {
        private final MemoryManager manager;
        private final OffHeapHashTable table;
        private final int keyWidth;
        private final int valueWidth;
        private final int keySpace;
        private final long seed;
        private final Path tempDir;
        private final Random random;
        private final Key[] pool;
        private final Key zeroKey;
        private final Map<Key, byte[]> model = new HashMap<>();
        private final List<Key> present = new ArrayList<>();
        private final Map<Key, Integer> presentIndex = new HashMap<>();
        private int operation;
        private String description = "set-up";
        private int maxCapacitySeen;
        private int growths;
        private int zeroKeyInserts;
        private int removeHits;
        private int snapshots;
        private int clears;

        ModelRun(
            final MemoryManager manager,
            final OffHeapHashTable table,
            final int keySpace,
            final long seed,
            final Path tempDir)
        {
            this.manager = manager;
            this.table = table;
            this.keyWidth = table.keyWidth();
            this.valueWidth = table.valueWidth();
            this.keySpace = keySpace;
            this.seed = seed;
            this.tempDir = tempDir;
            this.random = new Random(seed);
            this.zeroKey = new Key(new byte[keyWidth]);
            this.pool = keyPool();
        }

        void run()
        {
            try
            {
                maxCapacitySeen = table.capacity();
                for (operation = 0; operation < OPERATIONS; operation++)
                {
                    step();
                    assertEquals(model.size(), table.size(), "size()");
                    if (table.capacity() > maxCapacitySeen)
                    {
                        maxCapacitySeen = table.capacity();
                        growths++;
                    }
                    assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER), "owner's accounted bytes");
                    if (0 == (operation + 1) % FULL_COMPARE_EVERY)
                    {
                        description = "full compare";
                        assertContents(model, table);
                    }
                    if (0 == (operation + 1) % SNAPSHOT_EVERY)
                    {
                        snapshotAndRestore();
                    }
                }
                description = "final compare";
                assertContents(model, table);
                snapshotAndRestore();
            }
            catch (final AssertionError | RuntimeException | IOException ex)
            {
                throw new AssertionError("model run failed: seed=" + seed + " (0x" + Long.toHexString(seed) +
                    ") keyWidth=" + keyWidth + " valueWidth=" + valueWidth + " keySpace=" + keySpace +
                    " operation #" + operation + " (" + description + "), table=" + table + ": " + ex, ex);
            }
            assertTrue(zeroKeyInserts > 0, "the run inserted the all-zero key");
            assertTrue(removeHits > 0, "the run removed present keys");
            assertTrue(snapshots > 0, "the run took snapshots");
            assertTrue(clears > 0, "the run cleared the table");
            if (keySpace > 10_000)
            {
                assertTrue(growths >= 8, () -> "a large key space grows the table many times, grew " + growths);
            }
        }

        private void step() throws IOException
        {
            final int dice = CLEAR_AT == operation ? 999 : random.nextInt(1000);
            if (dice < 350)
            {
                insert(pickKey());
            }
            else if (dice < 450)
            {
                updateInPlace(pickKey());
            }
            else if (dice < 650)
            {
                lookup(pickKey());
            }
            else if (dice < 750)
            {
                contains(pickKey());
            }
            else if (dice < 900)
            {
                remove(pickKey());
            }
            else if (dice < 950)
            {
                putOrGetLong(pickKey());
            }
            else if (dice < 952)
            {
                description = "walk";
                assertContents(model, table);
            }
            else if (0 == random.nextInt(1500) || CLEAR_AT == operation)
            {
                clear();
            }
            else
            {
                lookup(pickKey());
            }
        }

        private void clear()
        {
            description = "clear";
            final int capacity = table.capacity();
            table.clear();
            model.clear();
            present.clear();
            presentIndex.clear();
            clears++;
            assertEquals(capacity, table.capacity(), "clear keeps the capacity");
            assertFalse(table.cursor().next(), "a cleared table has no entries");
        }

        private void insert(final Key key)
        {
            final boolean existed = model.containsKey(key);
            final boolean useLong = 8 == keyWidth && random.nextBoolean();
            description = (useLong ? "getOrInsert(long) " : "getOrInsert(buffer) ") + key;
            final int offset = useLong ? table.getOrInsert(key.asLong()) : table.getOrInsert(key.buffer(), KEY_OFFSET);
            assertEquals(!existed, table.lastInsertCreated(), "lastInsertCreated()");
            final UnsafeBuffer buffer = table.buffer();
            if (existed)
            {
                assertArrayEquals(model.get(key), bytes(buffer, offset, valueWidth), "value of an existing key");
            }
            else
            {
                if (key.isZero())
                {
                    zeroKeyInserts++;
                }
                assertArrayEquals(new byte[valueWidth], bytes(buffer, offset, valueWidth), "a new value is zeroed");
                addPresent(key, new byte[valueWidth]);
            }
            if (valueWidth > 0 && random.nextInt(5) > 0)
            {
                final byte[] value = new byte[valueWidth];
                random.nextBytes(value);
                buffer.putBytes(offset, value);
                model.put(key, value);
            }
        }

        private void updateInPlace(final Key key)
        {
            description = "update in place " + key;
            final int offset = lookupOffset(key);
            final byte[] expected = model.get(key);
            assertEquals(null != expected, TableTestSupport.get(table, key) != OffHeapHashTable.MISSING);
            if (null != expected && valueWidth > 0)
            {
                final int at = random.nextInt(valueWidth);
                final byte b = (byte)random.nextInt(256);
                table.buffer().putByte(offset + at, b);
                expected[at] = b;
            }
        }

        private void lookup(final Key key)
        {
            description = "get " + key;
            final int offset = lookupOffset(key);
            final byte[] expected = model.get(key);
            if (null == expected)
            {
                assertEquals(OffHeapHashTable.MISSING, offset, "lookup of an absent key");
            }
            else
            {
                assertNotEquals(OffHeapHashTable.MISSING, offset, "lookup of a present key");
                assertArrayEquals(expected, bytes(table.buffer(), offset, valueWidth), "value");
            }
        }

        private void contains(final Key key)
        {
            description = "containsKey " + key;
            if (8 == keyWidth)
            {
                assertEquals(model.containsKey(key), table.containsKey(key.asLong()), "containsKey(long)");
            }
            assertEquals(model.containsKey(key), OffHeapHashTable.MISSING != TableTestSupport.get(table, key),
                "get(buffer) presence");
        }

        private void remove(final Key key)
        {
            final boolean useLong = 8 == keyWidth && random.nextBoolean();
            description = (useLong ? "remove(long) " : "remove(buffer) ") + key;
            final boolean removed = useLong ? table.remove(key.asLong()) : table.remove(key.buffer(), KEY_OFFSET);
            final boolean expected = model.containsKey(key);
            assertEquals(expected, removed, "remove()");
            if (expected)
            {
                removeHits++;
                removePresent(key);
            }
            assertEquals(OffHeapHashTable.MISSING, lookupOffset(key), "a removed key is gone");
        }

        private void putOrGetLong(final Key key)
        {
            if (8 != keyWidth || valueWidth < 8)
            {
                lookup(key);
                return;
            }
            final long longKey = key.asLong();
            if (random.nextBoolean())
            {
                description = "putLong " + key;
                final long value = random.nextLong();
                final boolean existed = model.containsKey(key);
                table.putLong(longKey, value);
                assertEquals(!existed, table.lastInsertCreated(), "lastInsertCreated() after putLong");
                final byte[] expected = existed ? model.get(key) : new byte[valueWidth];
                new UnsafeBuffer(expected).putLong(0, value, ByteOrder.nativeOrder());
                if (existed)
                {
                    model.put(key, expected);
                }
                else
                {
                    if (key.isZero())
                    {
                        zeroKeyInserts++;
                    }
                    addPresent(key, expected);
                }
                assertEquals(value, table.getLong(longKey, ~value));
            }
            else
            {
                description = "getLong " + key;
                final byte[] expected = model.get(key);
                final long missing = random.nextLong();
                final long actual = table.getLong(longKey, missing);
                if (null == expected)
                {
                    assertEquals(missing, actual, "getLong of an absent key");
                }
                else
                {
                    assertEquals(new UnsafeBuffer(expected).getLong(0, ByteOrder.nativeOrder()), actual, "getLong");
                }
            }
        }

        private void snapshotAndRestore() throws IOException
        {
            snapshots++;
            if (random.nextBoolean())
            {
                description = "snapshot to a channel, restore into a fresh table";
                final byte[] snapshot = snapshotBytes(table);
                final int expectedLength = HashTableSnapshot.HEADER_LENGTH + model.size() * (keyWidth + valueWidth) +
                    SnapshotFormat.TRAILER_LENGTH;
                assertEquals(expectedLength, snapshot.length, "snapshot length");
                final String freshOwner = OWNER + "-fresh";
                try (OffHeapHashTable fresh = new OffHeapHashTable(manager, freshOwner, keyWidth, valueWidth,
                    random.nextInt(100), 0.9f, table.layoutFingerprint()))
                {
                    scramble(fresh, 1 + random.nextInt(50));
                    fresh.restore(channel(snapshot), "model-" + seed);
                    assertContents(model, fresh);
                    assertEquals(fresh.allocatedBytes(), manager.usedBytes(freshOwner), "fresh owner's bytes");

                    description = "restore the fresh table's snapshot back into the table";
                    scramble(table, random.nextInt(20));
                    table.restore(channel(snapshotBytes(fresh)), "fresh-" + seed);
                    assertContents(model, table);
                }
                assertEquals(0, manager.usedBytes(freshOwner), "closing the fresh table releases its memory");
            }
            else
            {
                description = "snapshot to a file, restore into the same table";
                final Path file = tempDir.resolve("model-" + seed + ".snap");
                final long written = table.snapshot(file);
                assertEquals(Files.size(file), written, "snapshot(Path) returns the file's length");
                assertFalse(Files.exists(tempDir.resolve("model-" + seed + ".snap.tmp")), "no temporary file");
                scramble(table, random.nextInt(200));
                if (random.nextInt(4) == 0)
                {
                    table.clear();
                }
                table.restore(file);
                assertContents(model, table);
            }
            assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER), "restore keeps only the new memory");
        }

        /**
         * Change a table behind the model's back, so that a restore has something to replace.
         */
        private void scramble(final OffHeapHashTable target, final int changes)
        {
            for (int i = 0; i < changes; i++)
            {
                final Key key = pool[random.nextInt(pool.length)];
                if (random.nextBoolean())
                {
                    final int offset = target.getOrInsert(key.buffer(), KEY_OFFSET);
                    if (valueWidth > 0)
                    {
                        target.buffer().putByte(offset + random.nextInt(valueWidth), (byte)random.nextInt());
                    }
                }
                else
                {
                    target.remove(key.buffer(), KEY_OFFSET);
                }
            }
            if (random.nextInt(3) == 0)
            {
                target.getOrInsert(zeroKey.buffer(), KEY_OFFSET);
            }
        }

        private int lookupOffset(final Key key)
        {
            if (8 == keyWidth && random.nextBoolean())
            {
                return table.get(key.asLong());
            }
            return TableTestSupport.get(table, key);
        }

        private Key pickKey()
        {
            final int dice = random.nextInt(100);
            if (0 == dice)
            {
                return zeroKey;
            }
            if (dice < 40 && !present.isEmpty())
            {
                return present.get(random.nextInt(present.size()));
            }
            return pool[random.nextInt(pool.length)];
        }

        private void addPresent(final Key key, final byte[] value)
        {
            model.put(key, value);
            presentIndex.put(key, present.size());
            present.add(key);
        }

        private void removePresent(final Key key)
        {
            model.remove(key);
            final int index = presentIndex.remove(key);
            final Key last = present.remove(present.size() - 1);
            if (!last.equals(key))
            {
                present.set(index, last);
                presentIndex.put(last, index);
            }
        }

        /**
         * Distinct keys, the all-zero key first; some differ from an earlier key in one byte only, some have a
         * single non-zero byte, to catch comparisons and zero checks that look at too few bytes.
         */
        private Key[] keyPool()
        {
            final Key[] keys = new Key[keySpace];
            final Set<Key> seen = new HashSet<>();
            keys[0] = zeroKey;
            seen.add(zeroKey);
            for (int i = 1; i < keySpace; i++)
            {
                Key key;
                do
                {
                    final byte[] bytes = new byte[keyWidth];
                    final int kind = random.nextInt(8);
                    if (1 == keyWidth)
                    {
                        bytes[0] = (byte)(1 + random.nextInt(255));
                    }
                    else if (kind < 2 && i > 1)
                    {
                        final byte[] near = keys[1 + random.nextInt(i - 1)].bytes();
                        near[random.nextInt(keyWidth)] ^= (byte)(1 + random.nextInt(255));
                        System.arraycopy(near, 0, bytes, 0, keyWidth);
                    }
                    else if (kind == 2)
                    {
                        bytes[random.nextInt(keyWidth)] = (byte)(1 + random.nextInt(255));
                    }
                    else
                    {
                        random.nextBytes(bytes);
                    }
                    key = new Key(bytes);
                }
                while (!seen.add(key));
                keys[i] = key;
            }
            return keys;
        }
    }
}
