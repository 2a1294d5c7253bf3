package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.queues.committed.ReadCommittedReader;
import io.ferrite.queues.journal.Journal;

/**
 * Checkpoints and recovery, driven on the test's thread in the invoker threading mode: a job is "crashed" (closed
 * without finishing) at chosen moments after a checkpoint, started again on the same directory, and must end with
 * exactly the output of an uninterrupted run.
 */
class CheckpointRecoveryTest
{
    private static final long BUDGET = 32L * 1024 * 1024;
    private static final int RECORDS = 20_000;

    private static final Schema EVENT = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("key").int64("value").build();
    private static final TimestampField TIME = EVENT.timestampField("time");
    private static final Int64Field KEY = EVENT.int64Field("key");
    private static final Int64Field VALUE = EVENT.int64Field("value");

    @TempDir
    Path dir;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> warnings = new ArrayList<>();
    private ErrorPolicy policy = ErrorPolicy.FAIL;

    @Test
    void csvSinkOfAJournaledGeneratorIsExactlyOnceAcrossCrashes() throws Exception
    {
        final byte[] expected = uninterrupted(this::statelessPipeline);
        final Path data = dir.resolve("crashing");
        crashThreeTimesThenFinish(data, this::statelessPipeline);
        assertArrayEquals(expected, Files.readAllBytes(data.resolve("out.csv")));
    }

