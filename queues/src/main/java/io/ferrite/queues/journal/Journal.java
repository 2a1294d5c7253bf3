package io.ferrite.queues.journal;

import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * An append-only journal of byte entries over Chronicle Queue: every external input is written here before it enters
 * a pipeline, so a crash is recovered by replaying it. Each entry is framed with its length and a CRC32C
 * ({@link JournalDescriptor}) and gets a journal index: increasing, not contiguous across roll cycles.
 * <p>
 * Durability ({@link SyncMode}):
 * <ul>
 *     <li>{@link Durability#PROCESS_SAFE} (the default): an append is acknowledged once it is in the memory-mapped
 *     file, that is the operating system's page cache; it survives {@code kill -9} of the process, not a power
 *     failure;</li>
 *     <li>{@link Durability#POWER_SAFE}: appends are synced to disk ({@code msync}) in groups, bounded by a count and
 *     a delay; an append is acknowledged when {@link #durableIndex()} reaches its index. With a group of one, every
 *     append is synced before it returns.</li>
 * </ul>
 * An I/O fault — a full disk, a mapping or sync error — throws {@link JournalIOException} and closes the journal for
 * appends: a failed sync is never retried, and every entry acknowledged before it stays readable.
 * <p>
 * <b>Note:</b> One thread appends; readers may be on other threads, one per reader. "One thread" means one at a
 * time: a journal or a reader may be handed to another thread (a job is built and recovered on the application's
 * thread, then run on a stage thread), with a happens-before edge between the two such as {@code Thread.start}.
 * Chronicle Queue's own check that an appender or tailer is only ever used by the thread that first used it would
 * refuse that handover, so it is switched off for the appender and the readers here.
 */
public final class Journal implements AutoCloseable
{
    /**
     * How long an append waits before it is acknowledged.
     */
    public enum Durability
    {
        /**
         * Acknowledged in the page cache: survives the process's death, not the machine's.
         */
        PROCESS_SAFE,
        /**
         * Acknowledged when synced to disk, in groups bounded by a count and a delay.
         */
        POWER_SAFE
    }

    /**
     * How often the journal starts a new file, so that old entries can be deleted a file at a time.
     */
    public enum Roll
    {
        /**
         * A file a second: for tests of retention.
         */
        SECONDLY,
        /**
         * A file every five minutes.
         */
        FIVE_MINUTELY,
        /**
         * A file an hour (the default).
         */
        HOURLY,
        /**
         * A file a day.
         */
        DAILY
    }

    private final Context context;
    private final Path directory;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final byte[] staging;
    private final UnsafeBuffer stagingBuffer;
    private final CRC32C crc = new CRC32C();
    private final List<JournalReader> readers = new CopyOnWriteArrayList<>();
    private long lastAppendedIndex = -1;
    private long durableIndex = -1;
    private int pendingSyncs;
    private long oldestPendingNs;
    private boolean failed;
    private boolean closed;

    private Journal(final Context context)
    {
        this.context = context;
        this.directory = context.directory();
        this.staging = new byte[JournalDescriptor.HEADER_LENGTH + context.maxPayloadLength()];
        this.stagingBuffer = new UnsafeBuffer(staging);
        try
        {
            Files.createDirectories(directory);
            final LongSupplier clock = context.clockMs();
            final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(rollCycle(context.roll()))
                .timeProvider(clock::getAsLong)
                .syncMode(context.durability() == Durability.POWER_SAFE ? SyncMode.SYNC : SyncMode.NONE);
            this.queue = builder.build();
            try
            {
                this.appender = queue.createAppender();
                appender.singleThreadedCheckDisabled(true);
            }
            catch (final RuntimeException ex)
            {
                queue.close();
                throw ex;
            }
            this.lastAppendedIndex = lastIndex();
            this.durableIndex = lastAppendedIndex;
        }
        catch (final IOException | RuntimeException | InternalError ex)
        {
            throw new JournalIOException("cannot open journal: " + directory + ": " + ex.getMessage(), ex);
        }
    }

    static
    {
        ChronicleSettings.apply();
    }

    /**
     * Open, or create, the journal in a directory.
     *
     * @param context the configuration; {@link Context#conclude()} is called on it.
     * @return the journal.
     * @throws JournalIOException if the directory cannot be created or the queue opened.
     */
    public static Journal open(final Context context)
    {
        ChronicleSettings.apply();
        context.conclude();
        return new Journal(context);
    }

    /**
     * Append an entry.
     *
     * @param source the buffer holding the payload.
     * @param offset where the payload starts.
     * @param length the payload's length, at most {@link Context#maxPayloadLength()}.
     * @return the entry's journal index; in {@link Durability#POWER_SAFE} mode it is acknowledged once
     *         {@link #durableIndex()} reaches it.
     * @throws JournalIOException if the entry cannot be written; nothing acknowledged before is lost.
     */
    public long append(final DirectBuffer source, final int offset, final int length)
    {
        checkWritable();
        if (length < 0 || length > context.maxPayloadLength())
        {
            throw new IllegalArgumentException("journal entry too long: journal=" + directory + " length=" + length +
                " maxPayloadLength=" + context.maxPayloadLength());
        }
        final byte[] staging = this.staging;
        stagingBuffer.putInt(JournalDescriptor.LENGTH_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
        source.getBytes(offset, staging, JournalDescriptor.HEADER_LENGTH, length);
        crc.reset();
        crc.update(staging, JournalDescriptor.LENGTH_OFFSET, 4);
        crc.update(staging, JournalDescriptor.HEADER_LENGTH, length);
        stagingBuffer.putInt(JournalDescriptor.CRC_OFFSET, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);

        final long index;
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                final Bytes<?> bytes = dc.wire().bytes();
                bytes.write(staging, 0, JournalDescriptor.HEADER_LENGTH + length);
                index = dc.index();
            }
            catch (final RuntimeException | InternalError ex)
            {
                dc.rollbackOnClose();
                throw ex;
            }
        }
        catch (final RuntimeException | InternalError ex)
        {
            failed = true;
            throw new JournalIOException("journal append failed: " + directory + ": " + ex, ex);
        }
        lastAppendedIndex = index;

        if (context.durability() == Durability.PROCESS_SAFE)
        {
            durableIndex = index;
        }
        else
        {
            if (0 == pendingSyncs++)
            {
                oldestPendingNs = System.nanoTime();
            }
            if (pendingSyncs >= context.groupCommitMaxEntries())
            {
                sync();
            }
        }
        return index;
    }

    /**
     * Sync pending appends if the group-commit delay has passed: call it from the appending thread's duty cycle.
     *
     * @param nowNs the current {@link System#nanoTime()}.
     * @return 1 if it synced, 0 otherwise.
     */
    public int syncIfDue(final long nowNs)
    {
        if (pendingSyncs > 0 && nowNs - oldestPendingNs - context.groupCommitMaxDelayNs() >= 0)
        {
            sync();
            return 1;
        }
        return 0;
    }

    /**
     * Force every appended entry to disk now (in {@link Durability#PROCESS_SAFE} mode, entries are already
     * acknowledged and this is a no-op).
     *
     * @throws JournalIOException if the sync fails; the journal is then closed for appends.
     */
    public void sync()
    {
        checkWritable();
        if (context.durability() == Durability.POWER_SAFE && pendingSyncs > 0)
        {
            try
            {
                appender.sync();
            }
            catch (final RuntimeException | InternalError ex)
            {
                failed = true;
                throw new JournalIOException("journal sync failed, the journal is closed for appends: " +
                    directory + ": " + ex, ex);
            }
            pendingSyncs = 0;
            durableIndex = lastAppendedIndex;
        }
    }

    /**
     * The index of the last acknowledged entry.
     *
     * @return the index, -1 if none.
     */
    public long durableIndex()
    {
        return durableIndex;
    }

    /**
     * The index of the last entry appended, by this journal or, when it opened, found on disk.
     *
     * @return the index, -1 if the journal is empty.
     */
    public long lastIndex()
    {
        final long last = queue.lastIndex();
        return last < 0 ? -1 : last;
    }

    /**
     * The index of the first entry still kept.
     *
     * @return the index, -1 if the journal is empty.
     */
    public long firstIndex()
    {
        final long first = queue.firstIndex();
        return first == Long.MAX_VALUE || first < 0 ? -1 : first;
    }

    /**
     * A reader that replays from an index.
     *
     * @param fromIndex the index of the first entry to read: a kept entry's index, or the index after the last
     *                  entry (to read only what is appended from now on).
     * @return the reader.
     * @throws IllegalArgumentException if the index is past the end or before the first kept entry — never a
     *                                  silent start from the beginning.
     */
    public JournalReader reader(final long fromIndex)
    {
        checkOpen();
        final ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        final long last = lastIndex();
        final long first = firstIndex();
        if (last < 0)
        {
            if (fromIndex != 0)
            {
                tailer.close();
                throw new IllegalArgumentException("journal is empty, cannot read from index " + fromIndex +
                    ": journal=" + directory);
            }
            tailer.toStart();
        }
        else if (fromIndex == last + 1)
        {
            tailer.toEnd();
        }
        else if (fromIndex > last)
        {
            tailer.close();
            throw new IllegalArgumentException("index past the end of the journal: requested=" + fromIndex +
                " last=" + last + " journal=" + directory);
        }
        else if (fromIndex < first || !tailer.moveToIndex(fromIndex))
        {
            tailer.close();
            throw new IllegalArgumentException("no entry at index " + fromIndex + " (first kept " + first +
                ", last " + last + "): journal=" + directory);
        }
        final JournalReader reader = new JournalReader(this, tailer, context.maxPayloadLength());
        readers.add(reader);
        return reader;
    }

    /**
     * A reader from the first entry kept.
     *
     * @return the reader.
     */
    public JournalReader readerFromStart()
    {
        final long first = firstIndex();
        return reader(first < 0 ? 0 : first);
    }

    /**
     * Whether a cycle file before the one holding {@code index} exists, so {@link #deleteCyclesBefore} would delete
     * something: the cheap test a caller makes after every checkpoint before doing file work.
     *
     * @param index a journal index.
     * @return true if {@link #deleteCyclesBefore} with it would find a cycle to delete.
     */
    public boolean hasCyclesBefore(final long index)
    {
        checkOpen();
        final int keepCycle = Math.min(queue.rollCycle().toCycle(index), queue.cycle());
        final int firstCycle = queue.firstCycle();
        return firstCycle != Integer.MAX_VALUE && firstCycle < keepCycle;
    }

    /**
     * Delete the files of every roll cycle that ends before the cycle holding {@code index}: whole cycles only, and
     * never the cycle being appended to.
     *
     * @param index the oldest entry that must be kept.
     * @return the number of files deleted.
     * @throws JournalIOException if a file cannot be deleted.
     */
    public int deleteCyclesBefore(final long index)
    {
        checkOpen();
        final RollCycle rollCycle = queue.rollCycle();
        final int keepCycle = Math.min(rollCycle.toCycle(index), queue.cycle());
        final int firstCycle = queue.firstCycle();
        if (firstCycle == Integer.MAX_VALUE || firstCycle >= keepCycle)
        {
            return 0;
        }
        int deleted = 0;
        for (final Long cycle : queue.listCyclesBetween(firstCycle, keepCycle - 1))
        {
            final SingleChronicleQueueStore store = queue.storeForCycle(cycle.intValue(), queue.epoch(), false, null);
            if (null == store)
            {
                continue;
            }
            final File file = store.file();
            queue.closeStore(store);
            try
            {
                if (Files.deleteIfExists(file.toPath()))
                {
                    deleted++;
                }
            }
            catch (final IOException ex)
            {
                throw new JournalIOException("cannot delete journal file " + file + ": " + ex.getMessage(), ex);
            }
        }
        queue.refreshDirectoryListing();
        return deleted;
    }

    /**
     * The journal's directory.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * The configuration.
     *
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    /**
     * Sync what is pending (power-safe mode) and close the queue and every reader. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            try
            {
                if (!failed)
                {
                    sync();
                }
            }
            finally
            {
                closed = true;
                for (final JournalReader reader : new ArrayList<>(readers))
                {
                    reader.close();
                }
                appender.close();
                queue.close();
            }
        }
    }

    private static RollCycle rollCycle(final Roll roll)
    {
        switch (roll)
        {
            case SECONDLY:
                return TestRollCycles.TEST_SECONDLY;
            case FIVE_MINUTELY:
                return RollCycles.FIVE_MINUTELY;
            case DAILY:
                return RollCycles.FAST_DAILY;
            default:
                return RollCycles.FAST_HOURLY;
        }
    }

    void onReaderClosed(final JournalReader reader)
    {
        readers.remove(reader);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("journal is closed: " + directory);
        }
    }

    private void checkWritable()
    {
        checkOpen();
        if (failed)
        {
            throw new JournalIOException("journal failed earlier and is closed for appends: " + directory, null);
        }
    }

    /**
     * Configuration of a {@link Journal}; defaults from {@code ferrite.journal.*} system properties.
     */
    public static final class Context
    {
        static
        {
            ChronicleSettings.apply();
        }

        /**
         * System property for the default largest payload.
         */
        public static final String MAX_PAYLOAD_PROP_NAME = "ferrite.journal.max.payload";

        /**
         * System property for the default group-commit count.
         */
        public static final String GROUP_COMMIT_ENTRIES_PROP_NAME = "ferrite.journal.group.commit.entries";

        /**
         * System property for the default group-commit delay in microseconds.
         */
        public static final String GROUP_COMMIT_DELAY_US_PROP_NAME = "ferrite.journal.group.commit.delay.us";

        private Path directory;
        private LongSupplier clockMs = System::currentTimeMillis;
        private Durability durability = Durability.PROCESS_SAFE;
        private Roll roll = Roll.HOURLY;
        private int maxPayloadLength = Integer.getInteger(MAX_PAYLOAD_PROP_NAME, 4096);
        private int groupCommitMaxEntries = Integer.getInteger(GROUP_COMMIT_ENTRIES_PROP_NAME, 64);
        private long groupCommitMaxDelayNs = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong(GROUP_COMMIT_DELAY_US_PROP_NAME, 1000));

        /**
         * The journal's directory.
         *
         * @return the directory.
         */
        public Path directory()
        {
            return directory;
        }

        /**
         * Set the journal's directory; created if missing.
         *
         * @param directory the directory.
         * @return this for a fluent API.
         */
        public Context directory(final Path directory)
        {
            this.directory = directory;
            return this;
        }

        /**
         * The wall clock that decides which roll cycle an append falls in.
         *
         * @return the clock, milliseconds since the epoch.
         */
        public LongSupplier clockMs()
        {
            return clockMs;
        }

        /**
         * Set the wall clock that decides which roll cycle an append falls in: a manual clock in tests.
         *
         * @param clockMs the clock, milliseconds since the epoch.
         * @return this for a fluent API.
         */
        public Context clockMs(final LongSupplier clockMs)
        {
            this.clockMs = clockMs;
            return this;
        }

        /**
         * When appends are acknowledged.
         *
         * @return the durability.
         */
        public Durability durability()
        {
            return durability;
        }

        /**
         * Set when appends are acknowledged.
         *
         * @param durability process-safe (default) or power-safe.
         * @return this for a fluent API.
         */
        public Context durability(final Durability durability)
        {
            this.durability = durability;
            return this;
        }

        /**
         * How often a new file starts.
         *
         * @return the roll.
         */
        public Roll roll()
        {
            return roll;
        }

        /**
         * Set how often a new file starts.
         *
         * @param roll the roll.
         * @return this for a fluent API.
         */
        public Context roll(final Roll roll)
        {
            this.roll = roll;
            return this;
        }

        /**
         * The largest payload.
         *
         * @return the length in bytes.
         */
        public int maxPayloadLength()
        {
            return maxPayloadLength;
        }

        /**
         * Set the largest payload.
         *
         * @param maxPayloadLength the length in bytes, 1 to 1 MiB.
         * @return this for a fluent API.
         */
        public Context maxPayloadLength(final int maxPayloadLength)
        {
            this.maxPayloadLength = maxPayloadLength;
            return this;
        }

        /**
         * The most appends a power-safe journal leaves unsynced.
         *
         * @return the group size.
         */
        public int groupCommitMaxEntries()
        {
            return groupCommitMaxEntries;
        }

        /**
         * Set the most appends a power-safe journal leaves unsynced; 1 syncs every append.
         *
         * @param groupCommitMaxEntries the group size, at least 1.
         * @return this for a fluent API.
         */
        public Context groupCommitMaxEntries(final int groupCommitMaxEntries)
        {
            this.groupCommitMaxEntries = groupCommitMaxEntries;
            return this;
        }

        /**
         * The longest a power-safe append waits for its sync, enforced by {@link Journal#syncIfDue(long)}.
         *
         * @return the delay in nanoseconds.
         */
        public long groupCommitMaxDelayNs()
        {
            return groupCommitMaxDelayNs;
        }

        /**
         * Set the longest a power-safe append waits for its sync.
         *
         * @param groupCommitMaxDelayNs the delay in nanoseconds, at least 0.
         * @return this for a fluent API.
         */
        public Context groupCommitMaxDelayNs(final long groupCommitMaxDelayNs)
        {
            this.groupCommitMaxDelayNs = groupCommitMaxDelayNs;
            return this;
        }

        /**
         * Validate the configuration.
         *
         * @return this for a fluent API.
         * @throws IllegalArgumentException naming the setting that is wrong.
         */
        public Context conclude()
        {
            if (null == directory)
            {
                throw new IllegalArgumentException("journal directory must be set");
            }
            if (maxPayloadLength < 1 || maxPayloadLength > (1 << 20))
            {
                throw new IllegalArgumentException("journal max payload out of range [1, 1048576]: " +
                    maxPayloadLength);
            }
            if (groupCommitMaxEntries < 1)
            {
                throw new IllegalArgumentException("group commit needs at least 1 entry: " + groupCommitMaxEntries);
            }
            if (groupCommitMaxDelayNs < 0)
            {
                throw new IllegalArgumentException("group commit delay negative: " + groupCommitMaxDelayNs);
            }
            if (null == durability || null == roll || null == clockMs)
            {
                throw new IllegalArgumentException("durability and roll must be set");
            }
            return this;
        }
    }
}
