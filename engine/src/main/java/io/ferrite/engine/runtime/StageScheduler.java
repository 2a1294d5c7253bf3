package io.ferrite.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;

/**
 * Runs a job's stage agents in the chosen {@link ThreadingMode}: an {@link AgentRunner} per stage, one runner for a
 * {@link CompositeAgent} of them all, or an {@link AgentInvoker} the application drives. The first error any agent
 * throws is kept for the job handle ({@link #firstError()}) and passed to the context's error handler.
 * <p>
 * <b>Note:</b> start and close from one thread; {@link #invoke()} from the application's thread in invoker mode.
 */
public final class StageScheduler implements AutoCloseable
{
    private final Context context;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final List<String> threadNames = new ArrayList<>();
    private AgentInvoker invoker;
    private boolean started;
    private boolean closed;

    /**
     * A scheduler configured by a concluded context.
     *
     * @param context the configuration; {@link Context#conclude()} is called on it.
     */
    public StageScheduler(final Context context)
    {
        this.context = context.conclude();
    }

    /**
     * Start the agents in the context's mode.
     *
     * @param agents the stages, in plan order.
     * @return this for a fluent API.
     */
    public StageScheduler start(final List<? extends Agent> agents)
    {
        if (started)
        {
            throw new IllegalStateException("scheduler already started");
        }
        if (agents.isEmpty())
        {
            throw new IllegalArgumentException("no agents to run");
        }
        started = true;
        final ErrorHandler errorHandler = this::onError;
        switch (context.mode())
        {
            case INVOKER:
                invoker = new AgentInvoker(errorHandler, null, composite(agents));
                invoker.start();
                break;
            case SHARED:
                startRunner(new BackoffIdleStrategy(), errorHandler, composite(agents), -1);
                break;
            default:
                startDedicated(agents, errorHandler);
                break;
        }
        return this;
    }

