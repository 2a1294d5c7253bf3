package io.ferrite.perf.window;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.WindowAssigner;
import io.ferrite.windowing.WindowOperator;
import io.ferrite.windowing.WindowOutput;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * The cost per event of a keyed sliding-window sum as the slide shrinks, beside the same stream through a tumbling
 * window of the same size, in one run: 10,000 keys (or 1,000: {@code keys}), window 10 s, slide 5 s, 1 s, 100 ms or
 * 10 ms ({@code slideMs}).
 * <p>
 * The stream: events 1 µs of event time apart (1,000,000 events per second of event time, so each of 10,000 keys sees
 * about one event per 10 ms), keys drawn at random, an int64 quantity summed; the watermark advances every 1,000 events
 * (every millisecond of event time) to the latest timestamp minus one. Each benchmark call takes 1,000 events and that
 * watermark, so the figure per event includes the windows fired and their results (written to a field a consumer reads,
 * so the work cannot be skipped) and the state freed. The run first fills 10 s of event time, so state is at its steady
 * size (for the 10 ms slide: about 1,000 live slices per key) before warm-up.
 * <p>
 * Read {@code sliding / tumbling} per {@code slideMs}: without slicing the 10 ms slide would update 1,000 windows per
 * event; the goal is less than 2× the tumbling cost. Run with {@code -prof gc}: both should be ≈ 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = { "-Dagrona.disable.bounds.checks=true" })
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class WindowBenchmark
{
    static final int BATCH = 1_000;
    static final long SIZE_US = 10_000_000L;
    static final long BUDGET_BYTES = 3L << 30;
    static final Schema EVENT = Schema.builder("event").timestamp("time", TimeUnit.MICROSECONDS).int64("key")
        .int64("qty").build();

    /**
     * The sliding windows' slide in milliseconds.
     */
    @Param({"5000", "1000", "100", "10"})
    public long slideMs;

    /**
     * The number of keys: 10,000 is the stream; 1,000 is the same event rate with ten times the events per
     * key per slice, a tenth of the live slices.
     */
    @Param({"10000", "1000"})
    public int keys;

    Stream tumblingStream;
    Stream slidingStream;

    /**
     * One operator and the events it is fed.
     */
    static final class Stream implements WindowOutput
    {
        final MemoryManager memory = new MemoryManager(BUDGET_BYTES);
        final WindowOperator operator;
        final long[] keys = new long[1 << 20];
        final UnsafeBuffer record = new UnsafeBuffer(new byte[EVENT.recordLength()]);
        final int qtyAt = EVENT.field("qty").offset();
        long time;
        int next;
        long results;
        long checksum;

        Stream(final WindowAssigner assigner, final int keyCount)
        {
            operator = assigner.newOperator(memory, "benchmark", Aggregates.sum(EVENT, "qty", "sum"), 0, 0, this);
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < keys.length; i++)
            {
                keys[i] = 1 + random.nextInt(keyCount);
            }
        }

        void batch()
        {
            final WindowOperator op = operator;
            final UnsafeBuffer event = record;
            for (int i = 0; i < BATCH; i++)
            {
                final long t = ++time;
                event.putLong(qtyAt, t & 127);
                op.onRecord(keys[next++ & (keys.length - 1)], t, event, 0);
            }
            op.advanceWatermark(time - 1, Integer.MAX_VALUE);
        }

        @Override
        public void onWindow(
            final long key,
            final long start,
            final long end,
            final byte firing,
            final long count,
            final DirectBuffer accumulator,
            final int accumulatorOffset)
        {
            results++;
            checksum += accumulator.getLong(accumulatorOffset);
        }

        void close()
        {
            operator.close();
            memory.close();
        }
    }

    /**
     * Build both operators and fill 10 s of event time, so state is at its steady size.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        tumblingStream = new Stream(WindowAssigner.tumbling(SIZE_US), keys);
        slidingStream = new Stream(WindowAssigner.sliding(SIZE_US, slideMs * 1_000), keys);
        for (long t = 0; t < SIZE_US + SIZE_US / 10; t += BATCH)
        {
            tumblingStream.batch();
            slidingStream.batch();
        }
    }

    /**
     * Free the state; say how many results each fired, so a run shows the sliding windows did fire.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.println("results: tumbling " + tumblingStream.results + ", sliding " + slidingStream.results);
        tumblingStream.close();
        slidingStream.close();
    }

    /**
     * The baseline: the same events through tumbling windows of 10 s.
     *
     * @return a value the consumer reads.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long tumbling()
    {
        tumblingStream.batch();
        return tumblingStream.checksum;
    }

    /**
     * The candidate: sliding windows of 10 s every {@code slideMs}.
     *
     * @return a value the consumer reads.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sliding()
    {
        slidingStream.batch();
        return slidingStream.checksum;
    }
}
