package io.ferrite.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;

import io.ferrite.engine.counters.CountersFile;
import io.ferrite.engine.runtime.CheckpointCoordinator;
import io.ferrite.engine.runtime.JobControl;
import io.ferrite.engine.runtime.OperatorStage;
import io.ferrite.engine.runtime.SourceInput;
import io.ferrite.engine.runtime.SourceStage;
import io.ferrite.engine.runtime.StageCounters;
import io.ferrite.engine.runtime.StageOutput;
import io.ferrite.engine.runtime.StageScheduler;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.crash.CrashPoints;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.queues.committed.CommittedJournal;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.ring.RingChannel;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingProducer;

/**
 * A running pipeline: its stages, channels, journals and counters. Wait for a bounded job with {@link #await}, stop
 * one with {@link #cancel()}, drive one in the invoker threading mode with {@link #doWork()}; {@link #close()} stops
 * it and frees its memory. A failure (under the fail policy) stops every stage and is reported by {@link #failure()}
 * and {@link #await}.
 * <p>
 * <b>Note:</b> Threadsafe, except {@link #doWork()}, which one application thread calls.
 */
public final class Job implements AutoCloseable
{
    /**
     * Counter type: records taken by a stage.
     */
    public static final int RECORDS_IN_TYPE_ID = 1001;

    /**
     * Counter type: records a stage emitted into channels.
     */
    public static final int RECORDS_OUT_TYPE_ID = 1002;

    /**
     * Counter type: entries waiting in a stage's input rings.
     */
    public static final int BACKLOG_TYPE_ID = 1003;

    /**
     * Counter type: duty cycles a full output kept a stage from taking input.
     */
    public static final int BACK_PRESSURE_TYPE_ID = 1004;

    /**
     * Counter type: a stage's watermark.
     */
    public static final int WATERMARK_TYPE_ID = 1005;

    /**
     * Counter type: records a stage dead-lettered.
     */
    public static final int ERRORS_TYPE_ID = 1006;

    /**
     * Counter type: off-heap bytes in use, and the budget.
     */
    public static final int MEMORY_TYPE_ID = 1007;

    /**
     * Counter type: records a window operator instance refused as late beyond the allowed lateness, or a join
     * instance refused as too late to join.
     */
    public static final int LATE_RECORDS_TYPE_ID = 1008;

    /**
     * Counter type: the job's checkpoints (last completed id, its duration, size and alignment time).
     */
    public static final int CHECKPOINT_TYPE_ID = 1009;

    private static final int COUNTERS_PER_STAGE = 7;
    private static final int JOB_COUNTERS = 6;

    private final Ferrite ferrite;
    private final String name;
    private final Path directory;
    private final Plan plan;
    private final JobControl control;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<RingChannel> channels = new ArrayList<>();
    private final List<Journal> journals = new ArrayList<>();
    private final List<Links.Link> links = new ArrayList<>();
    private final List<Publisher> publishers = new ArrayList<>();
    private final List<SourceInput> unstartedInputs = new ArrayList<>();
    private final List<Agent> agents = new ArrayList<>();
    private final List<String> stageNames = new ArrayList<>();
    private final List<Agent> stageAgents = new ArrayList<>();
    private final AtomicCounter checkpointId;
    private final AtomicCounter checkpointDuration;
    private final AtomicCounter checkpointSize;
    private final AtomicCounter checkpointAlignment;
    private CheckpointCoordinator checkpoints;
    private long restoredCheckpoint = -1;
    private final long startNanoTime = System.nanoTime();
    private long lastTriggerNs = Long.MIN_VALUE / 2;
    private boolean periodicRefused;
    private final DeadLetters deadLetters;
    private final CountersFile counters;
    private final AtomicCounter memoryUsed;
    private final AtomicCounter memoryBudget;
    private StageScheduler scheduler;
    private volatile boolean cancelled;
    private boolean closed;

