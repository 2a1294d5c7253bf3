package io.ferrite.engine;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.MemoryManager;

/**
 * The engine, embedded in the application's process: one memory budget, one directory for journals, counters and
 * (later) checkpoints, one threading mode and error policy for the jobs it runs. Build a job with
 * {@link #pipeline(String)}; {@link #close()} stops every job and frees every byte of off-heap memory.
 * <pre>{@code
 * try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context().directory(dir)))
 * {
 *     final Pipeline pipeline = ferrite.pipeline("vwap");
 *     ...
 *     final Job job = pipeline.start();
 *     job.await();
 * }
 * }</pre>
 * <p>
 * <b>Note:</b> Threadsafe.
 */
public final class Ferrite implements AutoCloseable
{
    private final Context context;
    private final MemoryManager memoryManager;
    private final List<Job> jobs = new ArrayList<>();
    private boolean closed;

    private Ferrite(final Context context)
    {
        this.context = context;
        this.memoryManager = new MemoryManager(new MemoryManager.Context().budgetBytes(context.memoryBudgetBytes()));
    }

    /**
     * Launch an engine.
     *
     * @param context the configuration; {@link Context#conclude()} is called on it.
     * @return the engine.
     */
    public static Ferrite launch(final Context context)
    {
        return new Ferrite(context.conclude());
    }

    /**
     * Begin building a job.
     *
     * @param name the job's name: its directory under the engine's directory, and the prefix of its thread names.
     * @return the pipeline builder.
     */
    public synchronized Pipeline pipeline(final String name)
    {
        if (closed)
        {
            throw new IllegalStateException("ferrite is closed");
        }
        return new Pipeline(this, name);
    }

    /**
     * The configuration.
     *
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    /**
     * The memory every job's rings, state and timers come from.
     *
     * @return the manager.
     */
    public MemoryManager memoryManager()
    {
        return memoryManager;
    }

    synchronized Job startJob(final Pipeline pipeline, final Plan plan)
    {
        if (closed)
        {
            throw new IllegalStateException("ferrite is closed");
        }
        for (final Job job : jobs)
        {
            if (job.name().equals(pipeline.name()) && !job.isClosed())
            {
                throw new IllegalStateException("a job named '" + pipeline.name() + "' is running; close it first");
            }
        }
        final Job job = new Job(this, pipeline, plan);
        jobs.add(job);
        return job;
    }

    /**
     * Stop and close every job, and free all off-heap memory. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            for (final Job job : jobs)
            {
                job.close();
            }
            jobs.clear();
            memoryManager.close();
        }
    }

    /**
     * Configuration of a {@link Ferrite} engine. Defaults come from system properties where named, and fit a small
     * machine: shared threading with a back-off idle strategy, a 256 MiB budget, the fail error policy.
     */
    public static final class Context
    {
        /**
         * System property for the default directory.
         */
        public static final String DIRECTORY_PROP_NAME = "ferrite.dir";

        /**
         * System property for the default memory budget in bytes.
         */
        public static final String BUDGET_PROP_NAME = MemoryManager.Context.BUDGET_PROP_NAME;

        /**
         * System property for the default threading mode.
         */
        public static final String THREADING_PROP_NAME = "ferrite.threading";

        private Path directory;
        private long memoryBudgetBytes;
        private ThreadingMode threadingMode;
        private Supplier<IdleStrategy> idleStrategySupplier = BackoffIdleStrategy::new;
        private int[] cores = new int[0];
        private ErrorPolicy errorPolicy = ErrorPolicy.FAIL;
        private NanoClock clock;
        private int ringCapacity = 1024;
        private int batchLimit = 256;
        private long checkpointIntervalNs;
        private Consumer<String> warningHandler = (warning) -> System.err.println("ferrite: warning: " + warning);
        private boolean concluded;

        /**
         * A context with the defaults.
         */
        public Context()
        {
        }

        /**
         * Apply defaults and validate. Called by {@link Ferrite#launch}.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            concluded = true;
            if (null == directory)
            {
                directory = Paths.get(System.getProperty(DIRECTORY_PROP_NAME, "ferrite-data"));
            }
            if (memoryBudgetBytes == 0)
            {
                memoryBudgetBytes = new MemoryManager.Context().conclude().budgetBytes();
            }
            if (null == threadingMode)
            {
                threadingMode = ThreadingMode.valueOf(System.getProperty(THREADING_PROP_NAME, "SHARED"));
            }
            if (null == clock)
            {
                final OffsetEpochNanoClock epochClock = new OffsetEpochNanoClock();
                clock = epochClock::nanoTime;
            }
            if (ringCapacity < 2 || Integer.bitCount(ringCapacity) != 1)
            {
                throw new IllegalArgumentException("ring capacity must be a power of two of at least 2: " +
                    ringCapacity);
            }
            if (batchLimit < 1)
            {
                throw new IllegalArgumentException("batch limit must be positive: " + batchLimit);
            }
            if (checkpointIntervalNs < 0)
            {
                throw new IllegalArgumentException("checkpoint interval must not be negative: " +
                    checkpointIntervalNs + " ns");
            }
            return this;
        }

        /**
         * The directory jobs keep their journals, counters and dead letters in, one sub-directory per job.
         *
         * @return the directory.
         */
        public Path directory()
        {
            return directory;
        }

