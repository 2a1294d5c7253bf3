package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ferrite.engine.counters.CountersFile;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * Window joins and interval joins in a pipeline, driven on the test's thread in the invoker threading mode: seeded
 * random streams joined by the engine and compared with a plain-Java nested loop over the same records, late
 * records, failing join functions, the plan, and build-time errors.
 */
class JoinPipelineTest
{
    private static final long BUDGET = 64L * 1024 * 1024;
    private static final int BURST = 40;
    private static final String[] SYMBOLS = {"AAPL", "MSFT", "GOOG", "IBM", "ORCL"};

    private static final Schema TRADE = Schema.builder("trade")
        .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("qty").build();
    private static final TimestampField TRADE_TIME = TRADE.timestampField("time");
    private static final SymbolField TRADE_SYM = TRADE.symbolField("sym");
    private static final Int64Field QTY = TRADE.int64Field("qty");

    private static final Schema QUOTE = Schema.builder("quote")
        .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("bid").build();
    private static final TimestampField QUOTE_TIME = QUOTE.timestampField("time");
    private static final SymbolField QUOTE_SYM = QUOTE.symbolField("sym");
    private static final Int64Field BID = QUOTE.int64Field("bid");

    private static final Schema NOTIONAL = Schema.builder("notional")
        .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("notional").int64("window_start").build();
    private static final TimestampField NOTIONAL_TIME = NOTIONAL.timestampField("time");
    private static final SymbolField NOTIONAL_SYM = NOTIONAL.symbolField("sym");
    private static final Int64Field NOTIONAL_VALUE = NOTIONAL.int64Field("notional");
    private static final Int64Field NOTIONAL_START = NOTIONAL.int64Field("window_start");

    @TempDir
    Path dir;

    private final CachedNanoClock clock = new CachedNanoClock();

