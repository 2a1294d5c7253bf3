package io.ferrite.memory.table;

import static io.ferrite.memory.table.TableTestSupport.KEY_OFFSET;
import static io.ferrite.memory.table.TableTestSupport.assertContents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.table.TableTestSupport.Key;

/**
 * Edge cases of the hash table that random operations reach rarely: probe runs that wrap around the end of the
 * table, the all-zero key, the capacity contract, and argument checks.
 */
class OffHeapHashTableTest
{
    private static final long BUDGET = 64L * 1024 * 1024;
    private static final String OWNER = "edge-op";
    private static final long GOLDEN_INVERSE = inverse(OffHeapHashTable.GOLDEN);

    @Test
    void shouldReturnToTheInitialCapacityWhenTrimmedEmptyAndStayUsable()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 16, 24, 16, 0.65f, 0L))
        {
            final long empty = manager.usedBytes(OWNER);
            final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
            for (long i = 1; i <= 5_000; i++)
            {
                key.putLong(0, i);
                key.putLong(8, -i);
                table.getOrInsert(key, 0);
            }
            assertTrue(manager.usedBytes(OWNER) > empty);
            assertEquals(0, table.trimIfEmpty(), "a table with entries is not trimmed");
            for (long i = 1; i <= 5_000; i++)
            {
                key.putLong(0, i);
                key.putLong(8, -i);
                assertTrue(table.remove(key, 0));
            }
            assertTrue(table.trimIfEmpty() > 0);
            assertEquals(empty, manager.usedBytes(OWNER));
            assertEquals(0, table.trimIfEmpty(), "already at the initial capacity");
            key.putLong(0, 7);
            final int offset = table.getOrInsert(key, 0);
            table.buffer().putLong(offset, 42);
            assertEquals(42, table.buffer().getLong(table.get(key, 0)));
            assertEquals(1, table.size());
        }
    }

    @Test
    void shouldKeepEveryKeyFindableWhenRemovingFromARunThatWrapsAroundTheEnd()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 8, 0.65f, 0L))
        {
            assertEquals(16, table.capacity(), "16 slots, 10 entries before growth");
            // Keys whose home slots crowd the last slots, so their run wraps round to the first ones.
            final int[] homes = {15, 15, 15, 14, 0, 0, 1, 15, 13, 2};
            final List<Long> keys = new ArrayList<>();
            for (int i = 0; i < homes.length; i++)
            {
                final long key = keyWithHome(homes[i], 4, i + 1);
                assertEquals(homes[i], (int)((key * OffHeapHashTable.GOLDEN) >>> 60));
                keys.add(key);
            }
            final Random random = new Random(7);
            for (int i = 0; i < 2_000; i++)
            {
                final int round = i;
                table.clear();
                Collections.shuffle(keys, random);
                final Map<Long, Long> model = new HashMap<>();
                for (final long key : keys)
                {
                    table.putLong(key, ~key);
                    model.put(key, ~key);
                }
                assertEquals(16, table.capacity(), "no growth");
                Collections.shuffle(keys, random);
                for (final long key : keys)
                {
                    assertTrue(table.remove(key), () -> "remove " + Long.toHexString(key));
                    model.remove(key);
                    for (final Map.Entry<Long, Long> entry : model.entrySet())
                    {
                        assertEquals((long)entry.getValue(), table.getLong(entry.getKey(), 0),
                            () -> "round " + round + ": " + Long.toHexString(entry.getKey()));
                    }
                    assertFalse(table.containsKey(key));
                    assertEquals(model.size(), table.size());
                    if (random.nextInt(4) == 0)
                    {
                        // Re-insert and remove again: the value must come back zeroed.
                        table.getOrInsert(key);
                        assertTrue(table.lastInsertCreated());
                        assertEquals(0, table.getLong(key, -1), "a re-inserted key's value is zeroed");
                        assertTrue(table.remove(key));
                    }
                }
                assertTrue(table.isEmpty());
                assertFalse(table.cursor().next());
            }
        }
    }

    @Test
    void shouldAddressTheSameEntriesThroughTheLongAndBufferMethods()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 16))
        {
            final long[] keys = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L, 256L};
            final UnsafeBuffer key = new UnsafeBuffer(new byte[32]);
            for (final long k : keys)
            {
                table.putLong(k, k ^ 0x5555L);
                key.putLong(KEY_OFFSET, k, ByteOrder.nativeOrder());
                assertEquals(table.get(k), table.get(key, KEY_OFFSET), "same value offset");
                assertEquals(table.get(k), table.getOrInsert(key, KEY_OFFSET));
                assertFalse(table.lastInsertCreated(), "the buffer method finds the long method's entry");
            }
            assertEquals(keys.length, table.size());
            for (final long k : keys)
            {
                key.putLong(KEY_OFFSET, k, ByteOrder.nativeOrder());
                assertTrue(table.remove(key, KEY_OFFSET));
                assertFalse(table.containsKey(k));
            }
            assertTrue(table.isEmpty());
        }
    }

    @Test
    void shouldTreatTheAllZeroKeyAsAnOrdinaryKey()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 13, 5, 1, 0.65f, 0L))
        {
            final Key zero = new Key(new byte[13]);
            final byte[] tail = new byte[13];
            tail[12] = 1;
            final Key lastByte = new Key(tail);
            assertEquals(OffHeapHashTable.MISSING, TableTestSupport.get(table, zero));

            final int offset = table.getOrInsert(zero.buffer(), KEY_OFFSET);
            assertTrue(table.lastInsertCreated());
            assertEquals(1, table.size());
            assertEquals(0, table.buffer().getInt(offset));
            table.buffer().putInt(offset, 99);
            TableTestSupport.put(table, lastByte, new byte[] {1, 2, 3, 4, 5});
            assertEquals(offset, table.getOrInsert(zero.buffer(), KEY_OFFSET));
            assertFalse(table.lastInsertCreated());

            final Map<Key, byte[]> model = new HashMap<>();
            model.put(zero, new byte[] {99, 0, 0, 0, 0});
            model.put(lastByte, new byte[] {1, 2, 3, 4, 5});
            assertContents(model, table);

            // It survives growth.
            for (int i = 1; i < 200; i++)
            {
                final byte[] bytes = new byte[13];
                bytes[0] = (byte)i;
                bytes[6] = (byte)(i >> 8);
                TableTestSupport.put(table, new Key(bytes), new byte[] {(byte)i, 0, 0, 0, 1});
                model.put(new Key(bytes), new byte[] {(byte)i, 0, 0, 0, 1});
            }
            assertContents(model, table);

            assertTrue(table.remove(zero.buffer(), KEY_OFFSET));
            assertFalse(table.remove(zero.buffer(), KEY_OFFSET));
            model.remove(zero);
            assertContents(model, table);
            final int again = table.getOrInsert(zero.buffer(), KEY_OFFSET);
            assertTrue(table.lastInsertCreated());
            assertEquals(0, table.buffer().getInt(again), "a re-inserted zero key's value is zeroed");
            assertEquals(0, table.buffer().getByte(again + 4));
        }
    }

    @Test
    void shouldHoldTheInitialCapacityWithoutGrowingAndDoubleOncePastTheLoadFactor()
    {
        final int[] capacities = {0, 1, 10, 100, 1000, 5000};
        final float[] loadFactors = {0.1f, 0.5f, 0.65f, 0.9f};
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            for (final int initial : capacities)
            {
                for (final float loadFactor : loadFactors)
                {
                    try (OffHeapHashTable table =
                        new OffHeapHashTable(manager, OWNER, 8, 0, initial, loadFactor, 0L))
                    {
                        final int capacity = table.capacity();
                        final String what = "initial=" + initial + " loadFactor=" + loadFactor;
                        long key = 1;
                        while (table.size() < Math.max(initial, (int)(capacity * loadFactor)))
                        {
                            table.getOrInsert(key++);
                        }
                        assertEquals(capacity, table.capacity(), what + ": no growth up to the load factor");
                        table.getOrInsert(key);
                        assertEquals(2 * capacity, table.capacity(), what + ": doubles past it");
                        for (long k = 1; k <= key; k++)
                        {
                            assertTrue(table.containsKey(k));
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldKeepTheCapacityAndZeroEveryValueOnClear()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 1, 0.65f, 0L))
        {
            for (long k = 0; k < 1000; k++)
            {
                table.putLong(k, -1L);
            }
            final int capacity = table.capacity();
            table.clear();
            assertEquals(0, table.size());
            assertTrue(table.isEmpty());
            assertEquals(capacity, table.capacity());
            for (long k = 0; k < 1000; k++)
            {
                assertFalse(table.containsKey(k));
                assertEquals(0, table.buffer().getLong(table.getOrInsert(k)), "zeroed value of " + k);
            }
        }
    }

    @Test
    void shouldRejectArgumentsOutOfRangeNamingTheOwnerAndAllocatingNothing()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final List<Executable> bad = List.of(
                () -> new OffHeapHashTable(manager, OWNER, 0, 8).close(),
                () -> new OffHeapHashTable(manager, OWNER, OffHeapHashTable.MAX_KEY_WIDTH + 1, 8).close(),
                () -> new OffHeapHashTable(manager, OWNER, 8, -1).close(),
                () -> new OffHeapHashTable(manager, OWNER, 8, OffHeapHashTable.MAX_VALUE_WIDTH + 1).close(),
                () -> new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.0f, 0L).close(),
                () -> new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.95f, 0L).close(),
                () -> new OffHeapHashTable(manager, OWNER, 8, 8, 16, Float.NaN, 0L).close(),
                () -> new OffHeapHashTable(manager, OWNER, 8, 8, -1, 0.65f, 0L).close());
            for (final Executable executable : bad)
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, executable);
                assertTrue(ex.getMessage().contains("owner=" + OWNER), ex::getMessage);
            }
            assertEquals(0, manager.usedBytes());
        }
    }

    @Test
    void shouldRefuseTheLongKeyMethodsForOtherKeyWidths()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 4, 8))
        {
            final List<Executable> longMethods = List.of(
                () -> table.get(1L), () -> table.getOrInsert(1L), () -> table.remove(1L),
                () -> table.containsKey(1L), () -> table.getLong(1L, 0), () -> table.putLong(1L, 1),
                () -> table.get(0L), () -> table.getOrInsert(0L), () -> table.remove(0L));
            for (final Executable executable : longMethods)
            {
                assertThrows(IllegalStateException.class, executable);
            }
            assertEquals(0, table.size());
        }
    }

    @Test
    void shouldDescribeItself()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 13, 7, 100, 0.5f, 0xABCL))
        {
            assertEquals(OWNER, table.owner());
            assertEquals(13, table.keyWidth());
            assertEquals(7, table.valueWidth());
            assertEquals(0xABCL, table.layoutFingerprint());
            assertTrue(table.toString().contains("owner=" + OWNER), table::toString);
        }
    }

    /**
     * A key whose home slot in a table of {@code 1 << bits} slots is {@code home}.
     */
    private static long keyWithHome(final int home, final int bits, final int distinct)
    {
        return (((long)home << (64 - bits)) | distinct) * GOLDEN_INVERSE;
    }

    private static long inverse(final long odd)
    {
        long inverse = odd;
        for (int i = 0; i < 6; i++)
        {
            inverse *= 2 - odd * inverse;
        }
        assertEquals(1L, odd * inverse);
        return inverse;
    }
}
