package io.ferrite.engine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class WatermarkTrackerTest
{
    @Test
    void shouldTakeTheMinimumOverInputs()
    {
        final WatermarkTracker tracker = new WatermarkTracker(2);
        assertFalse(tracker.onWatermark(0, 100));
        assertEquals(WatermarkTracker.NO_WATERMARK, tracker.watermark(), "input 1 has no watermark yet");
        assertTrue(tracker.onWatermark(1, 50));
        assertEquals(50, tracker.watermark());
        assertTrue(tracker.onWatermark(1, 150));
        assertEquals(100, tracker.watermark());
        assertFalse(tracker.onWatermark(1, 120), "an older watermark of an input is ignored");
        assertEquals(150, tracker.watermark(1));
    }

    @Test
    void shouldIgnoreIdleInputsAndNeverGoBack()
    {
        final WatermarkTracker tracker = new WatermarkTracker(2);
        tracker.onWatermark(0, 100);
        tracker.onWatermark(1, 10);
        assertEquals(10, tracker.watermark());
        assertTrue(tracker.onIdle(1, true));
        assertEquals(100, tracker.watermark(), "an idle input does not hold the watermark back");
        assertFalse(tracker.onWatermark(1, 20), "active again, behind: the combined watermark stays");
        assertEquals(100, tracker.watermark());
        assertFalse(tracker.onWatermark(1, 200), "input 0 still holds it at 100");
        assertTrue(tracker.onWatermark(0, 300));
        assertEquals(200, tracker.watermark());
        assertFalse(tracker.onIdle(0, true) && tracker.onIdle(1, true));
        assertEquals(200, tracker.watermark(), "all idle: the watermark stays where it was");
    }

    @Test
    void shouldReachTheEndWhenEveryInputEnds()
    {
        final WatermarkTracker tracker = new WatermarkTracker(3);
        tracker.onWatermark(0, 5);
        tracker.onWatermark(1, 5);
        tracker.onWatermark(2, 5);
        tracker.onEndOfStream(0);
        tracker.onEndOfStream(1);
        assertFalse(tracker.allEnded());
        assertEquals(5, tracker.watermark());
        assertTrue(tracker.onEndOfStream(2));
        assertTrue(tracker.allEnded());
        assertEquals(Long.MAX_VALUE, tracker.watermark());
    }

    @Test
    void shouldMatchAReferenceUnderRandomUpdates()
    {
        final long seed = 20261121L;
        final Random random = new Random(seed);
        final WatermarkTracker tracker = new WatermarkTracker(4);
        final long[] marks = { Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE };
        final boolean[] idle = new boolean[4];
        long expected = Long.MIN_VALUE;
        for (int op = 0; op < 100_000; op++)
        {
            final int input = random.nextInt(4);
            if (random.nextInt(10) == 0)
            {
                idle[input] = random.nextBoolean();
                tracker.onIdle(input, idle[input]);
            }
            else
            {
                marks[input] = Math.max(marks[input], random.nextInt(op + 10));
                idle[input] = false;
                tracker.onWatermark(input, marks[input]);
            }
            long min = Long.MAX_VALUE;
            boolean active = false;
            for (int i = 0; i < 4; i++)
            {
                if (!idle[i])
                {
                    active = true;
                    min = Math.min(min, marks[i]);
                }
            }
            if (active)
            {
                expected = Math.max(expected, min);
            }
            assertEquals(expected, tracker.watermark(), "seed=" + seed + " op=" + op);
        }
    }

    @Test
    void shouldNotJumpPastAnIdleInputWhenTheOtherEnds()
    {
        final WatermarkTracker tracker = new WatermarkTracker(2);
        tracker.onWatermark(0, 10);
        tracker.onWatermark(1, 20);
        tracker.onIdle(1, true);
        assertEquals(10, tracker.watermark());
        assertFalse(tracker.onEndOfStream(0), "input 1 is only idle: its data may still come");
        assertEquals(10, tracker.watermark());
        assertTrue(tracker.onWatermark(1, 30));
        assertEquals(30, tracker.watermark());
        assertTrue(tracker.onEndOfStream(1));
        assertEquals(Long.MAX_VALUE, tracker.watermark());
    }
}
