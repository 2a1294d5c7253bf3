package io.ferrite.engine;

import java.util.concurrent.TimeUnit;

import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * What a window join or interval join node carries to the runtime: the windows or the interval in the stream's
 * timestamp unit, and the function making each pair's output record.
 */
final class JoinSpec
{
    final SlicedWindows windows;
    final Windows windowsAsGiven;
    final long lower;
    final long upper;
    final TimeUnit unit;
    final JoinFunction function;

    private JoinSpec(
        final SlicedWindows windows,
        final Windows windowsAsGiven,
        final long lower,
        final long upper,
        final TimeUnit unit,
        final JoinFunction function)
    {
        this.windows = windows;
        this.windowsAsGiven = windowsAsGiven;
        this.lower = lower;
        this.upper = upper;
        this.unit = unit;
        this.function = function;
    }

    static JoinSpec window(
        final SlicedWindows windows, final Windows windowsAsGiven, final TimeUnit unit, final JoinFunction function)
    {
        return new JoinSpec(windows, windowsAsGiven, 0, 0, unit, function);
    }

    static JoinSpec interval(final long lower, final long upper, final TimeUnit unit, final JoinFunction function)
    {
        return new JoinSpec(null, null, lower, upper, unit, function);
    }

    boolean isInterval()
    {
        return null == windows;
    }

    /**
     * Add a join node fed by two keyed streams, the left as input side 0 and the right as side 1.
     */
    static DataStream addJoin(
        final String name,
        final Node.Kind kind,
        final Schema outputSchema,
        final KeyedStream left,
        final KeyedStream right,
        final JoinSpec spec)
    {
        final Pipeline pipeline = left.upstream.pipeline;
        final Node node = pipeline.addProcess(name, kind, outputSchema, null, 1, spec, new OutputTag[0],
            left.parallelism, left.upstream.node.timeUnit);
        pipeline.connect(left.upstream, node, 0, left.key);
        pipeline.connect(right.upstream, node, 1, right.key);
        return new DataStream(pipeline, node, 0);
    }

    @Override
    public String toString()
    {
        final String how = function instanceof JoinProjection ? ", projected" : "";
        if (isInterval())
        {
            return "right.ts in [left.ts" + signed(lower) + ", left.ts" + signed(upper) + "] " +
                unit.name().toLowerCase() + how;
        }
        return windowsAsGiven + how;
    }

    private static String signed(final long value)
    {
        return value < 0 ? " - " + (value == Long.MIN_VALUE ? "9223372036854775808" : Long.toString(-value)) :
            " + " + value;
    }
}