    Job(final Ferrite ferrite, final Pipeline pipeline, final Plan plan)
    {
        this.ferrite = ferrite;
        this.name = pipeline.name();
        this.plan = plan;
        this.directory = ferrite.context().directory().resolve(name);
        this.control = new JobControl(plan.instances());
        this.deadLetters = new DeadLetters(directory);
        try
        {
            Files.createDirectories(directory);
            this.counters = CountersFile.create(directory, plan.instances() * COUNTERS_PER_STAGE + JOB_COUNTERS);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("job '" + name + "': cannot create its directory " + directory, ex);
        }
        this.memoryUsed = counters.newCounter("memory: used bytes", MEMORY_TYPE_ID);
        this.memoryBudget = counters.newCounter("memory: budget bytes", MEMORY_TYPE_ID);
        memoryBudget.setRelease(ferrite.memoryManager().budgetBytes());
        this.checkpointId = counters.newCounter("checkpoint: last completed", CHECKPOINT_TYPE_ID);
        this.checkpointDuration = counters.newCounter("checkpoint: duration ns", CHECKPOINT_TYPE_ID);
        this.checkpointSize = counters.newCounter("checkpoint: size bytes", CHECKPOINT_TYPE_ID);
        this.checkpointAlignment = counters.newCounter("checkpoint: alignment ns", CHECKPOINT_TYPE_ID);
        try
        {
            build();
            recover();
            for (final Agent agent : stageAgents)
            {
                if (agent instanceof SourceStage)
                {
                    ((SourceStage)agent).recoveryPositioned();
                }
            }
            if (!plan.recoverable())
            {
                ferrite.context().warningHandler().accept("job '" + name + "': a publisher or generator source is " +
                    "not journaled, so the job cannot recover after a crash");
            }
            final Ferrite.Context context = ferrite.context();
            scheduler = new StageScheduler(new StageScheduler.Context()
                .mode(context.threadingMode())
                .idleStrategySupplier(context.idleStrategySupplier())
                .cores(context.cores())
                .errorHandler(this::onError)
                .warningHandler(context.warningHandler())
                .threadNamePrefix("ferrite-" + name + "-"));
            scheduler.start(agents);
            unstartedInputs.clear();
        }
        catch (final RuntimeException | Error ex)
        {
            release();
            throw ex;
        }
    }

    private void build()
    {
        final Ferrite.Context context = ferrite.context();
        final MemoryManager memory = ferrite.memoryManager();
        final Map<Node.Edge, RingChannel[][]> edgeChannels = new IdentityHashMap<>();
        for (final Plan.StagePlan stage : plan.stages)
        {
            for (final Node.Edge edge : stage.head.inputs)
            {
                final RingChannel[][] grid = new RingChannel[edge.from.parallelism][edge.to.parallelism];
                for (int i = 0; i < edge.from.parallelism; i++)
                {
                    for (int j = 0; j < edge.to.parallelism; j++)
                    {
                        if (Plan.connects(edge, i, j))
                        {
                            final RingChannel channel = new RingChannel(memory,
                                name + "." + edge.from.name + (edge.fromPort == 0 ? "" : "." +
                                edge.from.sideTags[edge.fromPort - 1].name()) + "->" + edge.to.name + "[" + i +
                                "->" + j + "]", context.ringCapacity(),
                                edge.from.outputSchema(edge.fromPort).recordLength(),
                                RingChannel.ProducerMode.SINGLE);
                            channels.add(channel);
                            grid[i][j] = channel;
                        }
                    }
                }
                edgeChannels.put(edge, grid);
            }
        }
        for (final Plan.StagePlan stage : plan.stages)
        {
            for (int instance = 0; instance < stage.parallelism(); instance++)
            {
                buildInstance(stage, instance, edgeChannels, context, memory);
            }
        }
        if (!agents.isEmpty())
        {
            agents.set(0, new Housekeeper(agents.get(0)));
        }
    }

    private Path trimMarker()
    {
        return directory.resolve("checkpoints").resolve("JOURNALS-TRIMMED");
    }

