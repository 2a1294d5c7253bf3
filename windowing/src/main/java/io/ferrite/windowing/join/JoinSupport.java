package io.ferrite.windowing.join;

import java.io.IOException;
import java.util.Objects;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;

/**
 * Argument checks, table sizing, clamped time arithmetic and checkpoint helpers shared by the joins.
 */
final class JoinSupport
{
    /**
     * The bytes a record table aims to start with, so that a small join holds little memory when idle.
     */
    static final int INITIAL_TABLE_BYTES = 64 * 1024;

    private JoinSupport()
    {
    }

    static void checkArguments(
        final MemoryManager memoryManager,
        final String owner,
        final int leftRecordLength,
        final int rightRecordLength,
        final int maxRecordLength,
        final JoinOutput output)
    {
        Objects.requireNonNull(memoryManager, "memoryManager must not be null");
        Objects.requireNonNull(output, "output must not be null: owner=" + owner);
        if (null == owner || owner.isEmpty())
        {
            throw new IllegalArgumentException("owner must be named: owner=" + owner);
        }
        checkRecordLength("left", leftRecordLength, maxRecordLength, owner);
        checkRecordLength("right", rightRecordLength, maxRecordLength, owner);
        final long used = memoryManager.usedBytes(owner);
        if (0 != used)
        {
            throw new IllegalArgumentException("owner already holds memory: owner=" + owner + " used=" + used +
                " (a join reports its owner's bytes as its own, so it needs an owner of its own)");
        }
    }

    static void checkLimit(final int limit, final String owner)
    {
        if (limit < 0)
        {
            throw new IllegalArgumentException("limit must not be negative: owner=" + owner + " limit=" + limit);
        }
    }

    /**
     * The entries a table of this entry length starts with: about {@link #INITIAL_TABLE_BYTES}, at least 16.
     *
     * @param keyWidth   the key's width.
     * @param valueWidth the value's width.
     * @return the initial capacity in entries.
     */
    static int initialEntries(final int keyWidth, final int valueWidth)
    {
        final int stride = (keyWidth + valueWidth + 7) & ~7;
        // One slot more than the probed ones holds the all-zero key: keep the whole within the target.
        final int slots = Integer.highestOneBit(Math.max(32, Math.min(2048, INITIAL_TABLE_BYTES / stride - 1)));
        return (int)(slots * OffHeapHashTable.DEFAULT_LOAD_FACTOR * 0.9f);
    }

    /**
     * {@code a + b}, clamped to the {@code long} range.
     *
     * @param a a value.
     * @param b a value.
     * @return the clamped sum.
     */
    static long addClamped(final long a, final long b)
    {
        final long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0)
        {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /**
     * {@code a - b}, clamped to the {@code long} range.
     *
     * @param a a value.
     * @param b a value.
     * @return the clamped difference.
     */
    static long subtractClamped(final long a, final long b)
    {
        final long difference = a - b;
        if (((a ^ b) & (a ^ difference)) < 0)
        {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return difference;
    }

    /**
     * Whether {@code a + b} is above {@link Long#MAX_VALUE}.
     *
     * @param a a value.
     * @param b a value.
     * @return true when the true sum does not fit, upwards.
     */
    static boolean sumAboveRange(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 && a >= 0;
    }

    /**
     * Whether {@code a + b} is below {@link Long#MIN_VALUE}.
     *
     * @param a a value.
     * @param b a value.
     * @return true when the true sum does not fit, downwards.
     */
    static boolean sumBelowRange(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 && a < 0;
    }

    /**
     * Whether {@code a - b} is above {@link Long#MAX_VALUE}.
     *
     * @param a a value.
     * @param b a value.
     * @return true when the true difference does not fit, upwards.
     */
    static boolean differenceAboveRange(final long a, final long b)
    {
        final long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 && a >= 0;
    }

    /**
     * Whether {@code a - b} is below {@link Long#MIN_VALUE}.
     *
     * @param a a value.
     * @param b a value.
     * @return true when the true difference does not fit, downwards.
     */
    static boolean differenceBelowRange(final long a, final long b)
    {
        final long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 && a < 0;
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

    private static void checkRecordLength(final String side, final int length, final int max, final String owner)
    {
        if (length < 0 || length > max)
        {
            throw new IllegalArgumentException(side + " record length out of range [0, " + max + "]: owner=" + owner +
                " " + side + "RecordLength=" + length);
        }
    }
}
