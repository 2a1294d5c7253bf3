package io.ferrite.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ferrite.memory.schema.Schema;

/**
 * An operator of the logical graph a {@link Pipeline} builds: what it is, its output schema, its parallelism and its
 * edges. The planner turns nodes into stages.
 */
final class Node
{
    enum Kind
    {
        SOURCE, MAP, FILTER, FLAT_MAP, PROCESS, CO_PROCESS, WINDOW, WINDOW_JOIN, INTERVAL_JOIN, UNION, SINK
    }

    enum SourceKind
    {
        PUBLISHER, GENERATOR, JOURNAL, CSV
    }

    enum SinkKind
    {
        CALLBACK, JOURNAL, COMMITTED_JOURNAL, CSV, COLLECT
    }

    final int id;
    final String name;
    final Kind kind;
    final Schema schema;
    final int parallelism;
    final TimeUnit timeUnit;
    final List<Edge> inputs = new ArrayList<>();
    final List<Edge> outputs = new ArrayList<>();

    Object function;
    Schema stateSchema;
    int maxOutputs = 1;
    OutputTag[] sideTags = new OutputTag[0];

    SourceKind sourceKind;
    SourceOptions sourceOptions;
    int sourceId;
    Publisher publisher;

    SinkKind sinkKind;
    Path path;
    boolean identity;
    boolean csvHeader = true;
    CollectingSink collectingSink;

    Node(
        final int id,
        final String name,
        final Kind kind,
        final Schema schema,
        final int parallelism,
        final TimeUnit timeUnit)
    {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.schema = schema;
        this.parallelism = parallelism;
        this.timeUnit = timeUnit;
    }

    Schema outputSchema(final int port)
    {
        return port == 0 ? schema : sideTags[port - 1].schema();
    }

    String describe()
    {
        switch (kind)
        {
            case SOURCE:
                return "source '" + name + "' (" + sourceKind.name().toLowerCase() +
                    (sourceKind == SourceKind.PUBLISHER || sourceKind == SourceKind.GENERATOR ?
                    (sourceOptions.journaled ? ", journaled " + sourceOptions.durability.name().toLowerCase() :
                    ", NOT journaled: cannot recover") : ", replayable") + ", " + sourceOptions.watermarks + ")";
            case SINK:
                return "sink '" + name + "' (" + sinkKind.name().toLowerCase() + ")";
            case PROCESS:
            case CO_PROCESS:
                return kind.name().toLowerCase().replace('_', '-') + " '" + name + "'" +
                    (null == stateSchema ? "" : " state=" + stateSchema.name() + "[" + stateSchema.recordLength() +
                    " B/key]") + (sideTags.length == 0 ? "" : " sides=" + sideTagNames());
            case WINDOW:
                return kind.name().toLowerCase().replace('_', '-') + " '" + name + "' " + function +
                    (sideTags.length == 0 ? "" : " sides=" + sideTagNames());
            case WINDOW_JOIN:
            case INTERVAL_JOIN:
                return kind.name().toLowerCase().replace('_', '-') + " '" + name + "' " + function;
            default:
                return kind.name().toLowerCase().replace('_', '-') + " '" + name + "'";
        }
    }

    private String sideTagNames()
    {
        final StringBuilder sb = new StringBuilder();
        for (final OutputTag tag : sideTags)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(tag.name());
        }
        return sb.toString();
    }

    @Override
    public String toString()
    {
        return describe();
    }

    /**
     * A connection between two nodes: forward (same instance, or many into one) or keyed (partitioned by key hash).
     */
    static final class Edge
    {
        final Node from;
        final int fromPort;
        final Node to;
        final int toSide;
        final KeySpec key;

        Edge(final Node from, final int fromPort, final Node to, final int toSide, final KeySpec key)
        {
            this.from = from;
            this.fromPort = fromPort;
            this.to = to;
            this.toSide = toSide;
            this.key = key;
        }

        boolean keyed()
        {
            return null != key;
        }
    }
}
