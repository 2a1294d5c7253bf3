package io.ferrite.perf.crash;

import java.util.concurrent.TimeUnit;

import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.aggregate.Aggregates;

/**
 * The crash harness's input and windows, shared by the job under test ({@link CrashJob}) and the plain-Java reference
 * ({@link CrashReference}): event {@code i} of a seeded run has id {@code i}, a key from a seeded hash of {@code i}
 * over {@link #keys()} keys, a value from another seeded hash (either sign), and event time
 * {@code EPOCH_MS + i / EVENTS_PER_MS} — non-decreasing, so the source's watermark is monotonic and no record is late.
 * The window shapes aggregate count, sum (and for two of them min and max) of the value and the XOR of the ids.
 * <p>
 * <b>Note:</b> Immutable and threadsafe.
 */
public final class CrashWorkload
{
    /**
     * The job's (pipeline's) name: its directory under the harness's directory.
     */
    public static final String JOB = "crash";

    /**
     * The event time of event 0, a multiple of every window size.
     */
    public static final long EPOCH_MS = 1_700_000_000_000L;

    /**
     * Events per millisecond of event time: 2,000,000 events span 200 s.
     */
    public static final int EVENTS_PER_MS = 10;

    /**
     * The input schema.
     */
    public static final Schema EVENT = Schema.builder("event")
        .int64("id").int64("key").int64("value").timestamp("time", TimeUnit.MILLISECONDS).build();

    /**
     * The windows: a tumbling one and a sliding one, each with its operator and committed-journal sink.
     */
    public enum Shape
    {
        /**
         * Tumbling windows of 2 s.
         */
        TUMBLING("tumbling", 2_000, 2_000, true),
        /**
         * Sliding windows of 6 s every 2 s.
         */
        SLIDING("sliding", 6_000, 2_000, true),
        /**
         * Sliding windows of 6 s every 1 s without min and max: the aggregate subtracts, so the slices are kept in
         * columns (the other two shapes use the hash layout).
         */
        SLIDING_COLUMNS("sliding-columns", 6_000, 1_000, false);

        private final String operator;
        private final long sizeMs;
        private final long slideMs;
        private final boolean minMax;

        Shape(final String operator, final long sizeMs, final long slideMs, final boolean minMax)
        {
            this.operator = operator;
            this.sizeMs = sizeMs;
            this.slideMs = slideMs;
            this.minMax = minMax;
        }

        /**
         * Whether the results have min and max (which keep a sliding window out of the column layout).
         *
         * @return true for the shapes with min and max.
         */
        public boolean minMax()
        {
            return minMax;
        }

        /**
         * The aggregate of this shape's windows (the window itself adds the count).
         *
         * @return sum of the value, min and max of it if {@link #minMax()}, and the XOR of the ids.
         */
        public AggregateFunction aggregate()
        {
            return minMax ? Aggregates.of(
                Aggregates.sum(EVENT, "value", "sum"),
                Aggregates.min(EVENT, "value", "min"),
                Aggregates.max(EVENT, "value", "max"),
                Aggregates.xor(EVENT, "id", "xor")) :
                Aggregates.of(Aggregates.sum(EVENT, "value", "sum"), Aggregates.xor(EVENT, "id", "xor"));
        }

        /**
         * The window operator's name.
         *
         * @return the name.
         */
        public String operator()
        {
            return operator;
        }

        /**
         * The committed-journal sink's name: its journal is {@code <dir>/crash/sinks/<sink>}.
         *
         * @return the name.
         */
        public String sink()
        {
            return operator + "-out";
        }

        /**
         * The window size.
         *
         * @return milliseconds.
         */
        public long sizeMs()
        {
            return sizeMs;
        }

        /**
         * The window slide (the size for tumbling windows).
         *
         * @return milliseconds.
         */
        public long slideMs()
        {
            return slideMs;
        }

        /**
         * The schema of the operator's results, as the engine lays it out: key, window bounds, firing, count, then
         * sum, min, max and xor.
         *
         * @return the schema.
         */
        public Schema resultSchema()
        {
            final Schema.Builder builder = Schema.builder(operator).int64("key")
                .timestamp("window_start", TimeUnit.MILLISECONDS).timestamp("window_end", TimeUnit.MILLISECONDS)
                .int8("firing").int64("count").int64("sum");
            if (minMax)
            {
                builder.int64("min").int64("max");
            }
            return builder.int64("xor").build();
        }
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long MALFORMED_ONE_IN = 5_000;

    private final long seed;
    private final int keys;
    private final long events;

    /**
     * A workload.
     *
     * @param seed   the seed of keys and values.
     * @param keys   the number of distinct keys, at least 1.
     * @param events the number of events, at least 1.
     */
    public CrashWorkload(final long seed, final int keys, final long events)
    {
        if (keys < 1 || events < 1)
        {
            throw new IllegalArgumentException("a crash workload needs at least one key and one event: keys=" + keys +
                " events=" + events);
        }
        this.seed = seed;
        this.keys = keys;
        this.events = events;
    }

    /**
     * The seed.
     *
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * The number of keys.
     *
     * @return the count.
     */
    public int keys()
    {
        return keys;
    }

    /**
     * The number of events.
     *
     * @return the count.
     */
    public long events()
    {
        return events;
    }

    /**
     * The key of event {@code i}.
     *
     * @param i the event's id.
     * @return a key in {@code [0, keys)}.
     */
    public long key(final long i)
    {
        return Long.remainderUnsigned(mix(seed + i * GOLDEN), keys);
    }

    /**
     * The value of event {@code i}.
     *
     * @param i the event's id.
     * @return a value in {@code [-1,000,000, 1,000,000]}.
     */
    public long value(final long i)
    {
        return Long.remainderUnsigned(mix((seed ^ 0x5DEECE66DL) + i * GOLDEN + 1), 2_000_001) - 1_000_000;
    }

    /**
     * Whether event {@code i} is malformed: about one in 5,000, chosen by a seeded hash. The job's validating map
     * rejects it under the dead-letter policy, so it appears in the dead-letter journal (once, across any number of
     * kills) and in no window.
     *
     * @param i the event's id.
     * @return true for a malformed event.
     */
    public boolean malformed(final long i)
    {
        return Long.remainderUnsigned(mix((seed ^ 0x2545F4914F6CDD1DL) + i * GOLDEN + 7), MALFORMED_ONE_IN) == 0;
    }

    /**
     * The event time of event {@code i}.
     *
     * @param i the event's id.
     * @return epoch milliseconds, non-decreasing in {@code i}.
     */
    public static long timestamp(final long i)
    {
        return EPOCH_MS + i / EVENTS_PER_MS;
    }

    /**
     * SplitMix64's finaliser: a good 64-bit mix of a counter.
     */
    private static long mix(final long z)
    {
        long x = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }
}
