package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.queues.committed.ReadCommittedReader;
import io.ferrite.queues.journal.Journal;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * Checkpoints of stateful jobs — windows, window and interval joins, keyed process functions — driven on the test's
 * thread in the invoker threading mode with a manual clock: each job is "crashed" (closed without finishing) at
 * seeded random points after checkpoints, started again on the same directory, and must end with the output of an
 * uninterrupted run: the same bytes where the output order is fixed by the data (one instance per operator), the same
 * records and the same order per key where two inputs meet and their interleaving follows the scheduling.
 */
class StatefulCheckpointRecoveryTest
{
    private static final long BUDGET = 64L * 1024 * 1024;
    private static final int RECORDS = 12_000;
    private static final int CRASHES = 4;
    private static final int BURST = 40;
    private static final long SESSION_GAP_MS = 60;

    private static final Schema EVENT = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("key").int64("value").build();
    private static final TimestampField TIME = EVENT.timestampField("time");
    private static final Int64Field KEY = EVENT.int64Field("key");
    private static final Int64Field VALUE = EVENT.int64Field("value");

    private static final Schema SESSION = Schema.builder("session")
        .int64("key").int64("first").int64("last").int64("count").int64("sum").int64("min").int64("max").build();

    private static final AggregateFunction STATS = Aggregates.of(
        Aggregates.count("n"),
        Aggregates.sum(EVENT, "value", "sum"),
        Aggregates.min(EVENT, "value", "min"),
        Aggregates.max(EVENT, "value", "max"));

    @TempDir
    Path dir;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> warnings = new ArrayList<>();

    /**
     * Record {@code n} of a source, made from {@code n} alone: 3 ms apart with up to 15 ms of disorder (the watermark
     * allows 20, so no record is ever late), one of 7 keys, values of either sign.
     */
    private static GeneratorFunction events(final long salt)
    {
        return events(salt, 1);
    }

    /**
     * As {@link #events(long)}, the keys taking turns in bursts of {@code burst} records.
     */
    private static GeneratorFunction events(final long salt, final int burst)
    {
        return (sequence, out) ->
        {
            out.put(TIME, sequence * 3 + (sequence * 7 + salt) % 16);
            out.put(KEY, (sequence / burst + salt) % 7);
            out.put(VALUE, (sequence * 7_919 + salt * 31) % 2_001 - 1_000);
            return true;
        };
    }

    private static DataStream source(final Pipeline pipeline, final String name, final long salt)
    {
        return source(pipeline, name, events(salt));
    }

