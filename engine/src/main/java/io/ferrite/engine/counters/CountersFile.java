package io.ferrite.engine.counters;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * A job's counters in a memory-mapped file ({@link CountersFileDescriptor}): the job allocates and updates them
 * through Agrona's {@link CountersManager}, and any process on the machine reads them live with {@link #openReader},
 * at no cost to the hot path — a counter update is a single ordered store into the mapping.
 * <p>
 * <b>Note:</b> Allocating counters is for set-up and is not threadsafe; each {@link AtomicCounter} is updated by
 * one thread and read by any.
 */
public final class CountersFile implements AutoCloseable
{
    private final Path file;
    private final MappedByteBuffer mapping;
    private final CountersManager manager;
    private boolean closed;

    private CountersFile(final Path file, final MappedByteBuffer mapping, final CountersManager manager)
    {
        this.file = file;
        this.mapping = mapping;
        this.manager = manager;
    }

    /**
     * Create (or replace) the counters file in a job directory.
     *
     * @param directory   the job directory; created if missing.
     * @param maxCounters the most counters the job will allocate.
     * @return the counters file.
     * @throws IOException if the file cannot be created and mapped.
     */
    public static CountersFile create(final Path directory, final int maxCounters) throws IOException
    {
        if (maxCounters < 1)
        {
            throw new IllegalArgumentException("maxCounters must be at least 1: " + maxCounters);
        }
        Files.createDirectories(directory);
        final Path file = directory.resolve(CountersFileDescriptor.FILE_NAME);
        Files.deleteIfExists(file);
        final int metadataLength = CountersFileDescriptor.metadataLength(maxCounters);
        final int valuesLength = CountersFileDescriptor.valuesLength(maxCounters);
        final MappedByteBuffer mapping = IoUtil.mapNewFile(
            file.toFile(), (long)CountersFileDescriptor.HEADER_LENGTH + metadataLength + valuesLength);
        final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, CountersFileDescriptor.HEADER_LENGTH);
        header.putInt(CountersFileDescriptor.MAGIC_OFFSET, CountersFileDescriptor.MAGIC);
        header.putLong(CountersFileDescriptor.PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(CountersFileDescriptor.START_TIME_OFFSET, System.currentTimeMillis());
        header.putInt(CountersFileDescriptor.METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(CountersFileDescriptor.VALUES_LENGTH_OFFSET, valuesLength);
        final AtomicBuffer metadata = new UnsafeBuffer(mapping, CountersFileDescriptor.HEADER_LENGTH, metadataLength);
        final AtomicBuffer values = new UnsafeBuffer(
            mapping, CountersFileDescriptor.HEADER_LENGTH + metadataLength, valuesLength);
        final CountersManager manager = new CountersManager(metadata, values);
        header.putIntRelease(CountersFileDescriptor.VERSION_OFFSET, CountersFileDescriptor.VERSION);
        return new CountersFile(file, mapping, manager);
    }

    /**
     * Allocate a counter.
     *
     * @param label  what it counts, e.g. {@code "stage vwap-window: records in"}.
     * @param typeId a type for readers to group by.
     * @return the counter.
     */
    public AtomicCounter newCounter(final String label, final int typeId)
    {
        return manager.newCounter(label, typeId);
    }

    /**
     * The counters' manager, for readers in the same process.
     *
     * @return the manager.
     */
    public CountersManager manager()
    {
        return manager;
    }

    /**
     * The file's path.
     *
     * @return the path.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Unmap the file; it stays on disk for post-mortem reading. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapping);
        }
    }

    /**
     * Map an existing job's counters file for reading, from any process.
     *
     * @param directory the job directory.
     * @return a reader; {@link Reader#close()} unmaps it.
     * @throws IOException if there is no counters file or it is not one.
     */
    public static Reader openReader(final Path directory) throws IOException
    {
        final Path file = directory.resolve(CountersFileDescriptor.FILE_NAME);
        if (!Files.exists(file))
        {
            throw new NoSuchFileException(file.toString(), null,
                "no counters file: is this a Ferrite job directory, and has the job started?");
        }
        final long length = Files.size(file);
        if (length < CountersFileDescriptor.HEADER_LENGTH)
        {
            throw new IOException("not a Ferrite counters file (too short, " + length + " bytes): " + file);
        }
        final File asFile = file.toFile();
        final MappedByteBuffer mapping = IoUtil.mapExistingFile(asFile, FileChannel.MapMode.READ_ONLY, "counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, CountersFileDescriptor.HEADER_LENGTH);
        final int magic = header.getInt(CountersFileDescriptor.MAGIC_OFFSET);
        final int version = header.getIntVolatile(CountersFileDescriptor.VERSION_OFFSET);
        final int metadataLength = header.getInt(CountersFileDescriptor.METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(CountersFileDescriptor.VALUES_LENGTH_OFFSET);
        if (magic != CountersFileDescriptor.MAGIC || version != CountersFileDescriptor.VERSION ||
            (long)CountersFileDescriptor.HEADER_LENGTH + metadataLength + valuesLength > length)
        {
            IoUtil.unmap(mapping);
            throw new IOException("not a Ferrite counters file of version " + CountersFileDescriptor.VERSION +
                " (magic 0x" + Integer.toHexString(magic) + ", version " + version + "): " + file);
        }
        final CountersReader reader = new CountersReader(
            new UnsafeBuffer(mapping, CountersFileDescriptor.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapping, CountersFileDescriptor.HEADER_LENGTH + metadataLength, valuesLength));
        return new Reader(file, mapping, reader, header.getLong(CountersFileDescriptor.PID_OFFSET),
            header.getLong(CountersFileDescriptor.START_TIME_OFFSET));
    }

    /**
     * A read-only view of a job's counters.
     */
    public static final class Reader implements AutoCloseable
    {
        private final Path file;
        private final MappedByteBuffer mapping;
        private final CountersReader counters;
        private final long pid;
        private final long startTimeMs;
        private boolean closed;

        Reader(
            final Path file,
            final MappedByteBuffer mapping,
            final CountersReader counters,
            final long pid,
            final long startTimeMs)
        {
            this.file = file;
            this.mapping = mapping;
            this.counters = counters;
            this.pid = pid;
            this.startTimeMs = startTimeMs;
        }

        /**
         * The counters.
         *
         * @return Agrona's reader over the mapping.
         */
        public CountersReader counters()
        {
            return counters;
        }

        /**
         * The process that wrote the file.
         *
         * @return its pid.
         */
        public long pid()
        {
            return pid;
        }

        /**
         * When the writing job started.
         *
         * @return epoch milliseconds.
         */
        public long startTimeMs()
        {
            return startTimeMs;
        }

        /**
         * The file.
         *
         * @return its path.
         */
        public Path file()
        {
            return file;
        }

        /**
         * Unmap the file. Idempotent.
         */
        @Override
        public void close()
        {
            if (!closed)
            {
                closed = true;
                IoUtil.unmap(mapping);
            }
        }
    }
}
