package io.ferrite.queues.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal on a small tmpfs fills it: the append that cannot be written throws {@link JournalIOException} — not the
 * JVM's {@code InternalError} from a mapped-memory fault — the journal refuses further appends, and every entry
 * acknowledged before is still there. Needs root to mount the tmpfs; skipped with a message elsewhere.
 */
class JournalFullDiskIT
{
    @TempDir
    Path parent;

    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception
    {
        mount = parent.resolve("small-disk");
        Files.createDirectories(mount);
        final boolean linux = System.getProperty("os.name").toLowerCase().contains("linux");
        assumeTrue(linux, "full-disk test needs Linux tmpfs; skipped on " + System.getProperty("os.name"));
        final Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final boolean done = process.waitFor(10, TimeUnit.SECONDS);
        final String output = new String(process.getInputStream().readAllBytes());
        mounted = done && process.exitValue() == 0;
        assumeTrue(mounted, "full-disk test skipped: cannot mount a 6 MiB tmpfs here (needs root): " + output.trim());
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mounted)
        {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldFailAppendClearlyWhenTheDiskIsFullAndKeepWhatWasAcknowledged() throws IOException
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
        long acknowledged = 0;
        JournalIOException failure = null;
        final Path dir = mount.resolve("journal");
        try (Journal journal = Journal.open(new Journal.Context().directory(dir).maxPayloadLength(1024)))
        {
            for (long seq = 0; seq < 100_000; seq++)
            {
                payload.putLong(0, seq);
                try
                {
                    journal.append(payload, 0, 1024);
                    acknowledged++;
                }
                catch (final JournalIOException ex)
                {
                    failure = ex;
                    break;
                }
            }
            assertTrue(null != failure, "6 MiB cannot hold 100,000 entries of 1 KiB");
            assertTrue(acknowledged > 0, "some entries fit before the disk filled");
            System.out.println("full disk after " + acknowledged + " entries: " + failure.getMessage());
            assertTrue(failure.getMessage().contains(dir.toString()), failure.getMessage());
            final JournalIOException again = assertThrows(JournalIOException.class,
                () -> journal.append(payload, 0, 8));
            assertTrue(again.getMessage().contains("closed for appends"), again.getMessage());

            final long[] next = { 0 };
            try (JournalReader reader = journal.reader(journal.firstIndex()))
            {
                while (next[0] < acknowledged && reader.poll((index, buffer, offset, length) ->
                {
                    assertEquals(next[0], buffer.getLong(offset));
                    next[0]++;
                }, 256) > 0)
                {
                    // read what was acknowledged
                }
            }
            assertEquals(acknowledged, next[0], "every acknowledged entry is readable after the disk filled");
        }
        catch (final JournalIOException closeFailure)
        {
            // Closing a journal on a full disk may fail too; the checks above have run.
            assertTrue(null != failure, "unexpected failure: " + closeFailure);
        }
    }
}
