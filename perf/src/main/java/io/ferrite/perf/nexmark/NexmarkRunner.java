package io.ferrite.perf.nexmark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.ferrite.engine.DataStream;
import io.ferrite.engine.ErrorPolicy;
import io.ferrite.engine.Ferrite;
import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.SinkFunction;
import io.ferrite.engine.SourceOptions;
import io.ferrite.engine.runtime.ThreadingMode;

/**
 * Runs one NEXMark query as a Ferrite job: a generator source (a file of events through {@link NexmarkFileSource},
 * or events made in memory by {@link NexmarkGenerator}) → {@link NexmarkSource#split} → the query → an exactly-once
 * CSV file without a header (or, for the bench, a callback sink). With a job directory the source is journaled and
 * checkpoints are taken every second, so a run killed and started again on the same directory resumes and its output
 * file ends as an uninterrupted run's; without one, a temporary directory is used, unjournaled, and deleted at the end.
 * Every stage runs on one shared thread (back-off idle strategy), so a run uses one core.
 * <p>
 * <b>Note:</b> Not threadsafe; one run at a time per instance.
 */
public final class NexmarkRunner
{
    /** How often progress is printed. */
    public static final long PROGRESS_INTERVAL_MS = 1_000;

    private final NexmarkQuery query;
    private Path input;
    private long events = -1;
    private long seed = 1;
    private long eventRate = NexmarkGenerator.DEFAULT_EVENT_RATE;
    private Path output;
    private SinkFunction sink;
    private Path directory;
    private int parallelism = 1;
    private long sourceRatePerSecond;
    private long checkpointMs = 1_000;
    private PrintStream progress;
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong lastSequence = new AtomicLong();
    private final AtomicLong scheduleStartNs = new AtomicLong(Long.MAX_VALUE);
    private long processed;

    /**
     * A runner of a query.
     *
     * @param query the query.
     */
    public NexmarkRunner(final NexmarkQuery query)
    {
        this.query = query;
    }

    /**
     * Read the events from a file.
     *
     * @param file the file, as {@code nexmark gen} writes it.
     * @return this for a fluent API.
     */
    public NexmarkRunner input(final Path file)
    {
        this.input = file;
        return this;
    }

    /**
     * Make the events in memory.
     *
     * @param count how many.
     * @param seed  the generator's seed.
     * @return this for a fluent API.
     */
    public NexmarkRunner generate(final long count, final long seed)
    {
        this.events = count;
        this.seed = seed;
        return this;
    }

    /**
     * Events per second of event time for events made in memory.
     *
     * @param rate at least 1; {@link NexmarkGenerator#DEFAULT_EVENT_RATE} unless told.
     * @return this for a fluent API.
     */
    public NexmarkRunner eventRate(final long rate)
    {
        this.eventRate = rate;
        return this;
    }

    /**
     * Write the results to a CSV file, exactly once, without a header.
     *
     * @param file the file; replaced unless the job resumes.
     * @return this for a fluent API.
     */
    public NexmarkRunner output(final Path file)
    {
        this.output = file;
        return this;
    }

    /**
     * Hand the results to a callback instead of a file.
     *
     * @param function the callback, called on the sink stage's thread.
     * @return this for a fluent API.
     */
    public NexmarkRunner sink(final SinkFunction function)
    {
        this.sink = function;
        return this;
    }

    /**
     * Keep the job's journal and checkpoints in a directory, so a killed run resumes.
     *
     * @param dir the directory.
     * @return this for a fluent API.
     */
    public NexmarkRunner directory(final Path dir)
    {
        this.directory = dir;
        return this;
    }

    /**
     * The parallelism of the query's keyed operators.
     *
     * @param parallelism at least 1.
     * @return this for a fluent API.
     */
    public NexmarkRunner parallelism(final int parallelism)
    {
        this.parallelism = parallelism;
        return this;
    }

    /**
     * Offer the in-memory events at a fixed rate (open loop) instead of as fast as the job takes them.
     *
     * @param recordsPerSecond the rate; 0 for as fast as possible.
     * @return this for a fluent API.
     */
    public NexmarkRunner sourceRate(final long recordsPerSecond)
    {
        this.sourceRatePerSecond = recordsPerSecond;
        return this;
    }

    /**
     * Checkpoint interval when a directory is given.
     *
     * @param intervalMs milliseconds.
     * @return this for a fluent API.
     */
    public NexmarkRunner checkpointMs(final long intervalMs)
    {
        this.checkpointMs = intervalMs;
        return this;
    }

    /**
     * Print a progress line a second to this stream.
     *
     * @param out the stream, or null for none.
     * @return this for a fluent API.
     */
    public NexmarkRunner progress(final PrintStream out)
    {
        this.progress = out;
        return this;
    }

    /**
     * The start of a rated source's schedule on {@link System#nanoTime()}: event {@code n} is due at this plus
     * {@code n} periods. The engine's generator starts its schedule when the job is built, not when it makes its first
     * event, so the start is taken from the events: the least of {@code (time made - n periods)} so far, which is at
     * or after the engine's start (no event is made before it is due) and within one poll's jitter of it once the
     * source has kept up with its schedule for a moment. Only kept while a source rate is set.
     *
     * @return nanoseconds, {@link Long#MAX_VALUE} before the first event.
     */
    public long scheduleStartNs()
    {
        return scheduleStartNs.get();
    }

