package io.ferrite.memory.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;

/**
 * The timer queue against a {@link TreeSet} model ordered the same canonical way.
 */
class TimerQueueTest
{
    /**
     * A model timer: timestamp, and a key of up to 16 bytes held as two words.
     */
    private static final class Timer
    {
        final long timestamp;
        final long high;
        final long low;

        Timer(final long timestamp, final long high, final long low)
        {
            this.timestamp = timestamp;
            this.high = high;
            this.low = low;
        }

        @Override
        public String toString()
        {
            return timestamp + "/" + high + "/" + low;
        }
    }

    private static final Comparator<Timer> ORDER = Comparator.<Timer>comparingLong((t) -> t.timestamp)
        .thenComparing((a, b) -> Long.compareUnsigned(a.high, b.high))
        .thenComparing((a, b) -> Long.compareUnsigned(a.low, b.low));

    @ParameterizedTest
    @ValueSource(longs = { 1L, 42L, 20261121L, 7L })
    void shouldMatchTheModelUnderRandomOperations(final long seed)
    {
        for (final int keyWidth : new int[]{ 8, 16 })
        {
            run(seed, keyWidth);
        }
    }

    private static void run(final long seed, final int keyWidth)
    {
        final Random random = new Random(seed);
        final TreeSet<Timer> model = new TreeSet<>(ORDER);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
        final List<String> firedByQueue = new ArrayList<>();
        long watermark = 0;
        int op = 0;
        try (MemoryManager memory = new MemoryManager(64L << 20);
            TimerQueue queue = new TimerQueue(memory, "timers", keyWidth, 1))
        {
            for (op = 0; op < 100_000; op++)
            {
                final int choice = random.nextInt(100);
                final long timestamp = watermark + random.nextInt(500);
                final long high = random.nextInt(50) - 25;
                final long low = keyWidth == 16 ? random.nextInt(3) - 1 : 0;
                key.putLong(0, high);
                key.putLong(8, low);
                final Timer timer = new Timer(timestamp, high, low);
                if (choice < 55)
                {
                    assertEquals(model.add(timer), queue.register(timestamp, key, 0), "register " + timer);
                }
                else if (choice < 75)
                {
                    assertEquals(model.remove(timer), queue.delete(timestamp, key, 0), "delete " + timer);
                }
                else if (choice < 80)
                {
                    assertEquals(model.contains(timer), queue.contains(timestamp, key, 0), "contains " + timer);
                }
                else
                {
                    watermark += random.nextInt(60);
                    firedByQueue.clear();
                    final int limit = random.nextInt(10) == 0 ? 3 : Integer.MAX_VALUE;
                    final int fired = queue.fireUpTo(watermark, (ts, k, offset) -> firedByQueue.add(
                        ts + "/" + k.getLong(offset) + "/" + (keyWidth == 16 ? k.getLong(offset + 8) : 0)), limit);
                    final List<String> expected = new ArrayList<>();
                    while (!model.isEmpty() && model.first().timestamp <= watermark && expected.size() < limit)
                    {
                        expected.add(model.pollFirst().toString());
                    }
                    assertEquals(expected, firedByQueue, "fire up to " + watermark);
                    assertEquals(expected.size(), fired);
                }
                assertEquals(model.size(), queue.size());
                assertEquals(model.isEmpty() ? Long.MAX_VALUE : model.first().timestamp, queue.nextTimestamp());
            }
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("seed=" + seed + " keyWidth=" + keyWidth + " op=" + op + ": " + ex.getMessage(),
                ex);
        }
    }

    @Test
    void shouldReturnToTheInitialCapacityWhenTrimmedEmptyAndStayUsable()
    {
        try (MemoryManager memory = new MemoryManager(16L << 20);
            TimerQueue queue = new TimerQueue(memory, "timers", 8, 16))
        {
            final long empty = memory.usedBytes("timers");
            for (long i = 0; i < 10_000; i++)
            {
                queue.register(i * 7 % 10_000, i);
            }
            assertTrue(memory.usedBytes("timers") > empty);
            assertEquals(0, queue.trimIfEmpty(), "a queue with timers is not trimmed");
            assertEquals(10_000, queue.fireUpTo(Long.MAX_VALUE, (ts, key, offset) -> { }, Integer.MAX_VALUE));
            assertTrue(queue.trimIfEmpty() > 0);
            assertEquals(empty, memory.usedBytes("timers"));
            queue.register(5, 1L);
            queue.register(3, 2L);
            final List<Long> fired = new ArrayList<>();
            queue.fireUpTo(10, (ts, key, offset) -> fired.add(ts), 10);
            assertEquals(List.of(3L, 5L), fired);
        }
    }

