package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;

import io.ferrite.engine.CollectingSink;
import io.ferrite.engine.DataStream;
import io.ferrite.engine.ErrorPolicy;
import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.counters.CountersFile;
import io.ferrite.engine.runtime.ThreadingMode;

/**
 * Runs a NEXMark query through the engine for the tests, deterministically: the invoker threading mode on the test's
 * thread, a manual clock, a bounded unjournaled source of the given events, and every result collected.
 */
final class QueryRunner
{
    private static final long BUDGET = 256L * 1024 * 1024;

    private QueryRunner()
    {
    }

    /**
     * The test events every query test reads: the one place to switch to the real generator.
     *
     * @param seed  the seed.
     * @param count how many events.
     * @return the events in input order.
     */
    static List<NexmarkEvent> events(final long seed, final int count)
    {
        return TestEvents.generate(seed, count, 20, 25_000);
    }

    /**
     * Run a query to the end of its input.
     *
     * @param query       the query.
     * @param events      its input, in order.
     * @param parallelism its keyed operators' parallelism.
     * @param dir         the job's directory.
     * @return the output's CSV lines, sorted.
     * @throws Exception if the job fails or does not finish.
     */
    static List<String> run(final NexmarkQuery query, final List<NexmarkEvent> events, final int parallelism,
        final Path dir) throws Exception
    {
        try (Ferrite ferrite = launch(dir))
        {
            final Pipeline pipeline = ferrite.pipeline(query.name());
            final DataStream source = source(pipeline, events);
            final CollectingSink sink = query.build(NexmarkSource.split(source), parallelism).collect("out");
            assertEquals(query.columns(), sink.schema().csvHeader(), "the output's fields are the columns");
            try (Job job = pipeline.start())
            {
                assertTrue(job.await(60, TimeUnit.SECONDS), "the job did not finish");
                assertNull(job.failure());
                assertTrue(sink.isEnded());
                assertEquals(0, lateRecords(job), "no record is later than the 4 s watermark, in any stage");
                return References.sorted(sink.rows());
            }
        }
    }

    /**
     * An engine for one test: the invoker threading mode (the job runs on the caller's thread, in
     * {@link Job#await}), a manual clock, the fail error policy, and no warning but that the unjournaled source
     * cannot be recovered.
     *
     * @param dir its directory.
     * @return the engine, to close.
     */
    static Ferrite launch(final Path dir)
    {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(1_000_000_000L);
        return Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .clock(clock)
            .memoryBudgetBytes(BUDGET)
            .errorPolicy(ErrorPolicy.FAIL)
            .warningHandler((warning) ->
            {
                if (!warning.contains("not journaled"))
                {
                    fail("unexpected warning: " + warning);
                }
            }));
    }

    /**
     * A bounded source of the events, with the options every query's source has, unjournaled.
     *
     * @param pipeline the pipeline.
     * @param events   the events, in input order.
     * @return the union stream.
     */
    static DataStream source(final Pipeline pipeline, final List<NexmarkEvent> events)
    {
        return pipeline.generator("events", NexmarkSchemas.EVENT,
            NexmarkSource.options().journaled(false).maxRecords(events.size()), (sequence, out) ->
            {
                NexmarkSource.write(events.get((int)sequence), out);
                return true;
            });
    }

    private static long lateRecords(final Job job) throws Exception
    {
        try (CountersFile.Reader reader = CountersFile.openReader(job.directory()))
        {
            final long[] total = {0};
            reader.counters().forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId == Job.LATE_RECORDS_TYPE_ID)
                {
                    total[0] += reader.counters().getCounterValue(counterId);
                }
            });
            return total[0];
        }
    }
}
