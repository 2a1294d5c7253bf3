package io.ferrite.memory.table;

import static io.ferrite.memory.table.TableTestSupport.KEY_OFFSET;
import static io.ferrite.memory.table.TableTestSupport.assertContents;
import static io.ferrite.memory.table.TableTestSupport.channel;
import static io.ferrite.memory.table.TableTestSupport.contents;
import static io.ferrite.memory.table.TableTestSupport.snapshotBytes;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.memory.table.TableTestSupport.Key;

/**
 * The hash table's memory: charged to its owner, bounded by the budget without damage, and released on close.
 */
class OffHeapHashTableBudgetTest
{
    private static final int PAGE = 4 * 1024;
    private static final String OWNER = "join-state";

    private static MemoryManager manager(final long budgetBytes)
    {
        return new MemoryManager(new MemoryManager.Context().budgetBytes(budgetBytes).pageSizeBytes(PAGE));
    }

    @Test
    void shouldThrowBudgetExceededNamingTheOwnerAndKeepEveryEntryWhenLongKeyedTableCannotGrow()
    {
        try (MemoryManager manager = manager(64L * PAGE);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 1, 0.65f, 0L))
        {
            table.putLong(0L, -1L);
            long key = 1;
            MemoryBudgetExceededException refused = null;
            while (null == refused)
            {
                final long before = manager.usedBytes(OWNER);
                final int capacity = table.capacity();
                final int size = table.size();
                final UnsafeBuffer buffer = table.buffer();
                try
                {
                    table.putLong(key, key * 31);
                    key++;
                }
                catch (final MemoryBudgetExceededException ex)
                {
                    refused = ex;
                    assertEquals(before, manager.usedBytes(OWNER), "nothing charged by a refused growth");
                    assertEquals(capacity, table.capacity(), "capacity unchanged");
                    assertEquals(size, table.size(), "size unchanged");
                    assertSame(buffer, table.buffer(), "buffer unchanged");
                }
                assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER), "table's bytes charged to its owner");
            }
            assertEquals(OWNER, refused.owner());
            assertTrue(refused.getMessage().contains("owner=" + OWNER), refused::getMessage);
            assertEquals(64L * PAGE, refused.budgetBytes());
            assertTrue(refused.requestedBytes() > manager.availableBytes());
            assertTrue(key > 1000, "the table grew several times before the budget stopped it");

            final long refusedKey = key;
            assertFalse(table.containsKey(refusedKey), "the refused key was not inserted");
            assertEquals(refusedKey, table.size(), "every earlier key is still there, the zero key too");
            assertEquals(-1L, table.getLong(0L, 0L));
            for (long k = 1; k < refusedKey; k++)
            {
                assertEquals(k * 31, table.getLong(k, -7L), "value of key " + k);
            }
            assertEquals(refusedKey, contents(table).size());

            // Fully usable: reads, in-place updates, removals, and inserts into the room that removals free.
            for (long k = 1; k < refusedKey; k += 2)
            {
                assertTrue(table.remove(k));
            }
            for (long k = 2; k < refusedKey; k += 2)
            {
                table.putLong(k, table.getLong(k, 0) + 1);
            }
            table.putLong(refusedKey, 5);
            assertTrue(table.lastInsertCreated());
            assertEquals(5, table.getLong(refusedKey, 0));
            for (long k = 1; k < refusedKey; k++)
            {
                assertEquals(0 == (k & 1) ? k * 31 + 1 : -7L, table.getLong(k, -7L), "key " + k);
            }
            assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER));
        }
    }

    @Test
    void shouldKeepEveryEntryWhenBufferKeyedTableCannotGrowAndGrowOnceBudgetIsFreed()
    {
        try (MemoryManager manager = manager(64L * PAGE);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 13, 12, 4, 0.65f, 0L))
        {
            final MemorySegment other = manager.allocatePages("other-operator", 32);
            final Map<Key, byte[]> model = new HashMap<>();
            int i = 0;
            MemoryBudgetExceededException refused = null;
            while (null == refused)
            {
                final Key key = key13(i);
                final byte[] value = value12(i);
                try
                {
                    TableTestSupport.put(table, key, value);
                    model.put(key, value);
                    i++;
                }
                catch (final MemoryBudgetExceededException ex)
                {
                    refused = ex;
                }
            }
            assertEquals(OWNER, refused.owner());
            assertEquals(OffHeapHashTable.MISSING, TableTestSupport.get(table, key13(i)), "refused key absent");
            assertContents(model, table);
            assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER));
            assertEquals(32L * PAGE, manager.usedBytes("other-operator"), "another owner's charge is its own");

            // The zero key lives in its own slot and needs no growth.
            final Key zero = new Key(new byte[13]);
            final int zeroOffset = table.getOrInsert(zero.buffer(), KEY_OFFSET);
            assertTrue(table.lastInsertCreated());
            table.buffer().putBytes(zeroOffset, value12(-1));
            model.put(zero, value12(-1));
            assertContents(model, table);

            // Once the other owner gives memory back, the same insert grows the table.
            other.release();
            final int capacity = table.capacity();
            TableTestSupport.put(table, key13(i), value12(i));
            model.put(key13(i), value12(i));
            assertTrue(table.capacity() > capacity);
            assertContents(model, table);
            assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER));
        }
    }

    @Test
    void shouldThrowBudgetExceededFromTheConstructorWithNothingCharged()
    {
        try (MemoryManager manager = manager(4L * PAGE))
        {
            final MemoryBudgetExceededException ex = assertThrows(MemoryBudgetExceededException.class,
                () -> new OffHeapHashTable(manager, OWNER, 16, 48, 10_000, 0.65f, 0L).close());
            assertEquals(OWNER, ex.owner());
            assertEquals(0, manager.usedBytes());
            assertEquals(0, manager.segmentCount());
        }
    }

    @Test
    void shouldThrowBudgetExceededWhenTheTableWouldBeLargerThanOneSegment()
    {
        try (MemoryManager manager = manager(64L * PAGE))
        {
            final MemoryBudgetExceededException ex = assertThrows(MemoryBudgetExceededException.class,
                () -> new OffHeapHashTable(manager, OWNER, 8, OffHeapHashTable.MAX_VALUE_WIDTH, 100_000, 0.65f, 0L)
                    .close());
            assertEquals(OWNER, ex.owner());
            assertTrue(ex.getMessage().contains(OWNER), ex::getMessage);
            assertEquals(0, manager.usedBytes());
        }
    }

    @Test
    void shouldChargeEachTableToItsOwnOwner()
    {
        try (MemoryManager manager = manager(1024L * PAGE);
            OffHeapHashTable a = new OffHeapHashTable(manager, "a", 8, 8, 1, 0.65f, 0L);
            OffHeapHashTable b2 = new OffHeapHashTable(manager, "b", 4, 0, 1, 0.65f, 0L))
        {
            final OffHeapHashTable b = new OffHeapHashTable(manager, "b", 16, 32, 1, 0.65f, 0L);
            for (long k = 1; k <= 3000; k++)
            {
                a.putLong(k, k);
                assertEquals(a.allocatedBytes(), manager.usedBytes("a"));
            }
            for (int i = 0; i < 500; i++)
            {
                TableTestSupport.put(b, new Key(new byte[] {1, 2, (byte)i, (byte)(i >> 8), 5, 6, 7, 8, 9, 10, 11, 12,
                    13, 14, 15, 16}), new byte[32]);
                assertEquals(b.allocatedBytes() + b2.allocatedBytes(), manager.usedBytes("b"));
            }
            assertEquals("a", a.owner());
            assertEquals(a.allocatedBytes() + b.allocatedBytes() + b2.allocatedBytes(), manager.usedBytes());
            assertTrue(a.allocatedBytes() >= (long)(a.capacity() + 1) * 16, "slots plus the zero-key slot");
            assertEquals(0, a.allocatedBytes() % PAGE, "whole pages");
            assertEquals(3, manager.segmentCount(), "growth releases the old segment");

            b.close();
            assertEquals(b2.allocatedBytes(), manager.usedBytes("b"));
            assertEquals(0, b.allocatedBytes());
        }
    }

    @Test
    void shouldReleaseEverythingOnCloseAndBeIdempotent()
    {
        final long processBytes = MemoryManager.processNativeBytes();
        try (MemoryManager manager = manager(256L * PAGE))
        {
            final OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 24, 1, 0.65f, 0L);
            for (long k = 0; k < 2000; k++)
            {
                table.putLong(k, k);
            }
            assertTrue(manager.usedBytes(OWNER) > 0);
            assertTrue(MemoryManager.processNativeBytes() > processBytes);

            table.close();
            assertEquals(0, manager.usedBytes(OWNER));
            assertEquals(0, manager.usedBytes());
            assertEquals(0, manager.segmentCount());
            manager.trim();
            assertEquals(processBytes, MemoryManager.processNativeBytes(), "nothing held once the pool is trimmed");
            assertEquals(0, table.allocatedBytes());
            assertEquals(0, table.size());
            assertTrue(table.isEmpty());

            assertDoesNotThrow(table::close, "close is idempotent");
            assertDoesNotThrow(table::close);
            assertEquals(0, manager.usedBytes());
            assertEquals(0, table.buffer().capacity(), "no buffer over freed memory");
        }
    }

    @Test
    void shouldReleaseTheTableOnCloseAfterAFailedGrowthAndAFailedRestore() throws IOException
    {
        try (MemoryManager manager = manager(40L * PAGE))
        {
            final byte[] big;
            try (MemoryManager roomy = manager(4096L * PAGE);
                OffHeapHashTable source = new OffHeapHashTable(roomy, OWNER, 8, 8))
            {
                for (long k = 1; k <= 20_000; k++)
                {
                    source.putLong(k, k);
                }
                big = snapshotBytes(source);
            }
            final OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 1, 0.65f, 0L);
            try
            {
                long k = 1;
                while (true)
                {
                    table.putLong(k, k);
                    k++;
                }
            }
            catch (final MemoryBudgetExceededException expected)
            {
                assertEquals(OWNER, expected.owner());
            }
            final Map<Key, byte[]> before = contents(table);
            assertThrows(MemoryBudgetExceededException.class, () -> table.restore(channel(big), "big"));
            assertContents(before, table);
            assertEquals(table.allocatedBytes(), manager.usedBytes(OWNER), "the failed restore's memory is gone");

            table.close();
            assertEquals(0, manager.usedBytes());
            table.close();
        }
    }

    private static Key key13(final int i)
    {
        final byte[] bytes = new byte[13];
        bytes[0] = (byte)i;
        bytes[5] = (byte)(i >> 8);
        bytes[12] = (byte)(i >> 16);
        bytes[7] = 1;
        return new Key(bytes);
    }

    private static byte[] value12(final int i)
    {
        final byte[] value = new byte[12];
        for (int j = 0; j < value.length; j++)
        {
            value[j] = (byte)(i * 7 + j);
        }
        return value;
    }
}