    @Test
    void headerlessCsvSinkIsExactlyOnceAcrossCrashesAndHoldsOnlyTheRecords() throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            final Pipeline p = ferrite.pipeline("job");
            p.generator("events", EVENT, new SourceOptions().maxRecords(RECORDS), (sequence, out) ->
            {
                out.put(TIME, sequence);
                out.put(KEY, sequence % 7);
                out.put(VALUE, sequence * sequence % 1_000);
                return true;
            })
                .filter("even", (in) -> in.get(VALUE) % 2 == 0)
                .sinkToCsv("out", ferrite.context().directory().resolve("out.csv"), false, false);
            return p;
        };
        final byte[] expected = uninterrupted(pipeline);
        final String[] lines = new String(expected, StandardCharsets.US_ASCII).split("\n");
        long even = 0;
        for (long sequence = 0; sequence < RECORDS; sequence++)
        {
            even += sequence * sequence % 1_000 % 2 == 0 ? 1 : 0;
        }
        assertEquals(even, lines.length, "one line per record and no header");
        assertEquals("0,0,0", lines[0]);
        final Path data = dir.resolve("crashing");
        crashThreeTimesThenFinish(data, pipeline);
        assertArrayEquals(expected, Files.readAllBytes(data.resolve("out.csv")));
    }

    @Test
    void committedJournalSinkDeliversEachCommittedRecordOnceAcrossCrashes() throws Exception
    {
        final Path reference = dir.resolve("reference-journal");
        try (Ferrite ferrite = launch(reference))
        {
            runToEnd(journalPipeline(ferrite).start());
        }
        final List<String> expected = committed(reference);
        assertTrue(expected.size() > RECORDS / 3, "the reference run committed its output: " + expected.size());

        final Path data = dir.resolve("crashing-journal");
        crashThreeTimesThenFinish(data, this::journalPipeline);
        assertEquals(expected, committed(data));
    }

    private void crashThreeTimesThenFinish(final Path data, final Function<Ferrite, Pipeline> pipeline)
        throws Exception
    {
        crashThreeTimesThenFinish(data, pipeline, true);
    }

    /**
     * @param journaled whether the source is journaled, so a restart replays what came after the checkpoint (a CSV
     *                  file is read again from the checkpoint's line instead).
     */
    private void crashThreeTimesThenFinish(
        final Path data, final Function<Ferrite, Pipeline> pipeline, final boolean journaled) throws Exception
    {
        // Crash three times at different depths, each after a checkpoint and some records past it.
        final int[][] crashes = {{3, 5}, {6, 9}, {4, 4}};
        long lastRestored = -1;
        for (final int[] crash : crashes)
        {
            try (Ferrite ferrite = launch(data))
            {
                final Job job = pipeline.apply(ferrite).start();
                assertEquals(lastRestored, job.restoredCheckpoint());
                if (lastRestored < 0)
                {
                    // A fresh job has nothing to replay: caught up at once.
                    assertTrue(job.recoveryTimeNs() >= 0, "a fresh job is caught up");
                    assertEquals(0, job.replayedRecords());
                }
                run(job, crash[0]);
                final long id = job.checkpoint();
                assertTrue(id > 0, "checkpoint triggered");
                assertTrue(job.awaitCheckpoint(id, 10, TimeUnit.SECONDS), "checkpoint " + id + " completed");
                assertTrue(job.lastCheckpointSizeBytes() > 0);
                run(job, crash[1]);
                assertTrue(!job.isDone(), "the job must still be running when it crashes");
                lastRestored = id;
            }
        }
        try (Ferrite ferrite = launch(data))
        {
            final Job job = pipeline.apply(ferrite).start();
            assertEquals(lastRestored, job.restoredCheckpoint());
            runToEnd(job);
            // The records journaled after the last checkpoint were replayed, and the replay ended.
            assertEquals(journaled, job.replayedRecords() > 0, "replayed " + job.replayedRecords());
            assertTrue(job.recoveryTimeNs() >= 0, "caught up");
        }
    }

    /**
     * Every committed output carries its identity — origin source, journal index, index among that origin's outputs —
     * and after three crashes the identities are those of an uninterrupted run: unique, each origin's outputs numbered
     * from 0.
     */
    @Test
    void committedOutputsCarryTheirDeterministicIdentityAcrossCrashes() throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            final Pipeline p = ferrite.pipeline("job");
            twiceOrNot(p).sinkToCommittedJournal("out", true);
            return p;
        };
        final Path reference = dir.resolve("reference-identity");
        try (Ferrite ferrite = launch(reference))
        {
            runToEnd(pipeline.apply(ferrite).start());
        }
        final List<String> expected = identities(reference);
        long outputs = 0;
        for (long sequence = 0; sequence < RECORDS; sequence++)
        {
            outputs += sequence % 3;
        }
        assertEquals(outputs, expected.size(), "0, 1 or 2 outputs a record");
        final Path data = dir.resolve("crashing-identity");
        crashThreeTimesThenFinish(data, pipeline);
        final List<String> actual = identities(data);
        assertEquals(expected, actual);
        assertEquals(actual.size(), new java.util.HashSet<>(actual).size(), "identities are unique");
    }

    /**
     * A journaled generator whose record n gives n % 3 outputs, numbered in their values.
     */
    private static DataStream twiceOrNot(final Pipeline pipeline)
    {
        return pipeline.generator("events", EVENT, new SourceOptions().maxRecords(RECORDS), (sequence, out) ->
        {
            out.put(TIME, sequence);
            out.put(KEY, sequence % 7);
            out.put(VALUE, sequence);
            return true;
        })
            .flatMap("twice-or-not", EVENT, 2, (in, out) ->
            {
                for (long i = 0; i < in.get(VALUE) % 3; i++)
                {
                    out.begin().put(TIME, in.get(TIME)).put(KEY, in.get(KEY)).put(VALUE, in.get(VALUE) * 10 + i);
                    out.emit();
                }
            });
    }

    /**
     * The CSV sink's identity columns: the file after three crashes equals an uninterrupted run's byte for byte, and
     * every line's identity is unique, its output index the flatMap's number for that input.
     */
    @Test
    void csvIdentityColumnsAreTheSameAcrossCrashes() throws Exception
    {
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            final Pipeline p = ferrite.pipeline("job");
            twiceOrNot(p).sinkToCsv("out", ferrite.context().directory().resolve("out.csv"), true);
            return p;
        };
        final byte[] expected = uninterrupted(pipeline);
        final Path data = dir.resolve("crashing-csv-identity");
        crashThreeTimesThenFinish(data, pipeline);
        assertArrayEquals(expected, Files.readAllBytes(data.resolve("out.csv")));
        final List<String> lines = Files.readAllLines(data.resolve("out.csv"), StandardCharsets.US_ASCII);
        assertTrue(lines.get(0).endsWith(",source_id,journal_index,output_index"), lines.get(0));
        final java.util.Set<String> identities = new java.util.HashSet<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] columns = line.split(",");
            final int n = columns.length;
            assertEquals(Long.parseLong(columns[2]) % 10, Long.parseLong(columns[n - 1]), line);
            assertTrue(identities.add(columns[n - 3] + ":" + columns[n - 2] + ":" + columns[n - 1]), line);
        }
    }

    private static List<String> identities(final Path data)
    {
        final List<String> rows = new ArrayList<>();
        try (Journal journal = Journal.open(new Journal.Context().directory(data.resolve("job").resolve("sinks")
            .resolve("out")).maxPayloadLength(64 + OutputIdentity.LENGTH + 8)))
        {
            ReadCommittedReader.readAllCommitted(journal, (index, buffer, offset, length) ->
            {
                final long value = buffer.getLong(OutputIdentity.recordOffset(offset) + VALUE.offset());
                final int output = OutputIdentity.outputIndex(buffer, offset);
                assertEquals(value % 10, output, "the output index is the flatMap's i for that input");
                rows.add(OutputIdentity.sourceId(buffer, offset) + ":" + OutputIdentity.journalIndex(buffer, offset) +
                    ":" + output + " " + value / 10);
            });
        }
        return rows;
    }

    /**
     * A job that ran to the end of its input (its sink committed everything) started again on its directory — as
     * after a kill between the final commit and the process's exit: it restores its newest checkpoint, replays to the
     * same end, and the committed output stays exactly what it was.
     */
    @Test
    void aFinishedJobStartedAgainLeavesItsCommittedOutputAsItWas() throws Exception
    {
        final Path data = dir.resolve("finished");
        try (Ferrite ferrite = launch(data))
        {
            final Job job = journalPipeline(ferrite).start();
            run(job, 5);
            final long id = job.checkpoint();
            assertTrue(job.awaitCheckpoint(id, 10, TimeUnit.SECONDS), "checkpoint " + id);
            runToEnd(job);
        }
        final List<String> expected = committed(data);
        assertTrue(expected.size() > RECORDS / 3, "committed " + expected.size());
        try (Ferrite ferrite = launch(data))
        {
            final Job job = journalPipeline(ferrite).start();
            assertTrue(job.restoredCheckpoint() > 0, "restored a checkpoint");
            runToEnd(job);
            assertNull(job.failure());
        }
        assertEquals(expected, committed(data));
    }

    private static List<String> committed(final Path data)
    {
        final List<String> rows = new ArrayList<>();
        try (Journal journal = Journal.open(new Journal.Context().directory(data.resolve("job").resolve("sinks")
            .resolve("out")).maxPayloadLength(64 + 8)))
        {
            ReadCommittedReader.readAllCommitted(journal, (index, buffer, offset, length) ->
                rows.add(buffer.getLong(offset + TIME.offset()) + "," + buffer.getLong(offset + KEY.offset()) +
                "," + buffer.getLong(offset + VALUE.offset())));
        }
        return rows;
    }

    private Pipeline journalPipeline(final Ferrite ferrite)
    {
        final Pipeline pipeline = ferrite.pipeline("job");
        pipeline.generator("events", EVENT, new SourceOptions().maxRecords(RECORDS), (sequence, out) ->
        {
            out.put(TIME, sequence);
            out.put(KEY, sequence % 7);
            out.put(VALUE, sequence * sequence % 1_000);
            return true;
        })
            .filter("even", (in) -> in.get(VALUE) % 2 == 0)
            .sinkToCommittedJournal("out");
        return pipeline;
    }

    @Test
    void withoutACheckpointAJournaledSourceReplaysEverything() throws Exception
    {
        final byte[] expected = uninterrupted(this::statelessPipeline);
        final Path data = dir.resolve("no-checkpoint");
        try (Ferrite ferrite = launch(data))
        {
            final Job job = statelessPipeline(ferrite).start();
            run(job, 7);
        }
        try (Ferrite ferrite = launch(data))
        {
            final Job job = statelessPipeline(ferrite).start();
            assertEquals(-1, job.restoredCheckpoint());
            assertEquals(-1, job.recoveryTimeNs(), "replaying the whole journal");
            runToEnd(job);
            assertTrue(job.replayedRecords() > 0, "replayed " + job.replayedRecords());
            assertTrue(job.recoveryTimeNs() >= 0, "caught up");
        }
        assertArrayEquals(expected, Files.readAllBytes(data.resolve("out.csv")));
    }

    @Test
    void periodicCheckpointsKeepTheirIntervalWhenEveryDutyCycleIsBusy() throws Exception
    {
        // Every duty cycle takes a full batch and 10 ms of the job clock pass per cycle. The first stage's housekeeping
        // runs every 4096 cycles, 41 s here: the interval of 100 ms holds only if it looks at the clock more often.
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir.resolve("periodic"))
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .memoryBudgetBytes(BUDGET)
            .checkpointInterval(Duration.ofMillis(100))
            .warningHandler(warnings::add)))
        {
            final Pipeline pipeline = ferrite.pipeline("job");
            pipeline.generator("events", EVENT, new SourceOptions(), (sequence, out) ->
            {
                out.put(TIME, sequence);
                out.put(KEY, sequence % 7);
                out.put(VALUE, sequence);
                return true;
            })
                .filter("none", (in) -> false)
                .sinkToCsv("out", ferrite.context().directory().resolve("out.csv"));
            final Job job = pipeline.start();
            for (int cycle = 0; cycle < 3_000 && job.lastCheckpoint() < 5; cycle++)
            {
                clock.advance(TimeUnit.MILLISECONDS.toNanos(10));
                job.doWork();
                if ((cycle & 15) == 0)
                {
                    Thread.sleep(1); // the checkpoint writer thread's turn
                }
            }
            assertTrue(job.lastCheckpoint() >= 5, "checkpoints completed: " + job.lastCheckpoint());
        }
        assertEquals(List.of(), warnings);
    }

    private byte[] uninterrupted(final Function<Ferrite, Pipeline> pipeline) throws Exception
    {
        final Path data = dir.resolve("reference");
        try (Ferrite ferrite = launch(data))
        {
            runToEnd(pipeline.apply(ferrite).start());
        }
        final byte[] bytes = Files.readAllBytes(data.resolve("out.csv"));
        assertTrue(bytes.length > RECORDS, "the reference run wrote its output");
        return bytes;
    }

    private Pipeline statelessPipeline(final Ferrite ferrite)
    {
        final Pipeline pipeline = ferrite.pipeline("job");
        pipeline.generator("events", EVENT, new SourceOptions().maxRecords(RECORDS), (sequence, out) ->
        {
            out.put(TIME, sequence);
            out.put(KEY, sequence % 7);
            out.put(VALUE, sequence * sequence % 1_000);
            return true;
        })
            .filter("even", (in) -> in.get(VALUE) % 2 == 0)
            .sinkToCsv("out", ferrite.context().directory().resolve("out.csv"));
        return pipeline;
    }

    /**
     * Malformed CSV lines and records a function rejects, under the dead-letter policy: after three crashes and a
     * finish, the dead-letter journal holds each exactly once, as an uninterrupted run's does, and the output equals
     * it too.
     */
    @Test
    void deadLettersAreExactlyOnceAcrossCrashes() throws Exception
    {
        policy = ErrorPolicy.DEAD_LETTER;
        final Path input = dir.resolve("input.csv");
        final StringBuilder text = new StringBuilder("time,key,value\n");
        int malformed = 0;
        for (int i = 0; i < RECORDS; i++)
        {
            if (i % 97 == 13)
            {
                text.append(i).append(",").append(i % 7).append(",not-a-number\n");
                malformed++;
            }
            else
            {
                text.append(i).append(",").append(i % 7).append(",").append(i * 31 % 1_000).append("\n");
            }
        }
        Files.writeString(input, text, StandardCharsets.US_ASCII);
        final Function<Ferrite, Pipeline> pipeline = (ferrite) ->
        {
            final Pipeline p = ferrite.pipeline("job");
            p.csv("lines", EVENT, input, new SourceOptions())
                .map("reject-some", EVENT, (in, out) ->
                {
                    if (in.get(VALUE) % 101 == 0)
                    {
                        throw new IllegalArgumentException("value " + in.get(VALUE) + " is a multiple of 101");
                    }
                    out.put(TIME, in.get(TIME));
                    out.put(KEY, in.get(KEY));
                    out.put(VALUE, in.get(VALUE));
                })
                .sinkToCsv("out", ferrite.context().directory().resolve("out.csv"));
            return p;
        };
        final byte[] expected = uninterrupted(pipeline);
        final List<String> expectedLetters = deadLetters(dir.resolve("reference"));
        final Path data = dir.resolve("crashing");
        crashThreeTimesThenFinish(data, pipeline, false);
        assertArrayEquals(expected, Files.readAllBytes(data.resolve("out.csv")));
        final List<String> letters = deadLetters(data);
        final long rejected = letters.stream().filter((letter) -> letter.startsWith("reject-some")).count();
        assertEquals(malformed, letters.size() - rejected,
            () -> letters.size() + " dead letters, " + rejected + " from the function: a malformed line lost or doubled");
        assertTrue(rejected > 0, "the function rejected records");
        assertEquals(expectedLetters, letters);
    }

    private static List<String> deadLetters(final Path data)
    {
        final List<String> letters = new ArrayList<>();
        for (final DeadLetter letter : DeadLetter.readAll(data.resolve("job")))
        {
            letters.add(letter.operator() + " " + letter.sourceId() + ":" + letter.originIndex() + " " +
                letter.reason());
        }
        return letters;
    }

    private static void run(final Job job, final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            job.doWork();
        }
    }

    private static void runToEnd(final Job job)
    {
        for (int i = 0; i < 1_000_000 && !job.isDone(); i++)
        {
            job.doWork();
        }
        if (!job.isDone())
        {
            fail("the job did not finish: " + job.failure());
        }
    }

    private Ferrite launch(final Path data)
    {
        clock.update(1_000_000_000L);
        return Ferrite.launch(new Ferrite.Context()
            .directory(data)
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .memoryBudgetBytes(BUDGET)
            .errorPolicy(policy)
            .warningHandler(warnings::add));
    }
}
