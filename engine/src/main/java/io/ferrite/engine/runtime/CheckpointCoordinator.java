package io.ferrite.engine.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.crash.CrashPoints;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFiles;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * Coordinates a job's aligned-barrier checkpoints (Flink's asynchronous barrier snapshotting) and finds the one to
 * recover from.
 * <p>
 * {@link #trigger()} asks every source stage to inject barrier <i>n</i> ({@link #requestedCheckpoint()}); each stage,
 * once aligned, serializes its state on its own thread and hands the bytes to {@link #acknowledge}; a writer thread
 * writes each stage's file atomically (temporary name, fsync, rename, directory fsync, CRC32C trailer) and, when every
 * stage has acknowledged, the manifest the same way — the checkpoint is complete only then. A stage whose inputs have
 * all ended acknowledges every later checkpoint with its final state and sends no barrier (the stages after it align
 * without an ended input), so a job keeps checkpointing after a bounded source ends. Stages learn of completion
 * through {@link #completedCheckpoint()} (sinks commit, sources trim their journals). The newest {@value #KEEP}
 * checkpoints are kept; older ones are deleted after a newer one completes.
 * <p>
 * On disk, under the job's {@code checkpoints} directory, one directory per checkpoint named by its id: a
 * {@code stage-INDEX.snap} file per stage and the {@code MANIFEST} (magic, version, id, completion time, and per stage
 * its name, file length and source position).
 * <p>
 * <b>Note:</b> {@link #trigger()} and {@link #acknowledge} are threadsafe; one coordinator per job.
 */
public final class CheckpointCoordinator implements AutoCloseable
{
    /**
     * Checkpoints kept on disk.
     */
    public static final int KEEP = 3;

    /**
     * The manifest's file name in a checkpoint's directory.
     */
    public static final String MANIFEST = "MANIFEST";

    static final int MANIFEST_MAGIC = 0x504B4346;
    static final int MANIFEST_VERSION = 1;
    private static final byte[] EMPTY = new byte[0];

    private final Path directory;
    private final String[] stageNames;
    private final Consumer<Throwable> errorHandler;
    private final Consumer<String> warningHandler;
    private final BlockingQueue<Ack> acks = new ArrayBlockingQueue<>(1024);
    private final Thread writer;

    private volatile long requested;
    private final AtomicInteger acknowledged = new AtomicInteger();
    /** The writer thread's: its snapshot writer and a view of the stage's bytes, reused for every file. */
    private final SnapshotWriter fileWriter = new SnapshotWriter();
    private final UnsafeBuffer ackBody = new UnsafeBuffer(EMPTY);
    private volatile long completed;
    private long restored = -1;
    private volatile long lastDurationNs;
    private volatile long lastSizeBytes;
    private volatile long lastAlignmentNs;
    private volatile boolean closed;

    // Writer thread only.
    private long pendingId = -1;
    private long pendingStartNs;
    private int pendingAcks;
    private long pendingBytes;
    private long pendingAlignmentNs;
    private long[] pendingPositions;
    private long[] pendingLengths;

    private long triggerStartNs;

    /**
     * A checkpoint as recovery sees it: its id and each stage's state.
     */
    public static final class Restored
    {
        private final long id;
        private final Path directory;
        private final long[] positions;
        private final byte[][] files;

        Restored(final long id, final Path directory, final long[] positions, final byte[][] files)
        {
            this.id = id;
            this.directory = directory;
            this.positions = positions;
            this.files = files;
        }

        /**
         * The checkpoint's id.
         *
         * @return the id.
         */
        public long id()
        {
            return id;
        }

        /**
         * The source position a source stage recorded, -1 for other stages.
         *
         * @param stageIndex the stage.
         * @return the journal (or origin) index of the last record in the checkpoint.
         */
        public long position(final int stageIndex)
        {
            return positions[stageIndex];
        }

        /**
         * Open a reader over a stage's state: the bytes whose CRC was verified when the checkpoint was chosen, not the
         * file read again.
         *
         * @param stageIndex the stage.
         * @return the reader; call {@link SnapshotReader#verifyTrailer()} after the stage has read its state.
         */
        public SnapshotReader reader(final int stageIndex)
        {
            return new SnapshotReader(Channels.newChannel(new ByteArrayInputStream(files[stageIndex])),
                stageFile(directory, stageIndex).toString(), 1 << 16);
        }
    }

    private static final class Ack
    {
        final long id;
        final int stage;
        final SnapshotBytes body;
        final int length;
        final long position;
        final long alignmentNs;

        Ack(final long id, final int stage, final SnapshotBytes body, final int length, final long position,
            final long alignmentNs)
        {
            this.id = id;
            this.stage = stage;
            this.body = body;
            this.length = length;
            this.position = position;
            this.alignmentNs = alignmentNs;
        }
    }

    /**
     * A coordinator for a job's stages.
     *
     * @param directory      the job's checkpoints directory; created if missing.
     * @param stageNames     the stages in their fixed order: the index each stage acknowledges with.
     * @param firstId        the id the next checkpoint takes (one past the one recovered from).
     * @param errorHandler   told when a checkpoint cannot be written: the job fails, as on any I/O error.
     * @param warningHandler told of checkpoints that could not be deleted.
     */
    public CheckpointCoordinator(
        final Path directory,
        final String[] stageNames,
        final long firstId,
        final Consumer<Throwable> errorHandler,
        final Consumer<String> warningHandler)
    {
        this.directory = directory;
        this.stageNames = stageNames.clone();
        this.errorHandler = errorHandler;
        this.warningHandler = warningHandler;
        this.requested = firstId - 1;
        this.completed = firstId - 1;
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the checkpoint directory " + directory, ex);
        }
        this.writer = new Thread(this::writeLoop, "ferrite-checkpoint-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Ask the sources for a new checkpoint, unless one is in progress.
     *
     * @return the new checkpoint's id, or -1 when one is still in progress.
     */
    public synchronized long trigger()
    {
        if (closed || requested != completed)
        {
            return -1;
        }
        triggerStartNs = System.nanoTime();
        acknowledged.set(0);
        requested = requested + 1;
        return requested;
    }

    /**
     * The newest checkpoint the sources have been asked for.
     *
     * @return its id; equal to {@link #completedCheckpoint()} when none is in progress.
     */
    public long requestedCheckpoint()
    {
        return requested;
    }

    /**
     * Whether every stage has handed over its state for the checkpoint in progress: only the writer thread's work is
     * left.
     *
     * @return true when all stages have acknowledged, or none is in progress.
     */
    public boolean allAcknowledged()
    {
        return acknowledged.get() >= stageNames.length || requested == completed;
    }

    /**
     * The newest complete checkpoint: every stage's file and the manifest are on disk.
     *
     * @return its id, or the recovered one's (0 for none).
     */
    public long completedCheckpoint()
    {
        return completed;
    }

    /**
     * Record the checkpoint the job was restored from, before the stages join: they tell their operators it (sinks
     * write the recovery's markers with its id), not the newest checkpoint on disk, which may be a damaged one that
     * recovery skipped.
     *
     * @param id the restored checkpoint, or -1 when the job started without one.
     */
    public void restoredFrom(final long id)
    {
        restored = id;
    }

    /**
     * The checkpoint the job was restored from.
     *
     * @return its id, or -1 when the job started without one.
     */
    public long restoredCheckpoint()
    {
        return restored;
    }

    /**
     * How long the newest complete checkpoint took, from trigger to manifest.
     *
     * @return nanoseconds.
     */
    public long lastDurationNs()
    {
        return lastDurationNs;
    }

    /**
     * The bytes the newest complete checkpoint wrote, manifest included.
     *
     * @return bytes.
     */
    public long lastSizeBytes()
    {
        return lastSizeBytes;
    }

    /**
     * The longest any stage of the newest complete checkpoint waited with inputs blocked for alignment.
     *
     * @return nanoseconds.
     */
    public long lastAlignmentNs()
    {
        return lastAlignmentNs;
    }

    /**
     * A stage's state for checkpoint {@code id}, serialized on the stage's thread; the writer thread writes it.
     *
     * @param id          the checkpoint.
     * @param stageIndex  the stage.
     * @param body        the state: a snapshot body, without the trailer; the coordinator releases it once written.
     * @param length      its length.
     * @param position    for a source, the journal (or origin) index of its last record before the barrier; else -1.
     * @param alignmentNs how long the stage blocked inputs waiting for the barrier on all of them.
     */
    public void acknowledge(
        final long id,
        final int stageIndex,
        final SnapshotBytes body,
        final int length,
        final long position,
        final long alignmentNs)
    {
        acknowledged.incrementAndGet();
        if (!acks.offer(new Ack(id, stageIndex, body, length, position, alignmentNs)))
        {
            errorHandler.accept(new IllegalStateException("checkpoint " + id + ": acknowledgement queue full"));
        }
    }

    private void writeLoop()
    {
        try
        {
            while (!closed)
            {
                final Ack ack = acks.poll(100, TimeUnit.MILLISECONDS);
                if (null != ack)
                {
                    onAck(ack);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!closed)
            {
                errorHandler.accept(ex);
            }
        }
    }

    private void onAck(final Ack ack) throws IOException
    {
        if (ack.id != pendingId)
        {
            pendingId = ack.id;
            pendingStartNs = triggerStartNs;
            pendingAcks = 0;
            pendingBytes = 0;
            pendingAlignmentNs = 0;
            pendingPositions = new long[stageNames.length];
            pendingLengths = new long[stageNames.length];
            Arrays.fill(pendingPositions, -1);
            Files.createDirectories(checkpointDirectory(ack.id));
        }
        final long fileLength;
        try
        {
            ackBody.wrap(ack.body.bytes(), 0, Math.max(1, ack.length));
            fileLength = SnapshotFiles.writeAtomically(stageFile(checkpointDirectory(ack.id), ack.stage),
                fileWriter, (w) -> w.writeBytes(ackBody, 0, ack.length));
        }
        finally
        {
            ackBody.wrap(EMPTY);
            ack.body.release();
        }
        pendingPositions[ack.stage] = ack.position;
        pendingLengths[ack.stage] = fileLength;
        pendingBytes += fileLength;
        pendingAlignmentNs = Math.max(pendingAlignmentNs, ack.alignmentNs);
        if (++pendingAcks == stageNames.length)
        {
            completeCheckpoint();
        }
    }

    private void completeCheckpoint() throws IOException
    {
        final long id = pendingId;
        final long[] positions = pendingPositions;
        final long[] lengths = pendingLengths;
        final Path manifest = checkpointDirectory(id).resolve(MANIFEST);
        final long manifestLength = SnapshotFiles.writeAtomically(manifest, fileWriter, (w) ->
        {
            w.writeInt(MANIFEST_MAGIC);
            w.writeInt(MANIFEST_VERSION);
            w.writeLong(id);
            w.writeLong(System.currentTimeMillis());
            w.writeInt(stageNames.length);
            for (int i = 0; i < stageNames.length; i++)
            {
                final byte[] name = stageNames[i].getBytes(StandardCharsets.UTF_8);
                w.writeInt(name.length);
                w.writeBytes(new UnsafeBuffer(name), 0, name.length);
                w.writeLong(lengths[i]);
                w.writeLong(positions[i]);
            }
        });
        CrashPoints.hit(CrashPoints.MANIFEST_WRITE);
        lastSizeBytes = pendingBytes + manifestLength;
        lastDurationNs = System.nanoTime() - pendingStartNs;
        lastAlignmentNs = pendingAlignmentNs;
        pendingId = -1;
        synchronized (this)
        {
            completed = id;
        }
        deleteOlderThan(id - KEEP + 1);
    }

    private void deleteOlderThan(final long oldestKept)
    {
        for (final long id : checkpointIds(directory))
        {
            if (id < oldestKept)
            {
                deleteQuietly(checkpointDirectory(id));
            }
        }
    }

    private void deleteQuietly(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            final List<Path> all = new ArrayList<>();
            files.forEach(all::add);
            all.sort(Comparator.reverseOrder());
            for (final Path path : all)
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            warningHandler.accept("cannot delete old checkpoint " + dir + ": " + ex);
        }
    }

    private Path checkpointDirectory(final long id)
    {
        return directory.resolve(Long.toString(id));
    }

    static Path stageFile(final Path checkpoint, final int stageIndex)
    {
        return checkpoint.resolve("stage-" + stageIndex + ".snap");
    }

    /**
     * The ids of the checkpoint directories present, newest first.
     *
     * @param directory the checkpoints directory.
     * @return the ids.
     */
    public static long[] checkpointIds(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return new long[0];
        }
        final List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && !name.isEmpty() && name.length() < 19)
                {
                    ids.add(Long.parseLong(name));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list checkpoints in " + directory, ex);
        }
        ids.sort(Comparator.reverseOrder());
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The newest checkpoint whose manifest and stage files are all intact and that was taken from a job of these
     * stages; a damaged one is reported to the warning handler and the one before it tried.
     *
     * @param directory      the job's checkpoints directory.
     * @param stageNames     the job's stages, in order.
     * @param warningHandler told of each checkpoint skipped and why.
     * @return the checkpoint, or null when there is none usable.
     */
    public static Restored newestValid(
        final Path directory, final String[] stageNames, final Consumer<String> warningHandler)
    {
        for (final long id : checkpointIds(directory))
        {
            final Path dir = directory.resolve(Long.toString(id));
            try
            {
                return load(id, dir, stageNames);
            }
            catch (final IOException | RuntimeException ex)
            {
                warningHandler.accept("checkpoint " + id + " in " + dir + " is not usable, trying the one before: " +
                    ex.getMessage());
            }
        }
        return null;
    }

    private static Restored load(final long id, final Path dir, final String[] stageNames) throws IOException
    {
        final Path manifest = dir.resolve(MANIFEST);
        if (!Files.exists(manifest))
        {
            throw new SnapshotCorruptedException(manifest.toString(), 0, "no manifest (the checkpoint never " +
                "completed)");
        }
        final ByteBuffer body = verified(manifest);
        final String source = manifest.toString();
        if (body.remaining() < 28 || body.getInt() != MANIFEST_MAGIC)
        {
            throw new SnapshotCorruptedException(source, 0, "not a checkpoint manifest");
        }
        final int version = body.getInt();
        if (version != MANIFEST_VERSION)
        {
            throw new SnapshotCorruptedException(source, 4, "unsupported manifest version " + version);
        }
        final long manifestId = body.getLong();
        body.getLong();
        final int stages = body.getInt();
        if (manifestId != id)
        {
            throw new SnapshotCorruptedException(source, 8, "manifest of checkpoint " + manifestId + " in the " +
                "directory of checkpoint " + id);
        }
        if (stages != stageNames.length)
        {
            throw new IllegalStateException("checkpoint " + id + " was taken from a job of " + stages + " stages; " +
                "this job has " + stageNames.length + " (the pipeline changed?)");
        }
        final long[] positions = new long[stages];
        final byte[][] files = new byte[stages][];
        for (int i = 0; i < stages; i++)
        {
            final int nameLength = body.getInt();
            if (nameLength < 0 || nameLength > body.remaining())
            {
                throw new SnapshotCorruptedException(source, body.position(), "bad stage name length " + nameLength);
            }
            final byte[] name = new byte[nameLength];
            body.get(name);
            final String stageName = new String(name, StandardCharsets.UTF_8);
            if (!stageName.equals(stageNames[i]))
            {
                throw new IllegalStateException("checkpoint " + id + " has stage " + i + " '" + stageName +
                    "' where this job has '" + stageNames[i] + "' (the pipeline changed?)");
            }
            final long length = body.getLong();
            positions[i] = body.getLong();
            final Path file = stageFile(dir, i);
            if (!Files.exists(file) || Files.size(file) != length)
            {
                throw new SnapshotCorruptedException(file.toString(), 0, "missing, or not the " + length +
                    " bytes the manifest records");
            }
            files[i] = verified(file).array();
        }
        if (body.hasRemaining())
        {
            throw new SnapshotCorruptedException(source, body.position(), "bytes after the last stage");
        }
        return new Restored(id, dir, positions, files);
    }

    /**
     * Read a whole snapshot file and check its trailer and CRC32C.
     *
     * @param file the file.
     * @return its body, little-endian.
     * @throws IOException if it cannot be read.
     * @throws SnapshotCorruptedException if it is empty, truncated or corrupted.
     */
    static ByteBuffer verified(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final String source = file.toString();
        if (bytes.length < SnapshotFormat.TRAILER_LENGTH)
        {
            throw new SnapshotCorruptedException(source, 0, bytes.length == 0 ? "empty file" :
                "truncated: " + bytes.length + " bytes, shorter than a trailer");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int bodyLength = bytes.length - SnapshotFormat.TRAILER_LENGTH;
        if (buffer.getInt(bodyLength + 4) != SnapshotFormat.TRAILER_MAGIC)
        {
            throw new SnapshotCorruptedException(source, bodyLength + 4, "no trailer (truncated or overwritten)");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bodyLength);
        if ((int)crc.getValue() != buffer.getInt(bodyLength))
        {
            throw new SnapshotCorruptedException(source, bodyLength, "CRC32C mismatch");
        }
        buffer.limit(bodyLength);
        return buffer;
    }

    /**
     * Stop the writer thread; a checkpoint in progress is abandoned (it has no manifest, so recovery skips it).
     */
    @Override
    public void close()
    {
        closed = true;
        writer.interrupt();
        try
        {
            writer.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "CheckpointCoordinator{" + directory + ", requested=" + requested + ", completed=" + completed + '}';
    }
}
