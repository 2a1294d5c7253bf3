package io.ferrite.queues.committed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.queues.journal.Journal;

/**
 * A child JVM writes outputs and commits checkpoints ({@link CommittedWriterProcess}) and is killed with SIGKILL at a
 * random moment — mid-append, between a manifest and its commit, anywhere — several times over the same journal;
 * each new child restores the latest manifest it was told about. Meanwhile this process follows the journal with a
 * read-committed reader: it must see outputs 0, 1, 2, ... each exactly once, never beyond the latest manifest, and
 * every output of a committed checkpoint, across the torn tails the kills leave.
 */
class CommittedJournalCrashIT
{
    @TempDir
    Path dir;

    @Test
    void shouldDeliverEveryCommittedOutputOnceAcrossKillMinus9() throws Exception
    {
        killRounds(4);
    }

    @Test
    @Tag("slow")
    void shouldDeliverEveryCommittedOutputOnceAcrossManyKills() throws Exception
    {
        killRounds(30);
    }

    private void killRounds(final int rounds) throws Exception
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final AtomicLong next = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            final Thread follower = new Thread(() ->
            {
                final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
                try (ReadCommittedReader reader = ReadCommittedReader.open(journal, -1))
                {
                    while (!stop.get())
                    {
                        idle.idle(reader.poll((index, buffer, offset, length) ->
                        {
                            if (!CommittedWriterProcess.valid(buffer, offset, length, next.get()))
                            {
                                throw new AssertionError("expected output " + next.get() + " at index " + index +
                                    ", got output " + buffer.getLong(offset) + " of " + length + " bytes");
                            }
                            next.incrementAndGet();
                        }, 256));
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "read-committed-follower");
            follower.start();
            try
            {
                long[] manifest = { CommittedJournal.NO_CHECKPOINT, -1, 0 };
                for (int round = 0; round < rounds && null == failure.get(); round++)
                {
                    final String where = "seed=" + seed + " round " + round + ": ";
                    final Process child = start(manifest);
                    final BufferedReader lines = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
                    final String start = lines.readLine();
                    if (null == start || !start.startsWith("START "))
                    {
                        child.destroyForcibly();
                        throw new AssertionError(where + "child did not start: " + start);
                    }
                    // The child's recovery committed the manifest it restored: its outputs are all visible now.
                    awaitDelivered(next, manifest[2], failure, where);

                    final int killAfterLines = 1 + random.nextInt(60);
                    long committedSeq = manifest[2];
                    String line = null;
                    for (int i = 0; i < killAfterLines && null != (line = lines.readLine()); i++)
                    {
                        manifest = parse(line, manifest);
                    }
                    // SIGKILL through the handle: Process.destroyForcibly would also close the pipe still to drain
                    child.toHandle().destroyForcibly();
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
                    assertEquals(137, child.exitValue(), "killed by SIGKILL");
                    // What the child printed before it died: a COMMIT marker on disk always has its manifest here.
                    while (null != (line = lines.readLine()))
                    {
                        final long[] parsed = parse(line, manifest);
                        if (line.startsWith("COMMITTED ") && parsed[0] == manifest[0])
                        {
                            committedSeq = manifest[2];
                        }
                        manifest = parsed;
                    }
                    awaitDelivered(next, committedSeq, failure, where);
                    assertTrue(next.get() <= manifest[2], where + "delivered " + next.get() +
                        " outputs, beyond the latest manifest's " + manifest[2]);
                }
            }
            finally
            {
                stop.set(true);
                follower.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertFalse(follower.isAlive(), "follower did not stop");
            assertNull(failure.get(), () -> "seed=" + seed + ": " + failure.get());
            assertTrue(next.get() > 0);
            System.out.println("read-committed across " + rounds + " kills: " + next.get() + " outputs delivered, " +
                "journal last index " + journal.lastIndex() + " (seed=" + seed + ")");
        }
    }

    private static long[] parse(final String line, final long[] manifest)
    {
        if (line.startsWith("MANIFEST "))
        {
            final String[] fields = line.split(" ");
            return new long[]{ Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]) };
        }
        return manifest;
    }

    private static void awaitDelivered(
        final AtomicLong next, final long count, final AtomicReference<Throwable> failure, final String where)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (next.get() < count)
        {
            assertNull(failure.get(), () -> where + failure.get());
            assertTrue(System.nanoTime() - deadline < 0, where + "the reader delivered " + next.get() +
                " outputs, " + count + " are committed");
            Thread.sleep(1);
        }
    }

    private Process start(final long[] manifest) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final Path options = Path.of("..", "scripts", "jvm.options").toAbsolutePath().normalize();
        if (Files.exists(options))
        {
            command.add("@" + options);
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CommittedWriterProcess.class.getName());
        command.add(dir.toString());
        command.add(Long.toString(manifest[0]));
        command.add(Long.toString(manifest[1]));
        command.add(Long.toString(manifest[2]));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
