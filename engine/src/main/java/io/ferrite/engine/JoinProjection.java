package io.ferrite.engine;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;

import io.ferrite.memory.schema.Field;
import io.ferrite.memory.schema.Schema;

/**
 * The join function of {@code project(name)}: copies both records' fields, byte for byte, into an output record of
 * {@link #schema}, after the window bounds for a window join. Allocates nothing.
 */
final class JoinProjection implements JoinFunction
{
    static final String WINDOW_START = "window_start";
    static final String WINDOW_END = "window_end";
    static final String LEFT_PREFIX = "left_";
    static final String RIGHT_PREFIX = "right_";

    private final int startAt;
    private final int endAt;
    private final boolean bounds;
    private final int[] leftFrom;
    private final int[] leftTo;
    private final int[] leftWidth;
    private final int[] rightFrom;
    private final int[] rightTo;
    private final int[] rightWidth;

    JoinProjection(final Schema left, final Schema right, final Schema output)
    {
        this.bounds = output.hasField(WINDOW_START);
        this.startAt = bounds ? output.field(WINDOW_START).offset() : 0;
        this.endAt = bounds ? output.field(WINDOW_END).offset() : 0;
        final int leftFields = left.fieldCount();
        final int rightFields = right.fieldCount();
        final int first = bounds ? 2 : 0;
        this.leftFrom = new int[leftFields];
        this.leftTo = new int[leftFields];
        this.leftWidth = new int[leftFields];
        this.rightFrom = new int[rightFields];
        this.rightTo = new int[rightFields];
        this.rightWidth = new int[rightFields];
        final List<Field> outFields = output.fields();
        for (int i = 0; i < leftFields; i++)
        {
            final Field field = left.fields().get(i);
            leftFrom[i] = field.offset();
            leftTo[i] = outFields.get(first + i).offset();
            leftWidth[i] = field.width();
        }
        for (int i = 0; i < rightFields; i++)
        {
            final Field field = right.fields().get(i);
            rightFrom[i] = field.offset();
            rightTo[i] = outFields.get(first + leftFields + i).offset();
            rightWidth[i] = field.width();
        }
    }

    /**
     * The projection's output schema: {@code window_start} and {@code window_end} (timestamps in the stream's unit)
     * when {@code boundsUnit} is given, then the left record's fields, then the right record's, in their declaration
     * order. A field whose name the other side also has, or that is {@code window_start} or {@code window_end} while
     * the bounds are in, is prefixed with {@code left_} or {@code right_}; the others keep their names.
     *
     * @param operator   the operator, for messages.
     * @param name       the schema's name.
     * @param left       the left stream's schema.
     * @param right      the right stream's schema.
     * @param boundsUnit the window bounds' unit, or null for no bounds.
     * @return the schema.
     */
    static Schema schema(
        final String operator, final String name, final Schema left, final Schema right, final TimeUnit boundsUnit)
    {
        final Schema.Builder builder = Schema.builder(name);
        final Set<String> names = new HashSet<>();
        if (null != boundsUnit)
        {
            builder.timestamp(WINDOW_START, boundsUnit).timestamp(WINDOW_END, boundsUnit);
            names.add(WINDOW_START);
            names.add(WINDOW_END);
        }
        final Set<String> reserved = new HashSet<>(names);
        addSide(operator, builder, names, reserved, left, right, LEFT_PREFIX);
        addSide(operator, builder, names, reserved, right, left, RIGHT_PREFIX);
        return builder.build();
    }

    private static void addSide(
        final String operator,
        final Schema.Builder builder,
        final Set<String> names,
        final Set<String> reserved,
        final Schema side,
        final Schema other,
        final String prefix)
    {
        for (final Field field : side.fields())
        {
            final boolean clash = other.hasField(field.name()) || reserved.contains(field.name());
            final String outName = clash ? prefix + field.name() : field.name();
            if (!names.add(outName))
            {
                throw new IllegalArgumentException(operator + ": projected field name '" + outName + "' is taken " +
                    "twice (the " + prefix.substring(0, prefix.length() - 1) + " field '" + field.name() + "' " +
                    (clash ? "clashes and is prefixed" : "keeps its name") + "); rename a field with map(...) first, " +
                    "or give a function and an output schema of your own");
            }
            builder.like(outName, field);
        }
    }

    @Override
    public void join(
        final RecordView left,
        final RecordView right,
        final long windowStart,
        final long windowEnd,
        final RecordWriter out)
    {
        final MutableDirectBuffer buffer = out.mutableBuffer();
        final int base = out.offset();
        if (bounds)
        {
            buffer.putLong(base + startAt, windowStart);
            buffer.putLong(base + endAt, windowEnd);
        }
        final int leftBase = left.offset();
        for (int i = 0; i < leftFrom.length; i++)
        {
            buffer.putBytes(base + leftTo[i], left.buffer(), leftBase + leftFrom[i], leftWidth[i]);
        }
        final int rightBase = right.offset();
        for (int i = 0; i < rightFrom.length; i++)
        {
            buffer.putBytes(base + rightTo[i], right.buffer(), rightBase + rightFrom[i], rightWidth[i]);
        }
    }

    @Override
    public String toString()
    {
        return "projection";
    }
}
