package io.ferrite.perf.crash;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.ErrorPolicy;
import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.KeyedStream;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.RecordWriter;
import io.ferrite.engine.SourceOptions;
import io.ferrite.engine.WatermarkStrategy;
import io.ferrite.engine.WindowedStream;
import io.ferrite.engine.Windows;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.windowing.aggregate.AggregateFunction;

/**
 * The job the crash harness kills: run in a child JVM by {@link CrashHarness}, on the same directory every time, it
 * starts (recovering from the newest valid checkpoint there, if any), runs a {@link CrashWorkload} to the end of its
 * input and exits 0. The pipeline: a journaled generator of the workload's events → keyBy(key) → a tumbling and a
 * sliding window, each aggregating count, sum, min, max and xor(id) into its own {@code sinkToCommittedJournal};
 * periodic checkpoints.
 * <p>
 * It reports on standard output, one line each, for the harness (and a person) to read:
 * <pre>
 * STARTED restored=ID startMs=MS sinceJvmStartMs=MS
 * RECOVERED recoveryUs=US replayed=N sinceJvmStartMs=MS
 * CAUGHT-UP next=SEQ
 * PROGRESS next=SEQ checkpoint=ID                     (every 25 ms)
 * DONE next=SEQ checkpoint=ID runMs=MS
 * </pre>
 * {@code STARTED} comes when {@code pipeline.start()} returns ({@code startMs} later): the checkpoint is restored and
 * the stages are running. {@code RECOVERED} gives the engine's own figures once every source has caught up:
 * {@code job.recoveryTimeNs()} (from the job's construction, which restores the checkpoint, to the end of the
 * replay) and {@code job.replayedRecords()}; {@code sinceJvmStartMs} adds the JVM's start-up and the pipeline's
 * building: the whole recovery as a user sees it. {@code CAUGHT-UP} says which sequence the generator was first asked
 * for: fresh input begins there. {@code next} is the sequence the generator makes next.
 * <p>
 * Usage: {@code CrashJob --dir DIR --events N --seed S [--keys K] [--parallelism P] [--checkpoint-ms MS]
 * [--threading SHARED|DEDICATED]}.
 */
public final class CrashJob
{
    private static final long PROGRESS_MS = 25;

    private static final Int64Field ID = CrashWorkload.EVENT.int64Field("id");
    private static final Int64Field KEY = CrashWorkload.EVENT.int64Field("key");
    private static final Int64Field VALUE = CrashWorkload.EVENT.int64Field("value");
    private static final TimestampField TIME = CrashWorkload.EVENT.timestampField("time");

    private final CrashWorkload workload;
    private final PrintStream out;
    private final AtomicLong next = new AtomicLong();
    private volatile long firstFresh = -1;

    private CrashJob(final CrashWorkload workload, final PrintStream out)
    {
        this.workload = workload;
        this.out = out;
    }

    /**
     * Run the job to the end of its input, then exit 0; exit 1 with the cause on standard error if it fails.
     *
     * @param args see the class's description.
     */
    public static void main(final String[] args)
    {
        Path dir = null;
        long events = 2_000_000;
        long seed = 1;
        int keys = 1_000;
        int parallelism = 2;
        long checkpointMs = 200;
        ThreadingMode threading = ThreadingMode.SHARED;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String value = args[i + 1];
            switch (args[i])
            {
                case "--dir":
                    dir = Path.of(value);
                    break;
                case "--events":
                    events = Long.parseLong(value);
                    break;
                case "--seed":
                    seed = Long.parseLong(value);
                    break;
                case "--keys":
                    keys = Integer.parseInt(value);
                    break;
                case "--parallelism":
                    parallelism = Integer.parseInt(value);
                    break;
                case "--checkpoint-ms":
                    checkpointMs = Long.parseLong(value);
                    break;
                case "--threading":
                    threading = ThreadingMode.valueOf(value.toUpperCase(Locale.ROOT));
                    break;
                default:
                    System.err.println("crash job: unknown option " + args[i]);
                    System.exit(2);
            }
        }
        if (null == dir || args.length % 2 != 0)
        {
            System.err.println("usage: CrashJob --dir DIR --events N --seed S [--keys K] [--parallelism P] " +
                "[--checkpoint-ms MS] [--threading SHARED|DEDICATED]");
            System.exit(2);
        }
        try
        {
            new CrashJob(new CrashWorkload(seed, keys, events), System.out)
                .run(dir, parallelism, checkpointMs, threading);
        }
        catch (final Throwable ex)
        {
            System.out.flush();
            ex.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
        System.out.flush();
        // Chronicle Queue may leave threads behind; the job is complete and everything it wrote is closed.
        Runtime.getRuntime().halt(0);
    }

