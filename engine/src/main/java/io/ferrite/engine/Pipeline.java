package io.ferrite.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.FieldType;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.memory.table.OffHeapHashTable;

/**
 * A job being built: sources, the transformations between them and the sinks, as a logical graph. {@link #explain()}
 * prints the physical plan the planner makes of it; {@link #start()} builds the stages and channels and runs them.
 * <p>
 * <b>Note:</b> Build and start from one thread.
 */
public final class Pipeline
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Ferrite ferrite;
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private int sources;
    private boolean started;

    Pipeline(final Ferrite ferrite, final String name)
    {
        this.ferrite = ferrite;
        this.name = requireName("pipeline", name);
    }

    /**
     * The pipeline's name: its job directory's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * A source the application's threads publish into: claim a slot, write fields, commit. Several threads may
     * publish at once, each with its own {@link Publisher#newProducer()}.
     *
     * @param name    the source's name, unique in the pipeline.
     * @param schema  its records' schema.
     * @param options its event time, watermarks, journaling and ring size.
     * @return the publisher, usable once the job has started.
     */
    public Publisher publisher(final String name, final Schema schema, final SourceOptions options)
    {
        final Node source = addSource(name, schema, options, Node.SourceKind.PUBLISHER);
        source.publisher = new Publisher(name, schema);
        return source.publisher;
    }

    /**
     * The stream of a publisher source.
     *
     * @param publisher a publisher of this pipeline.
     * @return its stream.
     */
    public DataStream stream(final Publisher publisher)
    {
        for (final Node node : nodes)
        {
            if (node.publisher == publisher)
            {
                return new DataStream(this, node, 0);
            }
        }
        throw new IllegalArgumentException("publisher '" + publisher.name() + "' is not a source of pipeline '" +
            name + "'");
    }

    /**
     * A source whose records a function fills on the source stage's thread, at a fixed rate or as fast as the
     * pipeline takes them, until the function says it is done or {@link SourceOptions#maxRecords} is reached.
     *
     * @param name     the source's name, unique in the pipeline.
     * @param schema   its records' schema.
     * @param options  its event time, watermarks, journaling, rate and end.
     * @param function fills each record.
     * @return the stream.
     */
    public DataStream generator(
        final String name, final Schema schema, final SourceOptions options, final GeneratorFunction function)
    {
        final Node source = addSource(name, schema, options, Node.SourceKind.GENERATOR);
        source.function = Objects.requireNonNull(function, "function");
        return new DataStream(this, source, 0);
    }

    /**
     * A source that tails an existing Ferrite journal whose entries are records of the schema (a journal sink's,
     * or another job's source journal). The journal is replayable by itself, so nothing is journaled again.
     *
     * @param name      the source's name, unique in the pipeline.
     * @param schema    its records' schema.
     * @param directory the journal's directory.
     * @param options   its event time, watermarks, and whether it ends at the last entry.
     * @return the stream.
     */
    public DataStream journal(final String name, final Schema schema, final Path directory, final SourceOptions options)
    {
        final Node source = addSource(name, schema, options, Node.SourceKind.JOURNAL);
        source.path = Objects.requireNonNull(directory, "directory");
        return new DataStream(this, source, 0);
    }

    /**
     * A source that reads a CSV file in the schema's column order (a header line is recognised and skipped). A
     * malformed line follows the job's error policy, with its file, line and column. The file is replayable by
     * itself, so nothing is journaled; a record's origin index is its line number.
     *
     * @param name    the source's name, unique in the pipeline.
     * @param schema  its records' schema.
     * @param file    the file.
     * @param options its event time and watermarks.
     * @return the stream.
     */
    public DataStream csv(final String name, final Schema schema, final Path file, final SourceOptions options)
    {
        final Node source = addSource(name, schema, options, Node.SourceKind.CSV);
        source.path = Objects.requireNonNull(file, "file");
        return new DataStream(this, source, 0);
    }

    /**
     * The physical plan: stages with their chained operators, parallelism and inputs, and the ring channels between
     * them. Threads and cores are known once started ({@link Job#explain()}).
     *
     * @return the plan as text.
     */
    public String explain()
    {
        return new Plan(this, ferrite.context()).explain(null);
    }

    /**
     * Build the stages and channels and start them in the Ferrite context's threading mode.
     *
     * @return the running job.
     */
    public Job start()
    {
        if (started)
        {
            throw new IllegalStateException("pipeline '" + name + "' already started");
        }
        if (nodes.isEmpty())
        {
            throw new IllegalStateException("pipeline '" + name + "' has no source");
        }
        started = true;
        return ferrite.startJob(this, new Plan(this, ferrite.context()));
    }

    List<Node> nodes()
    {
        return nodes;
    }

    Node addNode(
        final String nodeName,
        final Node.Kind kind,
        final Schema schema,
        final int parallelism,
        final TimeUnit timeUnit)
    {
        if (started)
        {
            throw new IllegalStateException("pipeline '" + name + "' already started");
        }
        requireName(kind.name().toLowerCase().replace('_', '-'), nodeName);
        Objects.requireNonNull(schema, "schema");
        for (final Node node : nodes)
        {
            if (node.name.equals(nodeName))
            {
                throw new IllegalArgumentException("pipeline '" + name + "' already has an operator named '" +
                    nodeName + "' (" + node.describe() + "); names must be unique: they name stages, counters, " +
                    "memory and journals");
            }
        }
        final Node node = new Node(nodes.size(), nodeName, kind, schema, parallelism, timeUnit);
        nodes.add(node);
        return node;
    }

    Node addProcess(
        final String nodeName,
        final Node.Kind kind,
        final Schema outputSchema,
        final Schema stateSchema,
        final int maxOutputsPerCall,
        final Object function,
        final OutputTag[] sideOutputs,
        final int parallelism,
        final TimeUnit timeUnit)
    {
        if (null != stateSchema && stateSchema.recordLength() > OffHeapHashTable.MAX_VALUE_WIDTH)
        {
            throw new IllegalArgumentException("process '" + nodeName + "': state schema '" + stateSchema.name() +
                "' is " + stateSchema.recordLength() + " bytes per key; the most is " +
                OffHeapHashTable.MAX_VALUE_WIDTH);
        }
        for (int i = 0; i < sideOutputs.length; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (sideOutputs[i].name().equals(sideOutputs[j].name()))
                {
                    throw new IllegalArgumentException("process '" + nodeName + "': two side outputs named '" +
                        sideOutputs[i].name() + "'");
                }
            }
        }
        final Node node = addNode(nodeName, kind, outputSchema, parallelism, timeUnit);
        node.function = Objects.requireNonNull(function, "function");
        node.stateSchema = stateSchema;
        node.maxOutputs = requireMaxOutputs(nodeName, maxOutputsPerCall);
        node.sideTags = sideOutputs.clone();
        return node;
    }

    void connect(final DataStream from, final Node to, final int side, final KeySpec key)
    {
        if (from.pipeline != this)
        {
            throw new IllegalArgumentException("'" + from.name() + "' is in pipeline '" + from.pipeline.name +
                "', not '" + name + "'");
        }
        final Node.Edge edge = new Node.Edge(from.node, from.port, to, side, key);
        from.node.outputs.add(edge);
        to.inputs.add(edge);
    }

    private Node addSource(
        final String sourceName, final Schema schema, final SourceOptions options, final Node.SourceKind kind)
    {
        final SourceOptions copy = Objects.requireNonNull(options, "options").copy();
        final TimestampField timestampField = timestampField(sourceName, schema, copy.timestampField);
        copy.timestampField = timestampField.name();
        final Node node = addNode(sourceName, Node.Kind.SOURCE, schema, 1, timestampField.unit());
        node.sourceKind = kind;
        node.sourceOptions = copy;
        node.sourceId = sources++;
        return node;
    }

    private static TimestampField timestampField(final String source, final Schema schema, final String fieldName)
    {
        if (null != fieldName)
        {
            if (!schema.hasField(fieldName) || schema.field(fieldName).type() != FieldType.TIMESTAMP)
            {
                throw new IllegalArgumentException("source '" + source + "': schema '" + schema.name() +
                    "' has no timestamp field '" + fieldName + "'; fields: " + schema.fields());
            }
            return schema.timestampField(fieldName);
        }
        TimestampField found = null;
        for (final Field field : schema.fields())
        {
            if (field.type() == FieldType.TIMESTAMP)
            {
                if (null != found)
                {
                    throw new IllegalArgumentException("source '" + source + "': schema '" + schema.name() +
                        "' has several timestamp fields; name the event time with SourceOptions.timestampField");
                }
                found = (TimestampField)field;
            }
        }
        if (null == found)
        {
            throw new IllegalArgumentException("source '" + source + "': schema '" + schema.name() + "' has no " +
                "timestamp field for event time; add one (Schema.Builder.timestamp)");
        }
        return found;
    }

    static String requireName(final String what, final String name)
    {
        if (null == name || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException(what + " name must be 1-64 of [A-Za-z0-9_.-], starting with a letter " +
                "or digit: '" + name + "'");
        }
        return name;
    }

    static int requireParallelism(final int parallelism)
    {
        if (parallelism < 1 || parallelism > 256)
        {
            throw new IllegalArgumentException("parallelism out of range [1, 256]: " + parallelism);
        }
        return parallelism;
    }

    static int requireMaxOutputs(final String operator, final int maxOutputs)
    {
        if (maxOutputs < 1 || maxOutputs > 1024)
        {
            throw new IllegalArgumentException("operator '" + operator + "': max outputs per call out of range " +
                "[1, 1024]: " + maxOutputs);
        }
        return maxOutputs;
    }

    static void requireSameTimeUnit(final String what, final DataStream a, final DataStream b)
    {
        if (a.node.timeUnit != b.node.timeUnit)
        {
            throw new IllegalArgumentException(what + ": '" + a.name() + "' has event time in " + a.node.timeUnit +
                " but '" + b.name() + "' in " + b.node.timeUnit + "; watermarks of different units cannot be " +
                "combined");
        }
    }
}
