package io.ferrite.perf.table;

import java.util.HashMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2LongHashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.table.OffHeapHashTable;

/**
 * Keyed-state cost: Ferrite's {@link OffHeapHashTable} against its baselines, Agrona's {@link Long2LongHashMap} and
 * {@code HashMap<Long, Long>}, over the same 1,000,000 random {@code long} keys with 8-byte values, in one run.
 * <ul>
 *     <li>{@code xxxGet}: look up the next key (in random order) of a map holding all of them;</li>
 *     <li>{@code xxxUpdate}: overwrite the value of the next key of a map holding all of them — keyed state's
 *     steady state;</li>
 *     <li>{@code xxxPut}: insert all 1,000,000 keys into an empty map of default size, growth included; reported
 *     per key.</li>
 * </ul>
 * All maps use the load factor 0.65. Read the result as Ferrite ÷ Agrona per operation. Run with {@code -prof gc}:
 * Ferrite's get and update allocate 0 B/op; its put allocates only the small segment handles of each doubling
 * (≈ 0 B/op); {@code HashMap} boxes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = { "-Dagrona.disable.bounds.checks=true" })
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class HashTableBenchmark
{
    static final int KEYS = 1_000_000;
    static final long MISSING = Long.MIN_VALUE;
    static final long BUDGET_BYTES = 1L << 30;

    long[] keys;
    int index;
    MemoryManager memoryManager;
    OffHeapHashTable ferrite;
    Long2LongHashMap agrona;
    HashMap<Long, Long> hashMap;

    /**
     * Generate the keys and fill every map with them.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        keys = randomKeys();
        memoryManager = new MemoryManager(BUDGET_BYTES);
        ferrite = new OffHeapHashTable(memoryManager, "benchmark", 8, 8);
        agrona = new Long2LongHashMap(MISSING);
        hashMap = new HashMap<>();
        for (final long key : keys)
        {
            ferrite.putLong(key, key);
            agrona.put(key, key);
            hashMap.put(key, key);
        }
    }

    /**
     * Free the table.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        ferrite.close();
        memoryManager.close();
    }

    /**
     * Look up a key in Ferrite's table.
     *
     * @return the value.
     */
    @Benchmark
    public long ferriteGet()
    {
        return ferrite.getLong(nextKey(), MISSING);
    }

    /**
     * Look up a key in Agrona's map.
     *
     * @return the value.
     */
    @Benchmark
    public long agronaGet()
    {
        return agrona.get(nextKey());
    }

    /**
     * Look up a key in a {@code HashMap}.
     *
     * @return the value.
     */
    @Benchmark
    public Long hashMapGet()
    {
        return hashMap.get(nextKey());
    }

    /**
     * Overwrite a present key's value in Ferrite's table, in place.
     *
     * @return the offset written.
     */
    @Benchmark
    public int ferriteUpdate()
    {
        final long key = nextKey();
        final int offset = ferrite.getOrInsert(key);
        ferrite.buffer().putLong(offset, key + index);
        return offset;
    }

    /**
     * Overwrite a present key's value in Agrona's map.
     *
     * @return the old value.
     */
    @Benchmark
    public long agronaUpdate()
    {
        final long key = nextKey();
        return agrona.put(key, key + index);
    }

    /**
     * Overwrite a present key's value in a {@code HashMap}.
     *
     * @return the old value.
     */
    @Benchmark
    public Long hashMapUpdate()
    {
        final long key = nextKey();
        return hashMap.put(key, key + index);
    }

    /**
     * Insert every key into an empty Ferrite table.
     *
     * @param state the empty table.
     * @return the size.
     */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int ferritePut(final FerriteEmpty state)
    {
        final long[] keys = this.keys;
        final OffHeapHashTable table = state.table;
        for (final long key : keys)
        {
            table.putLong(key, key);
        }
        return table.size();
    }

    /**
     * Insert every key into an empty Agrona map.
     *
     * @param state the empty map.
     * @return the size.
     */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int agronaPut(final AgronaEmpty state)
    {
        final long[] keys = this.keys;
        final Long2LongHashMap map = state.map;
        for (final long key : keys)
        {
            map.put(key, key);
        }
        return map.size();
    }

    /**
     * Insert every key into an empty {@code HashMap}.
     *
     * @param state the empty map.
     * @return the size.
     */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int hashMapPut(final HashMapEmpty state)
    {
        final long[] keys = this.keys;
        final HashMap<Long, Long> map = state.map;
        for (final long key : keys)
        {
            map.put(key, key);
        }
        return map.size();
    }

    private long nextKey()
    {
        int i = index + 1;
        if (i == KEYS)
        {
            i = 0;
        }
        index = i;
        return keys[i];
    }

    static long[] randomKeys()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final Long2LongHashMap seen = new Long2LongHashMap(MISSING);
        final long[] keys = new long[KEYS];
        int n = 0;
        while (n < KEYS)
        {
            final long key = random.nextLong();
            if (key != 0 && !seen.containsKey(key))
            {
                seen.put(key, 1);
                keys[n++] = key;
            }
        }
        return keys;
    }

    /**
     * A fresh, empty Ferrite table for every invocation of {@link #ferritePut(FerriteEmpty)}.
     */
    @State(Scope.Thread)
    public static class FerriteEmpty
    {
        MemoryManager memoryManager;
        OffHeapHashTable table;

        /**
         * Create the manager.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            memoryManager = new MemoryManager(BUDGET_BYTES);
        }

        /**
         * Replace the table with an empty one.
         */
        @Setup(Level.Invocation)
        public void empty()
        {
            if (null != table)
            {
                table.close();
            }
            table = new OffHeapHashTable(memoryManager, "put", 8, 8);
        }

        /**
         * Free everything.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            table.close();
            memoryManager.close();
        }
    }

    /**
     * A fresh, empty Agrona map for every invocation of {@link #agronaPut(AgronaEmpty)}.
     */
    @State(Scope.Thread)
    public static class AgronaEmpty
    {
        Long2LongHashMap map;

        /**
         * Replace the map with an empty one.
         */
        @Setup(Level.Invocation)
        public void empty()
        {
            map = new Long2LongHashMap(MISSING);
        }
    }

    /**
     * A fresh, empty {@code HashMap} for every invocation of {@link #hashMapPut(HashMapEmpty)}.
     */
    @State(Scope.Thread)
    public static class HashMapEmpty
    {
        HashMap<Long, Long> map;

        /**
         * Replace the map with an empty one.
         */
        @Setup(Level.Invocation)
        public void empty()
        {
            map = new HashMap<>();
        }
    }
}
