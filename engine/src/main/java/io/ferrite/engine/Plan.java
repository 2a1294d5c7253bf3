package io.ferrite.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The physical plan of a pipeline: which operators are chained into which stage, each stage's parallelism, and the
 * ring channels between stages. An operator joins its upstream's stage when it has that one input, is not keyed,
 * and has the same parallelism; a keyed edge, a parallelism change, a union, a connect and a join start a new stage.
 */
final class Plan
{
    final String pipelineName;
    final Ferrite.Context context;
    final List<StagePlan> stages = new ArrayList<>();
    final Map<Node, StagePlan> stageOf = new IdentityHashMap<>();

    Plan(final Pipeline pipeline, final Ferrite.Context context)
    {
        this.pipelineName = pipeline.name();
        this.context = context;
        for (final Node node : pipeline.nodes())
        {
            if (chained(node))
            {
                final StagePlan stage = stageOf.get(node.inputs.get(0).from);
                stage.nodes.add(node);
                stageOf.put(node, stage);
            }
            else
            {
                final StagePlan stage = new StagePlan(stages.size(), node);
                stages.add(stage);
                stageOf.put(node, stage);
            }
        }
    }

    static boolean chained(final Node node)
    {
        if (node.kind == Node.Kind.SOURCE || node.kind == Node.Kind.UNION || node.kind == Node.Kind.CO_PROCESS ||
            node.kind == Node.Kind.WINDOW_JOIN || node.kind == Node.Kind.INTERVAL_JOIN || node.inputs.size() != 1)
        {
            return false;
        }
        final Node.Edge edge = node.inputs.get(0);
        return !edge.keyed() && edge.from.parallelism == node.parallelism;
    }

    int instances()
    {
        int count = 0;
        for (final StagePlan stage : stages)
        {
            count += stage.parallelism();
        }
        return count;
    }

    /**
     * Whether the channel of an edge joins upstream instance {@code from} to downstream instance {@code to}.
     */
    static boolean connects(final Node.Edge edge, final int from, final int to)
    {
        if (edge.keyed())
        {
            return true;
        }
        return edge.to.parallelism == 1 || from == to;
    }

    boolean recoverable()
    {
        for (final StagePlan stage : stages)
        {
            for (final Node node : stage.nodes)
            {
                if (node.kind == Node.Kind.SOURCE && !node.sourceOptions.journaled &&
                    (node.sourceKind == Node.SourceKind.PUBLISHER || node.sourceKind == Node.SourceKind.GENERATOR))
                {
                    return false;
                }
            }
        }
        return true;
    }

    String explain(final List<String> threads)
    {
        final StringBuilder out = new StringBuilder();
        out.append("pipeline '").append(pipelineName).append("': ").append(stages.size()).append(" stage(s), ")
            .append(instances()).append(" instance(s), threading ").append(context.threadingMode());
        if (context.cores().length > 0)
        {
            out.append(", cores ").append(Arrays.toString(context.cores()));
        }
        out.append(recoverable() ? "" : ", NOT RECOVERABLE (a source is not journaled)").append('\n');
        for (final StagePlan stage : stages)
        {
            out.append("stage ").append(stage.index).append(" '").append(stage.head.name).append("' x")
                .append(stage.parallelism()).append('\n');
            for (final Node.Edge edge : stage.head.inputs)
            {
                final int channels = channelCount(edge);
                out.append("  input from '").append(edge.from.name)
                    .append(edge.fromPort == 0 ? "" : "." + edge.from.sideTags[edge.fromPort - 1].name())
                    .append("'").append(edge.keyed() ? " keyed by " + edge.key.description +
                    " (partitioned by key hash)" : " forward").append(inputRole(edge)).append(": ").append(channels)
                    .append(" ring channel(s) of ").append(context.ringCapacity()).append(" slots x ")
                    .append(edge.from.outputSchema(edge.fromPort).recordLength()).append(" B\n");
            }
            describe(out, stage, stage.head, "  ");
        }
        if (null != threads)
        {
            out.append("threads: ").append(threads.isEmpty() ? "none (invoker: the application calls doWork)" :
                String.join(", ", threads)).append('\n');
        }
        return out.toString();
    }

    private void describe(final StringBuilder out, final StagePlan stage, final Node node, final String indent)
    {
        out.append(indent).append(node.describe()).append('\n');
        for (final Node.Edge edge : node.outputs)
        {
            final String port = edge.fromPort == 0 ? "" : "[" + node.sideTags[edge.fromPort - 1].name() + "] ";
            if (stageOf.get(edge.to) == stage)
            {
                out.append(indent).append("-> ").append(port).append("chained:\n");
                describe(out, stage, edge.to, indent + "   ");
            }
            else
            {
                out.append(indent).append("-> ").append(port).append("ring to stage ")
                    .append(stageOf.get(edge.to).index).append(" '").append(edge.to.name).append("'")
                    .append(edge.keyed() ? " keyed by " + edge.key.description : "").append('\n');
            }
        }
    }

    private static String inputRole(final Node.Edge edge)
    {
        switch (edge.to.kind)
        {
            case CO_PROCESS:
                return edge.toSide == 0 ? " as first input" : " as second input";
            case WINDOW_JOIN:
            case INTERVAL_JOIN:
                return edge.toSide == 0 ? " as left input" : " as right input";
            default:
                return "";
        }
    }

    private static int channelCount(final Node.Edge edge)
    {
        int count = 0;
        for (int i = 0; i < edge.from.parallelism; i++)
        {
            for (int j = 0; j < edge.to.parallelism; j++)
            {
                if (connects(edge, i, j))
                {
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * One stage: its head operator and the operators chained after it.
     */
    static final class StagePlan
    {
        final int index;
        final Node head;
        final List<Node> nodes = new ArrayList<>();

        StagePlan(final int index, final Node head)
        {
            this.index = index;
            this.head = head;
            nodes.add(head);
        }

        int parallelism()
        {
            return head.parallelism;
        }

        String instanceName(final int instance)
        {
            return head.parallelism == 1 ? head.name : head.name + "#" + instance;
        }
    }
}
