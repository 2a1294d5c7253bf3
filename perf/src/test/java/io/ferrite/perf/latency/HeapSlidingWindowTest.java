package io.ferrite.perf.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The baseline's heap sliding window against a naive one computed from the full list of records: random keys and
 * gaps, watermarks that lag many slides (so key rings grow), firing in small batches.
 */
class HeapSlidingWindowTest
{
    @Test
    void shouldFireWhatANaiveWindowComputes()
    {
        for (final long seed : new long[]{1, 2, 3, 4, 5})
        {
            check(seed, 1_000, 100);
            check(seed, 500, 500);
            check(seed, 1_000, 50);
        }
    }

    private static void check(final long seed, final long sizeUs, final long slideUs)
    {
        final Random random = new Random(seed);
        final HeapSlidingWindow window = new HeapSlidingWindow(sizeUs, slideUs);
        final List<String> fired = new ArrayList<>();
        final HeapSlidingWindow.Emitter emitter = (key, start, end, count, a, b) ->
            fired.add(key + "@" + start + "-" + end + ":" + count + "," + a + "," + b);
        // end -> key -> {count, a, b}
        final TreeMap<Long, TreeMap<Long, long[]>> naive = new TreeMap<>();
        long time = 1_000_000 + random.nextInt(1_000);
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < 5_000; i++)
        {
            time += random.nextInt(random.nextInt(10) == 0 ? 3_000 : 40);
            final long key = random.nextInt(7);
            final long a = random.nextInt(100);
            final long b = random.nextInt(1_000);
            window.add(key, time, a, b);
            final long slice = Math.floorDiv(time, slideUs);
            for (long end = (slice + 1) * slideUs; end <= slice * slideUs + sizeUs; end += slideUs)
            {
                final long[] sums = naive.computeIfAbsent(end, (e) -> new TreeMap<>())
                    .computeIfAbsent(key, (k) -> new long[3]);
                sums[0]++;
                sums[1] += a;
                sums[2] += b;
            }
            if (random.nextInt(25) == 0)
            {
                watermark = time - 1;
                drain(window, watermark, emitter, 1 + random.nextInt(5));
            }
        }
        drain(window, Long.MAX_VALUE, emitter, 3);
        assertFalse(window.isDue(Long.MAX_VALUE));
        final List<String> expected = new ArrayList<>();
        naive.forEach((end, keys) -> keys.forEach((key, s) ->
            expected.add(key + "@" + (end - sizeUs) + "-" + end + ":" + s[0] + "," + s[1] + "," + s[2])));
        expected.sort(null);
        fired.sort(null);
        assertEquals(expected, fired, "seed " + seed + ", " + sizeUs + " every " + slideUs);
    }

    private static void drain(
        final HeapSlidingWindow window, final long watermark, final HeapSlidingWindow.Emitter emitter, final int limit)
    {
        while (window.isDue(watermark))
        {
            window.fire(watermark, emitter, limit);
        }
    }
}
