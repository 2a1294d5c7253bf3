package io.ferrite.engine;

import java.util.Objects;

import io.ferrite.memory.schema.Schema;

/**
 * Names a side output of a process operator and its schema: late records, alerts, anything besides the main output.
 * A process function writes to it through {@link KeyedContext#side(OutputTag)}; the pipeline reads it as a stream
 * with {@link DataStream#sideOutput(OutputTag)}.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public final class OutputTag
{
    private final String name;
    private final Schema schema;

    /**
     * A tag.
     *
     * @param name   the side output's name, unique within its operator.
     * @param schema the schema of its records.
     */
    public OutputTag(final String name, final Schema schema)
    {
        this.name = Objects.requireNonNull(name, "name");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /**
     * The side output's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The schema of its records.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    @Override
    public String toString()
    {
        return "OutputTag{" + name + ": " + schema.name() + "}";
    }
}
