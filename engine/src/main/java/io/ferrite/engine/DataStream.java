package io.ferrite.engine;

import java.nio.file.Path;
import java.util.Objects;

import io.ferrite.memory.schema.Schema;

/**
 * A stream of records of one schema in a pipeline being built: the output of a source or an operator (or one of a
 * process operator's side outputs). Transformations return new streams; sinks end them. Operators with the same
 * parallelism that follow each other are chained into one stage; {@link #keyBy} starts a new one.
 * <p>
 * <b>Note:</b> Build a pipeline from one thread.
 */
public final class DataStream
{
    final Pipeline pipeline;
    final Node node;
    final int port;

    DataStream(final Pipeline pipeline, final Node node, final int port)
    {
        this.pipeline = pipeline;
        this.node = node;
        this.port = port;
    }

    /**
     * The schema of the stream's records.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return node.outputSchema(port);
    }

    /**
     * The name of the operator (or source) producing the stream.
     *
     * @return the name.
     */
    public String name()
    {
        return port == 0 ? node.name : node.name + "." + node.sideTags[port - 1].name();
    }

    /**
     * The number of parallel instances producing the stream.
     *
     * @return the parallelism.
     */
    public int parallelism()
    {
        return node.parallelism;
    }

    /**
     * One record out per record in.
     *
     * @param name         the operator's name, unique in the pipeline.
     * @param outputSchema the output's schema.
     * @param function     the transformation.
     * @return the output stream.
     */
    public DataStream map(final String name, final Schema outputSchema, final MapFunction function)
    {
        final Node map = pipeline.addNode(name, Node.Kind.MAP, outputSchema, node.parallelism, node.timeUnit);
        map.function = Objects.requireNonNull(function, "function");
        pipeline.connect(this, map, 0, null);
        return new DataStream(pipeline, map, 0);
    }

    /**
     * Keep the records a predicate accepts.
     *
     * @param name     the operator's name, unique in the pipeline.
     * @param function the predicate.
     * @return the output stream.
     */
    public DataStream filter(final String name, final FilterFunction function)
    {
        final Node filter = pipeline.addNode(name, Node.Kind.FILTER, schema(), node.parallelism, node.timeUnit);
        filter.function = Objects.requireNonNull(function, "function");
        pipeline.connect(this, filter, 0, null);
        return new DataStream(pipeline, filter, 0);
    }

    /**
     * Zero or more records out per record in.
     *
     * @param name                the operator's name, unique in the pipeline.
     * @param outputSchema        the output's schema.
     * @param maxOutputsPerRecord the most records one input produces: the stage checks that much room downstream
     *                            before it takes a record, so it never waits with a record half-processed.
     * @param function            the transformation.
     * @return the output stream.
     */
    public DataStream flatMap(
        final String name, final Schema outputSchema, final int maxOutputsPerRecord, final FlatMapFunction function)
    {
        final Node flatMap = pipeline.addNode(name, Node.Kind.FLAT_MAP, outputSchema, node.parallelism,
            node.timeUnit);
        flatMap.function = Objects.requireNonNull(function, "function");
        flatMap.maxOutputs = Pipeline.requireMaxOutputs(name, maxOutputsPerRecord);
        pipeline.connect(this, flatMap, 0, null);
        return new DataStream(pipeline, flatMap, 0);
    }

    /**
     * Partition the stream by a key field across {@code parallelism} instances of the next operator.
     *
     * @param fieldName   an integer, timestamp, boolean or symbol (up to 8 characters) field.
     * @param parallelism the number of instances of the keyed operator.
     * @return the keyed stream.
     */
    public KeyedStream keyBy(final String fieldName, final int parallelism)
    {
        return new KeyedStream(this, KeySpec.ofField(schema(), fieldName), Pipeline.requireParallelism(parallelism));
    }

    /**
     * Partition the stream by a computed key across {@code parallelism} instances of the next operator.
     *
     * @param description what the key is, for {@code explain()}.
     * @param selector    computes the key; deterministic and allocation-free.
     * @param parallelism the number of instances of the keyed operator.
     * @return the keyed stream.
     */
    public KeyedStream keyBy(final String description, final KeySelector selector, final int parallelism)
    {
        return new KeyedStream(this, KeySpec.ofSelector(schema(), description, selector),
            Pipeline.requireParallelism(parallelism));
    }

    /**
     * Merge streams of the same schema and parallelism into one.
     *
     * @param name   the union's name, unique in the pipeline.
     * @param others the streams to merge with this one.
     * @return the merged stream.
     */
    public DataStream union(final String name, final DataStream... others)
    {
        if (others.length == 0)
        {
            throw new IllegalArgumentException("union '" + name + "': nothing to merge with '" + name() + "'");
        }
        for (final DataStream other : others)
        {
            if (other.pipeline != pipeline)
            {
                throw new IllegalArgumentException("union '" + name + "': '" + other.name() + "' is in another " +
                    "pipeline");
            }
            if (other.schema().fingerprint() != schema().fingerprint())
            {
                throw new IllegalArgumentException("union '" + name + "': '" + other.name() + "' has schema '" +
                    other.schema().name() + "' but '" + name() + "' has '" + schema().name() + "'; map them to one " +
                    "schema first");
            }
            if (other.node.parallelism != node.parallelism)
            {
                throw new IllegalArgumentException("union '" + name + "': '" + other.name() + "' has parallelism " +
                    other.node.parallelism + " but '" + name() + "' has " + node.parallelism);
            }
            Pipeline.requireSameTimeUnit("union '" + name + "'", this, other);
        }
        final Node union = pipeline.addNode(name, Node.Kind.UNION, schema(), node.parallelism, node.timeUnit);
        pipeline.connect(this, union, 0, null);
        for (final DataStream other : others)
        {
            pipeline.connect(other, union, 0, null);
        }
        return new DataStream(pipeline, union, 0);
    }

