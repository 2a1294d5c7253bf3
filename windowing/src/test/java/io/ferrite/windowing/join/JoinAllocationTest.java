package io.ferrite.windowing.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * Both joins take records, fire windows, emit pairs and free state without allocating on the heap once warm,
 * measured with the thread's allocation counter.
 * <p>
 * Two warm-up passes let the JIT compile the paths and the off-heap tables, timer queues and match lists reach the
 * size the stream needs (their growth allocates a segment object, once). The tolerance of 1 KB over 100,000 records
 * covers the counter's own reads and anything the JVM charges to the thread once (a deoptimisation, a lazily
 * initialised JDK constant): one object per record or per pair would be at least 1.6 MB.
 */
class JoinAllocationTest
{
    private static final int RECORDS = 100_000;
    private static final int KEYS = 16;
    private static final long ALLOWED_BYTES = 1024;

    private final UnsafeBuffer record = new UnsafeBuffer(new byte[32]);

    @Test
    void shouldNotAllocateInSteadyStateInTheWindowJoin()
    {
        final com.sun.management.ThreadMXBean threads = threads();
        final CountingOutput output = new CountingOutput();
        try (MemoryManager memory = new MemoryManager(256L << 20);
            WindowJoin join = new WindowJoin(memory, "window-join", SlicedWindows.sliding(200, 50, 0), 24, 32, output))
        {
            long id = 0;
            for (int pass = 0; pass < 3; pass++)
            {
                final long pairsBefore = output.pairs;
                final long before = threads.getCurrentThreadAllocatedBytes();
                id = streamInto(join, id);
                final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertTrue(output.pairs - pairsBefore > RECORDS, "the stream must join for this test to mean it");
                if (pass == 2)
                {
                    assertTrue(allocated < ALLOWED_BYTES, "window join allocated " + allocated + " bytes over " +
                        RECORDS + " records and " + (output.pairs - pairsBefore) + " pairs");
                }
            }
            assertTrue(join.endOfStream(Integer.MAX_VALUE));
            assertTrue(output.checksum != 0);
        }
    }

    @Test
    void shouldNotAllocateInSteadyStateInTheIntervalJoin()
    {
        final com.sun.management.ThreadMXBean threads = threads();
        final CountingOutput output = new CountingOutput();
        try (MemoryManager memory = new MemoryManager(256L << 20);
            IntervalJoin join = new IntervalJoin(memory, "interval-join", -20, 20, 24, 32, output))
        {
            long id = 0;
            for (int pass = 0; pass < 3; pass++)
            {
                final long pairsBefore = output.pairs;
                final long before = threads.getCurrentThreadAllocatedBytes();
                id = streamInto(join, id);
                final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertTrue(output.pairs - pairsBefore > RECORDS, "the stream must join for this test to mean it");
                if (pass == 2)
                {
                    assertTrue(allocated < ALLOWED_BYTES, "interval join allocated " + allocated + " bytes over " +
                        RECORDS + " records and " + (output.pairs - pairsBefore) + " pairs");
                }
            }
            assertTrue(join.endOfStream(Integer.MAX_VALUE));
            assertEquals(0, join.storedRecords());
        }
    }

    private long streamInto(final WindowJoin join, final long firstId)
    {
        long maxTimestamp = Long.MIN_VALUE;
        for (long id = firstId; id < firstId + RECORDS; id++)
        {
            final long mixed = mix(id);
            final long timestamp = id / 4 + (mixed & 15);
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            record.putLong(0, id);
            final long key = (mixed >>> 8) % KEYS;
            final boolean taken = (mixed & 16) == 0 ? join.onLeft(key, timestamp, record, 0) :
                join.onRight(key, timestamp, record, 0);
            if (!taken)
            {
                throw new AssertionError("no record is late in this stream: id=" + id);
            }
            if ((id & 63) == 63)
            {
                while (!join.advanceWatermark(maxTimestamp - 20, 1024))
                {
                    // the loop the caller runs: emit in bounded batches until the firing is done
                }
            }
        }
        return firstId + RECORDS;
    }

    private long streamInto(final IntervalJoin join, final long firstId)
    {
        long maxTimestamp = Long.MIN_VALUE;
        for (long id = firstId; id < firstId + RECORDS; id++)
        {
            final long mixed = mix(id);
            final long timestamp = id / 4 + (mixed & 15);
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            record.putLong(0, id);
            final long key = (mixed >>> 8) % KEYS;
            final boolean taken = (mixed & 16) == 0 ? join.onLeft(key, timestamp, record, 0) :
                join.onRight(key, timestamp, record, 0);
            if (!taken)
            {
                throw new AssertionError("no record is late in this stream: id=" + id);
            }
            while (join.hasPending())
            {
                join.emitPending(256);
            }
            if ((id & 63) == 63)
            {
                while (!join.advanceWatermark(maxTimestamp - 20, 256))
                {
                    // as above
                }
            }
        }
        return firstId + RECORDS;
    }

    private static long mix(final long id)
    {
        long z = id * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    private static com.sun.management.ThreadMXBean threads()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        return threads;
    }

    private static final class CountingOutput implements JoinOutput
    {
        private long pairs;
        private long checksum;

        @Override
        public void onPair(
            final long key,
            final DirectBuffer left,
            final int leftOffset,
            final long leftTimestamp,
            final DirectBuffer right,
            final int rightOffset,
            final long rightTimestamp,
            final long windowStart,
            final long windowEnd)
        {
            pairs++;
            checksum += left.getLong(leftOffset) * 31 + right.getLong(rightOffset) + windowStart + key;
        }
    }
}
