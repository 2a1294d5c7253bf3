package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.Firing;
import io.ferrite.windowing.Trigger;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * Window operators in a pipeline, driven on the test's thread in the invoker threading mode with a manual clock, each
 * result checked against one computed in plain Java.
 */
class WindowPipelineTest
{
    private static final long BUDGET = 32L * 1024 * 1024;
    private static final long START_NS = 1_000_000_000L;

    private static final Schema TRADE = Schema.builder("trade")
        .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("qty").int64("latency_us").build();
    private static final TimestampField TIME = TRADE.timestampField("time");
    private static final SymbolField SYM = TRADE.symbolField("sym");
    private static final Int64Field QTY = TRADE.int64Field("qty");
    private static final Int64Field LATENCY = TRADE.int64Field("latency_us");

    /**
     * A custom trigger: fire and purge every fourth record of a key, counting in its own per-key state.
     */
    private static final Trigger EVERY_FOURTH = new Trigger()
    {
        @Override
        public int stateLength()
        {
            return 8;
        }

        @Override
        public byte onRecord(
            final MutableDirectBuffer state,
            final int stateOffset,
            final DirectBuffer record,
            final int recordOffset,
            final long timestamp,
            final long count)
        {
            final long seen = state.getLong(stateOffset) + 1;
            state.putLong(stateOffset, seen);
            return seen % 4 == 0 ? FIRE_AND_PURGE : CONTINUE;
        }
    };

    @TempDir
    Path dir;

    private final CachedNanoClock clock = new CachedNanoClock();

    @Test
    void tumblingWindowsMatchPlainJavaPerKeyAndFireInTimestampOrder() throws Exception
    {
        final Random random = new Random(7);
        final List<long[]> trades = new ArrayList<>();
        for (int i = 0; i < 2_000; i++)
        {
            trades.add(new long[]{1_000 + i * 3L, random.nextInt(5), 1 + random.nextInt(100)});
        }
        // expected: key -> window start -> [count, sum]
        final Map<String, TreeMap<Long, long[]>> expected = new TreeMap<>();
        for (final long[] t : trades)
        {
            final long start = Math.floorDiv(t[0], 1_000) * 1_000;
            final long[] acc = expected.computeIfAbsent("S" + t[1], k -> new TreeMap<>())
                .computeIfAbsent(start, k -> new long[2]);
            acc[0]++;
            acc[1] += t[2];
        }

        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = ferrite.pipeline("tumbling");
            final Publisher source = pipeline.publisher("trades", TRADE, new SourceOptions());
            final CollectingSink out = pipeline.stream(source)
                .keyBy("sym", 2)
                .window(Windows.tumbling(Duration.ofSeconds(1)))
                .aggregate("volume-1s", Aggregates.sum(TRADE, "qty", "volume"))
                .collect("out");
            final List<String> names = new ArrayList<>();
            out.schema().fields().forEach((field) -> names.add(field.name() + ":" + field.type()));
            assertEquals(List.of("sym:SYMBOL", "window_start:TIMESTAMP", "window_end:TIMESTAMP", "firing:INT8",
                "count:INT64", "volume:INT64"), names);
            final Job job = pipeline.start();
            final Publisher.Producer producer = source.newProducer();
            for (final long[] t : trades)
            {
                publish(producer, t[0], "S" + t[1], t[2], 0);
                job.doWork();
            }
            source.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());

