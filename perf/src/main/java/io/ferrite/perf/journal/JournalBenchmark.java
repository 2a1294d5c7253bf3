package io.ferrite.perf.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import io.ferrite.queues.journal.Journal;

/**
 * Journal append cost, 64-byte payloads, in a temporary directory under {@code java.io.tmpdir} (set
 * {@code -Djava.io.tmpdir} to measure another disk):
 * <ul>
 *     <li>{@code ferriteAppend}: {@link Journal#append} in the default process-safe mode — CRC32C framing
 *     included;</li>
 *     <li>{@code chronicleAppend}: the baseline, a raw Chronicle Queue appender writing the same 64 bytes in a
 *     document, same roll cycle;</li>
 *     <li>{@code ferriteAppendPowerSafe}: the power-safe mode, synced in groups of {@code group} entries
 *     ({@code msync}), reported per entry.</li>
 * </ul>
 * Read ferriteAppend ÷ chronicleAppend. Each fork writes a few GB and deletes them at the end.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = { "-Dagrona.disable.bounds.checks=true" })
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class JournalBenchmark
{
    static final int PAYLOAD = 64;

    final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
    final byte[] bytes = new byte[PAYLOAD];
    long sequence;

    /**
     * A process-safe Ferrite journal.
     */
    @State(Scope.Thread)
    public static class FerriteJournal
    {
        Path dir;
        Journal journal;

        /**
         * Open the journal.
         *
         * @throws IOException if the directory cannot be made.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            dir = Files.createTempDirectory("ferrite-journal-bench");
            journal = Journal.open(new Journal.Context().directory(dir).maxPayloadLength(PAYLOAD));
        }

        /**
         * Close and delete the journal.
         *
         * @throws IOException if deleting fails.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            journal.close();
            delete(dir);
        }
    }

    /**
     * A power-safe Ferrite journal with a group-commit size.
     */
    @State(Scope.Thread)
    public static class PowerSafeJournal
    {
        @Param({ "1", "64" })
        int group;

        Path dir;
        Journal journal;

        /**
         * Open the journal.
         *
         * @throws IOException if the directory cannot be made.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            dir = Files.createTempDirectory("ferrite-journal-bench");
            journal = Journal.open(new Journal.Context().directory(dir).maxPayloadLength(PAYLOAD)
                .durability(Journal.Durability.POWER_SAFE).groupCommitMaxEntries(group));
        }

        /**
         * Close and delete the journal.
         *
         * @throws IOException if deleting fails.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            journal.close();
            delete(dir);
        }
    }

    /**
     * A raw Chronicle Queue with the journal's roll cycle.
     */
    @State(Scope.Thread)
    public static class RawChronicle
    {
        Path dir;
        SingleChronicleQueue queue;
        ExcerptAppender appender;

        /**
         * Open the queue.
         *
         * @throws IOException if the directory cannot be made.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            System.setProperty("chronicle.analytics.disable", "true");
            dir = Files.createTempDirectory("chronicle-bench");
            queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_HOURLY).build();
            appender = queue.createAppender();
        }

        /**
         * Close and delete the queue.
         *
         * @throws IOException if deleting fails.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            appender.close();
            queue.close();
            delete(dir);
        }
    }

    /**
     * Append 64 bytes to Ferrite's journal.
     *
     * @param state the journal.
     * @return the index.
     */
    @Benchmark
    public long ferriteAppend(final FerriteJournal state)
    {
        payload.putLong(0, sequence++);
        return state.journal.append(payload, 0, PAYLOAD);
    }

    /**
     * Append 64 bytes with a raw Chronicle appender.
     *
     * @param state the queue.
     * @return the index.
     */
    @Benchmark
    public long chronicleAppend(final RawChronicle state)
    {
        payload.putLong(0, sequence++);
        payload.getBytes(0, bytes);
        try (DocumentContext dc = state.appender.writingDocument())
        {
            dc.wire().bytes().write(bytes, 0, PAYLOAD);
            return dc.index();
        }
    }

    /**
     * Append 64 bytes to a power-safe journal, synced in groups.
     *
     * @param state the journal.
     * @return the index.
     */
    @Benchmark
    public long ferriteAppendPowerSafe(final PowerSafeJournal state)
    {
        payload.putLong(0, sequence++);
        return state.journal.append(payload, 0, PAYLOAD);
    }

    static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
