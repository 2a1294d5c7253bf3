package io.ferrite.queues.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends to a journal and is killed with SIGKILL at a random moment, several times over the same
 * journal. After each kill the journal is reopened: every entry the child acknowledged is there, valid and in order,
 * nothing half-written is delivered, and the next child appends after what survived.
 */
class JournalCrashIT
{

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedEntryAfterKillMinus9() throws Exception
    {
        killRounds(4);
    }

    @Test
    @Tag("slow")
    void shouldKeepEveryAcknowledgedEntryAfterManyKills() throws Exception
    {
        killRounds(40);
    }

    private void killRounds(final int rounds) throws Exception
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        long acknowledgedSoFar = -1;
        for (int round = 0; round < rounds; round++)
        {
            final Process child = start();
            final BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
            final String start = lines.readLine();
            assertTrue(null != start && start.startsWith("START "), () -> "child did not start: " + start + drain(child));
            final long startSeq = Long.parseLong(start.substring(6));
            final long acknowledged = acknowledgedSoFar;
            final int r = round;
            assertTrue(startSeq > acknowledged, () -> "seed=" + seed + " round " + r + ": acknowledged entries " +
                "lost: child found " + startSeq + " entries, " + (acknowledged + 1) + " were acknowledged");

            final long killAfterAcks = 20 + random.nextInt(400);
            long lastAck = -1;
            for (long acks = 0; acks < killAfterAcks; acks++)
            {
                final String line = lines.readLine();
                if (null == line)
                {
                    break;
                }
                lastAck = Long.parseLong(line.split(" ")[1]);
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            acknowledgedSoFar = Math.max(acknowledgedSoFar, lastAck);

            final long valid = verify(seed, round);
            assertTrue(valid > acknowledgedSoFar, "seed=" + seed + " round " + round + ": " + valid +
                " valid entries, but entry " + acknowledgedSoFar + " was acknowledged");
        }
    }

    /**
     * Read the whole journal: every entry must be the next sequence number with its exact payload.
     */
    private long verify(final long seed, final int round)
    {
        final long[] next = { 0 };
        try (Journal journal = Journal.open(new Journal.Context().directory(dir));
            JournalReader reader = journal.reader(journal.firstIndex()))
        {
            while (reader.poll((index, buffer, offset, length) ->
            {
                if (!JournalAppenderProcess.valid(buffer, offset, length, next[0]))
                {
                    throw new AssertionError("seed=" + seed + " round " + round + ": entry " + next[0] +
                        " at index " + index + " is wrong: length " + length);
                }
                next[0]++;
            }, 4096) > 0)
            {
                // read everything that survived
            }
        }
        return next[0];
    }

    private Process start() throws IOException
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
        command.add(JournalAppenderProcess.class.getName());
        command.add(dir.toString());
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String drain(final Process child)
    {
        child.destroyForcibly();
        return " (child exit " + (child.isAlive() ? "running" : Integer.toString(child.exitValue())) + ")";
    }
}