    /**
     * Restore the newest valid checkpoint, if any, and position every source after it; with none, journaled sources
     * replay their whole journal. Then start the coordinator.
     */
    private void recover()
    {
        final Path checkpointDir = directory.resolve("checkpoints");
        final String[] names = stageNames.toArray(new String[0]);
        final Consumer<String> warnings = ferrite.context().warningHandler();
        final CheckpointCoordinator.Restored restored = CheckpointCoordinator.newestValid(checkpointDir, names,
            (warning) -> warnings.accept("job '" + name + "': " + warning));
        long nextId = 1;
        for (final long id : CheckpointCoordinator.checkpointIds(checkpointDir))
        {
            nextId = Math.max(nextId, id + 1);
        }
        if (null != restored)
        {
            restoredCheckpoint = restored.id();
            for (int i = 0; i < stageAgents.size(); i++)
            {
                try
                {
                    final SnapshotReader reader = restored.reader(i);
                    final Agent agent = stageAgents.get(i);
                    if (agent instanceof SourceStage)
                    {
                        ((SourceStage)agent).restore(restored.id(), reader);
                    }
                    else
                    {
                        ((OperatorStage)agent).restore(restored.id(), reader);
                    }
                    CrashPoints.hit(CrashPoints.RESTORE);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("job '" + name + "': cannot restore stage " + names[i] +
                        " from checkpoint " + restored.id() + ": " + ex.getMessage(), ex);
                }
            }
            deadLetters.restoredFrom(restored.id());
        }
        else
        {
            final boolean trimmed = Files.exists(trimMarker());
            for (final Agent agent : stageAgents)
            {
                if (agent instanceof SourceStage)
                {
                    ((SourceStage)agent).replayFromStart(trimmed);
                }
            }
            if (plan.recoverable())
            {
                // The input is processed again from its start: so are its dead letters.
                deadLetters.restoredFrom(0);
            }
        }
        checkpoints = new CheckpointCoordinator(checkpointDir, names, nextId, this::onError,
            (warning) -> warnings.accept("job '" + name + "': " + warning));
        checkpoints.restoredFrom(restoredCheckpoint);
        for (int i = 0; i < stageAgents.size(); i++)
        {
            final Agent agent = stageAgents.get(i);
            if (agent instanceof SourceStage)
            {
                ((SourceStage)agent).checkpoints(checkpoints, i, trimMarker());
            }
            else
            {
                ((OperatorStage)agent).checkpoints(checkpoints, i);
            }
        }
    }

    private void buildInstance(
        final Plan.StagePlan stage,
        final int instance,
        final Map<Node.Edge, RingChannel[][]> edgeChannels,
        final Ferrite.Context context,
        final MemoryManager memory)
    {
        final String stageName = stage.instanceName(instance);
        final StageErrors errors = new StageErrors(context.errorPolicy(), deadLetters,
            counters.newCounter("stage " + stageName + ": errors", ERRORS_TYPE_ID));
        final StageCounters stageCounters = new StageCounters(
            counters.newCounter("stage " + stageName + ": records in", RECORDS_IN_TYPE_ID),
            counters.newCounter("stage " + stageName + ": records out", RECORDS_OUT_TYPE_ID),
            counters.newCounter("stage " + stageName + ": input backlog", BACKLOG_TYPE_ID),
            counters.newCounter("stage " + stageName + ": back-pressure", BACK_PRESSURE_TYPE_ID),
            counters.newCounter("stage " + stageName + ": watermark", WATERMARK_TYPE_ID));

        final List<RingProducer[]> routes = new ArrayList<>();
        final Map<Node.Edge, Integer> routeOf = new IdentityHashMap<>();
        for (final Node node : stage.nodes)
        {
            for (final Node.Edge edge : node.outputs)
            {
                if (plan.stageOf.get(edge.to) != stage)
                {
                    final RingChannel[][] grid = edgeChannels.get(edge);
                    final List<RingProducer> producers = new ArrayList<>();
                    for (final RingChannel channel : grid[instance])
                    {
                        if (null != channel)
                        {
                            producers.add(channel.newProducer());
                        }
                    }
                    routeOf.put(edge, routes.size());
                    routes.add(producers.toArray(new RingProducer[0]));
                }
            }
        }
        final StageOutput output = new StageOutput(routes.toArray(new RingProducer[0][]));

        final List<RingConsumer> consumers = new ArrayList<>();
        final List<Integer> sides = new ArrayList<>();
        for (final Node.Edge edge : stage.head.inputs)
        {
            final RingChannel[][] grid = edgeChannels.get(edge);
            for (int i = 0; i < grid.length; i++)
            {
                if (null != grid[i][instance])
                {
                    consumers.add(grid[i][instance].newConsumer(stageName));
                    sides.add(edge.toSide);
                }
            }
        }

        final Links.Link head = newLink(stage.head, stageName, errors, sides, memory, context, output, routeOf);
        links.add(head);
        wire(stage, stage.head, head, stageName, errors, memory, context, output, routeOf);
        final Links.Chain chain = new Links.Chain(head, errors);

        if (stage.head.kind == Node.Kind.SOURCE)
        {
            agents.add(newSourceStage(stage.head, stageName, errors, chain, output, stageCounters, context, memory));
        }
        else
        {
            agents.add(new OperatorStage(stageName, consumers.toArray(new RingConsumer[0]), chain, output,
                context.batchLimit(), context.clock(), control, stageCounters));
        }
        stageAgents.add(agents.get(agents.size() - 1));
        stageNames.add(stageName);
    }