    /**
     * The records a process operator wrote to one of its side outputs.
     *
     * @param tag the side output, declared when the operator was added.
     * @return its stream.
     */
    public DataStream sideOutput(final OutputTag tag)
    {
        for (int i = 0; i < node.sideTags.length; i++)
        {
            if (node.sideTags[i] == tag)
            {
                return new DataStream(pipeline, node, i + 1);
            }
        }
        throw new IllegalArgumentException("operator '" + node.name + "' declares no side output " + tag);
    }

    /**
     * End the stream in a callback, called on the sink stage's thread.
     *
     * @param name     the sink's name, unique in the pipeline.
     * @param function the callback.
     */
    public void sink(final String name, final SinkFunction function)
    {
        final Node sink = addSink(name, Node.SinkKind.CALLBACK);
        sink.function = Objects.requireNonNull(function, "function");
    }

    /**
     * End the stream in a journal in the job directory ({@code sinks/<name>}), one entry per record: the journal can
     * be read back by another job's journal source with the same schema.
     *
     * @param name the sink's name, unique in the pipeline.
     */
    public void sinkToJournal(final String name)
    {
        addSink(name, Node.SinkKind.JOURNAL);
    }

    /**
     * End the stream in a committed journal in the job directory ({@code sinks/<name>}): each record is appended at
     * once, and a commit marker covers what came before a checkpoint's barrier when the checkpoint completes (and
     * everything at the end of the input). {@code io.ferrite.queues.committed.ReadCommittedReader} delivers only
     * committed records, each once, across any number of crashes and recoveries: a restored job voids what was
     * written after its checkpoint's barrier, since the replay writes it again.
     *
     * @param name the sink's name, unique in the pipeline.
     */
    public void sinkToCommittedJournal(final String name)
    {
        sinkToCommittedJournal(name, false);
    }

    /**
     * End the stream in a committed journal, as {@link #sinkToCommittedJournal(String)}, each record preceded by its
     * {@link OutputIdentity} when {@code identity} is true.
     *
     * @param name     the sink's name, unique in the pipeline.
     * @param identity whether each entry starts with the output's identity (origin source, journal index, index
     *                 among that origin's outputs).
     */
    public void sinkToCommittedJournal(final String name, final boolean identity)
    {
        addSink(name, Node.SinkKind.COMMITTED_JOURNAL).identity = identity;
    }

    /**
     * End the stream in a CSV file with a header line; the file is replaced if it exists.
     *
     * @param name the sink's name, unique in the pipeline.
     * @param file the file.
     */
    public void sinkToCsv(final String name, final Path file)
    {
        sinkToCsv(name, file, false);
    }

    /**
     * End the stream in a CSV file, as {@link #sinkToCsv(String, Path)}, with each output's {@link OutputIdentity}
     * in three last columns ({@code source_id,journal_index,output_index}) when {@code identity} is true.
     *
     * @param name     the sink's name, unique in the pipeline.
     * @param file     the file.
     * @param identity whether each line ends with the output's identity.
     */
    public void sinkToCsv(final String name, final Path file, final boolean identity)
    {
        sinkToCsv(name, file, identity, true);
    }

    /**
     * End the stream in a CSV file, as {@link #sinkToCsv(String, Path, boolean)}, with or without the header line:
     * without it, the file holds only the records' lines (for tools that expect bare data). Exactly-once either way.
     *
     * @param name     the sink's name, unique in the pipeline.
     * @param file     the file.
     * @param identity whether each line ends with the output's identity.
     * @param header   whether the file starts with a header line.
     */
    public void sinkToCsv(final String name, final Path file, final boolean identity, final boolean header)
    {
        final Node sink = addSink(name, Node.SinkKind.CSV);
        sink.path = Objects.requireNonNull(file, "file");
        sink.identity = identity;
        sink.csvHeader = header;
    }

    /**
     * End the stream in memory, for tests: every record is copied and kept.
     *
     * @param name the sink's name, unique in the pipeline.
     * @return the sink, readable once the job is done.
     */
    public CollectingSink collect(final String name)
    {
        final Node sink = addSink(name, Node.SinkKind.COLLECT);
        sink.collectingSink = new CollectingSink(name, schema());
        return sink.collectingSink;
    }

    private Node addSink(final String name, final Node.SinkKind kind)
    {
        final Node sink = pipeline.addNode(name, Node.Kind.SINK, schema(), 1, node.timeUnit);
        sink.sinkKind = kind;
        pipeline.connect(this, sink, 0, null);
        return sink;
    }

    @Override
    public String toString()
    {
        return "DataStream{" + name() + ": " + schema().name() + " x" + node.parallelism + "}";
    }
}
