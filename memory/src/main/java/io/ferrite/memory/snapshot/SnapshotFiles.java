package io.ferrite.memory.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import io.ferrite.memory.crash.CrashPoints;

/**
 * Writes snapshot files so that a crash at any instant leaves either the old file or the complete new one: the bytes
 * go to a temporary name in the same directory, are forced to disk, the file is renamed over the final name
 * atomically, and the directory is forced so the rename itself survives a power failure.
 */
public final class SnapshotFiles
{
    /**
     * The suffix of a snapshot file being written; a leftover one is garbage from a crash.
     */
    public static final String TEMP_SUFFIX = ".tmp";

    /**
     * Writes a snapshot's body.
     */
    @FunctionalInterface
    public interface BodyWriter
    {
        /**
         * Write the body.
         *
         * @param writer the writer to write it to.
         * @throws IOException if writing fails.
         */
        void write(SnapshotWriter writer) throws IOException;
    }

    private SnapshotFiles()
    {
    }

    /**
     * Write a snapshot file atomically and durably.
     *
     * @param file the final file name.
     * @param body writes the body; the trailer is added.
     * @return the file's length in bytes.
     * @throws IOException if writing fails; the temporary file is then deleted and any old file kept.
     */
    public static long writeAtomically(final Path file, final BodyWriter body) throws IOException
    {
        return writeAtomically(file, null, body);
    }

    /**
     * Write a snapshot file atomically and durably with a writer that is reused, file after file.
     *
     * @param file   the final file name.
     * @param writer the writer to {@link SnapshotWriter#reset reset} to the file, or null for a new one.
     * @param body   writes the body; the trailer is added.
     * @return the file's length in bytes.
     * @throws IOException if writing fails; the temporary file is then deleted and any old file kept.
     */
    public static long writeAtomically(final Path file, final SnapshotWriter writer, final BodyWriter body)
        throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        final Path temp = directory.resolve(file.getFileName() + TEMP_SUFFIX);
        final long length;
        try
        {
            try (FileChannel channel = FileChannel.open(temp,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                final SnapshotWriter to = null == writer ? new SnapshotWriter(channel) : writer.reset(channel);
                body.write(to);
                length = to.finish();
                channel.force(true);
            }
            CrashPoints.hit(CrashPoints.SNAPSHOT_WRITE);
            try
            {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                throw new IOException("file system cannot rename atomically: " + directory, ex);
            }
            CrashPoints.hit(CrashPoints.SNAPSHOT_RENAME);
        }
        catch (final Throwable ex)
        {
            Files.deleteIfExists(temp);
            throw ex;
        }
        forceDirectory(directory);
        return length;
    }

    /**
     * Force a directory's entries to disk, so a rename in it survives a power failure. A no-op where the platform
     * cannot open a directory.
     *
     * @param directory the directory.
     * @throws IOException if forcing fails.
     */
    public static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final UnsupportedOperationException ignore)
        {
            // Not every platform can open a directory; POSIX file systems can.
        }
    }
}