    private void wire(
        final Plan.StagePlan stage,
        final Node node,
        final Links.Link link,
        final String stageName,
        final StageErrors errors,
        final MemoryManager memory,
        final Ferrite.Context context,
        final StageOutput output,
        final Map<Node.Edge, Integer> routeOf)
    {
        for (final Node.Edge edge : node.outputs)
        {
            final Links.Link child;
            if (plan.stageOf.get(edge.to) == stage)
            {
                child = newLink(edge.to, stageName, errors, List.of(0), memory, context, output, routeOf);
                links.add(child);
                wire(stage, edge.to, child, stageName, errors, memory, context, output, routeOf);
            }
            else
            {
                child = new Links.RouteLink(node.name, errors, output, routeOf.get(edge), edge.key);
            }
            link.addNext(edge.fromPort, child);
        }
    }

    private Links.Link newLink(
        final Node node,
        final String stageName,
        final StageErrors errors,
        final List<Integer> sides,
        final MemoryManager memory,
        final Ferrite.Context context,
        final StageOutput output,
        final Map<Node.Edge, Integer> routeOf)
    {
        final Schema inSchema = node.inputs.isEmpty() ? node.schema :
            node.inputs.get(0).from.outputSchema(node.inputs.get(0).fromPort);
        switch (node.kind)
        {
            case SOURCE:
            case UNION:
                return new Links.PassLink(node.name, errors);
            case MAP:
                return new Links.MapLink(node.name, errors, (MapFunction)node.function, inSchema, node.schema);
            case FILTER:
                return new Links.FilterLink(node.name, errors, (FilterFunction)node.function, inSchema);
            case FLAT_MAP:
                return new Links.FlatMapLink(node.name, errors, (FlatMapFunction)node.function, inSchema,
                    node.schema, node.maxOutputs);
            case PROCESS:
            case CO_PROCESS:
                final String instanceName = name + "." + stageName;
                return new Links.ProcessLink(node, instanceName, errors, sideOfInput(sides), keys(node), memory,
                    context.clock());
            case WINDOW:
                final String windowName = name + "." + stageName;
                return new WindowLink(node, windowName, errors, memory, context.clock(),
                    counters.newCounter("stage " + stageName + ": late records", LATE_RECORDS_TYPE_ID));
            case WINDOW_JOIN:
            case INTERVAL_JOIN:
                return JoinLink.create(node, name + "." + stageName + ".join", errors, sideOfInput(sides), keys(node),
                    memory, counters.newCounter("stage " + stageName + ": late records", LATE_RECORDS_TYPE_ID));
            default:
                return newSink(node, errors);
        }
    }

    private static int[] sideOfInput(final List<Integer> sides)
    {
        final int[] sideOfInput = new int[sides.size()];
        for (int i = 0; i < sideOfInput.length; i++)
        {
            sideOfInput[i] = sides.get(i);
        }
        return sideOfInput;
    }

    private static KeySpec[] keys(final Node node)
    {
        final KeySpec[] keys = new KeySpec[node.kind == Node.Kind.PROCESS ? 1 : 2];
        for (final Node.Edge edge : node.inputs)
        {
            keys[edge.toSide] = edge.key;
        }
        return keys;
    }

