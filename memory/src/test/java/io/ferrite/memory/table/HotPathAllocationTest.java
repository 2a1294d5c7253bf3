package io.ferrite.memory.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;

/**
 * The table's steady-state operations allocate nothing on the heap, measured with the thread's allocation counter.
 */
class HotPathAllocationTest
{
    private static final int KEYS = 50_000;
    private static final long ALLOWED_BYTES = 512;

    @Test
    void shouldNotAllocateOnGetUpdateRemoveOrIterate()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());

        try (MemoryManager memory = new MemoryManager(64L << 20);
            OffHeapHashTable longs = new OffHeapHashTable(memory, "longs", 8, 8, KEYS, 0.65f, 0);
            OffHeapHashTable wide = new OffHeapHashTable(memory, "wide", 20, 12, KEYS, 0.65f, 0))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[20]);
            long checksum = 0;
            for (int round = 0; round < 3; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                checksum += exercise(longs, wide, key);
                final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (round > 0)
                {
                    assertTrue(allocated < ALLOWED_BYTES, "allocated " + allocated + " bytes in round " + round);
                }
            }
            assertEquals(0, longs.size());
            assertTrue(checksum != 0);
        }
    }

    private static long exercise(final OffHeapHashTable longs, final OffHeapHashTable wide, final UnsafeBuffer key)
    {
        long checksum = 0;
        for (long k = 1; k <= KEYS; k++)
        {
            final int offset = longs.getOrInsert(k * 0x9E3779B97F4A7C15L);
            longs.buffer().putLong(offset, k);
            key.putLong(0, k);
            key.putLong(8, ~k);
            key.putInt(16, (int)k);
            final int wideOffset = wide.getOrInsert(key, 0);
            wide.buffer().putLong(wideOffset, k);
        }
        for (long k = 1; k <= KEYS; k++)
        {
            checksum += longs.getLong(k * 0x9E3779B97F4A7C15L, 0);
            key.putLong(0, k);
            key.putLong(8, ~k);
            key.putInt(16, (int)k);
            checksum += wide.buffer().getLong(wide.get(key, 0));
        }
        final OffHeapHashTable.Cursor cursor = longs.cursor();
        while (cursor.next())
        {
            checksum += cursor.buffer().getLong(cursor.valueOffset());
        }
        for (long k = 1; k <= KEYS; k++)
        {
            longs.remove(k * 0x9E3779B97F4A7C15L);
            key.putLong(0, k);
            key.putLong(8, ~k);
            key.putInt(16, (int)k);
            wide.remove(key, 0);
        }
        return checksum;
    }
}
