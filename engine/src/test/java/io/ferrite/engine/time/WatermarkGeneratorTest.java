package io.ferrite.engine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WatermarkGeneratorTest
{
    @Test
    void shouldTrailTheLargestTimestampByTheBound()
    {
        final WatermarkGenerator generator = WatermarkGenerator.boundedOutOfOrderness(100);
        assertEquals(WatermarkTracker.NO_WATERMARK, generator.pollAdvance());
        generator.onEvent(1000);
        assertEquals(899, generator.pollAdvance());
        generator.onEvent(950);
        assertEquals(WatermarkTracker.NO_WATERMARK, generator.pollAdvance(), "an older event does not advance it");
        generator.onEvent(1200);
        assertEquals(1099, generator.pollAdvance());
        assertTrue(generator.isLate(1099));
        assertFalse(generator.isLate(1100));
    }

    @Test
    void shouldBeMonotonicWithZeroDelay()
    {
        final WatermarkGenerator generator = WatermarkGenerator.monotonic();
        generator.onEvent(5);
        assertEquals(4, generator.pollAdvance());
        assertThrows(IllegalArgumentException.class, () -> WatermarkGenerator.boundedOutOfOrderness(-1));
    }

    @Test
    void shouldTurnIdleAfterTheTimeoutAndActiveOnTheNextEvent()
    {
        final IdleDetector detector = new IdleDetector(1_000, 0);
        assertEquals(IdleDetector.NO_CHANGE, detector.poll(999));
        assertEquals(IdleDetector.BECAME_IDLE, detector.poll(1_000));
        assertEquals(IdleDetector.NO_CHANGE, detector.poll(5_000), "reported once");
        assertTrue(detector.isIdle());
        assertEquals(IdleDetector.BECAME_ACTIVE, detector.onActivity(6_000));
        assertEquals(IdleDetector.NO_CHANGE, detector.onActivity(6_500));
        assertEquals(IdleDetector.NO_CHANGE, detector.poll(7_000));
        assertEquals(IdleDetector.BECAME_IDLE, detector.poll(7_500));
    }
}
