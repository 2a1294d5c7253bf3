package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.schema.BooleanField;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int32Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * The public pipeline API end to end, driven on the test's thread in the invoker threading mode with a manual clock:
 * every result is checked against one computed in plain Java.
 */
class PipelineOperatorsTest
{
    private static final long BUDGET = 32L * 1024 * 1024;
    private static final long START_NS = 1_000_000_000L;

    private static final Schema EVENT = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).symbol("key", 8).int64("value").build();
    private static final TimestampField TIME = EVENT.timestampField("time");
    private static final SymbolField KEY = EVENT.symbolField("key");
    private static final Int64Field VALUE = EVENT.int64Field("value");

    private static final Schema SCALED = Schema.builder("scaled")
        .timestamp("time", TimeUnit.MILLISECONDS).symbol("key", 8).int64("scaled").build();
    private static final TimestampField SCALED_TIME = SCALED.timestampField("time");
    private static final SymbolField SCALED_KEY = SCALED.symbolField("key");
    private static final Int64Field SCALED_VALUE = SCALED.int64Field("scaled");

    private static final Schema COPY = Schema.builder("copy")
        .symbol("key", 8).int64("scaled").int32("copy").build();
    private static final SymbolField COPY_KEY = COPY.symbolField("key");
    private static final Int64Field COPY_VALUE = COPY.int64Field("scaled");
    private static final Int32Field COPY_INDEX = COPY.int32Field("copy");

    private static final Schema FIRED = Schema.builder("fired")
        .symbol("key", 8).int64("at").bool("processing").build();
    private static final SymbolField FIRED_KEY = FIRED.symbolField("key");
    private static final Int64Field FIRED_AT = FIRED.int64Field("at");
    private static final BooleanField FIRED_PROCESSING = FIRED.booleanField("processing");

    @TempDir
    Path dir;

    private final CachedNanoClock clock = new CachedNanoClock();

    // ----------------------------------------------------------------------------------------------------------------
    // 1. map, filter, flatMap
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void mapFilterFlatMapMatchPlainJava() throws Exception
    {
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++)
        {
            final long scaled = i * 3L;
            if (scaled % 2 == 1)
            {
                final long copies = scaled % 4;
                for (int c = 0; c < copies; c++)
                {
                    expected.add("K" + (i % 4) + "," + scaled + "," + c);
                }
            }
        }

        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("operators");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final CollectingSink out = pipeline.stream(events)
                .map("scale", SCALED, (in, record) -> record
                    .put(SCALED_TIME, in.get(TIME))
                    .put(SCALED_KEY, in.symbol(KEY))
                    .put(SCALED_VALUE, in.get(VALUE) * 3))
                .filter("odd", (in) -> in.get(SCALED_VALUE) % 2 == 1)
                .flatMap("repeat", COPY, 3, (in, collector) ->
                {
                    final long copies = in.get(SCALED_VALUE) % 4;
                    for (int c = 0; c < copies; c++)
                    {
                        collector.begin()
                            .put(COPY_KEY, in.symbol(SCALED_KEY))
                            .put(COPY_VALUE, in.get(SCALED_VALUE))
                            .put(COPY_INDEX, c);
                        collector.emit();
                    }
                })
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();
            for (int i = 0; i < 60; i++)
            {
                publish(producer, 1_000 + i, "K" + (i % 4), i);
            }
            events.end(new YieldingIdleStrategy());
            job.await();

            assertNull(job.failure());
            assertTrue(job.isDone());
            assertTrue(out.isEnded());
            // one source stage, everything chained: arrival order is kept
            assertEquals(expected, out.rows());
        }
    }

    @Test
    void flatMapEmittingMoreThanDeclaredFailsTheJob() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("too-many");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final CollectingSink out = pipeline.stream(events)
                .flatMap("repeat", COPY, 2, (in, collector) ->
                {
                    final int copies = in.get(VALUE) == 5 ? 3 : 1;
                    for (int c = 0; c < copies; c++)
                    {
                        collector.begin().put(COPY_KEY, in.symbol(KEY)).put(COPY_VALUE, in.get(VALUE))
                            .put(COPY_INDEX, c);
                        collector.emit();
                    }
                })
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();
            for (int i = 0; i < 10; i++)
            {
                publish(producer, 100 + i, "K", i);
            }
            events.end(new YieldingIdleStrategy());

            final JobFailedException thrown = assertThrows(JobFailedException.class, job::await);
            final OperatorException cause = assertInstanceOf(OperatorException.class, thrown.getCause());
            assertEquals("repeat", cause.operator());
            assertTrue(cause.record().contains("value=5"), cause.record());
            assertInstanceOf(IllegalStateException.class, cause.getCause());
            assertTrue(cause.getCause().getMessage().contains("declared maximum of 2"), cause.getCause().getMessage());
            assertTrue(thrown.getMessage().contains("too-many"), thrown.getMessage());
            assertEquals(cause, job.failure());
            // records 0..4 got through (one copy each), and the first two copies of 5 before the third was refused
            assertEquals(7, out.size());
            assertFalse(job.isDone());
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 2. keyBy + process with value state
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void keyedRunningCountAndSumMatchesHashMapReference() throws Exception
    {
        final Schema sums = Schema.builder("sums").int64("count").int64("sum").build();
        final Int64Field count = sums.int64Field("count");
        final Int64Field sum = sums.int64Field("sum");
        final Schema running = Schema.builder("running")
            .timestamp("time", TimeUnit.MILLISECONDS).symbol("key", 8).int64("count").int64("sum").build();
        final TimestampField outTime = running.timestampField("time");
        final SymbolField outKey = running.symbolField("key");
        final Int64Field outCount = running.int64Field("count");
        final Int64Field outSum = running.int64Field("sum");

        final int records = 400;
        final Map<String, long[]> reference = new HashMap<>();
        final Map<String, List<String>> expected = new LinkedHashMap<>();
        for (int i = 0; i < records; i++)
        {
            final String key = "S" + (i * 7 % 16);
            final long value = (i * 31L) % 100 - 20;
            final long[] acc = reference.computeIfAbsent(key, (k) -> new long[2]);
            acc[0]++;
            acc[1] += value;
            expected.computeIfAbsent(key, (k) -> new ArrayList<>()).add(i + "," + key + "," + acc[0] + "," + acc[1]);
        }

        final Map<Long, Set<KeyedContext>> instancesOfKey = new HashMap<>();
        final Set<KeyedContext> instances = new HashSet<>();
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("keyed");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final CollectingSink out = pipeline.stream(events)
                .keyBy("key", 2)
                .process("running", running, sums, new KeyedProcessFunction()
                {
                    @Override
                    public void processRecord(final RecordView in, final KeyedContext ctx, final Collector collector)
                    {
                        instancesOfKey.computeIfAbsent(ctx.key(), (k) -> new HashSet<>()).add(ctx);
                        instances.add(ctx);
                        final RecordWriter state = ctx.state();
                        state.put(count, state.get(count) + 1).put(sum, state.get(sum) + in.get(VALUE));
                        collector.begin()
                            .put(outTime, in.get(TIME))
                            .putSymbolAsLong(outKey, ctx.key())
                            .put(outCount, state.get(count))
                            .put(outSum, state.get(sum));
                        collector.emit();
                    }
                })
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();
            for (int i = 0; i < records; i++)
            {
                publish(producer, i, "S" + (i * 7 % 16), (i * 31L) % 100 - 20);
            }
            events.end(new YieldingIdleStrategy());
            job.await();

            assertEquals(records, out.size());
            final Map<String, List<String>> actual = new LinkedHashMap<>();
            for (final String row : out.rows())
            {
                actual.computeIfAbsent(row.split(",")[1], (k) -> new ArrayList<>()).add(row);
            }
            // per key, in order: a key split over two instances would restart its count in the second one
            assertEquals(expected, actual);
            assertEquals(16, instancesOfKey.size());
            for (final Map.Entry<Long, Set<KeyedContext>> entry : instancesOfKey.entrySet())
            {
                assertEquals(1, entry.getValue().size(), "key " + entry.getKey() + " met several instances");
            }
            assertEquals(2, instances.size(), "both instances of the keyed operator should get keys");
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 3. timers
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void eventTimeTimersFireInTimestampOrderAsTheWatermarkPassesAndAllAtTheEnd() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("event-timers");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final List<Long> watermarksAtFiring = new ArrayList<>();
            final CollectingSink fired = pipeline.stream(events)
                .keyBy("key", 1)
                .process("delay", FIRED, null, new KeyedProcessFunction()
                {
                    @Override
                    public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
                    {
                        ctx.registerEventTimeTimer(in.timestamp() + in.get(VALUE));
                    }

                    @Override
                    public void onTimer(
                        final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
                    {
                        watermarksAtFiring.add(ctx.watermark());
                        out.begin().putSymbolAsLong(FIRED_KEY, ctx.key()).put(FIRED_AT, timestamp)
                            .put(FIRED_PROCESSING, domain == TimeDomain.PROCESSING_TIME);
                        out.emit();
                    }
                })
                .collect("fired");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();

            publish(producer, 100, "A", 30);    // timer at 130
            publish(producer, 101, "B", 9);     // timer at 110
            publish(producer, 102, "C", 18);    // timer at 120
            drain(job);
            assertEquals(List.of(), fired.rows(), "the watermark (101) has passed no timer yet");

            publish(producer, 125, "D", 1_000); // timer at 1125; the watermark goes to 124
            drain(job);
            assertEquals(List.of("B,110,false", "C,120,false"), fired.rows());

            events.end(new YieldingIdleStrategy());
            job.await();
            assertEquals(List.of("B,110,false", "C,120,false", "A,130,false", "D,1125,false"), fired.rows());
            assertEquals(124L, watermarksAtFiring.get(0));
            assertEquals(124L, watermarksAtFiring.get(1));
            assertEquals(Long.MAX_VALUE, watermarksAtFiring.get(3));
        }
    }

    @Test
    void processingTimeTimerFiresWhenTheManualClockReachesIt() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("processing-timers");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final CollectingSink fired = pipeline.stream(events)
                .keyBy("key", 1)
                .process("timeout", FIRED, null, new KeyedProcessFunction()
                {
                    @Override
                    public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
                    {
                        ctx.registerProcessingTimeTimer(ctx.processingTime() + TimeUnit.MILLISECONDS.toNanos(5));
                    }

                    @Override
                    public void onTimer(
                        final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
                    {
                        out.begin().putSymbolAsLong(FIRED_KEY, ctx.key()).put(FIRED_AT, timestamp)
                            .put(FIRED_PROCESSING, domain == TimeDomain.PROCESSING_TIME);
                        out.emit();
                    }
                })
                .collect("fired");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();

            publish(producer, 10, "A", 0);
            drain(job);
            assertEquals(0, fired.size());

            clock.advance(TimeUnit.MILLISECONDS.toNanos(5) - 1);
            drain(job);
            assertEquals(0, fired.size(), "one nanosecond early");

            clock.advance(1);
            drain(job);
            assertEquals(List.of("A," + (START_NS + 5_000_000L) + ",true"), fired.rows());

            events.end(new YieldingIdleStrategy());
            job.await();
            assertEquals(1, fired.size());
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 4. side outputs
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void sideOutputsGoToTheirOwnSinks() throws Exception
    {
        final Schema alert = Schema.builder("alert").symbol("key", 8).int64("value").bool("huge").build();
        final SymbolField alertKey = alert.symbolField("key");
        final Int64Field alertValue = alert.int64Field("value");
        final BooleanField alertHuge = alert.booleanField("huge");
        final OutputTag negative = new OutputTag("negative", EVENT);
        final OutputTag alerts = new OutputTag("alerts", alert);

        final List<String> expectedMain = new ArrayList<>();
        final List<String> expectedNegative = new ArrayList<>();
        final List<String> expectedAlerts = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final long value = (i * 37L) % 301 - 100;
            final String row = i + ",K" + (i % 5) + "," + value;
            if (value < 0)
            {
                expectedNegative.add(row);
            }
            else
            {
                expectedMain.add(row);
                if (value > 100)
                {
                    expectedAlerts.add("K" + (i % 5) + "," + value + ",true");
                }
            }
        }

        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("sides");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final DataStream main = pipeline.stream(events)
                .keyBy("key", 2)
                .process("route", EVENT, null, 1, new KeyedProcessFunction()
                {
                    @Override
                    public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
                    {
                        if (in.get(VALUE) < 0)
                        {
                            ctx.side(negative).begin().copyFrom(in);
                            ctx.side(negative).emit();
                            return;
                        }
                        out.begin().copyFrom(in);
                        out.emit();
                        if (in.get(VALUE) > 100)
                        {
                            ctx.side(alerts).begin().putSymbolAsLong(alertKey, ctx.key())
                                .put(alertValue, in.get(VALUE)).put(alertHuge, true);
                            ctx.side(alerts).emit();
                        }
                    }
                }, negative, alerts);
            final CollectingSink mainSink = main.collect("main-out");
            final CollectingSink negativeSink = main.sideOutput(negative).collect("negative-out");
            final CollectingSink alertSink = main.sideOutput(alerts).collect("alert-out");
            assertEquals("route.negative", main.sideOutput(negative).name());

            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();
            for (int i = 0; i < 100; i++)
            {
                publish(producer, i, "K" + (i % 5), (i * 37L) % 301 - 100);
            }
            events.end(new YieldingIdleStrategy());
            job.await();

            // two instances merge into each sink, so only the multiset is fixed
            assertEquals(sorted(expectedMain), sorted(mainSink.rows()));
            assertEquals(sorted(expectedNegative), sorted(negativeSink.rows()));
            assertEquals(sorted(expectedAlerts), sorted(alertSink.rows()));
            assertTrue(!expectedNegative.isEmpty() && !expectedAlerts.isEmpty());
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 5. union, combined watermark, idleness
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void unionWatermarkIsTheMinimumOfBothSourcesUntilTheSilentOneTurnsIdle() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("union");
            final Publisher left = pipeline.publisher("left", EVENT, new SourceOptions());
            final Publisher right = pipeline.publisher("right", EVENT,
                new SourceOptions().idleTimeout(50, TimeUnit.MILLISECONDS));
            final DataStream both = pipeline.stream(left).union("both", pipeline.stream(right));
            final CollectingSink fired = both
                .keyBy("key", 1)
                .process("alarm", FIRED, null, new KeyedProcessFunction()
                {
                    @Override
                    public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
                    {
                        ctx.registerEventTimeTimer(in.get(VALUE));
                    }

                    @Override
                    public void onTimer(
                        final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
                    {
                        out.begin().putSymbolAsLong(FIRED_KEY, ctx.key()).put(FIRED_AT, timestamp);
                        out.emit();
                    }
                })
                .collect("fired");
            final CollectingSink merged = both.collect("merged");
            final Job job = pipeline.start();
            final Publisher.Producer leftProducer = left.newProducer();
            final Publisher.Producer rightProducer = right.newProducer();

            publish(leftProducer, 100, "A", 150);
            publish(leftProducer, 300, "A", 1_000);
            drain(job);
            assertEquals(List.of(), fired.rows(), "left is at 299 but right has no watermark yet");

            publish(rightProducer, 200, "B", 160);
            drain(job);
            assertEquals(List.of("A,150,false", "B,160,false"), fired.rows(), "min(299, 199) = 199");

            publish(leftProducer, 2_000, "A", 5_000);
            drain(job);
            assertEquals(2, fired.size(), "left is at 1999, right still at 199: the timer at 1000 waits");

            clock.advance(TimeUnit.MILLISECONDS.toNanos(50) - 1);
            drain(job);
            assertEquals(2, fired.size(), "right is not idle yet");

            clock.advance(1);
            drain(job);
            assertEquals(List.of("A,150,false", "B,160,false", "A,1000,false"), fired.rows(),
                "right went idle, so left's 1999 is the watermark");

            left.end(new YieldingIdleStrategy());
            right.end(new YieldingIdleStrategy());
            job.await();
            assertEquals(List.of("A,150,false", "B,160,false", "A,1000,false", "A,5000,false"), fired.rows());
            assertEquals(sorted(List.of("100,A,150", "300,A,1000", "200,B,160", "2000,A,5000")),
                sorted(merged.rows()));
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 6. connect + CoProcessFunction
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void connectedStreamsEnrichTradesWithTheLatestPricePerKey() throws Exception
    {
        final Schema trade = Schema.builder("trade")
            .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("qty").build();
        final TimestampField tradeTime = trade.timestampField("time");
        final Int64Field tradeQty = trade.int64Field("qty");
        final Schema price = Schema.builder("price")
            .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).float64("price").build();
        final Float64Field pricePrice = price.float64Field("price");
        final Schema enriched = Schema.builder("enriched")
            .timestamp("time", TimeUnit.MILLISECONDS).symbol("sym", 8).int64("qty").float64("price").bool("priced")
            .build();
        final TimestampField outTime = enriched.timestampField("time");
        final SymbolField outSym = enriched.symbolField("sym");
        final Int64Field outQty = enriched.int64Field("qty");
        final Float64Field outPrice = enriched.float64Field("price");
        final BooleanField outPriced = enriched.booleanField("priced");
        final Schema latest = Schema.builder("latest").float64("price").build();
        final Float64Field latestPrice = latest.float64Field("price");

        final String[] symbols = {"AAPL", "MSFT", "GOOG", "AMZN", "IBM", "ORCL", "TSLA", "META"};
        final Map<Long, Set<KeyedContext>> instancesOfKey = new HashMap<>();
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("enrich");
            final Publisher trades = pipeline.publisher("trades", trade, new SourceOptions());
            final Publisher prices = pipeline.publisher("prices", price, new SourceOptions());
            final CollectingSink out = pipeline.stream(trades).keyBy("sym", 2)
                .connect(pipeline.stream(prices).keyBy("sym", 2))
                .process("join", enriched, latest, new CoProcessFunction()
                {
                    @Override
                    public void processFirst(final RecordView in, final KeyedContext ctx, final Collector collector)
                    {
                        instancesOfKey.computeIfAbsent(ctx.key(), (k) -> new HashSet<>()).add(ctx);
                        final boolean priced = ctx.hasState();
                        collector.begin()
                            .put(outTime, in.get(tradeTime))
                            .putSymbolAsLong(outSym, ctx.key())
                            .put(outQty, in.get(tradeQty))
                            .put(outPrice, priced ? ctx.state().get(latestPrice) : 0.0)
                            .put(outPriced, priced);
                        collector.emit();
                    }

                    @Override
                    public void processSecond(final RecordView in, final KeyedContext ctx, final Collector collector)
                    {
                        instancesOfKey.computeIfAbsent(ctx.key(), (k) -> new HashSet<>()).add(ctx);
                        ctx.state().put(latestPrice, in.get(pricePrice));
                    }
                })
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer tradeProducer = trades.newProducer();
            final Publisher.Producer priceProducer = prices.newProducer();

            final Map<String, Double> reference = new HashMap<>();
            final List<String> expected = new ArrayList<>();
            // prices and trades are published in separate phases, each drained before the next, so every trade meets
            // exactly the prices published before it, whatever the interleaving of the two inputs
            long time = 1_000;
            for (int i = 0; i < 6; i++)
            {
                publishPrice(priceProducer, ++time, symbols[i], 10.0 + i, reference);
            }
            drain(job);
            for (int i = 0; i < symbols.length; i++)
            {
                publishTrade(tradeProducer, ++time, symbols[i], i + 1, reference, expected);
            }
            drain(job);
            for (final int i : new int[]{0, 2, 6})
            {
                publishPrice(priceProducer, ++time, symbols[i], 100.25 + i, reference);
            }
            drain(job);
            for (int i = symbols.length - 1; i >= 0; i--)
            {
                publishTrade(tradeProducer, ++time, symbols[i], 10 + i, reference, expected);
            }
            drain(job);
            trades.end(new YieldingIdleStrategy());
            prices.end(new YieldingIdleStrategy());
            job.await();

            assertEquals(sorted(expected), sorted(out.rows()));
            final Set<KeyedContext> instances = new HashSet<>();
            for (final Set<KeyedContext> owners : instancesOfKey.values())
            {
                assertEquals(1, owners.size(), "a key's trades and prices must meet in one instance");
                instances.addAll(owners);
            }
            assertEquals(symbols.length, instancesOfKey.size());
            assertEquals(2, instances.size(), "both instances of the join should get keys");
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 7. error policies
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void failPolicyReportsOperatorAndRecord() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("fails");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final CollectingSink out = pipeline.stream(events)
                .map("checked", EVENT, (in, record) ->
                {
                    if (in.get(VALUE) == 13)
                    {
                        throw new IllegalArgumentException("unlucky " + in.get(VALUE));
                    }
                    record.copyFrom(in);
                })
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();
            for (int i = 0; i < 20; i++)
            {
                publish(producer, 500 + i, "K" + i, i);
            }
            events.end(new YieldingIdleStrategy());

            final JobFailedException thrown = assertThrows(JobFailedException.class, job::await);
            final OperatorException failure = assertInstanceOf(OperatorException.class, job.failure());
            assertEquals(failure, thrown.getCause());
            assertEquals("checked", failure.operator());
            assertTrue(failure.record().contains("event{time=513, key='K13', value=13}"), failure.record());
            assertInstanceOf(IllegalArgumentException.class, failure.getCause());
            assertTrue(failure.getMessage().contains("operator 'checked'"), failure.getMessage());
            assertTrue(failure.getMessage().contains("unlucky 13"), failure.getMessage());
            assertEquals(13, out.size(), "the records before the bad one got through");
            assertFalse(job.isDone());
        }
    }

    @Test
    void deadLetterPolicySkipsBadRecordsAndKeepsThem() throws Exception
    {
        final List<String> expected = new ArrayList<>();
        final List<Long> expectedDead = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            if (i % 7 == 0)
            {
                expectedDead.add((long)i);
            }
            else
            {
                expected.add((500 + i) + ",K" + i + "," + i);
            }
        }

        try (Ferrite ferrite = launch(ErrorPolicy.DEAD_LETTER))
        {
            final Pipeline pipeline = ferrite.pipeline("dead-letters");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            final CollectingSink out = pipeline.stream(events)
                .map("checked", EVENT, (in, record) ->
                {
                    if (in.get(VALUE) % 7 == 0)
                    {
                        throw new IllegalArgumentException("multiple of seven: " + in.get(VALUE));
                    }
                    record.copyFrom(in);
                })
                .collect("out");
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();
            for (int i = 0; i < 30; i++)
            {
                publish(producer, 500 + i, "K" + i, i);
            }
            events.end(new YieldingIdleStrategy());
            job.await();
            assertNull(job.failure());
            assertEquals(expected, out.rows());
            job.close();

            final List<DeadLetter> letters = DeadLetter.readAll(job.directory());
            assertEquals(expectedDead.size(), letters.size(), letters.toString());
            final long[] originOfValue = new long[30];
            for (int i = 0; i < letters.size(); i++)
            {
                final DeadLetter letter = letters.get(i);
                final long value = expectedDead.get(i);
                assertEquals("checked", letter.operator());
                assertTrue(letter.reason().contains("IllegalArgumentException"), letter.reason());
                assertTrue(letter.reason().contains("multiple of seven: " + value), letter.reason());
                assertEquals("event{time=" + (500 + value) + ", key='K" + value + "', value=" + value + "}",
                    letter.record(EVENT));
                assertEquals(0, letter.sourceId());
                originOfValue[(int)value] = letter.originIndex();
            }
            for (int i = 0; i < out.size(); i++)
            {
                originOfValue[(int)out.get(i).get(VALUE)] = out.get(i).journalIndex();
            }
            // a record's origin is its index in the source's journal, where records are in publication order: the
            // dead letters' origins interleave with the processed records' as the values do
            for (int value = 1; value < 30; value++)
            {
                assertTrue(originOfValue[value] > originOfValue[value - 1], "origin of " + value);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 8. CSV source and sink
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void csvSourceFailPolicyNamesFileAndLine() throws Exception
    {
        final Path file = writeCsvInput(dir.resolve("in.csv"));
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("csv-fail");
            final CollectingSink out = pipeline.csv("csv-in", EVENT, file, new SourceOptions()).collect("out");
            final Job job = pipeline.start();

            final JobFailedException thrown = assertThrows(JobFailedException.class, job::await);
            final OperatorException cause = assertInstanceOf(OperatorException.class, thrown.getCause());
            assertEquals("csv-in", cause.operator());
            assertTrue(thrown.getMessage().contains(file.toString() + " line 4"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("(value)"), thrown.getMessage());
            assertEquals(List.of("1000,AAA,1", "1001,BBB,2"), out.rows());
        }
    }

    @Test
    void csvSourceDeadLetterSkipsTheMalformedLineAndCsvSinkWritesHeaderAndRows() throws Exception
    {
        final Path file = writeCsvInput(dir.resolve("in.csv"));
        final Path sinkFile = dir.resolve("out.csv");
        final List<String> expectedLines = new ArrayList<>();
        expectedLines.add("time,key,value");
        final List<Long> expectedOrigins = new ArrayList<>();
        final List<String> input = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (int line = 2; line <= input.size(); line++)
        {
            final String[] columns = input.get(line - 1).split(",");
            if (line != 4 && !input.get(line - 1).isEmpty())
            {
                expectedLines.add(columns[0] + "," + columns[1] + "," + Long.parseLong(columns[2]) * 2);
                expectedOrigins.add((long)line);
            }
        }

        try (Ferrite ferrite = launch(ErrorPolicy.DEAD_LETTER))
        {
            final Pipeline pipeline = ferrite.pipeline("csv-dead");
            final DataStream doubled = pipeline.csv("csv-in", EVENT, file, new SourceOptions())
                .map("double", EVENT, (in, record) -> record.copyFrom(in).put(VALUE, in.get(VALUE) * 2));
            doubled.sinkToCsv("csv-out", sinkFile);
            final CollectingSink out = doubled.collect("out");
            final Job job = pipeline.start();
            job.await();
            job.close();

            assertEquals(expectedLines, Files.readAllLines(sinkFile, StandardCharsets.US_ASCII));
            assertEquals(expectedLines.subList(1, expectedLines.size()), out.rows());
            final List<Long> origins = new ArrayList<>();
            for (int i = 0; i < out.size(); i++)
            {
                origins.add(out.get(i).journalIndex());
            }
            assertEquals(expectedOrigins, origins, "a CSV record's origin is its line number");

            final List<DeadLetter> letters = DeadLetter.readAll(job.directory());
            assertEquals(1, letters.size(), letters.toString());
            final DeadLetter letter = letters.get(0);
            assertEquals("csv-in", letter.operator());
            assertEquals(4L, letter.originIndex());
            assertTrue(letter.reason().contains(file.toString() + " line 4"), letter.reason());
            assertEquals(input.get(3), new String(letter.record(), StandardCharsets.US_ASCII));
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 9. generator source, journal sink and journal source
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void generatorEndsAfterMaxRecordsAndItsJournalSinkReplaysTheSameRecords() throws Exception
    {
        final int count = 2_500;
        final List<String> expected = new ArrayList<>();
        for (long i = 0; i < count; i++)
        {
            expected.add(i * 10 + ",G" + (i % 5) + "," + i * i);
        }

        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("generate");
            final DataStream generated = pipeline.generator("numbers", EVENT,
                new SourceOptions().maxRecords(count), (sequence, record) ->
                {
                    record.put(TIME, sequence * 10).put(KEY, "G" + (sequence % 5)).put(VALUE, sequence * sequence);
                    return true;
                });
            generated.sinkToJournal("journal-out");
            final CollectingSink copy = generated.collect("copy");
            final Job job = pipeline.start();
            assertTrue(job.await(10, TimeUnit.SECONDS), "the generator should end after " + count + " records");
            assertTrue(job.isDone());
            assertEquals(expected, copy.rows());
            job.close();

            final Pipeline replay = ferrite.pipeline("replay");
            final CollectingSink back = replay.journal("journal-in", EVENT,
                job.directory().resolve("sinks").resolve("journal-out"), new SourceOptions().endAtLastEntry(true))
                .collect("back");
            final Job replayJob = replay.start();
            assertTrue(replayJob.await(10, TimeUnit.SECONDS), "a journal source ending at its last entry ends");
            assertEquals(expected, back.rows());
            for (int i = 0; i < count; i += 499)
            {
                assertEquals(i * 10L, back.timestamp(i), "event time is read from the timestamp field");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 10. explain and the memory budget
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void explainShowsStagesChainingKeyingAndParallelism() throws Exception
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("plan");
            final Publisher events = pipeline.publisher("src", EVENT, new SourceOptions());
            pipeline.stream(events)
                .filter("positive", (in) -> in.get(VALUE) > 0)
                .map("scale", SCALED, (in, record) -> record.put(SCALED_VALUE, in.get(VALUE)))
                .keyBy("key", 3)
                .process("count", EVENT, null, (in, ctx, out) ->
                {
                })
                .collect("out");

            final String plan = pipeline.explain();
            assertTrue(plan.startsWith("pipeline 'plan': 3 stage(s), 5 instance(s), threading INVOKER"), plan);
            assertTrue(plan.contains("stage 0 'src' x1\n"), plan);
            assertTrue(plan.contains("source 'src' (publisher, journaled process_safe, monotonic)"), plan);
            assertTrue(plan.contains("-> chained:\n     filter 'positive'\n"), plan);
            assertTrue(plan.contains("-> chained:\n        map 'scale'\n"), plan);
            assertTrue(plan.contains("-> ring to stage 1 'count' keyed by key\n"), plan);
            assertTrue(plan.contains("stage 1 'count' x3\n"), plan);
            assertTrue(plan.contains("input from 'scale' keyed by key (partitioned by key hash): 3 ring channel(s)"),
                plan);
            assertTrue(plan.contains("stage 2 'out' x1\n"), plan);
            assertTrue(plan.contains("input from 'count' forward: 3 ring channel(s)"), plan);

            final Job job = pipeline.start();
            assertTrue(job.explain().contains("threads: none (invoker"), job.explain());
            assertTrue(job.recoverable());
        }
    }

    @Test
    void pipelineOverBudgetFailsToStartNamingAnOwnerAndFreesEverything() throws Exception
    {
        try (Ferrite ferrite = Ferrite.launch(context(ErrorPolicy.FAIL).memoryBudgetBytes(128 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("tight");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            pipeline.stream(events)
                .keyBy("key", 4)
                .process("count", EVENT, EVENT, (in, ctx, out) -> ctx.state().copyFrom(in))
                .collect("out");

            final MemoryBudgetExceededException thrown =
                assertThrows(MemoryBudgetExceededException.class, pipeline::start);
            assertTrue(thrown.owner().startsWith("tight."), thrown.owner());
            assertTrue(thrown.getMessage().contains("owner=" + thrown.owner()), thrown.getMessage());
            assertEquals(128 * 1024, thrown.budgetBytes());
            assertEquals(0, ferrite.memoryManager().usedBytes(), ferrite.memoryManager().toString());
            assertThrows(IllegalStateException.class, events::newProducer, "the publisher never attached");
        }
    }

    @Test
    void startFailingOnASinkChainedToAKeyedOperatorFreesTheOperatorsState() throws Exception
    {
        final Path unwritable = dir.resolve("no-such-directory").resolve("out.csv");
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("bad-sink");
            final Publisher events = pipeline.publisher("events", EVENT, new SourceOptions());
            pipeline.stream(events)
                .keyBy("key", 1)
                .process("count", EVENT, EVENT, (in, ctx, out) -> ctx.state().copyFrom(in))
                .sinkToCsv("csv-out", unwritable);

            final UncheckedIOException thrown = assertThrows(UncheckedIOException.class, pipeline::start);
            assertTrue(thrown.getMessage().contains("sink 'csv-out'"), thrown.getMessage());
            assertEquals(0, ferrite.memoryManager().usedBytes(), ferrite.memoryManager().toString());
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // 11. bad builder input
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void duplicateOperatorNamesAreRejected()
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("dupes");
            final DataStream mapped = pipeline.stream(pipeline.publisher("events", EVENT, new SourceOptions()))
                .map("twice", EVENT, (in, record) -> record.copyFrom(in));
            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> mapped.filter("twice", (in) -> true));
            assertTrue(thrown.getMessage().contains("already has an operator named 'twice'"), thrown.getMessage());
            assertThrows(IllegalArgumentException.class,
                () -> pipeline.publisher("events", EVENT, new SourceOptions()), "a source name is an operator name");
        }
    }

    @Test
    void keyByOnAFloatFieldIsRejected()
    {
        final Schema priced = Schema.builder("priced")
            .timestamp("time", TimeUnit.MILLISECONDS).float64("price").build();
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("float-key");
            final DataStream stream = pipeline.stream(pipeline.publisher("prices", priced, new SourceOptions()));
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> stream.keyBy("price", 2));
            assertTrue(thrown.getMessage().contains("'price'"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("FLOAT64"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("KeySelector"), thrown.getMessage());
        }
    }

    @Test
    void keyByOnASymbolLongerThanEightIsRejected()
    {
        final Schema named = Schema.builder("named")
            .timestamp("time", TimeUnit.MILLISECONDS).symbol("name", 12).build();
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("long-key");
            final DataStream stream = pipeline.stream(pipeline.publisher("names", named, new SourceOptions()));
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> stream.keyBy("name", 2));
            assertTrue(thrown.getMessage().contains("'name'"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("12 characters"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("at most 8"), thrown.getMessage());
        }
    }

    @Test
    void unionOfDifferentSchemasIsRejected()
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("bad-union");
            final DataStream events = pipeline.stream(pipeline.publisher("events", EVENT, new SourceOptions()));
            final DataStream scaled = pipeline.stream(pipeline.publisher("scaled", SCALED, new SourceOptions()));
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> events.union("both", scaled));
            assertTrue(thrown.getMessage().contains("'scaled' has schema 'scaled'"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("'events' has 'event'"), thrown.getMessage());
        }
    }

    @Test
    void connectWithDifferentParallelismIsRejected()
    {
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("bad-connect");
            final KeyedStream first =
                pipeline.stream(pipeline.publisher("first", EVENT, new SourceOptions())).keyBy("key", 2);
            final KeyedStream second =
                pipeline.stream(pipeline.publisher("second", EVENT, new SourceOptions())).keyBy("key", 3);
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> first.connect(second));
            assertTrue(thrown.getMessage().contains("parallelism 2"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("'second' with 3"), thrown.getMessage());
        }
    }

    @Test
    void sourceSchemaWithoutTimestampIsRejected()
    {
        final Schema untimed = Schema.builder("untimed").symbol("key", 8).int64("value").build();
        try (Ferrite ferrite = launch(ErrorPolicy.FAIL))
        {
            final Pipeline pipeline = ferrite.pipeline("untimed");
            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> pipeline.publisher("events", untimed, new SourceOptions()));
            assertTrue(thrown.getMessage().contains("source 'events'"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("no timestamp field"), thrown.getMessage());
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // helpers
    // ----------------------------------------------------------------------------------------------------------------

    private Ferrite.Context context(final ErrorPolicy policy)
    {
        clock.update(START_NS);
        return new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .memoryBudgetBytes(BUDGET)
            .errorPolicy(policy)
            .warningHandler((warning) -> fail("unexpected warning: " + warning));
    }

    private Ferrite launch(final ErrorPolicy policy)
    {
        return Ferrite.launch(context(policy));
    }

    private static void publishPrice(
        final Publisher.Producer producer,
        final long time,
        final String sym,
        final double value,
        final Map<String, Double> reference)
    {
        reference.put(sym, value);
        assertTrue(producer.tryClaim(), "the publisher's ring is full");
        final Schema schema = producer.record().schema();
        producer.record().put(schema.timestampField("time"), time).put(schema.symbolField("sym"), sym)
            .put(schema.float64Field("price"), value);
        producer.commit();
    }

    private static void publishTrade(
        final Publisher.Producer producer,
        final long time,
        final String sym,
        final long qty,
        final Map<String, Double> reference,
        final List<String> expected)
    {
        final Double known = reference.get(sym);
        expected.add(time + "," + sym + "," + qty + "," + (null == known ? 0.0 : known) + "," + (null != known));
        assertTrue(producer.tryClaim(), "the publisher's ring is full");
        final Schema schema = producer.record().schema();
        producer.record().put(schema.timestampField("time"), time).put(schema.symbolField("sym"), sym)
            .put(schema.int64Field("qty"), qty);
        producer.commit();
    }

    private static void publish(final Publisher.Producer producer, final long time, final String key, final long value)
    {
        assertTrue(producer.tryClaim(), "the publisher's ring is full");
        producer.record().put(TIME, time).put(KEY, key).put(VALUE, value);
        producer.commit();
    }

    /**
     * Run duty cycles until the job has had nothing to do for a few in a row.
     */
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

    private static Path writeCsvInput(final Path file) throws Exception
    {
        final String text = "time,key,value\n" +
            "1000,AAA,1\n" +
            "1001,BBB,2\n" +
            "1002,CCC,three\n" +
            "1003,AAA,4\n" +
            "\n" +
            "1005,DDD,-6\n" +
            "1006,BBB,7\n";
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        return file;
    }

    private static List<String> sorted(final List<String> rows)
    {
        return rows.stream().sorted().toList();
    }
}
