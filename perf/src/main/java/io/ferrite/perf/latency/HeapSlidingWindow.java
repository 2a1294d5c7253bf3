package io.ferrite.perf.latency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The Disruptor baseline's sliding window, on the heap: per key a ring of slices (one per slide: count and two sums),
 * and the rule Ferrite's window operator follows — window {@code [end - size, end)} fires when the watermark reaches
 * {@code end - 1}, with a result for every key that had a record in it; a final watermark of {@link Long#MAX_VALUE}
 * fires every window left. Firing resumes where it stopped, so a stage can fire no more than its output has room for.
 * <p>
 * <b>Note:</b> Not threadsafe: owned by one stage.
 */
final class HeapSlidingWindow
{
    /**
     * Receives a window's result for one key.
     */
    @FunctionalInterface
    interface Emitter
    {
        void onResult(long key, long startUs, long endUs, long count, long sumA, long sumB);
    }

    private static final long NONE = Long.MIN_VALUE;

    private final long sizeUs;
    private final long slideUs;
    private final int slices;
    private final int initialCapacity;
    private final Long2ObjectHashMap<KeySlices> byKey = new Long2ObjectHashMap<>();
    private final List<KeySlices> keys = new ArrayList<>();
    private long nextEndUs = NONE;
    private long lastSlice = NONE;
    private int keyCursor;
    private long count;
    private long sumA;
    private long sumB;

    HeapSlidingWindow(final long sizeUs, final long slideUs)
    {
        this.sizeUs = sizeUs;
        this.slideUs = slideUs;
        this.slices = (int)(sizeUs / slideUs);
        this.initialCapacity = Integer.highestOneBit(slices + 2) << 1;
    }

    /**
     * Add a record to its key's slice.
     *
     * @param key    the key.
     * @param timeUs the event time.
     * @param a      summed into the first sum.
     * @param b      summed into the second.
     */
    void add(final long key, final long timeUs, final long a, final long b)
    {
        final long slice = Math.floorDiv(timeUs, slideUs);
        if (NONE == nextEndUs)
        {
            nextEndUs = (slice + 1) * slideUs;
        }
        lastSlice = Math.max(lastSlice, slice);
        KeySlices state = byKey.get(key);
        if (null == state)
        {
            state = new KeySlices(key, initialCapacity);
            byKey.put(key, state);
            keys.add(state);
        }
        state.add(slice, a, b, Math.floorDiv(nextEndUs, slideUs) - slices);
    }

    /**
     * Whether a window is due at a watermark.
     *
     * @param watermark the watermark.
     * @return true if {@link #fire} has results to give.
     */
    boolean isDue(final long watermark)
    {
        return NONE != nextEndUs && nextEndUs - 1 <= watermark && nextEndUs <= (lastSlice + slices) * slideUs;
    }

    /**
     * Fire the windows due at a watermark, key by key, up to a limit; the next call goes on from there.
     *
     * @param watermark the watermark.
     * @param emitter   receives the results.
     * @param limit     the most results to give.
     * @return the results given.
     */
    int fire(final long watermark, final Emitter emitter, final int limit)
    {
        int emitted = 0;
        while (isDue(watermark))
        {
            final long end = nextEndUs;
            final long last = Math.floorDiv(end, slideUs) - 1;
            final long first = last - slices + 1;
            while (keyCursor < keys.size())
            {
                if (emitted >= limit)
                {
                    return emitted;
                }
                final KeySlices state = keys.get(keyCursor++);
                sum(state, first, last);
                if (count > 0)
                {
                    emitter.onResult(state.key, end - sizeUs, end, count, sumA, sumB);
                    emitted++;
                }
            }
            keyCursor = 0;
            nextEndUs += slideUs;
        }
        return emitted;
    }

    private void sum(final KeySlices state, final long first, final long last)
    {
        count = 0;
        sumA = 0;
        sumB = 0;
        final long[] ids = state.ids;
        final int mask = ids.length - 1;
        for (long slice = first; slice <= last; slice++)
        {
            final int slot = (int)(slice & mask);
            if (ids[slot] == slice)
            {
                count += state.counts[slot];
                sumA += state.sumsA[slot];
                sumB += state.sumsB[slot];
            }
        }
    }

    /**
     * One key's slices, in a ring indexed by slice number; grown when a slice would overwrite one still needed.
     */
    private static final class KeySlices
    {
        final long key;
        long[] ids;
        long[] counts;
        long[] sumsA;
        long[] sumsB;

        KeySlices(final long key, final int capacity)
        {
            this.key = key;
            allocate(capacity);
        }

        private void allocate(final int capacity)
        {
            ids = new long[capacity];
            Arrays.fill(ids, NONE);
            counts = new long[capacity];
            sumsA = new long[capacity];
            sumsB = new long[capacity];
        }

        void add(final long slice, final long a, final long b, final long oldestNeeded)
        {
            final int slot = (int)(slice & (ids.length - 1));
            if (ids[slot] != slice)
            {
                if (ids[slot] != NONE && ids[slot] >= oldestNeeded)
                {
                    grow();
                    add(slice, a, b, oldestNeeded);
                    return;
                }
                ids[slot] = slice;
                counts[slot] = 0;
                sumsA[slot] = 0;
                sumsB[slot] = 0;
            }
            counts[slot]++;
            sumsA[slot] += a;
            sumsB[slot] += b;
        }

        private void grow()
        {
            final long[] oldIds = ids;
            final long[] oldCounts = counts;
            final long[] oldA = sumsA;
            final long[] oldB = sumsB;
            allocate(oldIds.length << 1);
            final int mask = ids.length - 1;
            for (int i = 0; i < oldIds.length; i++)
            {
                if (oldIds[i] != NONE)
                {
                    final int slot = (int)(oldIds[i] & mask);
                    ids[slot] = oldIds[i];
                    counts[slot] = oldCounts[i];
                    sumsA[slot] = oldA[i];
                    sumsB[slot] = oldB[i];
                }
            }
        }
    }
}