    @ParameterizedTest(name = "sliding={0}")
    @ValueSource(booleans = {false, true})
    void windowJoinOfRandomStreamsMatchesANestedLoopOverTheSameRecords(final boolean sliding) throws Exception
    {
        final long size = sliding ? 300 : 200;
        final long slide = sliding ? 100 : 200;
        final Random random = new Random(sliding ? 11 : 5);
        final List<long[]> trades = randomRecords(random, 700, 4, 50);
        final List<long[]> quotes = randomRecords(random, 700, 4, 50);

        final List<String> expectedPairs = new ArrayList<>();
        final List<String> expectedNotional = new ArrayList<>();
        for (final long[] t : trades)
        {
            for (final long[] q : quotes)
            {
                if (t[1] != q[1])
                {
                    continue;
                }
                final long earliest = Math.min(t[0], q[0]);
                final long latest = Math.max(t[0], q[0]);
                for (long start = Math.floorDiv(earliest, slide) * slide; start + size > latest; start -= slide)
                {
                    expectedPairs.add((start) + "," + (start + size) + "," + t[0] + "," + SYMBOLS[(int)t[1]] + "," +
                        t[2] + "," + q[0] + "," + SYMBOLS[(int)q[1]] + "," + q[2]);
                    expectedNotional.add((start + size - 1) + "," + SYMBOLS[(int)t[1]] + "," + t[2] * q[2] + "," +
                        start);
                }
            }
        }
        assertTrue(expectedPairs.size() > 1_000, "a meaningful test joins many pairs: " + expectedPairs.size());

        try (Ferrite ferrite = launch(ErrorPolicy.FAIL, 1024))
        {
            final Pipeline pipeline = ferrite.pipeline("window-join");
            final SourceOptions options = new SourceOptions().watermarks(WatermarkStrategy.boundedOutOfOrderness(50));
            final Publisher tradeSource = pipeline.publisher("trades", TRADE, options);
            final Publisher quoteSource = pipeline.publisher("quotes", QUOTE, options);
            final KeyedStream left = pipeline.stream(tradeSource).keyBy("sym", 2);
            final KeyedStream right = pipeline.stream(quoteSource).keyBy("sym", 2);
            final Windows windows = sliding ?
                Windows.sliding(Duration.ofMillis(size), Duration.ofMillis(slide)) :
                Windows.tumbling(Duration.ofMillis(size));
            final CollectingSink pairs = left.join(right).window(windows).project("pairs").collect("pairs-out");
            final CollectingSink notional = left.join(right).window(windows)
                .apply("notional", NOTIONAL, (trade, quote, windowStart, windowEnd, out) -> out
                    .put(NOTIONAL_TIME, windowEnd - 1)
                    .putSymbolAsLong(NOTIONAL_SYM, trade.symbolAsLong(TRADE_SYM))
                    .put(NOTIONAL_VALUE, trade.get(QTY) * quote.get(BID))
                    .put(NOTIONAL_START, windowStart))
                .collect("notional-out");

            final List<String> names = new ArrayList<>();
            pairs.schema().fields().forEach((field) -> names.add(field.name() + ":" + field.type()));
            assertEquals(List.of("window_start:TIMESTAMP", "window_end:TIMESTAMP", "left_time:TIMESTAMP",
                "left_sym:SYMBOL", "qty:INT64", "right_time:TIMESTAMP", "right_sym:SYMBOL", "bid:INT64"), names);

            final Job job = pipeline.start();
            publishInterleaved(random, job, tradeSource, trades, quoteSource, quotes);
            tradeSource.end(new YieldingIdleStrategy());
            quoteSource.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());

            final List<String> rows = pairs.rows();
            assertEquals(sorted(expectedPairs), sorted(rows));
            assertEquals(sorted(expectedNotional), sorted(notional.rows()));
            for (int i = 0; i < rows.size(); i++)
            {
                final String[] fields = rows.get(i).split(",");
                assertEquals(Long.parseLong(fields[1]) - 1, pairs.timestamp(i), "a pair's time is window_end - 1");
            }
            assertEquals(0, lateRecords(job, "pairs"), "the records are never later than the watermark bound");
        }
    }

    @Test
    void intervalJoinOfRandomStreamsMatchesANestedLoopThroughASmallRing() throws Exception
    {
        final long lower = -120;
        final long upper = 80;
        final Random random = new Random(23);
        final List<long[]> trades = randomRecords(random, 1_000, 2, 30);
        final List<long[]> quotes = randomRecords(random, 1_000, 2, 30);

        final List<String> expected = new ArrayList<>();
        for (final long[] t : trades)
        {
            for (final long[] q : quotes)
            {
                if (t[1] == q[1] && t[0] + lower <= q[0] && q[0] <= t[0] + upper)
                {
                    expected.add(t[0] + "," + SYMBOLS[(int)t[1]] + "," + t[2] + "," + q[0] + "," +
                        SYMBOLS[(int)q[1]] + "," + q[2]);
                }
            }
        }
        assertTrue(expected.size() > 10_000, "records with dozens of pairs each: " + expected.size());

        // A ring of 64 slots holds far fewer than a record's pairs: they are emitted across duty cycles while the
        // join takes no other record.
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL, 64))
        {
            final Pipeline pipeline = ferrite.pipeline("interval-join");
            final SourceOptions options = new SourceOptions().watermarks(WatermarkStrategy.boundedOutOfOrderness(30));
            final Publisher tradeSource = pipeline.publisher("trades", TRADE, options);
            final Publisher quoteSource = pipeline.publisher("quotes", QUOTE, options);
            final IntervalJoined joined = pipeline.stream(tradeSource).keyBy("sym", 2)
                .intervalJoin(pipeline.stream(quoteSource).keyBy("sym", 2))
                .between(Duration.ofMillis(lower), Duration.ofMillis(upper));
            final CollectingSink out = joined.project("near").collect("out");
            final List<String> names = new ArrayList<>();
            out.schema().fields().forEach((field) -> names.add(field.name()));
            assertEquals(List.of("left_time", "left_sym", "qty", "right_time", "right_sym", "bid"), names);
            assertEquals(out.schema(), joined.projectionSchema("near"));

            final Job job = pipeline.start();
            publishInterleaved(random, job, tradeSource, trades, quoteSource, quotes);
            tradeSource.end(new YieldingIdleStrategy());
            quoteSource.end(new YieldingIdleStrategy());
            assertTrue(job.await(60, TimeUnit.SECONDS));
            assertNull(job.failure());

            final List<String> rows = out.rows();
            assertEquals(sorted(expected), sorted(rows));
            for (int i = 0; i < rows.size(); i++)
            {
                final String[] fields = rows.get(i).split(",");
                assertEquals(Math.max(Long.parseLong(fields[0]), Long.parseLong(fields[3])), out.timestamp(i),
                    "a pair's time is max(left.ts, right.ts)");
            }
            assertEquals(0, lateRecords(job, "near"));
        }
    }

    @Test
    void lateRecordsAreCountedAndJoinNothing() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL, 1024))
        {
            final Pipeline pipeline = ferrite.pipeline("late");
            final Publisher tradeSource = pipeline.publisher("trades", TRADE, new SourceOptions());
            final Publisher quoteSource = pipeline.publisher("quotes", QUOTE, new SourceOptions());
            final KeyedStream left = pipeline.stream(tradeSource).keyBy("sym", 1);
            final KeyedStream right = pipeline.stream(quoteSource).keyBy("sym", 1);
            final CollectingSink windowed = left.join(right).window(Windows.tumbling(Duration.ofSeconds(1)))
                .project("windowed").collect("windowed-out");
            final CollectingSink near = left.intervalJoin(right).between(Duration.ofMillis(-100), Duration.ofMillis(100))
                .project("near").collect("near-out");
            final Job job = pipeline.start();
            final Publisher.Producer trades = tradeSource.newProducer();
            final Publisher.Producer quotes = quoteSource.newProducer();

            publishTrade(trades, 1_000, "A", 1);
            publishQuote(quotes, 1_050, "A", 10);
            drain(job);
            assertEquals(List.of("1000,A,1,1050,A,10"), near.rows(), "an interval pair comes with its second record");
            assertEquals(List.of(), windowed.rows(), "a window pair comes when its window fires");

            publishTrade(trades, 2_000, "B", 2);
            publishQuote(quotes, 2_000, "B", 20);
            drain(job);
            assertEquals(List.of("1000,2000,1000,A,1,1050,A,10"), windowed.rows(), "watermark 1999 fires [1000,2000)");

            publishTrade(trades, 1_500, "A", 3);   // [1000,2000) fired; at or below the watermark 1999
            publishQuote(quotes, 1_999, "A", 30);
            publishTrade(trades, 2_050, "B", 4);
            drain(job);
            assertEquals(2, lateRecords(job, "windowed"));
            assertEquals(2, lateRecords(job, "near"));

            tradeSource.end(new YieldingIdleStrategy());
            quoteSource.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());
            assertEquals(List.of("1000,2000,1000,A,1,1050,A,10", "2000,3000,2000,B,2,2000,B,20",
                "2000,3000,2050,B,4,2000,B,20"), windowed.rows());
            assertEquals(sorted(List.of("1000,A,1,1050,A,10", "2000,B,2,2000,B,20", "2050,B,4,2000,B,20")),
                sorted(near.rows()));
        }
    }

    @Test
    void aFailingJoinFunctionDeadLettersItsPairOrFailsTheJob() throws Exception
    {
        final JoinFunction failOnThirteen = (trade, quote, windowStart, windowEnd, out) ->
        {
            if (trade.get(QTY) == 13)
            {
                throw new IllegalArgumentException("unlucky quantity");
            }
            out.put(NOTIONAL_TIME, trade.timestamp())
                .putSymbolAsLong(NOTIONAL_SYM, trade.symbolAsLong(TRADE_SYM))
                .put(NOTIONAL_VALUE, trade.get(QTY) * quote.get(BID));
        };
        try (Ferrite ferrite = launch(ErrorPolicy.DEAD_LETTER, 1024))
        {
            final Pipeline pipeline = ferrite.pipeline("dead-letter");
            final Publisher tradeSource = pipeline.publisher("trades", TRADE, new SourceOptions());
            final Publisher quoteSource = pipeline.publisher("quotes", QUOTE, new SourceOptions());
            final CollectingSink out = pipeline.stream(tradeSource).keyBy("sym", 1)
                .intervalJoin(pipeline.stream(quoteSource).keyBy("sym", 1))
                .between(Duration.ZERO, Duration.ofSeconds(1))
                .process("notional", NOTIONAL, failOnThirteen)
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer trades = tradeSource.newProducer();
            final Publisher.Producer quotes = quoteSource.newProducer();
            publishTrade(trades, 1_000, "A", 2);
            publishTrade(trades, 1_001, "A", 13);
            publishQuote(quotes, 1_002, "A", 10);
            tradeSource.end(new YieldingIdleStrategy());
            quoteSource.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());
            assertEquals(List.of("1000,A,20,0"), out.rows());
            job.close();

            final List<DeadLetter> letters = DeadLetter.readAll(job.directory());
            assertEquals(1, letters.size(), letters.toString());
            assertEquals("notional", letters.get(0).operator());
            assertTrue(letters.get(0).reason().contains("paired with right record"), letters.get(0).reason());
            assertTrue(letters.get(0).reason().contains("unlucky quantity"), letters.get(0).reason());
            assertEquals("trade{time=1001, sym='A', qty=13}", letters.get(0).record(TRADE));
        }

        try (Ferrite ferrite = launch(ErrorPolicy.FAIL, 1024))
        {
            final Pipeline pipeline = ferrite.pipeline("fail");
            final Publisher tradeSource = pipeline.publisher("trades", TRADE, new SourceOptions());
            final Publisher quoteSource = pipeline.publisher("quotes", QUOTE, new SourceOptions());
            pipeline.stream(tradeSource).keyBy("sym", 1)
                .join(pipeline.stream(quoteSource).keyBy("sym", 1))
                .window(Windows.tumbling(Duration.ofSeconds(1)))
                .apply("notional", NOTIONAL, failOnThirteen)
                .collect("out");
            final Job job = pipeline.start();
            publishTrade(tradeSource.newProducer(), 1_001, "A", 13);
            publishQuote(quoteSource.newProducer(), 1_002, "A", 10);
            tradeSource.end(new YieldingIdleStrategy());
            quoteSource.end(new YieldingIdleStrategy());
            final JobFailedException failed = assertThrows(JobFailedException.class, job::await);
            final OperatorException cause = assertInstanceOf(OperatorException.class, failed.getCause());
            assertEquals("notional", cause.operator());
            assertTrue(cause.getMessage().contains("pair of left record trade{time=1001, sym='A', qty=13} @1001"),
                cause.getMessage());
            assertTrue(cause.getMessage().contains("and right record quote{time=1002, sym='A', bid=10} @1002"),
                cause.getMessage());
        }
    }

    @Test
    void explainShowsBothJoinsWithTheirLeftAndRightInputs()
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL, 1024))
        {
            final Pipeline pipeline = ferrite.pipeline("explain");
            final KeyedStream left = pipeline.stream(pipeline.publisher("trades", TRADE, new SourceOptions()))
                .keyBy("sym", 2);
            final KeyedStream right = pipeline.stream(pipeline.publisher("quotes", QUOTE, new SourceOptions()))
                .keyBy("sym", 2);
            left.join(right).window(Windows.sliding(Duration.ofSeconds(10), Duration.ofSeconds(1))).project("pairs")
                .collect("pairs-out");
            left.intervalJoin(right).between(Duration.ofMillis(-100), Duration.ofMillis(200))
                .process("near", NOTIONAL, (trade, quote, windowStart, windowEnd, out) -> { })
                .collect("near-out");
            final String plan = pipeline.explain();
            assertTrue(plan.contains("stage 2 'pairs' x2\n" +
                "  input from 'trades' keyed by sym (partitioned by key hash) as left input: 2 ring channel(s)"), plan);
            assertTrue(plan.contains(
                "  input from 'quotes' keyed by sym (partitioned by key hash) as right input: 2 ring channel(s)"), plan);
            assertTrue(plan.contains("  window-join 'pairs' sliding(PT10S every PT1S), projected\n"), plan);
            assertTrue(plan.contains(
                "  interval-join 'near' right.ts in [left.ts - 100, left.ts + 200] milliseconds\n"), plan);
        }
    }

    @Test
    void badJoinsAreRefusedWhenThePipelineIsBuilt()
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL, 1024))
        {
            final Pipeline pipeline = ferrite.pipeline("bad");
            final DataStream trades = pipeline.stream(pipeline.publisher("trades", TRADE, new SourceOptions()));
            final DataStream quotes = pipeline.stream(pipeline.publisher("quotes", QUOTE, new SourceOptions()));
            final KeyedStream left = trades.keyBy("sym", 2);
            final KeyedStream right = quotes.keyBy("sym", 2);

            for (final Windows windows : List.of(Windows.session(Duration.ofSeconds(1)), Windows.count(10),
                Windows.global(), Windows.tumbling(Duration.ofSeconds(1)).inProcessingTime()))
            {
                final IllegalArgumentException thrown =
                    assertThrows(IllegalArgumentException.class, () -> left.join(right).window(windows));
                assertEquals("window join of 'trades' and 'quotes': a window join takes event-time tumbling or " +
                    "sliding windows, not " + windows + "; session, count, global and processing-time windows " +
                    "cannot be joined", thrown.getMessage());
            }
            final IllegalArgumentException micro = assertThrows(IllegalArgumentException.class,
                () -> left.join(right).window(Windows.tumbling(Duration.ofNanos(1_500_000))));
            assertEquals("window size PT0.0015S is not a whole number of milliseconds, the stream's timestamp unit",
                micro.getMessage());

            final IllegalArgumentException reversed = assertThrows(IllegalArgumentException.class,
                () -> left.intervalJoin(right).between(Duration.ofSeconds(2), Duration.ofSeconds(1)));
            assertEquals("interval join of 'trades' and 'quotes': lower bound PT2S exceeds upper bound PT1S; a right " +
                "record must have left.ts + lower <= right.ts <= left.ts + upper", reversed.getMessage());
            final IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class,
                () -> left.intervalJoin(right).between(Duration.ofNanos(-500), Duration.ofSeconds(1)));
            assertEquals("interval join of 'trades' and 'quotes': lower bound PT-0.0000005S is not a whole number " +
                "of milliseconds, the stream's timestamp unit", fraction.getMessage());

            final KeyedStream wider = quotes.keyBy("sym", 3);
            final IllegalArgumentException parallelism =
                assertThrows(IllegalArgumentException.class, () -> left.join(wider));
            assertEquals("join: 'trades' is keyed with parallelism 2 but 'quotes' with 3; joined streams must be " +
                "keyed alike", parallelism.getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> left.intervalJoin(wider)).getMessage()
                .startsWith("interval join: 'trades' is keyed with parallelism 2"));

            final Pipeline other = ferrite.pipeline("other");
            final KeyedStream elsewhere =
                other.stream(other.publisher("quotes", QUOTE, new SourceOptions())).keyBy("sym", 2);
            assertEquals("join: 'quotes' is in another pipeline",
                assertThrows(IllegalArgumentException.class, () -> left.join(elsewhere)).getMessage());
            assertEquals("interval join: 'quotes' is in another pipeline",
                assertThrows(IllegalArgumentException.class, () -> left.intervalJoin(elsewhere)).getMessage());

            final Schema microQuote = Schema.builder("micro_quote")
                .timestamp("time", TimeUnit.MICROSECONDS).symbol("sym", 8).int64("bid").build();
            final KeyedStream micros =
                pipeline.stream(pipeline.publisher("micro", microQuote, new SourceOptions())).keyBy("sym", 2);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> left.join(micros)).getMessage()
                .contains("'trades' has event time in MILLISECONDS but 'micro' in MICROSECONDS"));

            final KeyedStream byBid = quotes.keyBy("bid", 2);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> left.intervalJoin(byBid)).getMessage()
                .contains("'trades' is keyed by SYMBOL field 'sym' but 'quotes' by INT64 field 'bid'"));

            final Schema prefixed = Schema.builder("prefixed")
                .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("left_sym").build();
            final KeyedStream clashing =
                pipeline.stream(pipeline.publisher("prefixed", prefixed, new SourceOptions())).keyBy("sym", 2);
            final IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> clashing.join(right).window(Windows.tumbling(Duration.ofSeconds(1))).project("clash"));
            assertTrue(clash.getMessage().startsWith("window join 'clash': projected field name 'left_sym' is taken " +
                "twice"), clash.getMessage());
        }
    }

    /**
     * Records {time, symbol index, value} with timestamps rising by {@code step} on average, each up to
     * {@code jitter - 1} late: never later than a bounded-out-of-orderness watermark of {@code jitter} allows.
     */
    private static List<long[]> randomRecords(final Random random, final int count, final int step, final int jitter)
    {
        final List<long[]> records = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final long base = 1_000 + (long)i * step;
            records.add(new long[]{base + random.nextInt(jitter), random.nextInt(SYMBOLS.length),
                1 + random.nextInt(1_000)});
        }
        return records;
    }

    /**
     * Publish both sides, interleaved at random, driving the job after bursts of about {@link #BURST} records (so
     * records queue in the join's inputs) and whenever a publisher's ring is full.
     */
    private static void publishInterleaved(
        final Random random,
        final Job job,
        final Publisher tradeSource,
        final List<long[]> trades,
        final Publisher quoteSource,
        final List<long[]> quotes)
    {
        final Publisher.Producer tradeProducer = tradeSource.newProducer();
        final Publisher.Producer quoteProducer = quoteSource.newProducer();
        int t = 0;
        int q = 0;
        while (t < trades.size() || q < quotes.size())
        {
            final boolean trade = q == quotes.size() || (t < trades.size() && random.nextBoolean());
            final Publisher.Producer producer = trade ? tradeProducer : quoteProducer;
            final long[] record = trade ? trades.get(t++) : quotes.get(q++);
            while (!producer.tryClaim())
            {
                job.doWork();
            }
            if (trade)
            {
                producer.record().put(TRADE_TIME, record[0]).put(TRADE_SYM, SYMBOLS[(int)record[1]])
                    .put(QTY, record[2]);
            }
            else
            {
                producer.record().put(QUOTE_TIME, record[0]).put(QUOTE_SYM, SYMBOLS[(int)record[1]])
                    .put(BID, record[2]);
            }
            producer.commit();
            if (random.nextInt(BURST) == 0)
            {
                job.doWork();
            }
        }
    }

    private static void publishTrade(final Publisher.Producer producer, final long time, final String sym, final long qty)
    {
        assertTrue(producer.tryClaim(), "the publisher's ring is full");
        producer.record().put(TRADE_TIME, time).put(TRADE_SYM, sym).put(QTY, qty);
        producer.commit();
    }

    private static void publishQuote(final Publisher.Producer producer, final long time, final String sym, final long bid)
    {
        assertTrue(producer.tryClaim(), "the publisher's ring is full");
        producer.record().put(QUOTE_TIME, time).put(QUOTE_SYM, sym).put(BID, bid);
        producer.commit();
    }

    /**
     * The sum of the late records counters of a join's stage instances.
     */
    private static long lateRecords(final Job job, final String stage) throws Exception
    {
        try (CountersFile.Reader reader = CountersFile.openReader(job.directory()))
        {
            final long[] total = {0};
            final int[] found = {0};
            reader.counters().forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId == Job.LATE_RECORDS_TYPE_ID && (label.startsWith("stage " + stage + ":") ||
                    label.startsWith("stage " + stage + "#")))
                {
                    total[0] += reader.counters().getCounterValue(counterId);
                    found[0]++;
                }
            });
            assertTrue(found[0] > 0, "no late records counter for stage " + stage);
            return total[0];
        }
    }

    private static List<String> sorted(final List<String> rows)
    {
        final List<String> copy = new ArrayList<>(rows);
        Collections.sort(copy);
        return copy;
    }

    private Ferrite launch(final ErrorPolicy policy, final int ringCapacity)
    {
        clock.update(1_000_000_000L);
        return Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .ringCapacity(ringCapacity)
            .memoryBudgetBytes(BUDGET)
            .errorPolicy(policy)
            .warningHandler((warning) -> fail("unexpected warning: " + warning)));
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
