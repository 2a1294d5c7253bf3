package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class NexmarkBenchTest
{
    @Test
    void shouldCountEveryResultAndRecordLatenciesOfTheRatedPass() throws Exception
    {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final PrintStream err = new PrintStream(log, true, StandardCharsets.US_ASCII);
        final NexmarkBench bench = new NexmarkBench(20_000, 2, 1, 3, err, err);
        final NexmarkBench.Row row = bench.measure(new Q1());
        assertEquals(new Q1().reference(new NexmarkGenerator(3, 10_000).events(20_000)).size(), row.results());
        assertTrue(row.eventsPerSecond() > 0, "throughput " + row.eventsPerSecond());
        assertTrue(row.latencyRate() >= NexmarkBench.MIN_RATE, "rate " + row.latencyRate());
        // Two seconds at the rate, the first not recorded: about 46/50 of a second's events are bids with a result.
        final long secondOfResults = row.latencyRate() * 46 / 50;
        assertTrue(row.recorded() > secondOfResults * 8 / 10 && row.recorded() < secondOfResults * 12 / 10,
            "recorded " + row.recorded() + " of about " + secondOfResults);
        assertTrue(row.p99Us() >= 0 && row.p99Us() < 10_000_000, "p99 " + row.p99Us() + " us");
    }
}