        /**
         * Set the directory.
         *
         * @param directory the directory; default {@code ./ferrite-data} or {@value #DIRECTORY_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context directory(final Path directory)
        {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The off-heap memory budget of every job together.
         *
         * @return bytes.
         */
        public long memoryBudgetBytes()
        {
            return memoryBudgetBytes;
        }

        /**
         * Set the memory budget.
         *
         * @param bytes the budget; default 256 MiB or {@value #BUDGET_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context memoryBudgetBytes(final long bytes)
        {
            this.memoryBudgetBytes = bytes;
            return this;
        }

        /**
         * How stages get threads.
         *
         * @return the mode.
         */
        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        /**
         * Set the threading mode.
         *
         * @param mode the mode; default shared, or {@value #THREADING_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context threadingMode(final ThreadingMode mode)
        {
            this.threadingMode = mode;
            return this;
        }

        /**
         * The idle strategy of each stage thread in dedicated mode (shared mode always backs off).
         *
         * @return the supplier.
         */
        public Supplier<IdleStrategy> idleStrategySupplier()
        {
            return idleStrategySupplier;
        }

        /**
         * Set the idle strategy; busy-spinning is replaced by back-off when stages outnumber cores.
         *
         * @param supplier a new strategy per thread.
         * @return this for a fluent API.
         */
        public Context idleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.idleStrategySupplier = Objects.requireNonNull(supplier, "supplier");
            return this;
        }

        /**
         * The cores stage threads are pinned to in dedicated mode, in plan order.
         *
         * @return the cores; empty for no pinning.
         */
        public int[] cores()
        {
            return cores.clone();
        }

        /**
         * Set the cores to pin to.
         *
         * @param cores CPU ids, one per stage instance in plan order.
         * @return this for a fluent API.
         */
        public Context cores(final int... cores)
        {
            this.cores = cores.clone();
            return this;
        }

        /**
         * What happens when a user function throws or input is malformed.
         *
         * @return the policy.
         */
        public ErrorPolicy errorPolicy()
        {
            return errorPolicy;
        }

        /**
         * Set the error policy.
         *
         * @param policy the policy; default {@link ErrorPolicy#FAIL}.
         * @return this for a fluent API.
         */
        public Context errorPolicy(final ErrorPolicy policy)
        {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The processing-time clock, in nanoseconds.
         *
         * @return the clock.
         */
        public NanoClock clock()
        {
            return clock;
        }

        /**
         * Set the processing-time clock: a manual one in tests.
         *
         * @param clock the clock; default epoch nanoseconds.
         * @return this for a fluent API.
         */
        public Context clock(final NanoClock clock)
        {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Slots in each ring channel between stages.
         *
         * @return the capacity.
         */
        public int ringCapacity()
        {
            return ringCapacity;
        }

        /**
         * Set the ring capacity.
         *
         * @param capacity a power of two; default 1024.
         * @return this for a fluent API.
         */
        public Context ringCapacity(final int capacity)
        {
            this.ringCapacity = capacity;
            return this;
        }

        /**
         * The most entries a stage takes from one input per duty cycle.
         *
         * @return the limit.
         */
        public int batchLimit()
        {
            return batchLimit;
        }

        /**
         * Set the batch limit.
         *
         * @param limit the limit; default 256.
         * @return this for a fluent API.
         */
        public Context batchLimit(final int limit)
        {
            this.batchLimit = limit;
            return this;
        }

        /**
         * Where warnings go (e.g. busy-spinning replaced by back-off).
         *
         * @return the handler.
         */
        public Consumer<String> warningHandler()
        {
            return warningHandler;
        }

        /**
         * Set the warning handler.
         *
         * @param handler the handler; default standard error.
         * @return this for a fluent API.
         */
        public Context warningHandler(final Consumer<String> handler)
        {
            this.warningHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * How often a job takes a checkpoint on its own; 0 for only when asked ({@link Job#checkpoint()}).
         *
         * @return nanoseconds of the processing-time clock.
         */
        public long checkpointIntervalNs()
        {
            return checkpointIntervalNs;
        }

        /**
         * Set the checkpoint interval. A job started on a directory holding checkpoints recovers from the newest valid
         * one whatever the interval.
         *
         * @param interval the interval; default zero: checkpoints only on demand.
         * @return this for a fluent API.
         */
        public Context checkpointInterval(final Duration interval)
        {
            this.checkpointIntervalNs = Objects.requireNonNull(interval, "interval").toNanos();
            return this;
        }
    }
}