    @Test
    void shouldFireTimersRegisteredByTheHandlerInTheSameCall()
    {
        try (MemoryManager memory = new MemoryManager(16L << 20);
            TimerQueue queue = new TimerQueue(memory, "timers", 8, 16))
        {
            queue.register(10, 1L);
            final List<Long> fired = new ArrayList<>();
            final int count = queue.fireUpTo(100, (ts, key, offset) ->
            {
                fired.add(ts);
                if (ts < 40)
                {
                    queue.register(ts + 10, key.getLong(offset));
                }
            }, Integer.MAX_VALUE);
            assertEquals(List.of(10L, 20L, 30L, 40L), fired);
            assertEquals(4, count);
            assertEquals(0, queue.size());
        }
    }

    @Test
    void shouldLeaveQueueIntactWhenGrowthExceedsTheBudget()
    {
        try (MemoryManager memory = new MemoryManager(new MemoryManager.Context().budgetBytes(64 * 1024)
            .pageSizeBytes(4096));
            TimerQueue queue = new TimerQueue(memory, "timers", 8, 16))
        {
            int registered = 0;
            MemoryBudgetExceededException failure = null;
            for (long i = 0; i < 100_000 && null == failure; i++)
            {
                try
                {
                    assertTrue(queue.register(i, i));
                    registered++;
                }
                catch (final MemoryBudgetExceededException ex)
                {
                    failure = ex;
                }
            }
            assertTrue(null != failure, "64 KiB cannot hold 100,000 timers");
            assertEquals("timers", failure.owner());
            assertEquals(registered, queue.size());
            final long[] next = { 0 };
            assertEquals(registered, queue.fireUpTo(Long.MAX_VALUE, (ts, key, offset) ->
                assertEquals(next[0]++, ts), Integer.MAX_VALUE));
            assertFalse(queue.delete(0, 0L));
        }
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (MemoryManager memory = new MemoryManager(16L << 20);
            TimerQueue queue = new TimerQueue(memory, "timers", 8, 20_000))
        {
            final long[] sum = { 0 };
            final TimerHandler handler = (ts, key, offset) -> sum[0] += ts;
            long allocated = 0;
            for (int round = 0; round < 3; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (long i = 0; i < 10_000; i++)
                {
                    queue.register(round * 100_000L + (i * 7919) % 10_000, i);
                }
                for (long i = 0; i < 1_000; i++)
                {
                    queue.delete(round * 100_000L + (i * 7919) % 10_000, i);
                }
                queue.fireUpTo(Long.MAX_VALUE, handler, Integer.MAX_VALUE);
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(allocated < 512, "allocated " + allocated + " bytes");
            assertTrue(sum[0] > 0);
        }
    }

    @Test
    void shouldRejectKeysWiderThanTheIndexAllows()
    {
        try (MemoryManager memory = new MemoryManager(16L << 20))
        {
            assertThrows(IllegalArgumentException.class,
                () -> new TimerQueue(memory, "timers", TimerQueue.MAX_KEY_WIDTH + 1, 16));
            try (TimerQueue queue = new TimerQueue(memory, "timers", 4, 16))
            {
                assertThrows(IllegalStateException.class, () -> queue.register(1, 1L));
            }
        }
    }

    @Test
    void shouldFireIdenticallyAfterSnapshotAndRestore() throws Exception
    {
        final Random random = new Random(99);
        try (MemoryManager memory = new MemoryManager(64L << 20);
            TimerQueue original = new TimerQueue(memory, "timers", 16, 16);
            TimerQueue restored = new TimerQueue(memory, "timers", 16, 16))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
            for (int i = 0; i < 5_000; i++)
            {
                key.putLong(0, random.nextInt(100) - 50);
                key.putLong(8, random.nextLong());
                original.register(random.nextInt(1_000), key, 0);
            }
            restored.register(5, key, 0);
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            original.snapshot(java.nio.channels.Channels.newChannel(bytes));
            final byte[] snapshot = bytes.toByteArray();
            restored.restore(java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(snapshot)), "t");
            assertEquals(original.size(), restored.size());

            final List<String> a = new ArrayList<>();
            final List<String> b = new ArrayList<>();
            original.fireUpTo(Long.MAX_VALUE, (ts, k, o) -> a.add(ts + "/" + k.getLong(o) + "/" + k.getLong(o + 8)),
                Integer.MAX_VALUE);
            restored.fireUpTo(Long.MAX_VALUE, (ts, k, o) -> b.add(ts + "/" + k.getLong(o) + "/" + k.getLong(o + 8)),
                Integer.MAX_VALUE);
            assertEquals(a, b);

            // A corrupted snapshot leaves the target untouched.
            restored.register(7, key, 0);
            snapshot[snapshot.length / 2] ^= 0x10;
            assertThrows(io.ferrite.memory.snapshot.SnapshotCorruptedException.class, () -> restored.restore(
                java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(snapshot)), "t"));
            assertEquals(1, restored.size());
            assertTrue(restored.contains(7, key, 0));
        }
    }
}