            final Map<String, List<String>> actual = new TreeMap<>();
            for (final String row : out.rows())
            {
                final String[] f = row.split(",");
                actual.computeIfAbsent(f[0], k -> new ArrayList<>()).add(row);
            }
            final Map<String, List<String>> wanted = new TreeMap<>();
            expected.forEach((sym, windows) -> windows.forEach((start, acc) -> wanted
                .computeIfAbsent(sym, k -> new ArrayList<>())
                .add(sym + "," + start + "," + (start + 1_000) + "," + Firing.ON_TIME + "," + acc[0] + "," + acc[1])));
            assertEquals(wanted, actual);
        }
    }

    @Test
    void lateRecordsWithinLatenessUpdateTheWindowAndLaterOnesGoToTheLateSideOutput() throws Exception
    {
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = ferrite.pipeline("late");
            final Publisher source = pipeline.publisher("trades", TRADE,
                new SourceOptions().watermarks(WatermarkStrategy.boundedOutOfOrderness(100)));
            final WindowedStream windowed = pipeline.stream(source)
                .keyBy("sym", 1)
                .window(Windows.sliding(Duration.ofMillis(1_000), Duration.ofMillis(500)))
                .allowedLateness(Duration.ofMillis(300));
            final OutputTag lateTag = new OutputTag("late", windowed.lateDataSchema());
            final DataStream results = windowed.sideOutputLateData(lateTag)
                .aggregate("qty", Aggregates.of(Aggregates.count("n"), Aggregates.sum(TRADE, "qty", "qty")));
            final CollectingSink out = results.collect("out");
            final CollectingSink late = results.sideOutput(lateTag).collect("late-out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = source.newProducer();

            publish(producer, 1_100, "A", 1, 0);   // windows [500,1500) [1000,2000)
            publish(producer, 1_600, "A", 2, 0);   // windows [1000,2000) [1500,2500)
            drain(job);
            assertEquals(List.of("A,500,1500,1,1,1,1"), out.rows(), "watermark 1499 closes [500,1500)");
            publish(producer, 2_101, "A", 4, 0);   // watermark 2000: [1000,2000) closes
            drain(job);
            assertEquals(List.of("A,500,1500,1,1,1,1", "A,1000,2000,1,2,2,3"), out.rows());

            publish(producer, 1_200, "A", 8, 0);   // late, within lateness for [1000,2000): a LATE update
            drain(job);
            assertEquals("A,1000,2000,2,3,3,11", out.rows().get(2));
            assertEquals(3, out.rows().size(), "[500,1500) expired at 1799 < watermark 2000: no update for it");

            publish(producer, 2_400, "A", 16, 0);  // watermark 2299: [1000,2000) has expired
            drain(job);
            publish(producer, 1_300, "A", 32, 0);  // every window of it expired: late side output
            drain(job);
            assertEquals(List.of("1300,A,32,0,1000,2000"), late.rows());
            assertEquals(3, out.rows().size());

            source.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());
            assertEquals(List.of("A,500,1500,1,1,1,1", "A,1000,2000,1,2,2,3", "A,1000,2000,2,3,3,11",
                "A,1500,2500,1,3,3,22", "A,2000,3000,1,2,2,20"), out.rows());
        }
    }

    @Test
    void earlyResultsComeAPeriodOfProcessingTimeAfterARecordAndTheWindowStillFiresOnTime() throws Exception
    {
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = ferrite.pipeline("early");
            final Publisher source = pipeline.publisher("trades", TRADE, new SourceOptions());
            final CollectingSink out = pipeline.stream(source)
                .keyBy("sym", 1)
                .window(Windows.tumbling(Duration.ofMinutes(1)))
                .earlyResults(Duration.ofMillis(100))
                .aggregate("qty", Aggregates.sum(TRADE, "qty", "qty"))
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = source.newProducer();

            publish(producer, 1_000, "A", 5, 0);
            drain(job);
            clock.advance(TimeUnit.MILLISECONDS.toNanos(99));
            drain(job);
            assertEquals(List.of(), out.rows());
            clock.advance(TimeUnit.MILLISECONDS.toNanos(150));
            drain(job);
            assertEquals(List.of("A,0,60000,0,1,5"), out.rows());
            clock.advance(TimeUnit.MILLISECONDS.toNanos(500));
            drain(job);
            assertEquals(1, out.rows().size(), "no new record for A: no new early result");

            publish(producer, 2_000, "A", 7, 0);
            drain(job);
            clock.advance(TimeUnit.MILLISECONDS.toNanos(100));
            drain(job);
            assertEquals(List.of("A,0,60000,0,1,5", "A,0,60000,0,2,12"), out.rows());

            source.end(new YieldingIdleStrategy());
            job.await();
            assertEquals(List.of("A,0,60000,0,1,5", "A,0,60000,0,2,12", "A,0,60000,1,2,12"), out.rows());
        }
    }

    @Test
    void processingTimeWindowsCloseAsTheClockPassesTheirEnd() throws Exception
    {
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = ferrite.pipeline("processing");
            final Publisher source = pipeline.publisher("trades", TRADE, new SourceOptions());
            final CollectingSink out = pipeline.stream(source)
                .keyBy("sym", 1)
                .window(Windows.tumbling(Duration.ofSeconds(1)).inProcessingTime())
                .aggregate("qty", Aggregates.sum(TRADE, "qty", "qty"))
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = source.newProducer();

            // event times are far in the past: processing-time windows ignore them
            publish(producer, 5, "A", 1, 0);
            publish(producer, 6, "A", 2, 0);
            drain(job);
            clock.advance(TimeUnit.MILLISECONDS.toNanos(999));
            publish(producer, 7, "A", 4, 0);
            drain(job);
            assertEquals(List.of(), out.rows(), "the clock is at 1.999 s: [1 s, 2 s) is open");
            clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            drain(job);
            assertEquals(List.of("A,1000000000,2000000000,1,3,7"), out.rows());
            source.end(new YieldingIdleStrategy());
            job.await();
            assertEquals(1, out.rows().size());
        }
    }

    @Test
    void countAndGlobalWindowsFireOnRecordsAndPercentilesReportTheirBuckets() throws Exception
    {
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = ferrite.pipeline("count");
            final Publisher source = pipeline.publisher("trades", TRADE, new SourceOptions());
            final DataStream stream = pipeline.stream(source);
            final CollectingSink pairs = stream.keyBy("sym", 1)
                .window(Windows.count(2))
                .aggregate("pairs", Aggregates.sum(TRADE, "qty", "qty"))
                .collect("pairs-out");
            final AggregateFunction latency = Aggregates.percentiles(TRADE, "latency_us", "lat", 7, 1_000_000);
            final CollectingSink bursts = stream.keyBy("sym", 1)
                .window(Windows.global())
                .trigger(EVERY_FOURTH)
                .aggregate("bursts", latency)
                .collect("bursts-out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = source.newProducer();
            for (int i = 1; i <= 5; i++)
            {
                publish(producer, i, "A", i, i * 100);
            }
            source.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());
            assertEquals(List.of("A,0,2,1,2,3", "A,2,4,1,2,7", "A,4,5,1,1,5"), pairs.rows());
            // 100..400: p50 = 200, p90 = p99 = p99.9 = max = 400 (exact below 2^8 = 256; 400 is in a bucket of
            // width 2 at this precision, reported as its highest value, 401)
            assertEquals(List.of(
                "A," + Long.MIN_VALUE + "," + Long.MAX_VALUE + ",1,4,200,401,401,401,401",
                "A," + Long.MIN_VALUE + "," + Long.MAX_VALUE + ",1,1,501,501,501,501,501"), bursts.rows());
        }
    }

    @Test
    void explainShowsTheWindowOperatorAndBadWindowInputIsRefusedClearly() throws Exception
    {
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = ferrite.pipeline("explain");
            final Publisher source = pipeline.publisher("trades", TRADE, new SourceOptions());
            final KeyedStream keyed = pipeline.stream(source).keyBy("sym", 2);
            keyed.window(Windows.sliding(Duration.ofSeconds(10), Duration.ofMillis(10)))
                .aggregate("vol", Aggregates.sum(TRADE, "qty", "vol"))
                .collect("out");
            final String plan = pipeline.explain();
            assertTrue(plan.contains("window 'vol' sliding(PT10S every PT0.01S)"), plan);

            final IllegalArgumentException micro = assertThrows(IllegalArgumentException.class, () -> keyed
                .window(Windows.tumbling(Duration.ofNanos(1_500_000)))
                .aggregate("bad", Aggregates.count("n")));
            assertEquals("window size PT0.0015S is not a whole number of milliseconds, the stream's timestamp unit",
                micro.getMessage());
            assertThrows(IllegalStateException.class, () -> keyed.window(Windows.count(3))
                .allowedLateness(Duration.ofSeconds(1)));
            assertThrows(IllegalStateException.class, () -> keyed.window(Windows.tumbling(Duration.ofSeconds(1)))
                .trigger(EVERY_FOURTH));
            final IllegalArgumentException noTrigger = assertThrows(IllegalArgumentException.class, () -> keyed
                .window(Windows.global()).aggregate("g", Aggregates.count("n")));
            assertTrue(noTrigger.getMessage().contains("needs a trigger"), noTrigger.getMessage());
            assertThrows(IllegalArgumentException.class, () -> keyed.window(Windows.tumbling(Duration.ofSeconds(1)))
                .aggregate("clash", Aggregates.count("count")));
        }
    }

    private Ferrite launch()
    {
        clock.update(START_NS);
        return Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .memoryBudgetBytes(BUDGET)
            .errorPolicy(ErrorPolicy.FAIL)
            .warningHandler((warning) -> fail("unexpected warning: " + warning)));
    }

    private static void publish(
        final Publisher.Producer producer, final long time, final String sym, final long qty, final long latency)
    {
        assertTrue(producer.tryClaim(), "the publisher's ring is full");
        producer.record().put(TIME, time).put(SYM, sym).put(QTY, qty).put(LATENCY, latency);
        producer.commit();
    }

    private static void drain(final Job job)
    {
        int idleCycles = 0;
        int cycles = 0;
        while (idleCycles < 8)
        {
            idleCycles = job.doWork() == 0 ? idleCycles + 1 : 0;
            if (++cycles > 1_000_000)
            {
                fail("the job never settled");
            }
        }
        assertNull(job.failure());
    }
}