    private Links.Link newSink(final Node node, final StageErrors errors)
    {
        switch (node.sinkKind)
        {
            case CALLBACK:
                return new Links.CallbackSinkLink(node.name, errors, node.schema, (SinkFunction)node.function);
            case COLLECT:
                return new Links.CollectSinkLink(node.name, errors, node.schema, node.collectingSink);
            case CSV:
                return new Links.CsvSinkLink(
                    node.name, errors, node.schema, node.path, node.identity, node.csvHeader);
            case COMMITTED_JOURNAL:
                final CommittedJournal committed = CommittedJournal.open(new Journal.Context()
                    .directory(directory.resolve("sinks").resolve(node.name))
                    .maxPayloadLength(Math.max(64, node.schema.recordLength() + OutputIdentity.LENGTH + 8)));
                return new Links.CommittedJournalSinkLink(node.name, errors, node.schema, committed, node.identity);
            default:
                final Journal journal = Journal.open(new Journal.Context()
                    .directory(directory.resolve("sinks").resolve(node.name))
                    .maxPayloadLength(Math.max(64, node.schema.recordLength())));
                return new Links.JournalSinkLink(node.name, errors, node.schema, journal);
        }
    }

    private Agent newSourceStage(
        final Node source,
        final String stageName,
        final StageErrors errors,
        final Links.Chain chain,
        final StageOutput output,
        final StageCounters stageCounters,
        final Ferrite.Context context,
        final MemoryManager memory)
    {
        final SourceOptions options = source.sourceOptions;
        Journal journal = null;
        final SourceInput input;
        switch (source.sourceKind)
        {
            case PUBLISHER:
                final RingChannel ring = new RingChannel(memory, name + "." + source.name + ".publisher",
                    options.ringCapacity, source.schema.recordLength(), RingChannel.ProducerMode.MULTI);
                channels.add(ring);
                input = new SourceInputs.PublisherInput(ring.newConsumer(stageName));
                source.publisher.attach(ring, control);
                publishers.add(source.publisher);
                break;
            case GENERATOR:
                input = new SourceInputs.GeneratorInput((GeneratorFunction)source.function, source.schema,
                    options.maxRecords, options.ratePerSecond, context.clock());
                break;
            case JOURNAL:
                input = new SourceInputs.JournalInput(source.name, source.path, source.schema,
                    options.endAtLastEntry);
                break;
            default:
                input = new SourceInputs.CsvInput(source.name, source.sourceId, source.path, source.schema, errors);
                break;
        }
        unstartedInputs.add(input);
        if (options.journaled &&
            (source.sourceKind == Node.SourceKind.PUBLISHER || source.sourceKind == Node.SourceKind.GENERATOR))
        {
            journal = Journal.open(new Journal.Context()
                .directory(directory.resolve("sources").resolve(source.name))
                .durability(options.durability)
                .maxPayloadLength(Math.max(64, source.schema.recordLength())));
            journals.add(journal);
        }
        return new SourceStage(stageName, source.sourceId, input, journal,
            source.schema.timestampField(options.timestampField), options.watermarks.newGenerator(),
            options.idleTimeoutNs, context.clock(), context.batchLimit(), chain, output, control, stageCounters);
    }

    private void onError(final Throwable error)
    {
        if (failure.compareAndSet(null, error))
        {
            control.stop();
        }
    }

    /**
     * The job's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The job's directory: source journals, sink journals, dead letters, {@code counters.dat}.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Whether every source is replayable or journaled, so the job can recover after a crash.
     *
     * @return true if recoverable.
     */
    public boolean recoverable()
    {
        return plan.recoverable();
    }

    /**
     * The physical plan, with the threads (and cores) the stages run on.
     *
     * @return the plan as text.
     */
    public String explain()
    {
        return plan.explain(null == scheduler ? List.of() : scheduler.threadNames());
    }

    /**
     * Run one duty cycle of every stage: the invoker threading mode's way to drive the job.
     *
     * @return the work done; 0 when there was nothing to do.
     */
    public int doWork()
    {
        return scheduler.invoke();
    }

    /**
     * Whether every stage has finished (a bounded job that has completed).
     *
     * @return true when done.
     */
    public boolean isDone()
    {
        return control.allDone();
    }

    /**
     * The failure that stopped the job, or null.
     *
     * @return the first error a stage threw: an {@link OperatorException} for a user function.
     */
    public Throwable failure()
    {
        return failure.get();
    }

