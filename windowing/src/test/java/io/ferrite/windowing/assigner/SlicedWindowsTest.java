package io.ferrite.windowing.assigner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SlicedWindowsTest
{
    @Test
    void shouldAssignLikeANaiveEnumerationOfWindowStarts()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 2_000; round++)
        {
            final long slide = 1 + random.nextInt(50);
            final long size = slide * (1 + random.nextInt(6)) + (random.nextBoolean() ? 0 : random.nextInt((int)slide));
            final long offset = random.nextInt(200) - 100;
            final SlicedWindows windows = SlicedWindows.sliding(size, Math.min(slide, size), offset);
            for (int i = 0; i < 50; i++)
            {
                final long timestamp = random.nextInt(20_000) - 10_000;
                final List<Long> expected = naiveStarts(timestamp, size, windows.slide(), offset);
                final String context = "seed=" + seed + " " + windows + " ts=" + timestamp;
                assertEquals(expected.get(0), windows.firstWindowStart(timestamp), context);
                assertEquals(expected.get(expected.size() - 1), windows.lastWindowStart(timestamp), context);
                final long slice = windows.sliceStart(timestamp);
                assertTrue(slice <= timestamp && timestamp < slice + windows.sliceSize(), context);
                assertEquals(0, Math.floorMod(slice - offset, windows.sliceSize()), context);
                for (final long start : expected)
                {
                    // every window holding the event is a whole number of slices, one of which holds the event
                    assertEquals(0, Math.floorMod(start - slice, windows.sliceSize()), context);
                }
            }
        }
    }

    @Test
    void shouldCostOneSliceWhateverTheSlide()
    {
        final SlicedWindows windows = SlicedWindows.sliding(10_000, 10, 0);
        assertEquals(10, windows.sliceSize());
        assertEquals(1_000, windows.slicesPerWindow());
        assertEquals(1_000, windows.windowsPerEvent());
        final SlicedWindows odd = SlicedWindows.sliding(10, 4, 0);
        assertEquals(2, odd.sliceSize());
        assertEquals(3, odd.windowsPerEvent());
    }

    @Test
    void shouldAlignTumblingWindowsToTheEpochWithAnOffset()
    {
        final SlicedWindows minute = SlicedWindows.tumbling(60_000, 0);
        assertEquals(0, minute.lastWindowStart(0));
        assertEquals(0, minute.lastWindowStart(59_999));
        assertEquals(60_000, minute.lastWindowStart(60_000));
        assertEquals(-60_000, minute.lastWindowStart(-1));
        assertEquals(59_999, SlicedWindows.firingTime(minute.windowEnd(0)));
        final SlicedWindows shifted = SlicedWindows.tumbling(60_000, 15_000);
        assertEquals(15_000, shifted.lastWindowStart(15_000));
        assertEquals(-45_000, shifted.lastWindowStart(14_999));
        assertEquals(15_000, SlicedWindows.tumbling(60_000, 75_000).offset());
    }

    @Test
    void shouldClampAtTheEndsOfTheLongRange()
    {
        final SlicedWindows windows = SlicedWindows.sliding(1_000, 300, 7);
        final long start = windows.lastWindowStart(Long.MAX_VALUE);
        assertTrue(start <= Long.MAX_VALUE && Long.MAX_VALUE - start < 300);
        assertEquals(Long.MAX_VALUE, windows.windowEnd(start));
        assertEquals(Long.MAX_VALUE, SlicedWindows.firingTime(Long.MAX_VALUE));
        assertEquals(Long.MIN_VALUE, windows.firstWindowStart(Long.MIN_VALUE));
        assertEquals(Long.MIN_VALUE, windows.lastWindowStart(Long.MIN_VALUE), "clamped, not wrapped");
        final long sliceAtMin = windows.sliceStart(Long.MIN_VALUE + 5);
        assertTrue(sliceAtMin <= Long.MIN_VALUE + 5);
    }

    @Test
    void shouldRejectBadSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> SlicedWindows.tumbling(0, 0));
        assertThrows(IllegalArgumentException.class, () -> SlicedWindows.sliding(10, 11, 0));
        assertThrows(IllegalArgumentException.class, () -> SlicedWindows.sliding(10, 0, 0));
    }

    private static List<Long> naiveStarts(final long timestamp, final long size, final long slide, final long offset)
    {
        final List<Long> starts = new ArrayList<>();
        for (long start = offset - 100 * slide - 100_000 / slide * slide; start <= timestamp; start += slide)
        {
            if (timestamp < start + size)
            {
                starts.add(start);
            }
        }
        return starts;
    }
}
