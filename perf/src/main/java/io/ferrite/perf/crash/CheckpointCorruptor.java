package io.ferrite.perf.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.ferrite.engine.runtime.CheckpointCoordinator;

/**
 * Damages the newest complete checkpoint of a killed job, as a failing disk or a torn write would: flips random bits,
 * truncates, or zeroes a 4 KiB page of its {@code MANIFEST} or one of its stage files. A restarted job must notice
 * (CRC32C, trailer, lengths) and fall back to the checkpoint before it.
 */
final class CheckpointCorruptor
{
    private static final int PAGE = 4096;

    private CheckpointCorruptor()
    {
    }

    /**
     * The newest checkpoint with a manifest on disk.
     *
     * @param jobDir the job's directory.
     * @return its id, -1 if there is none.
     */
    static long newest(final Path jobDir)
    {
        final Path checkpoints = jobDir.resolve("checkpoints");
        for (final long id : CheckpointCoordinator.checkpointIds(checkpoints))
        {
            if (Files.exists(checkpoints.resolve(Long.toString(id)).resolve(CheckpointCoordinator.MANIFEST)))
            {
                return id;
            }
        }
        return -1;
    }

    /**
     * The newest checkpoint with a manifest on disk, older than another.
     *
     * @param jobDir the job's directory.
     * @param before the id it must be older than.
     * @return its id, -1 if there is none.
     */
    static long newestBefore(final Path jobDir, final long before)
    {
        final Path checkpoints = jobDir.resolve("checkpoints");
        for (final long id : CheckpointCoordinator.checkpointIds(checkpoints))
        {
            if (id < before &&
                Files.exists(checkpoints.resolve(Long.toString(id)).resolve(CheckpointCoordinator.MANIFEST)))
            {
                return id;
            }
        }
        return -1;
    }

    /**
     * Damage one file of a checkpoint.
     *
     * @param jobDir the job's directory.
     * @param id     the checkpoint.
     * @param random chooses the file and the damage.
     * @return what was done, for the report; null if no damage could be found that changes the file.
     * @throws IOException if the file cannot be changed.
     */
    static String corrupt(final Path jobDir, final long id, final Random random) throws IOException
    {
        final Path dir = jobDir.resolve("checkpoints").resolve(Long.toString(id));
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                if (Files.isRegularFile(entry))
                {
                    files.add(entry);
                }
            }
        }
        files.sort(null);
        // The manifest half the time: it is what recovery reads first.
        final Path file = random.nextBoolean() ? dir.resolve(CheckpointCoordinator.MANIFEST) :
            files.get(random.nextInt(files.size()));
        final byte[] original = Files.readAllBytes(file);
        final int length = original.length;
        byte[] damaged = original;
        String what = "";
        // A page of zeroes over zeroes, or a truncation to the full length, changes nothing: draw again.
        for (int attempt = 0; attempt < 20 && Arrays.equals(damaged, original); attempt++)
        {
            switch (length == 0 ? 1 : random.nextInt(3))
            {
                case 0:
                {
                    damaged = original.clone();
                    final int flips = 1 + random.nextInt(8);
                    for (int i = 0; i < flips; i++)
                    {
                        damaged[random.nextInt(length)] ^= (byte)(1 << random.nextInt(8));
                    }
                    what = "flipped " + flips + " bit(s) in";
                    break;
                }
                case 1:
                {
                    final int to = length == 0 ? 0 : random.nextInt(length);
                    damaged = Arrays.copyOf(original, to);
                    what = "truncated to " + to + " of " + length + " bytes";
                    break;
                }
                default:
                {
                    damaged = original.clone();
                    final int page = length <= PAGE ? 0 : random.nextInt(length / PAGE) * PAGE;
                    final int zeroes = Math.min(PAGE, length - page);
                    Arrays.fill(damaged, page, page + zeroes, (byte)0);
                    what = "zeroed " + zeroes + " bytes at " + page + " in";
                    break;
                }
            }
        }
        if (Arrays.equals(damaged, original))
        {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(damaged);
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        return what + " " + jobDir.relativize(file);
    }
}
