package io.ferrite.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.BitUtil;
import org.agrona.SystemUtil;
import org.agrona.UnsafeApi;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * Hands out native memory in whole pages against a fixed budget, and accounts for it per owner (an operator's name).
 * <p>
 * An allocation is a {@link MemorySegment}: a run of contiguous pages, aligned to {@link #ALIGNMENT} bytes and
 * zeroed. Asking for more than the budget has left throws {@link MemoryBudgetExceededException} naming the owner,
 * the request, the use and the budget; nothing is allocated or charged then, so the caller's state is intact. The
 * manager never lets an {@link OutOfMemoryError} from the operating system escape: it becomes the same exception.
 * <p>
 * Released memory is kept in a pool, by size, and handed out again (zeroed) for a request of the same size: a
 * table that doubles, or a window operator that frees and re-creates state, then costs no system call and no page
 * faults in steady state. The budget caps what the process holds, pool included: when a request would pass the budget
 * counting the pool, pooled memory is returned to the operating system first. {@link #trim()} returns it all.
 * <p>
 * Allocation and release are for set-up and growth, not the per-record hot path.
 * <p>
 * <b>Note:</b> Threadsafe: allocation, release and the accounting queries are synchronised.
 */
public final class MemoryManager implements AutoCloseable
{
    /**
     * The alignment of every segment's first byte: a cache line.
     */
    public static final int ALIGNMENT = 64;

    /**
     * The largest segment: a buffer index is an {@code int}.
     */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;

    private static final AtomicLong PROCESS_NATIVE_BYTES = new AtomicLong();

    private final long budgetBytes;
    private final int pageSizeBytes;
    private final Map<String, ArrayList<MemorySegment>> segmentsByOwner = new LinkedHashMap<>();
    private final Map<String, long[]> usedBytesByOwner = new LinkedHashMap<>();
    private final Long2ObjectHashMap<LongArrayList> poolBySize = new Long2ObjectHashMap<>();
    private long pooledBytes;
    private long usedBytes;
    private long peakUsedBytes;
    private int segmentCount;
    private boolean closed;

    /**
     * A manager configured by a concluded copy of the given context.
     *
     * @param context the configuration; {@link Context#conclude()} is called on it.
     */
    public MemoryManager(final Context context)
    {
        context.conclude();
        this.budgetBytes = context.budgetBytes();
        this.pageSizeBytes = context.pageSizeBytes();
    }

    /**
     * A manager with the given budget and the default page size.
     *
     * @param budgetBytes the most bytes the manager hands out at once.
     */
    public MemoryManager(final long budgetBytes)
    {
        this(new Context().budgetBytes(budgetBytes));
    }

    /**
     * Allocate enough whole pages for {@code sizeBytes}, charged to {@code owner}.
     *
     * @param owner     the owner to charge, usually an operator's name.
     * @param sizeBytes the bytes needed, rounded up to whole pages.
     * @return a zeroed segment of at least {@code sizeBytes}.
     * @throws MemoryBudgetExceededException if the budget or the operating system refuses the memory.
     * @throws IllegalArgumentException      if the size is not positive or larger than {@link #MAX_SEGMENT_BYTES}.
     * @throws IllegalStateException         if the manager is closed.
     */
    public synchronized MemorySegment allocate(final String owner, final long sizeBytes)
    {
        if (null == owner || owner.isEmpty())
        {
            throw new IllegalArgumentException("owner must be named");
        }
        if (sizeBytes <= 0 || sizeBytes > MAX_SEGMENT_BYTES)
        {
            throw new IllegalArgumentException(
                "segment size out of range: owner=" + owner + " requested=" + sizeBytes + " max=" + MAX_SEGMENT_BYTES);
        }
        if (closed)
        {
            throw new IllegalStateException("memory manager is closed: owner=" + owner + " requested=" + sizeBytes);
        }

        final long capacity = BitUtil.align(sizeBytes, pageSizeBytes);
        final long[] ownerUsed = usedBytesByOwner.get(owner);
        final long ownerUsedBytes = null == ownerUsed ? 0 : ownerUsed[0];
        if (capacity > budgetBytes - usedBytes)
        {
            throw new MemoryBudgetExceededException(
                "memory budget exceeded", owner, capacity, ownerUsedBytes, usedBytes, budgetBytes);
        }

        final long rawAddress = reuseOrAllocate(owner, capacity, ownerUsedBytes);
        final long address = BitUtil.align(rawAddress, ALIGNMENT);
        UnsafeApi.setMemory(address, capacity, (byte)0);

        final MemorySegment segment = new MemorySegment(this, owner, rawAddress, address, (int)capacity);
        final ArrayList<MemorySegment> segments = segmentsByOwner.computeIfAbsent(owner, (k) -> new ArrayList<>());
        segment.ownerIndex = segments.size();
        segments.add(segment);
        usedBytesByOwner.computeIfAbsent(owner, (k) -> new long[1])[0] += capacity;
        usedBytes += capacity;
        peakUsedBytes = Math.max(peakUsedBytes, usedBytes);
        segmentCount++;

        return segment;
    }

    /**
     * Allocate {@code pageCount} contiguous pages, charged to {@code owner}.
     *
     * @param owner     the owner to charge.
     * @param pageCount how many pages.
     * @return a zeroed segment of {@code pageCount} pages.
     */
    public MemorySegment allocatePages(final String owner, final int pageCount)
    {
        return allocate(owner, (long)pageCount * pageSizeBytes);
    }

    /**
     * Release one segment: its memory is freed and its owner's charge reduced.
     *
     * @param segment the segment to release.
     * @throws SegmentReleasedException if it has already been released.
     * @throws IllegalArgumentException if it came from another manager.
     */
    public synchronized void release(final MemorySegment segment)
    {
        if (segment.manager() != this)
        {
            throw new IllegalArgumentException("segment belongs to another memory manager: " + segment);
        }
        if (segment.isReleased())
        {
            throw new SegmentReleasedException("release", segment);
        }

        final ArrayList<MemorySegment> segments = segmentsByOwner.get(segment.owner());
        final int index = segment.ownerIndex;
        final MemorySegment last = segments.remove(segments.size() - 1);
        if (last != segment)
        {
            segments.set(index, last);
            last.ownerIndex = index;
        }
        free(segment);
        if (segments.isEmpty())
        {
            segmentsByOwner.remove(segment.owner());
            usedBytesByOwner.remove(segment.owner());
        }
    }

    /**
     * Release every segment an owner holds.
     *
     * @param owner the owner.
     * @return the bytes released.
     */
    public synchronized long releaseAll(final String owner)
    {
        final ArrayList<MemorySegment> segments = segmentsByOwner.remove(owner);
        if (null == segments)
        {
            return 0;
        }
        long released = 0;
        for (int i = segments.size() - 1; i >= 0; i--)
        {
            final MemorySegment segment = segments.get(i);
            released += segment.capacity();
            free(segment);
        }
        usedBytesByOwner.remove(owner);
        return released;
    }

    /**
     * The bytes held by every owner together.
     *
     * @return live bytes.
     */
    public synchronized long usedBytes()
    {
        return usedBytes;
    }

    /**
     * The bytes held by one owner.
     *
     * @param owner the owner.
     * @return the owner's live bytes, 0 for an owner holding nothing.
     */
    public synchronized long usedBytes(final String owner)
    {
        final long[] used = usedBytesByOwner.get(owner);
        return null == used ? 0 : used[0];
    }

    /**
     * The most bytes held at once since the manager was created.
     *
     * @return the high-water mark in bytes.
     */
    public synchronized long peakUsedBytes()
    {
        return peakUsedBytes;
    }

    /**
     * Bytes still available under the budget.
     *
     * @return budget minus use.
     */
    public synchronized long availableBytes()
    {
        return budgetBytes - usedBytes;
    }

    /**
     * How many segments are live.
     *
     * @return the number of segments allocated and not released.
     */
    public synchronized int segmentCount()
    {
        return segmentCount;
    }

    /**
     * Use per owner, in the order owners first allocated: for reports and error messages.
     *
     * @return a new map of owner to live bytes.
     */
    public synchronized Map<String, Long> usedBytesByOwner()
    {
        final Map<String, Long> copy = new LinkedHashMap<>();
        usedBytesByOwner.forEach((owner, used) -> copy.put(owner, used[0]));
        return copy;
    }

    /**
     * The budget.
     *
     * @return the most bytes the manager hands out at once.
     */
    public long budgetBytes()
    {
        return budgetBytes;
    }

    /**
     * The page size: the unit of allocation.
     *
     * @return the page size in bytes, a power of two.
     */
    public int pageSizeBytes()
    {
        return pageSizeBytes;
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed.
     */
    public synchronized boolean isClosed()
    {
        return closed;
    }

    /**
     * Bytes released by their owners and kept for reuse.
     *
     * @return the pooled bytes.
     */
    public synchronized long pooledBytes()
    {
        return pooledBytes;
    }

    /**
     * Return every pooled segment's memory to the operating system.
     *
     * @return the bytes returned.
     */
    public synchronized long trim()
    {
        final long trimmed = pooledBytes;
        poolBySize.forEach((size, pooled) ->
        {
            for (int i = 0, n = pooled.size(); i < n; i++)
            {
                UnsafeApi.freeMemory(pooled.getLong(i));
            }
            PROCESS_NATIVE_BYTES.addAndGet(-(size + ALIGNMENT) * pooled.size());
        });
        poolBySize.clear();
        pooledBytes = 0;
        return trimmed;
    }

    /**
     * Native bytes held by every manager in this process, including alignment slack: zero when everything that was
     * allocated has been released. Tests check it after each test.
     *
     * @return the process-wide native bytes held by managers.
     */
    public static long processNativeBytes()
    {
        return PROCESS_NATIVE_BYTES.get();
    }

    /**
     * Release every segment of every owner. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            for (final ArrayList<MemorySegment> segments : segmentsByOwner.values())
            {
                for (int i = segments.size() - 1; i >= 0; i--)
                {
                    free(segments.get(i));
                }
            }
            segmentsByOwner.clear();
            usedBytesByOwner.clear();
            trim();
        }
    }

    @Override
    public synchronized String toString()
    {
        return "MemoryManager{used=" + usedBytes + ", budget=" + budgetBytes + ", pageSize=" + pageSizeBytes +
            ", segments=" + segmentCount + ", owners=" + usedBytesByOwner() + '}';
    }

    private long reuseOrAllocate(final String owner, final long capacity, final long ownerUsedBytes)
    {
        final LongArrayList pooled = poolBySize.get(capacity);
        if (null != pooled && !pooled.isEmpty())
        {
            pooledBytes -= capacity;
            return pooled.removeAt(pooled.size() - 1);
        }
        if (usedBytes + pooledBytes + capacity > budgetBytes)
        {
            trim();
        }
        try
        {
            final long rawAddress = UnsafeApi.allocateMemory(capacity + ALIGNMENT);
            PROCESS_NATIVE_BYTES.addAndGet(capacity + ALIGNMENT);
            return rawAddress;
        }
        catch (final OutOfMemoryError ex)
        {
            throw new MemoryBudgetExceededException("native memory refused by the operating system",
                owner, capacity, ownerUsedBytes, usedBytes, budgetBytes);
        }
    }

    private void free(final MemorySegment segment)
    {
        final int capacity = segment.capacity();
        segment.invalidate();
        if (closed)
        {
            UnsafeApi.freeMemory(segment.rawAddress());
            PROCESS_NATIVE_BYTES.addAndGet(-(capacity + ALIGNMENT));
        }
        else
        {
            LongArrayList pooled = poolBySize.get(capacity);
            if (null == pooled)
            {
                pooled = new LongArrayList();
                poolBySize.put(capacity, pooled);
            }
            pooled.addLong(segment.rawAddress());
            pooledBytes += capacity;
        }
        final long[] ownerUsed = usedBytesByOwner.get(segment.owner());
        if (null != ownerUsed)
        {
            ownerUsed[0] -= capacity;
        }
        usedBytes -= capacity;
        segmentCount--;
    }

    /**
     * Configuration of a {@link MemoryManager}. Defaults come from the system properties
     * {@value #BUDGET_PROP_NAME} and {@value #PAGE_SIZE_PROP_NAME}, which accept a size with a {@code k}, {@code m}
     * or {@code g} suffix.
     */
    public static final class Context
    {
        /**
         * System property for the default budget.
         */
        public static final String BUDGET_PROP_NAME = "ferrite.memory.budget";

        /**
         * System property for the default page size.
         */
        public static final String PAGE_SIZE_PROP_NAME = "ferrite.memory.page.size";

        /**
         * The default budget: 256 MiB, which fits a small machine.
         */
        public static final long BUDGET_DEFAULT = 256L * 1024 * 1024;

        /**
         * The default page size: 64 KiB.
         */
        public static final int PAGE_SIZE_DEFAULT = 64 * 1024;

        /**
         * The smallest page size.
         */
        public static final int MIN_PAGE_SIZE = 4 * 1024;

        private long budgetBytes = SystemUtil.getSizeAsLong(BUDGET_PROP_NAME, BUDGET_DEFAULT);
        private long pageSizeBytes = SystemUtil.getSizeAsLong(PAGE_SIZE_PROP_NAME, PAGE_SIZE_DEFAULT);

        /**
         * The budget.
         *
         * @return the budget in bytes.
         */
        public long budgetBytes()
        {
            return budgetBytes;
        }

        /**
         * Set the budget.
         *
         * @param budgetBytes the most bytes the manager hands out at once.
         * @return this for a fluent API.
         */
        public Context budgetBytes(final long budgetBytes)
        {
            this.budgetBytes = budgetBytes;
            return this;
        }

        /**
         * The page size.
         *
         * @return the page size in bytes.
         */
        public int pageSizeBytes()
        {
            return (int)pageSizeBytes;
        }

        /**
         * Set the page size.
         *
         * @param pageSizeBytes a power of two between {@link #MIN_PAGE_SIZE} and {@link #MAX_SEGMENT_BYTES}.
         * @return this for a fluent API.
         */
        public Context pageSizeBytes(final long pageSizeBytes)
        {
            this.pageSizeBytes = pageSizeBytes;
            return this;
        }

        /**
         * Validate the configuration.
         *
         * @return this for a fluent API.
         * @throws IllegalArgumentException naming the setting that is out of range.
         */
        public Context conclude()
        {
            if (pageSizeBytes < MIN_PAGE_SIZE || pageSizeBytes > MAX_SEGMENT_BYTES ||
                !BitUtil.isPowerOfTwo(pageSizeBytes))
            {
                throw new IllegalArgumentException("page size must be a power of two in [" + MIN_PAGE_SIZE + ", " +
                    MAX_SEGMENT_BYTES + "]: pageSizeBytes=" + pageSizeBytes);
            }
            if (budgetBytes < pageSizeBytes)
            {
                throw new IllegalArgumentException("budget must hold at least one page: budgetBytes=" + budgetBytes +
                    " pageSizeBytes=" + pageSizeBytes);
            }
            return this;
        }
    }
}
