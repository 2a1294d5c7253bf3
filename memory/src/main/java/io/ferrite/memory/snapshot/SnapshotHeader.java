package io.ferrite.memory.snapshot;

import java.io.IOException;

/**
 * The header an operator opens its part of a snapshot body with, so that a checkpoint is restored only into an
 * operator that lays out and interprets its state the same way. Little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Magic (the operator's kind)                |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                  Configuration length (n)                     |
 *  +---------------------------------------------------------------+
 *  |          Configuration: n values of 64 bits (window size,   ...
 *  |          slide, accumulator length, lateness, ...)            |
 *  +---------------------------------------------------------------+
 * </pre>
 * The configuration is the operator's own values, compared one by one on restore; a difference is reported in words,
 * for example {@code checkpoint taken with sliding 10000/1000, this operator is sliding 10000/500}.
 */
public final class SnapshotHeader
{
    /**
     * Puts an operator's configuration in words, one part per aspect (the windows, the lateness, ...), for the
     * message of a mismatch: only the parts that differ are shown.
     */
    @FunctionalInterface
    public interface Describer
    {
        /**
         * Describe a configuration.
         *
         * @param configuration the values, as the operator writes them.
         * @return one description per aspect, in the same order for any configuration.
         */
        String[] describe(long[] configuration);
    }

    private SnapshotHeader()
    {
    }

    /**
     * Write a header. Allocates nothing.
     *
     * @param writer        where the header goes.
     * @param magic         the operator kind's magic.
     * @param version       the version of the operator's body.
     * @param configuration the operator's configuration values.
     * @throws IOException if the writer's channel fails.
     */
    public static void write(
        final SnapshotWriter writer, final int magic, final int version, final long[] configuration) throws IOException
    {
        writer.writeInt(magic);
        writer.writeInt(version);
        writer.writeInt(configuration.length);
        for (final long value : configuration)
        {
            writer.writeLong(value);
        }
    }

    /**
     * Read a header and check it against the operator restoring it.
     *
     * @param reader        where the header comes from.
     * @param magic         the operator kind's magic.
     * @param version       the version of the operator's body.
     * @param what          the operator, for messages (its kind and name).
     * @param configuration the restoring operator's configuration values.
     * @param describer     puts a configuration in words.
     * @throws SnapshotCorruptedException if the magic, version or configuration differ, naming the reader's source
     *                                    and the offset of the difference.
     * @throws IOException                if the reader's channel fails or the snapshot ends first.
     */
    public static void read(
        final SnapshotReader reader,
        final int magic,
        final int version,
        final String what,
        final long[] configuration,
        final Describer describer) throws IOException
    {
        final String source = reader.source();
        final long base = reader.offset();
        final int readMagic = reader.readInt();
        if (readMagic != magic)
        {
            throw new SnapshotCorruptedException(source, base, what + ": bad magic 0x" +
                Integer.toHexString(readMagic) + ", expected 0x" + Integer.toHexString(magic));
        }
        final int readVersion = reader.readInt();
        if (readVersion != version)
        {
            throw new SnapshotCorruptedException(source, base + 4, what + ": unsupported version " + readVersion +
                ", expected " + version);
        }
        final int length = reader.readInt();
        if (length != configuration.length)
        {
            throw new SnapshotCorruptedException(source, base + 8, what + ": " + length +
                " configuration values, expected " + configuration.length);
        }
        final long valuesOffset = reader.offset();
        final long[] taken = new long[length];
        int firstDifference = -1;
        for (int i = 0; i < length; i++)
        {
            taken[i] = reader.readLong();
            if (firstDifference < 0 && taken[i] != configuration[i])
            {
                firstDifference = i;
            }
        }
        if (firstDifference >= 0)
        {
            throw new SnapshotCorruptedException(source, valuesOffset + 8L * firstDifference, what +
                ": checkpoint taken with " + differences(describer, taken, configuration) + ", this operator is " +
                differences(describer, configuration, taken));
        }
    }

    private static String differences(final Describer describer, final long[] these, final long[] others)
    {
        final String[] mine = describer.describe(these);
        final String[] theirs = describer.describe(others);
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < mine.length; i++)
        {
            if (i >= theirs.length || !mine[i].equals(theirs[i]))
            {
                builder.append(builder.length() > 0 ? " and " : "").append(mine[i]);
            }
        }
        return builder.length() > 0 ? builder.toString() : String.join(", ", mine);
    }
}
