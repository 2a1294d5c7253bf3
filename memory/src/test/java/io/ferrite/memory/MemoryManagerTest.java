package io.ferrite.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MemoryManagerTest
{
    private static final int PAGE = 64 * 1024;

    @Test
    void shouldHaveBoundsChecksOnInTests()
    {
        assertTrue(UnsafeBuffer.SHOULD_BOUNDS_CHECK);
    }

    @Test
    void shouldRoundAllocationsUpToWholeAlignedZeroedPages()
    {
        try (MemoryManager manager = new MemoryManager(16L * PAGE))
        {
            final MemorySegment segment = manager.allocate("op", 100);
            assertEquals(PAGE, segment.capacity());
            assertEquals(0, segment.address() % MemoryManager.ALIGNMENT);
            for (int i = 0; i < segment.capacity(); i += 8)
            {
                assertEquals(0L, segment.buffer().getLong(i));
            }
            assertEquals(PAGE, manager.usedBytes());
            assertEquals(PAGE, manager.usedBytes("op"));
            segment.release();
            assertEquals(0, manager.usedBytes());
        }
    }

    @Test
    void shouldAccountPerOwner()
    {
        try (MemoryManager manager = new MemoryManager(16L * PAGE))
        {
            final MemorySegment a1 = manager.allocatePages("a", 1);
            manager.allocatePages("a", 2);
            manager.allocatePages("b", 3);
            assertEquals(3L * PAGE, manager.usedBytes("a"));
            assertEquals(3L * PAGE, manager.usedBytes("b"));
            assertEquals(6L * PAGE, manager.usedBytes());
            assertEquals(3, manager.segmentCount());
            assertEquals(2, manager.usedBytesByOwner().size());

            manager.release(a1);
            assertEquals(2L * PAGE, manager.usedBytes("a"));
            assertEquals(5L * PAGE, manager.usedBytes());

            assertEquals(3L * PAGE, manager.releaseAll("b"));
            assertEquals(0, manager.usedBytes("b"));
            assertEquals(2L * PAGE, manager.usedBytes());
            assertEquals(0, manager.releaseAll("nobody"));
            assertEquals(6L * PAGE, manager.peakUsedBytes());
        }
        assertEquals(0, MemoryManager.processNativeBytes());
    }

    @Test
    void shouldRefuseAllocationPastBudgetNamingOwnerRequestUseAndBudget()
    {
        try (MemoryManager manager = new MemoryManager(4L * PAGE))
        {
            manager.allocatePages("other", 1);
            manager.allocatePages("vwap-window", 2);
            final MemoryBudgetExceededException ex =
                assertThrows(MemoryBudgetExceededException.class, () -> manager.allocatePages("vwap-window", 2));
            assertEquals("vwap-window", ex.owner());
            assertEquals(2L * PAGE, ex.requestedBytes());
            assertEquals(2L * PAGE, ex.ownerUsedBytes());
            assertEquals(3L * PAGE, ex.usedBytes());
            assertEquals(4L * PAGE, ex.budgetBytes());
            assertEquals("memory budget exceeded: owner=vwap-window requested=131072 owner_used=131072 " +
                "used=196608 budget=262144", ex.getMessage());

            // Nothing was charged: the last page is still there.
            assertEquals(3L * PAGE, manager.usedBytes());
            manager.allocatePages("vwap-window", 1);
            assertEquals(0, manager.availableBytes());
        }
    }

    @Test
    void shouldFailDoubleReleaseClearly()
    {
        try (MemoryManager manager = new MemoryManager(4L * PAGE))
        {
            final MemorySegment segment = manager.allocatePages("op", 1);
            segment.release();
            final SegmentReleasedException ex = assertThrows(SegmentReleasedException.class, segment::release);
            assertTrue(ex.getMessage().contains("already released"), ex.getMessage());
            assertTrue(ex.getMessage().contains("owner=op"), ex.getMessage());
            assertEquals(0, manager.usedBytes());
        }
    }

    @Test
    void shouldRejectUseAfterRelease()
    {
        try (MemoryManager manager = new MemoryManager(4L * PAGE))
        {
            final MemorySegment segment = manager.allocatePages("op", 1);
            final UnsafeBuffer kept = segment.buffer();
            kept.putLong(0, 42);
            segment.release();

            assertTrue(segment.isReleased());
            assertThrows(SegmentReleasedException.class, segment::buffer);
            assertThrows(SegmentReleasedException.class, segment::address);
            final IndexOutOfBoundsException read = assertThrows(IndexOutOfBoundsException.class, () -> kept.getLong(0));
            assertTrue(read.getMessage().contains("length 0"), read.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> kept.putLong(8, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> kept.getByte(PAGE - 1));
        }
    }

    @Test
    void shouldReleaseEverythingOnCloseAndBeIdempotent()
    {
        final MemoryManager manager = new MemoryManager(8L * PAGE);
        final MemorySegment a = manager.allocatePages("a", 2);
        manager.allocatePages("b", 1);
        assertTrue(MemoryManager.processNativeBytes() > 0);
        manager.close();
        manager.close();
        assertTrue(manager.isClosed());
        assertTrue(a.isReleased());
        assertEquals(0, manager.usedBytes());
        assertEquals(0, manager.segmentCount());
        assertEquals(0, MemoryManager.processNativeBytes());
        assertThrows(IllegalStateException.class, () -> manager.allocatePages("a", 1));
    }

    @Test
    void shouldRejectSegmentOfAnotherManager()
    {
        try (MemoryManager one = new MemoryManager(4L * PAGE); MemoryManager two = new MemoryManager(4L * PAGE))
        {
            final MemorySegment segment = one.allocatePages("op", 1);
            assertThrows(IllegalArgumentException.class, () -> two.release(segment));
            assertFalse(segment.isReleased());
            assertSame(one, segment.manager());
        }
    }

    @Test
    void shouldValidateContext()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new MemoryManager(new MemoryManager.Context().budgetBytes(1L << 20).pageSizeBytes(3000)));
        assertThrows(IllegalArgumentException.class,
            () -> new MemoryManager(new MemoryManager.Context().budgetBytes(1024).pageSizeBytes(4096)));
        try (MemoryManager manager = new MemoryManager(new MemoryManager.Context().budgetBytes(8192).pageSizeBytes(4096)))
        {
            assertEquals(4096, manager.pageSizeBytes());
            assertThrows(IllegalArgumentException.class, () -> manager.allocate("op", 0));
            assertThrows(IllegalArgumentException.class, () -> manager.allocate("", 10));
            assertThrows(IllegalArgumentException.class, () -> manager.allocate("op", MemoryManager.MAX_SEGMENT_BYTES + 1L));
        }
    }

    @Test
    void shouldTakeDefaultsFromContext()
    {
        final MemoryManager.Context context = new MemoryManager.Context();
        assertEquals(MemoryManager.Context.PAGE_SIZE_DEFAULT, context.pageSizeBytes());
        assertEquals(MemoryManager.Context.BUDGET_DEFAULT, context.budgetBytes());
    }

    @Test
    void shouldReuseReleasedMemoryZeroedAndKeepPoolWithinBudget()
    {
        try (MemoryManager manager = new MemoryManager(4L * PAGE))
        {
            final MemorySegment first = manager.allocatePages("op", 2);
            first.buffer().setMemory(0, first.capacity(), (byte)7);
            first.release();
            assertEquals(2L * PAGE, manager.pooledBytes());
            assertEquals(0, manager.usedBytes());

            final MemorySegment second = manager.allocatePages("op", 2);
            assertEquals(0, manager.pooledBytes());
            for (int i = 0; i < second.capacity(); i += 8)
            {
                assertEquals(0L, second.buffer().getLong(i), "reused memory must be zeroed");
            }
            second.release();

            // A request of another size that does not fit beside the pool trims the pool first.
            final long heldBefore = MemoryManager.processNativeBytes();
            final MemorySegment big = manager.allocatePages("op", 3);
            assertEquals(0, manager.pooledBytes());
            assertTrue(MemoryManager.processNativeBytes() <= heldBefore + PAGE + MemoryManager.ALIGNMENT);
            big.release();
            assertEquals(3L * PAGE, manager.trim());
            assertEquals(0, manager.pooledBytes());
        }
    }
}
