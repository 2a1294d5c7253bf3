package io.ferrite.perf.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.ferrite.perf.harness.Schedule;

class GeneratorTest
{
    @Test
    void shouldGiveEverySymbolItsOwnTicker()
    {
        final Set<String> tickers = new HashSet<>();
        for (int i = 0; i < 100_000; i++)
        {
            final String ticker = TradeGenerator.ticker(i);
            assertEquals(4, ticker.length());
            assertTrue(tickers.add(ticker), ticker);
        }
    }

    @Test
    void shouldMakeRecordNFromNAlone()
    {
        final Schedule schedule = Schedule.started(1_700_000_000_000_000_000L, 160_000, 1_000_000);
        final TradeGenerator a = new TradeGenerator(42, schedule, 300);
        final TradeGenerator b = new TradeGenerator(42, schedule, 300);
        for (long n = 999_999; n >= 0; n -= 7_919)
        {
            final long time = schedule.eventTimeUs(n);
            assertEquals(a.symbolOf(n, time), b.symbolOf(n, time));
            assertEquals(a.priceOf(n, a.symbolOf(n, time), time), b.priceOf(n, b.symbolOf(n, time), time));
            assertEquals(a.quantityOf(n), b.quantityOf(n));
            assertTrue(a.quantityOf(n) >= 1 && a.quantityOf(n) <= TradeGenerator.MAX_QUANTITY);
        }
    }

    @Test
    void shouldFindTheRecordThatClosesAWindow()
    {
        final Schedule schedule = Schedule.started(1_000_000_500L, 160_000, 1_000_000);
        assertEquals(6_250, schedule.periodNs());
        final long end = 1_001_000L;
        final long closing = schedule.firstSequenceAtOrAfter(end);
        assertTrue(schedule.eventTimeUs(closing) >= end);
        assertTrue(schedule.eventTimeUs(closing - 1) < end);
        assertEquals(0, schedule.firstSequenceAtOrAfter(1_000L));
    }
}
