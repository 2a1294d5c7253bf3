package io.ferrite.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.agrona.DirectBuffer;

import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * Checkpoints of operators as byte arrays, the way a stage takes them: a {@link SnapshotWriter} over a channel,
 * finished with its trailer; restored through a {@link SnapshotReader}, whose trailer is verified after the operator
 * has read its part. Shared by the window operator and join checkpoint tests.
 */
public final class CheckpointBytes
{
    /**
     * The source name restores report.
     */
    public static final String SOURCE = "checkpoint";

    /**
     * Rounds {@link #measureAllocation} measures.
     */
    public static final int ALLOCATION_ROUNDS = 16;

    private static final int ALLOCATION_WARM_UP_ROUNDS = 4;
    private static final long QUIET_ROUND_BYTES = 2048;

    private CheckpointBytes()
    {
    }

    /**
     * Writes an operator's part of a checkpoint.
     */
    @FunctionalInterface
    public interface Body
    {
        /**
         * Write the part.
         *
         * @param writer the writer.
         * @throws IOException if writing fails.
         */
        void write(SnapshotWriter writer) throws IOException;
    }

    /**
     * Reads an operator's part of a checkpoint.
     */
    @FunctionalInterface
    public interface Restore
    {
        /**
         * Read the part.
         *
         * @param reader the reader.
         * @throws IOException if reading fails.
         */
        void read(SnapshotReader reader) throws IOException;
    }

    /**
     * Take a checkpoint into a byte array.
     *
     * @param body what to write.
     * @return the checkpoint, trailer included.
     */
    public static byte[] snapshot(final Body body)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long length;
        try (WritableByteChannel channel = Channels.newChannel(out))
        {
            final SnapshotWriter writer = new SnapshotWriter(channel);
            body.write(writer);
            length = writer.finish();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        assertEquals(length, out.size(), "the length finish() returns");
        return out.toByteArray();
    }

    /**
     * Restore a checkpoint from a byte array and verify its trailer.
     *
     * @param bytes   the checkpoint.
     * @param restore what reads it.
     * @throws IOException if the checkpoint is corrupted.
     */
    public static void restore(final byte[] bytes, final Restore restore) throws IOException
    {
        final ReadableByteChannel channel = Channels.newChannel(new ByteArrayInputStream(bytes));
        final SnapshotReader reader = new SnapshotReader(channel, SOURCE, 64);
        restore.read(reader);
        reader.verifyTrailer();
    }

    /**
     * Restore a checkpoint that must fail as corrupted, in the restore or the trailer.
     *
     * @param bytes   the checkpoint.
     * @param restore what reads it.
     * @param what    what the damage is, for the message.
     * @return the exception.
     */
    public static SnapshotCorruptedException restoreFails(final byte[] bytes, final Restore restore, final String what)
    {
        try
        {
            restore(bytes, restore);
        }
        catch (final SnapshotCorruptedException ex)
        {
            assertEquals(SOURCE, ex.source(), what);
            return ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new AssertionError(what + ": expected SnapshotCorruptedException, got " + ex, ex);
        }
        return fail(what + ": the restore succeeded");
    }

    /**
     * A channel that discards what is written: for measuring the allocation of a snapshot.
     *
     * @return the channel.
     */
    public static WritableByteChannel discarding()
    {
        return new WritableByteChannel()
        {
            @Override
            public int write(final ByteBuffer source)
            {
                final int remaining = source.remaining();
                source.position(source.limit());
                return remaining;
            }

            @Override
            public boolean isOpen()
            {
                return true;
            }

            @Override
            public void close()
            {
            }
        };
    }

    /**
     * Measure the heap allocation of rounds of snapshots of the same state, on the calling thread.
     *
     * @param round one snapshot.
     * @return the bytes each of {@value #ALLOCATION_ROUNDS} rounds allocated.
     */
    public static long[] measureAllocation(final Runnable round)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final long[] allocated = new long[ALLOCATION_ROUNDS];
        for (int i = 0; i < allocated.length; i++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            round.run();
            allocated[i] = threads.getCurrentThreadAllocatedBytes() - before;
        }
        return allocated;
    }

    /**
     * Check that snapshots allocate nothing per entry: after warm-up rounds (class loading, the JIT), each round
     * allocates less than {@value #QUIET_ROUND_BYTES} bytes — an object per key, window or record of a state of
     * thousands would allocate tens of kilobytes in every round. A one-off allocation the JVM makes on the thread's
     * account (see {@link CountedAllocations}) stays below that.
     *
     * @param what     the operator, for the message.
     * @param allocated the bytes each round allocated.
     */
    public static void assertNothingAllocatedPerEntry(final String what, final long[] allocated)
    {
        final String rounds = what + ": bytes allocated per snapshot " + Arrays.toString(allocated);
        for (int i = ALLOCATION_WARM_UP_ROUNDS; i < allocated.length; i++)
        {
            assertTrue(allocated[i] < QUIET_ROUND_BYTES, rounds);
        }
        System.out.println(rounds);
    }

    /**
     * Bytes of a buffer in hex.
     *
     * @param buffer the buffer.
     * @param offset where the bytes start.
     * @param length how many.
     * @return the hex string.
     */
    public static String hex(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Compare two outputs, showing the first difference and what came before it.
     *
     * @param context     the run's seed and configuration.
     * @param expected    the uninterrupted run's output.
     * @param actual      the checkpointed run's output.
     */
    public static void assertSameOutput(final String context, final List<String> expected, final List<String> actual)
    {
        final int n = Math.min(expected.size(), actual.size());
        int first = 0;
        while (first < n && expected.get(first).equals(actual.get(first)))
        {
            first++;
        }
        if (first == expected.size() && first == actual.size())
        {
            return;
        }
        final int from = Math.max(0, first - 5);
        fail(context + ": output differs from the uninterrupted run's at line " + first + " (of " + expected.size() +
            " expected, " + actual.size() + " actual)\nexpected:\n  " +
            String.join("\n  ", expected.subList(from, Math.min(expected.size(), first + 5))) + "\nactual:\n  " +
            String.join("\n  ", actual.subList(from, Math.min(actual.size(), first + 5))));
    }
}