    private void run(final Path dir, final int parallelism, final long checkpointMs, final ThreadingMode threading)
        throws InterruptedException
    {
        final long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(threading)
            .errorPolicy(ErrorPolicy.DEAD_LETTER)
            .checkpointInterval(Duration.ofMillis(checkpointMs))
            .warningHandler((warning) -> System.err.println("crash job: warning: " + warning))))
        {
            final Pipeline pipeline = build(ferrite, parallelism);
            final long startMs = System.currentTimeMillis();
            final Job job = pipeline.start();
            final long startedMs = System.currentTimeMillis();
            say("STARTED restored=" + job.restoredCheckpoint() + " startMs=" + (startedMs - startMs) +
                " sinceJvmStartMs=" + (startedMs - jvmStartMs));
            boolean recovered = false;
            boolean caughtUp = false;
            boolean done = false;
            while (!done)
            {
                done = job.await(PROGRESS_MS, TimeUnit.MILLISECONDS);
                final long recoveryNs = job.recoveryTimeNs();
                if (!recovered && recoveryNs >= 0)
                {
                    recovered = true;
                    say("RECOVERED recoveryUs=" + TimeUnit.NANOSECONDS.toMicros(recoveryNs) + " replayed=" +
                        job.replayedRecords() + " sinceJvmStartMs=" +
                        (startMs - jvmStartMs + TimeUnit.NANOSECONDS.toMillis(recoveryNs)));
                }
                if (!caughtUp && firstFresh >= 0)
                {
                    caughtUp = true;
                    say("CAUGHT-UP next=" + firstFresh);
                }
                say((done ? "DONE" : "PROGRESS") + " next=" + next.get() + " checkpoint=" + job.lastCheckpoint() +
                    (done ? " runMs=" + (System.currentTimeMillis() - startMs) : ""));
            }
        }
    }

    private Pipeline build(final Ferrite ferrite, final int parallelism)
    {
        final Pipeline pipeline = ferrite.pipeline(CrashWorkload.JOB);
        final DataStream events = pipeline.generator("events", CrashWorkload.EVENT,
            new SourceOptions().maxRecords(workload.events()).watermarks(WatermarkStrategy.monotonic()),
            this::generate);
        final KeyedStream keyed = events.map("validate", CrashWorkload.EVENT, (in, out) ->
        {
            final long id = in.get(ID);
            if (workload.malformed(id))
            {
                throw new IllegalArgumentException("malformed event id=" + id);
            }
            out.put(ID, id).put(KEY, in.get(KEY)).put(VALUE, in.get(VALUE)).put(TIME, in.get(TIME));
        }).keyBy("key", parallelism);
        for (final CrashWorkload.Shape shape : CrashWorkload.Shape.values())
        {
            final AggregateFunction aggregate = shape.aggregate();
            final Windows windows = shape.sizeMs() == shape.slideMs() ?
                Windows.tumbling(Duration.ofMillis(shape.sizeMs())) :
                Windows.sliding(Duration.ofMillis(shape.sizeMs()), Duration.ofMillis(shape.slideMs()));
            final WindowedStream windowed = keyed.window(windows);
            final Schema results = windowed.outputSchema(shape.operator(), aggregate);
            if (!results.equals(shape.resultSchema()))
            {
                throw new IllegalStateException("the harness decodes " + shape.resultSchema() + " but the job writes " +
                    results);
            }
            windowed.aggregate(shape.operator(), aggregate).sinkToCommittedJournal(shape.sink());
        }
        return pipeline;
    }

    private boolean generate(final long sequence, final RecordWriter record)
    {
        if (firstFresh < 0)
        {
            // The source asks for fresh input only once it has replayed its journal.
            firstFresh = sequence;
        }
        record.put(ID, sequence)
            .put(KEY, workload.key(sequence))
            .put(VALUE, workload.value(sequence))
            .put(TIME, CrashWorkload.timestamp(sequence));
        next.lazySet(sequence + 1);
        return true;
    }

    private void say(final String line)
    {
        out.println(line);
        out.flush();
    }
}