    private static DataStream source(final Pipeline pipeline, final String name, final GeneratorFunction events)
    {
        return pipeline.generator(name, EVENT, new SourceOptions().maxRecords(RECORDS)
            .watermarks(WatermarkStrategy.boundedOutOfOrderness(20)), events);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // windows
    // ----------------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "parallelism={0}")
    @ValueSource(ints = {1, 2})
    void tumblingAndSlidingWindowAggregatesAreExactlyOnceAcrossCrashes(final int parallelism) throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) -> windowPipeline(ferrite, parallelism, 100);
        final Path reference = dir.resolve("reference");
        final int cycles = runUninterrupted(reference, pipeline);
        final Path data = dir.resolve("crashing");
        crashAtRandomPointsThenFinish(data, pipeline, 11 + parallelism, cycles, (job) -> true);
        for (final String file : new String[]{"tumbling.csv", "sliding.csv"})
        {
            final byte[] expected = Files.readAllBytes(reference.resolve(file));
            assertTrue(expected.length > RECORDS, "the reference run wrote its windows: " + file);
            final byte[] actual = Files.readAllBytes(data.resolve(file));
            if (parallelism == 1)
            {
                assertArrayEquals(expected, actual, file);
            }
            else
            {
                // The sink reads two window instances, interleaved as the stages were scheduled.
                assertSameRecords(lines(expected), lines(actual), file);
                assertEquals(byKey(lines(expected)), byKey(lines(actual)), file + ": each key's results in order");
            }
        }
    }

    private Pipeline windowPipeline(final Ferrite ferrite, final int parallelism, final long tumblingMs)
    {
        final Pipeline pipeline = ferrite.pipeline("job");
        final KeyedStream keyed = source(pipeline, "events", 0).keyBy("key", parallelism);
        keyed.window(Windows.tumbling(Duration.ofMillis(tumblingMs)))
            .aggregate("tumbling", STATS)
            .sinkToCsv("tumbling-out", ferrite.context().directory().resolve("tumbling.csv"));
        keyed.window(Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100)))
            .aggregate("sliding", STATS)
            .sinkToCsv("sliding-out", ferrite.context().directory().resolve("sliding.csv"));
        return pipeline;
    }

    @Test
    void restoringACheckpointTakenWithAnotherWindowSizeFailsNamingTheOperatorAndWhatDiffers() throws Exception
    {
        final Path data = dir.resolve("resized");
        try (Ferrite ferrite = launch(data))
        {
            final Job job = windowPipeline(ferrite, 1, 100).start();
            run(job, 5);
            checkpoint(job);
            run(job, 3);
        }
        try (Ferrite ferrite = launch(data))
        {
            final Pipeline resized = windowPipeline(ferrite, 1, 200);
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class, resized::start);
            final String message = ex.getMessage();
            assertTrue(message.contains("cannot restore stage tumbling from checkpoint 1"), message);
            assertTrue(message.contains("operator 'tumbling'"), message);
            assertTrue(message.contains("checkpoint taken with tumbling 100, this operator is tumbling 200"), message);
        }
        try (Ferrite ferrite = launch(data))
        {
            final Job job = windowPipeline(ferrite, 1, 100).start();
            assertEquals(1, job.restoredCheckpoint(), "the refused restore left the checkpoint as it was");
            runToEnd(job);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // joins
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void windowJoinIsExactlyOnceAcrossCrashes() throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            final Pipeline built = ferrite.pipeline("job");
            final KeyedStream left = source(built, "left", 0).keyBy("key", 1);
            final KeyedStream right = source(built, "right", 3).keyBy("key", 1);
            left.join(right).window(Windows.sliding(Duration.ofMillis(40), Duration.ofMillis(20)))
                .project("pairs").sinkToCommittedJournal("pairs-out");
            return built;
        };
        final Path reference = dir.resolve("reference");
        final int cycles = runUninterrupted(reference, pipeline);
        final List<String> expected = committed(reference, "pairs-out");
        assertTrue(expected.size() > RECORDS, "the reference run joined many pairs: " + expected.size());

        final Path data = dir.resolve("crashing");
        crashAtRandomPointsThenFinish(data, pipeline, 21, cycles, (job) -> true);
        // One join instance fires its windows in (end, key, start) order, and each window's pairs in arrival order.
        assertEquals(expected, committed(data, "pairs-out"));
    }

    @Test
    void intervalJoinWithPairsQueuedWhenCheckpointsAreTakenIsExactlyOnceAcrossCrashes() throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            // Both sides from one source, so that neither runs ahead of the other and ends first.
            final Pipeline built = ferrite.pipeline("job");
            final DataStream events = source(built, "events", 0);
            final KeyedStream left = events.filter("left", (in) -> (in.get(VALUE) & 1) == 0).keyBy("key", 2);
            final KeyedStream right = events.filter("right", (in) -> (in.get(VALUE) & 1) != 0).keyBy("key", 2);
            left.intervalJoin(right).between(Duration.ofMillis(-75), Duration.ofMillis(75))
                .project("pairs").sinkToCommittedJournal("pairs-out");
            return built;
        };
        final Path reference = dir.resolve("reference");
        final int cycles = runUninterrupted(reference, pipeline);
        final List<String> expected = committed(reference, "pairs-out");
        assertTrue(expected.size() > RECORDS, "each record pairs with several: " + expected.size());

        final Path data = dir.resolve("crashing");
        // Trigger each checkpoint while a join instance holds pairs it has not emitted yet. A barrier that finds pairs
        // queued waits until they are out (OperatorStageTest holds one by hand); a snapshot taken with pairs queued
        // restores them (JoinLinkCheckpointTest).
        crashAtRandomPointsThenFinish(data, pipeline, 31, cycles,
            StatefulCheckpointRecoveryTest::anIntervalJoinHasPairsQueued);
        // Pairs come out when their second record arrives, and the two inputs interleave as they were scheduled.
        assertSameRecords(expected, committed(data, "pairs-out"), "pairs");
    }

    private static boolean anIntervalJoinHasPairsQueued(final Job job)
    {
        for (final Links.Link link : job.links())
        {
            if (link instanceof JoinLink.Interval && !link.ready())
            {
                return true;
            }
        }
        return false;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // keyed process functions
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * Sessions by hand: value state holds a key's open session (first and last timestamp, count, sum, min, max); an
     * event-time timer at the last timestamp plus the gap emits and clears it, and is moved on by each record. Only
     * the timer ends a session: a record after the gap with the timer lost would join the old session.
     */
    private static final class Sessions implements KeyedProcessFunction
    {
        private static final Schema STATE = Schema.builder("open-session")
            .int64("first").int64("last").int64("count").int64("sum").int64("min").int64("max").build();
        private static final Int64Field S_FIRST = STATE.int64Field("first");
        private static final Int64Field S_LAST = STATE.int64Field("last");
        private static final Int64Field S_COUNT = STATE.int64Field("count");
        private static final Int64Field S_SUM = STATE.int64Field("sum");
        private static final Int64Field S_MIN = STATE.int64Field("min");
        private static final Int64Field S_MAX = STATE.int64Field("max");

        @Override
        public void processRecord(final RecordView record, final KeyedContext ctx, final Collector out)
        {
            final long time = record.timestamp();
            final long value = record.get(VALUE);
            if (!ctx.hasState())
            {
                ctx.state().put(S_FIRST, time).put(S_LAST, time).put(S_COUNT, 1).put(S_SUM, value)
                    .put(S_MIN, value).put(S_MAX, value);
                ctx.registerEventTimeTimer(time + SESSION_GAP_MS);
                return;
            }
            final RecordWriter state = ctx.state();
            state.put(S_FIRST, Math.min(state.get(S_FIRST), time)).put(S_COUNT, state.get(S_COUNT) + 1)
                .put(S_SUM, state.get(S_SUM) + value)
                .put(S_MIN, Math.min(state.get(S_MIN), value)).put(S_MAX, Math.max(state.get(S_MAX), value));
            final long last = state.get(S_LAST);
            if (time > last)
            {
                state.put(S_LAST, time);
                ctx.deleteEventTimeTimer(last + SESSION_GAP_MS);
                ctx.registerEventTimeTimer(time + SESSION_GAP_MS);
            }
        }

        @Override
        public void onTimer(final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
        {
            final RecordWriter state = ctx.state();
            out.begin().put(SESSION.int64Field("key"), ctx.key())
                .put(SESSION.int64Field("first"), state.get(S_FIRST))
                .put(SESSION.int64Field("last"), state.get(S_LAST))
                .put(SESSION.int64Field("count"), state.get(S_COUNT))
                .put(SESSION.int64Field("sum"), state.get(S_SUM))
                .put(SESSION.int64Field("min"), state.get(S_MIN))
                .put(SESSION.int64Field("max"), state.get(S_MAX));
            out.emit();
            ctx.clearState();
        }
    }

    @Test
    void keyedProcessFunctionWithValueStateAndEventTimeTimersIsExactlyOnceAcrossCrashes() throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            final Pipeline built = ferrite.pipeline("job");
            source(built, "events", events(0, BURST)).keyBy("key", 2)
                .process("sessions", SESSION, Sessions.STATE, new Sessions())
                .sinkToCsv("out", ferrite.context().directory().resolve("sessions.csv"));
            return built;
        };
        final Path reference = dir.resolve("reference");
        final int cycles = runUninterrupted(reference, pipeline);
        final List<String> expected = lines(Files.readAllBytes(reference.resolve("sessions.csv")));
        assertEquals(expectedSessions(), sorted(expected.subList(1, expected.size())),
            "the reference run found every burst of a key as one session");

        final Path data = dir.resolve("crashing");
        crashAtRandomPointsThenFinish(data, pipeline, 41, cycles, (job) -> true);
        // Two instances feed the sink: the order across keys follows the scheduling, each key's does not.
        final List<String> actual = lines(Files.readAllBytes(data.resolve("sessions.csv")));
        assertSameRecords(expected, actual, "sessions");
        assertEquals(byKey(expected), byKey(actual), "each key's sessions in order");
    }

    /**
     * One session per burst: a key's records in a burst are less than the gap apart, its bursts far more.
     */
    private static List<String> expectedSessions()
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[EVENT.recordLength()]);
        final RecordWriter writer = new RecordWriter(EVENT);
        writer.wrapMutable(record, 0);
        final GeneratorFunction generator = events(0, BURST);
        final List<String> rows = new ArrayList<>();
        for (long burst = 0; burst * BURST < RECORDS; burst++)
        {
            final long[] session = {Long.MAX_VALUE, Long.MIN_VALUE, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE};
            long key = -1;
            for (long n = burst * BURST; n < Math.min(RECORDS, (burst + 1) * BURST); n++)
            {
                generator.next(n, writer);
                key = writer.get(KEY);
                final long value = writer.get(VALUE);
                session[0] = Math.min(session[0], writer.get(TIME));
                session[1] = Math.max(session[1], writer.get(TIME));
                session[2]++;
                session[3] += value;
                session[4] = Math.min(session[4], value);
                session[5] = Math.max(session[5], value);
            }
            rows.add(key + "," + session[0] + "," + session[1] + "," + session[2] + "," + session[3] + "," +
                session[4] + "," + session[5]);
        }
        return sorted(rows);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // plain journal sink
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void aCheckpointOfAJobWithAPlainJournalSinkIsRefusedWithTheCommittedJournalAsTheWayOut() throws Exception
    {
        try (Ferrite ferrite = launch(dir.resolve("plain")))
        {
            final Pipeline pipeline = ferrite.pipeline("job");
            source(pipeline, "events", 0).keyBy("key", 1)
                .window(Windows.tumbling(Duration.ofMillis(100))).aggregate("tumbling", STATS)
                .sinkToJournal("out");
            final Job job = pipeline.start();
            run(job, 3);
            final IllegalStateException ex = assertThrows(IllegalStateException.class, job::checkpoint);
            assertTrue(ex.getMessage().contains("sink 'out' is a plain journal"), ex.getMessage());
            assertTrue(ex.getMessage().contains("use sinkToCommittedJournal(\"out\")"), ex.getMessage());
            assertFalse(ex.getMessage().contains("tumbling"), "the window can be checkpointed: " + ex.getMessage());
            runToEnd(job);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // harness
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * Crash {@link #CRASHES} times, after checkpoints at seeded random points spread over the first 85 % of an
     * uninterrupted run's duty cycles (each once {@code checkpointWhen} holds, from that point on) and a random number
     * of cycles past each; then run to the end. Each start must restore the checkpoint the run before it took.
     */
    private void crashAtRandomPointsThenFinish(
        final Path data,
        final Function<Ferrite, Pipeline> pipeline,
        final long seed,
        final int uninterruptedCycles,
        final Predicate<Job> checkpointWhen) throws Exception
    {
        final Random random = new Random(seed);
        final int[] points = new int[CRASHES];
        for (int i = 0; i < CRASHES; i++)
        {
            points[i] = 1 + random.nextInt(uninterruptedCycles * 85 / 100);
        }
        Arrays.sort(points);
        long lastRestored = -1;
        int reached = 0;
        for (int crash = 0; crash < CRASHES; crash++)
        {
            try (Ferrite ferrite = launch(data))
            {
                final Job job = pipeline.apply(ferrite).start();
                assertEquals(lastRestored, job.restoredCheckpoint());
                // A restored job goes on from its checkpoint, about where the run before it took the checkpoint.
                run(job, Math.max(1, points[crash] - reached));
                reached = Math.max(reached, points[crash]);
                for (int i = 0; i < 10_000 && !checkpointWhen.test(job); i++)
                {
                    job.doWork();
                    reached++;
                }
                assertTrue(checkpointWhen.test(job), "the moment for a checkpoint came");
                lastRestored = checkpoint(job);
                run(job, random.nextInt(Math.max(1, uninterruptedCycles / 10)));
                assertFalse(job.isDone(), "the job must still be running when it crashes");
                assertEquals(List.of(), warnings);
            }
        }
        try (Ferrite ferrite = launch(data))
        {
            final Job job = pipeline.apply(ferrite).start();
            assertEquals(lastRestored, job.restoredCheckpoint());
            runToEnd(job);
        }
        assertEquals(List.of(), warnings);
    }

    private static long checkpoint(final Job job) throws InterruptedException
    {
        final long id = job.checkpoint();
        assertTrue(id > 0, "checkpoint triggered");
        assertTrue(job.awaitCheckpoint(id, 10, TimeUnit.SECONDS), "checkpoint " + id + " completed");
        return id;
    }

    private int runUninterrupted(final Path data, final Function<Ferrite, Pipeline> pipeline)
    {
        try (Ferrite ferrite = launch(data))
        {
            return runToEnd(pipeline.apply(ferrite).start());
        }
    }

    private static void run(final Job job, final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            job.doWork();
        }
    }

    private static int runToEnd(final Job job)
    {
        int cycles = 0;
        while (cycles < 1_000_000 && !job.isDone())
        {
            job.doWork();
            cycles++;
        }
        if (!job.isDone())
        {
            fail("the job did not finish: " + job.failure());
        }
        return cycles;
    }

    private static List<String> committed(final Path data, final String sink)
    {
        final List<String> rows = new ArrayList<>();
        final Path directory = data.resolve("job").resolve("sinks").resolve(sink);
        try (Journal journal = Journal.open(new Journal.Context().directory(directory).maxPayloadLength(1024)))
        {
            ReadCommittedReader.readAllCommitted(journal, (index, buffer, offset, length) ->
            {
                final StringBuilder row = new StringBuilder();
                for (int i = 0; i < length; i += 8)
                {
                    row.append(i == 0 ? "" : ",").append(buffer.getLong(offset + i));
                }
                rows.add(row.toString());
            });
        }
        return rows;
    }

    private static List<String> lines(final byte[] csv)
    {
        return List.of(new String(csv, StandardCharsets.US_ASCII).split("\n"));
    }

    private static List<String> sorted(final List<String> rows)
    {
        final List<String> copy = new ArrayList<>(rows);
        Collections.sort(copy);
        return copy;
    }

    /**
     * The same records, each as often.
     */
    private static void assertSameRecords(final List<String> expected, final List<String> actual, final String what)
    {
        assertEquals(expected.size(), actual.size(), what + ": records");
        assertEquals(sorted(expected), sorted(actual), what + ": the same records");
    }

    /**
     * Rows by key, their first column, each key's in their order.
     */
    private static Map<String, List<String>> byKey(final List<String> rows)
    {
        final Map<String, List<String>> byKey = new TreeMap<>();
        for (final String row : rows)
        {
            byKey.computeIfAbsent(row.substring(0, Math.max(0, row.indexOf(','))), (k) -> new ArrayList<>()).add(row);
        }
        return byKey;
    }

    private Ferrite launch(final Path data)
    {
        clock.update(1_000_000_000L);
        // Small rings and batches: many duty cycles to crash in, and a source stays close to the operators it feeds,
        // so it ends about when the job does.
        return Ferrite.launch(new Ferrite.Context()
            .directory(data)
            .ringCapacity(64)
            .batchLimit(32)
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .memoryBudgetBytes(BUDGET)
            .errorPolicy(ErrorPolicy.FAIL)
            .warningHandler(warnings::add));
    }
}