    /**
     * Run the job to the end of its input.
     *
     * @return what it did.
     * @throws IOException          if a directory or file cannot be made or removed.
     * @throws InterruptedException if interrupted.
     */
    public Result run() throws IOException, InterruptedException
    {
        if ((null == input) == (events < 0))
        {
            throw new IllegalStateException("give either an input file or a count of events to generate");
        }
        if ((null == output) == (null == sink))
        {
            throw new IllegalStateException("give either an output file or a sink");
        }
        final boolean temporary = null == directory;
        final Path dir = temporary ? Files.createTempDirectory("ferrite-nexmark-") : directory;
        Files.createDirectories(dir);
        made.set(0);
        scheduleStartNs.set(Long.MAX_VALUE);
        processed = 0;
        final NexmarkFileSource file = null == input ? null : new NexmarkFileSource(input);
        final long startNs = System.nanoTime();
        try (Ferrite ferrite = Ferrite.launch(context(dir, temporary)))
        {
            final Pipeline pipeline = ferrite.pipeline("nexmark-" + query.name());
            final SourceOptions options = NexmarkSource.options().journaled(!temporary)
                .ratePerSecond(sourceRatePerSecond);
            if (null == file)
            {
                options.maxRecords(events);
            }
            final GeneratorFunction function = counted(null == file ?
                new NexmarkGenerator(seed, eventRate).function(events) : file);
            final DataStream results = query.build(
                NexmarkSource.split(pipeline.generator("events", NexmarkSchemas.EVENT, options, function)),
                parallelism);
            if (null != output)
            {
                results.sinkToCsv("results", output, false, false);
            }
            else
            {
                results.sink("results", sink);
            }
            final Job job = pipeline.start();
            if (null != progress && job.restoredCheckpoint() > 0)
            {
                progress.println("nexmark " + query.name() + ": resumed from checkpoint " + job.restoredCheckpoint());
                progress.flush();
            }
            boolean done = false;
            long lastMade = 0;
            long lastNs = System.nanoTime();
            while (!done)
            {
                done = job.await(PROGRESS_INTERVAL_MS, TimeUnit.MILLISECONDS);
                final long nowNs = System.nanoTime();
                final long sofar = made.get();
                if (null != progress && !done)
                {
                    final double rate = (sofar - lastMade) * 1e9 / Math.max(1, nowNs - lastNs);
                    progress.println(String.format(Locale.ROOT,
                        "nexmark %s: events %,d  events/s %,.0f  output %s  checkpoint %d", query.name(),
                        sofar, rate, null == output ? "-" : Files.size(output) + " bytes", job.lastCheckpoint()));
                    progress.flush();
                }
                lastMade = sofar;
                lastNs = nowNs;
            }
            processed = made.get() + Math.max(0, job.replayedRecords());
        }
        finally
        {
            if (null != file)
            {
                file.close();
            }
            if (temporary)
            {
                deleteRecursively(dir);
            }
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        return new Result(lastSequence.get(), processed, seconds);
    }

    private GeneratorFunction counted(final GeneratorFunction function)
    {
        lastSequence.set(0);
        final long periodNs = sourceRatePerSecond == 0 ? 0 : Math.max(1, 1_000_000_000L / sourceRatePerSecond);
        return (sequence, out) ->
        {
            if (periodNs > 0)
            {
                final long startNs = System.nanoTime() - sequence * periodNs;
                if (startNs < scheduleStartNs.get())
                {
                    scheduleStartNs.lazySet(startNs);
                }
            }
            if (!function.next(sequence, out))
            {
                // The input ends before this record: it had `sequence` records, also when a resumed run finds
                // nothing left to make.
                lastSequence.lazySet(Math.max(lastSequence.get(), sequence));
                return false;
            }
            lastSequence.lazySet(sequence + 1);
            made.lazySet(made.get() + 1);
            return true;
        };
    }

    private Ferrite.Context context(final Path dir, final boolean temporary)
    {
        final Ferrite.Context context = new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.SHARED)
            .errorPolicy(ErrorPolicy.FAIL)
            .warningHandler((warning) ->
            {
                if (!temporary)
                {
                    System.err.println("nexmark: warning: " + warning);
                }
            });
        if (!temporary)
        {
            context.checkpointInterval(Duration.ofMillis(checkpointMs));
        }
        return context;
    }

    static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) ->
            {
                try
                {
                    Files.delete(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }

    /**
     * What a run did.
     *
     * @param events    the events in the input (the source's last record number plus one).
     * @param processed the events this process took: made fresh plus replayed from the journal.
     * @param seconds   the run's wall-clock time.
     */
    public record Result(long events, long processed, double seconds)
    {
        /**
         * The rate this process took events at.
         *
         * @return events per second.
         */
        public double eventsPerSecond()
        {
            return processed / Math.max(seconds, 1e-9);
        }
    }

    /**
     * Print a result as {@code nexmark run} does: {@code events N}, {@code seconds S}, {@code events_per_s R}, one
     * per line.
     *
     * @param result the result.
     * @param out    where to print.
     */
    public static void print(final Result result, final PrintStream out)
    {
        out.println("events " + result.events());
        out.println(String.format(Locale.ROOT, "seconds %.3f", result.seconds()));
        out.println(String.format(Locale.ROOT, "events_per_s %.0f", result.eventsPerSecond()));
        out.flush();
    }
}