    /**
     * Wait until the job completes, fails or is cancelled. In the invoker mode, drives the job on the calling thread.
     *
     * @throws JobFailedException if the job failed.
     * @throws InterruptedException if interrupted while waiting.
     */
    public void await() throws InterruptedException
    {
        await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Wait until the job completes, fails or is cancelled, or the time is up. In the invoker mode, drives the job on
     * the calling thread.
     *
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if the job completed or was cancelled; false on timeout.
     * @throws JobFailedException if the job failed.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 2);
        final boolean invoker = ferrite.context().threadingMode() == ThreadingMode.INVOKER;
        while (true)
        {
            final Throwable error = failure.get();
            if (null != error)
            {
                throw new JobFailedException(name, error);
            }
            if (control.allDone() || cancelled)
            {
                return true;
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                return false;
            }
            if (invoker)
            {
                if (scheduler.invoke() == 0)
                {
                    Thread.onSpinWait();
                }
            }
            else
            {
                control.awaitDone(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * Take a checkpoint now: the sources inject a barrier, every stage writes its state when the barrier reaches it,
     * and the checkpoint is complete once the manifest is on disk ({@link #lastCheckpoint()}).
     *
     * @return the checkpoint's id, or -1 when one is already in progress or the job has stopped.
     * @throws IllegalStateException if an operator of the job cannot take part in checkpoints (a plain journal
     *                               sink); the message names it and says what to use instead.
     */
    public long checkpoint()
    {
        final String unsupported = unsupportedOperators();
        if (null != unsupported)
        {
            throw new IllegalStateException("job '" + name + "': cannot checkpoint: " + unsupported);
        }
        return null == checkpoints || control.isStopped() ? -1 : checkpoints.trigger();
    }

    private String unsupportedOperators()
    {
        final StringBuilder reasons = new StringBuilder();
        for (final Links.Link link : links)
        {
            if (!link.supportsCheckpoints())
            {
                final String reason = link.checkpointRefusal();
                if (reasons.indexOf(reason) < 0)
                {
                    reasons.append(reasons.length() == 0 ? "" : "; ").append(reason);
                }
            }
        }
        return reasons.length() == 0 ? null : reasons.toString();
    }

    /**
     * The newest complete checkpoint.
     *
     * @return its id; the restored one's right after recovery; 0 for none.
     */
    public long lastCheckpoint()
    {
        return null == checkpoints ? 0 : checkpoints.completedCheckpoint();
    }

    /**
     * Wait until checkpoint {@code id} (or a later one) has completed. In the invoker threading mode the stages are run
     * until each has passed the barrier, and no further, so a test knows where the job stands.
     *
     * @param id      the checkpoint.
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if it completed in time.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitCheckpoint(final long id, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (lastCheckpoint() < id)
        {
            if (null != failure.get() || System.nanoTime() > deadline)
            {
                return false;
            }
            if (ferrite.context().threadingMode() == ThreadingMode.INVOKER && !checkpoints.allAcknowledged())
            {
                if (doWork() == 0)
                {
                    Thread.sleep(1);
                }
            }
            else
            {
                Thread.sleep(1);
            }
        }
        return true;
    }

    /**
     * The duration of the newest complete checkpoint, from trigger to manifest.
     *
     * @return nanoseconds, 0 before the first.
     */
    public long lastCheckpointDurationNs()
    {
        return null == checkpoints ? 0 : checkpoints.lastDurationNs();
    }

    /**
     * The bytes the newest complete checkpoint wrote.
     *
     * @return bytes, 0 before the first.
     */
    public long lastCheckpointSizeBytes()
    {
        return null == checkpoints ? 0 : checkpoints.lastSizeBytes();
    }

    /**
     * The longest time a stage held inputs blocked to align the newest complete checkpoint's barriers.
     *
     * @return nanoseconds.
     */
    public long lastCheckpointAlignmentNs()
    {
        return null == checkpoints ? 0 : checkpoints.lastAlignmentNs();
    }

    /**
     * Recovery time: from the job's construction (which restores the checkpoint) until every source has caught up,
     * that is, replayed its journal from the checkpoint's position (or from its start, with no checkpoint).
     *
     * @return nanoseconds, or -1 while a source is still replaying.
     */
    public long recoveryTimeNs()
    {
        long last = startNanoTime;
        for (final Agent agent : stageAgents)
        {
            if (agent instanceof SourceStage)
            {
                final long caughtUp = ((SourceStage)agent).caughtUpNanoTime();
                if (caughtUp < 0)
                {
                    return -1;
                }
                last = Math.max(last, caughtUp);
            }
        }
        return last - startNanoTime;
    }

    /**
     * Records the sources replayed from their journals at start; with {@link #recoveryTimeNs()}, the replay rate.
     *
     * @return the count so far.
     */
    public long replayedRecords()
    {
        long replayed = 0;
        for (final Agent agent : stageAgents)
        {
            if (agent instanceof SourceStage)
            {
                replayed += ((SourceStage)agent).replayedRecords();
            }
        }
        return replayed;
    }

    /**
     * The checkpoint the job recovered from when it started.
     *
     * @return its id, or -1 when it started without one.
     */
    public long restoredCheckpoint()
    {
        return restoredCheckpoint;
    }

    /**
     * Stop every stage; records in flight are dropped. {@link #close()} frees the memory.
     */
    public void cancel()
    {
        cancelled = true;
        control.stop();
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * The operator instances of every stage, in the order they were built: for tests in this package.
     *
     * @return the links, not to be changed.
     */
    List<Links.Link> links()
    {
        return links;
    }

    /**
     * Stop the job and free its channels, state, journals and counters. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            control.stop();
            release();
        }
    }

    private void release()
    {
        for (final Publisher publisher : publishers)
        {
            publisher.detach();
        }
        RuntimeException first = null;
        try
        {
            if (null != scheduler)
            {
                scheduler.close();
            }
        }
        catch (final RuntimeException ex)
        {
            first = ex;
        }
        if (null != checkpoints)
        {
            checkpoints.close();
        }
        for (final SourceInput input : unstartedInputs)
        {
            input.close();
        }
        for (final Links.Link link : links)
        {
            try
            {
                link.close();
            }
            catch (final RuntimeException ex)
            {
                first = null == first ? ex : first;
            }
        }
        for (final RingChannel channel : channels)
        {
            channel.close();
        }
        for (final Journal journal : journals)
        {
            journal.close();
        }
        deadLetters.close();
        counters.close();
        if (null != first)
        {
            throw first;
        }
    }

    private void housekeepCheckpoints()
    {
        final CheckpointCoordinator coordinator = checkpoints;
        if (null == coordinator)
        {
            return;
        }
        final long completed = coordinator.completedCheckpoint();
        if (completed != checkpointId.get())
        {
            checkpointDuration.setRelease(coordinator.lastDurationNs());
            checkpointSize.setRelease(coordinator.lastSizeBytes());
            checkpointAlignment.setRelease(coordinator.lastAlignmentNs());
            checkpointId.setRelease(completed);
        }
        final long intervalNs = ferrite.context().checkpointIntervalNs();
        if (intervalNs > 0 && !periodicRefused)
        {
            final String unsupported = unsupportedOperators();
            if (null != unsupported)
            {
                periodicRefused = true;
                ferrite.context().warningHandler().accept("job '" + name + "': no periodic checkpoints: " +
                    unsupported);
                return;
            }
            final long now = ferrite.context().clock().nanoTime();
            if (now - lastTriggerNs >= intervalNs && coordinator.trigger() > 0)
            {
                lastTriggerNs = now;
            }
        }
    }

    private boolean periodicCheckpointDue()
    {
        final long intervalNs = ferrite.context().checkpointIntervalNs();
        return intervalNs > 0 && !periodicRefused && null != checkpoints &&
            ferrite.context().clock().nanoTime() - lastTriggerNs >= intervalNs;
    }

    /**
     * The first stage, with the job-wide counters (memory in use) kept fresh every few thousand of its duty cycles,
     * and periodic checkpoints triggered when due (the clock is looked at every 64 duty cycles).
     */
    private final class Housekeeper implements Agent
    {
        private final Agent stage;
        private int cycles;

        Housekeeper(final Agent stage)
        {
            this.stage = stage;
        }

        @Override
        public void onStart()
        {
            stage.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            if ((++cycles & 4095) == 1)
            {
                memoryUsed.setRelease(ferrite.memoryManager().usedBytes());
                housekeepCheckpoints();
            }
            else if ((cycles & 63) == 0 && periodicCheckpointDue())
            {
                // Under load a duty cycle takes a batch of records, and 4096 of them can last seconds: look at the
                // clock more often, so that the checkpoint interval holds when the job is busy too.
                housekeepCheckpoints();
            }
            return stage.doWork();
        }

        @Override
        public void onClose()
        {
            stage.onClose();
        }

        @Override
        public String roleName()
        {
            return stage.roleName();
        }
    }
}