    /**
     * Run one duty cycle of every agent: invoker mode only.
     *
     * @return the work done, 0 when there was nothing to do.
     */
    public int invoke()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("invoke() is for the INVOKER threading mode; this scheduler runs " +
                context.mode());
        }
        return invoker.invoke();
    }

    /**
     * The first error an agent threw, or null.
     *
     * @return the error.
     */
    public Throwable firstError()
    {
        return firstError.get();
    }

    /**
     * The names of the threads started, for {@code explain()}: one per stage in dedicated mode, one in shared mode,
     * none in invoker mode.
     *
     * @return the thread names.
     */
    public List<String> threadNames()
    {
        return List.copyOf(threadNames);
    }

    /**
     * Stop every agent and join its thread (closing the agents). Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (final AgentRunner runner : runners)
            {
                runner.close();
            }
            if (null != invoker)
            {
                invoker.close();
            }
        }
    }

    private void startDedicated(final List<? extends Agent> agents, final ErrorHandler errorHandler)
    {
        final int[] cores = context.cores();
        final IdleStrategy probe = context.idleStrategySupplier().get();
        final boolean spinning = probe instanceof BusySpinIdleStrategy || probe instanceof NoOpIdleStrategy;
        final boolean tooFewCores = agents.size() > context.availableProcessors();
        if (spinning && tooFewCores)
        {
            context.warningHandler().accept("dedicated threading: " + agents.size() + " stages but " +
                context.availableProcessors() + " cores; using a back-off idle strategy instead of busy-spinning " +
                "so no more threads spin than there are cores");
        }
        for (int i = 0; i < agents.size(); i++)
        {
            final IdleStrategy idle = spinning && tooFewCores ?
                new BackoffIdleStrategy() : context.idleStrategySupplier().get();
            final int core = i < cores.length ? cores[i] : -1;
            startRunner(idle, errorHandler, agents.get(i), core);
        }
    }

    private void startRunner(
        final IdleStrategy idle, final ErrorHandler errorHandler, final Agent agent, final int core)
    {
        final Agent runnable = core >= 0 ? new PinnedAgent(agent, core) : agent;
        final AgentRunner runner = new AgentRunner(idle, errorHandler, null, runnable);
        final String name = context.threadNamePrefix() + runnable.roleName();
        threadNames.add(name + (core >= 0 ? " (core " + core + ")" : ""));
        // Not AgentRunner.startOnThread: it renames the thread to the bare role name, losing the job's prefix.
        final Thread thread = new Thread(runner, name);
        thread.setDaemon(true);
        thread.start();
        runners.add(runner);
    }

    private static Agent composite(final List<? extends Agent> agents)
    {
        return agents.size() == 1 ? agents.get(0) : new CompositeAgent(new ArrayList<Agent>(agents));
    }

    private void onError(final Throwable error)
    {
        firstError.compareAndSet(null, error);
        context.errorHandler().onError(error);
    }

    /**
     * Configuration of a {@link StageScheduler}.
     */
    public static final class Context
    {
        private ThreadingMode mode = ThreadingMode.SHARED;
        private Supplier<IdleStrategy> idleStrategySupplier = BackoffIdleStrategy::new;
        private int[] cores = new int[0];
        private int availableProcessors = Runtime.getRuntime().availableProcessors();
        private ErrorHandler errorHandler = (error) -> { };
        private Consumer<String> warningHandler = (warning) -> System.err.println("ferrite: warning: " + warning);
        private String threadNamePrefix = "ferrite-";

        /**
         * The threading mode.
         *
         * @return the mode.
         */
        public ThreadingMode mode()
        {
            return mode;
        }

        /**
         * Set the threading mode.
         *
         * @param mode dedicated, shared (default) or invoker.
         * @return this for a fluent API.
         */
        public Context mode(final ThreadingMode mode)
        {
            this.mode = mode;
            return this;
        }

        /**
         * The idle strategy of each dedicated thread.
         *
         * @return a supplier of fresh strategies.
         */
        public Supplier<IdleStrategy> idleStrategySupplier()
        {
            return idleStrategySupplier;
        }

        /**
         * Set the idle strategy of each dedicated thread (shared mode always backs off).
         *
         * @param idleStrategySupplier a supplier of fresh strategies.
         * @return this for a fluent API.
         */
        public Context idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
        {
            this.idleStrategySupplier = idleStrategySupplier;
            return this;
        }

        /**
         * The cores dedicated threads are pinned to, in stage order.
         *
         * @return the cores; empty for none.
         */
        public int[] cores()
        {
            return cores.clone();
        }

        /**
         * Set the cores dedicated threads are pinned to, in stage order (OpenHFT affinity).
         *
         * @param cores the cores.
         * @return this for a fluent API.
         */
        public Context cores(final int... cores)
        {
            this.cores = cores.clone();
            return this;
        }

        /**
         * The cores the machine offers this process.
         *
         * @return the count.
         */
        public int availableProcessors()
        {
            return availableProcessors;
        }

        /**
         * Override the number of cores, for tests.
         *
         * @param availableProcessors the count.
         * @return this for a fluent API.
         */
        public Context availableProcessors(final int availableProcessors)
        {
            this.availableProcessors = availableProcessors;
            return this;
        }

        /**
         * Where agent errors go, besides {@link StageScheduler#firstError()}.
         *
         * @return the handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * Set where agent errors go; it must not throw.
         *
         * @param errorHandler the handler.
         * @return this for a fluent API.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Where warnings about the configuration go.
         *
         * @return the handler.
         */
        public Consumer<String> warningHandler()
        {
            return warningHandler;
        }

        /**
         * Set where warnings about the configuration go (default: standard error).
         *
         * @param warningHandler the handler.
         * @return this for a fluent API.
         */
        public Context warningHandler(final Consumer<String> warningHandler)
        {
            this.warningHandler = warningHandler;
            return this;
        }

        /**
         * The prefix of thread names.
         *
         * @return the prefix.
         */
        public String threadNamePrefix()
        {
            return threadNamePrefix;
        }

        /**
         * Set the prefix of thread names.
         *
         * @param threadNamePrefix the prefix.
         * @return this for a fluent API.
         */
        public Context threadNamePrefix(final String threadNamePrefix)
        {
            this.threadNamePrefix = threadNamePrefix;
            return this;
        }

        /**
         * Validate the configuration.
         *
         * @return this for a fluent API.
         */
        public Context conclude()
        {
            if (null == mode || null == idleStrategySupplier || null == errorHandler || null == warningHandler)
            {
                throw new IllegalArgumentException("threading mode, idle strategy and handlers must be set");
            }
            if (availableProcessors < 1)
            {
                throw new IllegalArgumentException("availableProcessors must be at least 1: " + availableProcessors);
            }
            for (final int core : cores)
            {
                if (core < 0)
                {
                    throw new IllegalArgumentException("core numbers must not be negative: " + core);
                }
            }
            return this;
        }
    }
}
