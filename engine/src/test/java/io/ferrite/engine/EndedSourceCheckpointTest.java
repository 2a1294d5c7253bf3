package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * A job whose bounded source ends while a live one goes on (reference data loaded at start beside a stream) keeps
 * taking checkpoints: the ended source, and the stage fed only by it, which has ended too, take part with their final
 * state and send no barrier. A restart from a checkpoint taken after the end writes every result exactly once.
 */
class EndedSourceCheckpointTest
{
    private static final int BOUNDED = 10;
    private static final Schema EVENT = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("value").build();
    private static final Schema OUT = Schema.builder("out")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("kind").int64("value").build();
    private static final TimestampField TIME = EVENT.timestampField("time");
    private static final Int64Field VALUE = EVENT.int64Field("value");
    private static final TimestampField OUT_TIME = OUT.timestampField("time");
    private static final Int64Field OUT_KIND = OUT.int64Field("kind");
    private static final Int64Field OUT_VALUE = OUT.int64Field("value");

    @TempDir
    Path dir;

    /** The live source of the pipeline built last. */
    private Publisher publisher;

    @Test
    void checkpointsGoOnAfterABoundedSourceEndsAndARestartFromOneIsExactlyOnce() throws Exception
    {
        final Path output = dir.resolve("out.csv");
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = pipeline(ferrite, output);
            final Job job = pipeline.start();
            final Publisher.Producer producer = publisher.newProducer();
            publish(producer, job, 0, 100);
            checkpoint(job);
            publish(producer, job, 100, 200);
            checkpoint(job);
            assertEquals(2, job.lastCheckpoint(), "two checkpoints after the bounded source ended");
            publish(producer, job, 200, 250);
            // A crash: the job stops with 50 records journaled after the checkpoint.
        }
        try (Ferrite ferrite = launch())
        {
            final Pipeline pipeline = pipeline(ferrite, output);
            final Job job = pipeline.start();
            assertEquals(2, job.restoredCheckpoint());
            final Publisher live = publisher;
            publish(live.newProducer(), job, 250, 300);
            checkpoint(job);
            live.end(new NoOpIdleStrategy());
            assertTrue(job.await(30, TimeUnit.SECONDS));
        }
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            expected.add(i + ",0," + i);
        }
        for (int i = 0; i < BOUNDED; i++)
        {
            expected.add("3599999,1," + i);
        }
        expected.sort(null);
        final List<String> lines = new ArrayList<>(Files.readAllLines(output));
        assertEquals("time,kind,value", lines.remove(0));
        lines.sort(null);
        assertEquals(expected, lines, "every live record and every bounded window result, once");
    }

    private Pipeline pipeline(final Ferrite ferrite, final Path output)
    {
        final Pipeline pipeline = ferrite.pipeline("ended");
        publisher = pipeline.publisher("live", EVENT, new SourceOptions());
        final DataStream live = pipeline.stream(publisher).map("live-out", OUT, (in, out) -> out
            .put(OUT_TIME, in.get(TIME)).put(OUT_KIND, 0).put(OUT_VALUE, in.get(VALUE)));
        // A stage fed only by the bounded source: it ends when that source does.
        final DataStream counted = pipeline.generator("bounded", EVENT, new SourceOptions().maxRecords(BOUNDED),
                (sequence, out) ->
                {
                    out.put(TIME, sequence).put(VALUE, sequence);
                    return true;
                })
            .keyBy("value", 1)
            .window(Windows.tumbling(Duration.ofHours(1)))
            .aggregate("per-value", Aggregates.count("n"));
        final Int64Field key = counted.schema().int64Field("value");
        final TimestampField end = counted.schema().timestampField("window_end");
        final DataStream reference = counted.map("reference-out", OUT, (in, out) -> out
            .put(OUT_TIME, in.get(end) - 1).put(OUT_KIND, 1).put(OUT_VALUE, in.get(key)));
        live.union("both", reference).sinkToCsv("out", output);
        return pipeline;
    }

    private Ferrite launch()
    {
        return Ferrite.launch(new Ferrite.Context().directory(dir.resolve("job"))
            .threadingMode(ThreadingMode.INVOKER).warningHandler((warning) -> { }));
    }

    private static void checkpoint(final Job job) throws InterruptedException
    {
        final long id = job.checkpoint();
        assertTrue(id > 0, "checkpoint refused: one is still in progress");
        assertTrue(job.awaitCheckpoint(id, 5, TimeUnit.SECONDS), "checkpoint " + id + " did not complete");
    }

    private static void publish(final Publisher.Producer producer, final Job job, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            while (!producer.tryClaim())
            {
                job.doWork();
            }
            producer.record().put(TIME, i).put(VALUE, i);
            producer.commit();
        }
        while (job.doWork() > 0)
        {
            Thread.onSpinWait();
        }
    }
}
