package io.ferrite.windowing;

import java.io.IOException;

import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * What the window operators' checkpoints share: flags, and the words that describe a configuration.
 */
final class OperatorSnapshots
{
    private OperatorSnapshots()
    {
    }

    static void writeFlag(final SnapshotWriter writer, final boolean flag) throws IOException
    {
        writer.writeInt(flag ? 1 : 0);
    }

    static boolean readFlag(final SnapshotReader reader, final String what) throws IOException
    {
        final long offset = reader.offset();
        final int flag = reader.readInt();
        if (0 != (flag & ~1))
        {
            throw new SnapshotCorruptedException(reader.source(), offset, what + ": a flag of " + flag);
        }
        return 1 == flag;
    }

    static SnapshotCorruptedException corrupted(final SnapshotReader reader, final String what, final String reason)
    {
        return new SnapshotCorruptedException(reader.source(), reader.offset(), what + ": " + reason);
    }

    static String accumulator(final long length)
    {
        return "an accumulator of " + length + " bytes";
    }

    static String lateness(final long lateness)
    {
        return "allowed lateness " + lateness;
    }

    static String early(final long period)
    {
        return period > 0 ? "early results every " + period : "no early results";
    }
}
