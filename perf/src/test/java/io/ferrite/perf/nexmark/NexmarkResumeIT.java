package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nexmark run --query q3 --in FILE --dir DIR --parallelism 2} in a child JVM, killed with SIGKILL twice, each
 * time at its first progress line that shows output and a checkpoint newer than the previous run's, then run again on
 * the same directory to the end: the output file must hold exactly the lines of an uninterrupted run. Compared as
 * sorted lines (a multiset): with parallelism 2 the two join instances' results interleave in the sink in whatever
 * order the scheduler gives, so the order of the lines may differ between any two runs, interrupted or not.
 */
class NexmarkResumeIT
{
    private static final int EVENTS = 1_500_000;
    private static final int KILLS = 2;
    private static final Pattern CHECKPOINT = Pattern.compile("output (\\d+) bytes  checkpoint (\\d+)$");

    @TempDir
    Path dir;

    @Test
    void shouldEndWithTheUninterruptedOutputAfterTwoKills() throws Exception
    {
        final Path events = dir.resolve("events.csv");
        final NexmarkGenerator generator = new NexmarkGenerator(21, 10_000);
        NexmarkCsv.write(events, generator.events(EVENTS));
        final Path expectedFile = dir.resolve("expected.csv");
        new NexmarkRunner(new Q3()).input(events).output(expectedFile).parallelism(2).run();
        final List<String> expected = sorted(expectedFile);
        assertTrue(expected.size() > 1_000, "q3 results: " + expected.size());

        final Path job = dir.resolve("job");
        final Path out = dir.resolve("out.csv");
        final List<String> command = command(events, out, job);
        long checkpoint = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            // Killed at its first progress line that shows output and a checkpoint newer than the last run's.
            final Child child = new Child(command);
            checkpoint = child.nextCheckpoint(checkpoint);
            assertTrue(child.process.isAlive(), "run " + kill + " finished before it could be killed: " +
                child.lines);
            child.process.toHandle().destroyForcibly();
            assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "killed");
            assertEquals(kill > 0, child.resumed(), "run " + kill + ": " + child.lines);
            assertTrue(Files.size(out) > 0, "run " + kill + " wrote output before its kill: " + child.lines);
        }
        final Child last = new Child(command);
        assertTrue(last.process.waitFor(120, TimeUnit.SECONDS), "the last run finished");
        last.reader.join(10_000);
        assertEquals(0, last.process.exitValue(), String.join("\n", last.lines));
        assertTrue(last.lines.contains("events " + EVENTS), String.join("\n", last.lines));
        assertTrue(last.resumed(), String.join("\n", last.lines));
        assertEquals(expected, sorted(out));

        // Run once more on the finished job's directory: it resumes from its last checkpoint, rewrites the tail after
        // it (the two join instances may interleave it otherwise), and counts the whole input though it makes none.
        final long length = Files.size(out);
        final NexmarkRunner.Result again = new NexmarkRunner(new Q3()).input(events).output(out).directory(job)
            .parallelism(2).run();
        assertEquals(EVENTS, again.events(), "the input's events, though none was made again");
        assertEquals(length, Files.size(out));
        assertEquals(expected, sorted(out), "a finished job run again ends with the same lines");
    }

    private static List<String> command(final Path events, final Path out, final Path job)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final Path options : new Path[]{Path.of("scripts", "jvm.options"), Path.of("..", "scripts",
            "jvm.options")})
        {
            if (Files.isRegularFile(options))
            {
                command.add("@" + options.toAbsolutePath());
                break;
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NexmarkCli.class.getName());
        command.addAll(List.of("run", "--query", "q3", "--in", events.toString(), "--out", out.toString(), "--dir",
            job.toString(), "--parallelism", "2"));
        return command;
    }

    private static List<String> sorted(final Path file) throws Exception
    {
        final List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.US_ASCII));
        lines.sort(null);
        return lines;
    }

    /**
     * A child JVM whose output lines are read on a daemon thread.
     */
    private static final class Child
    {
        final Process process;
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final Thread reader;

        Child(final List<String> command) throws Exception
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            reader = new Thread(() ->
            {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
                {
                    String line;
                    while (null != (line = in.readLine()))
                    {
                        lines.add(line);
                        queue.add(line);
                    }
                }
                catch (final java.io.IOException ex)
                {
                    lines.add("unreadable: " + ex);
                }
            }, "nexmark-child");
            reader.setDaemon(true);
            reader.start();
        }

        boolean resumed()
        {
            for (final String line : lines)
            {
                if (line.contains(": resumed from checkpoint "))
                {
                    return true;
                }
            }
            return false;
        }

        /**
         * The checkpoint of the first progress line that reports one newer than {@code than} and some output.
         */
        long nextCheckpoint(final long than) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - deadline < 0)
            {
                final String line = queue.poll(100, TimeUnit.MILLISECONDS);
                if (null == line)
                {
                    if (!process.isAlive() && queue.isEmpty())
                    {
                        fail("the child ended: " + lines);
                    }
                    continue;
                }
                final Matcher matcher = CHECKPOINT.matcher(line);
                if (matcher.find() && Long.parseLong(matcher.group(1)) > 0 && Long.parseLong(matcher.group(2)) > than)
                {
                    return Long.parseLong(matcher.group(2));
                }
            }
            fail("no progress line with a checkpoint newer than " + than + ": " + lines);
            return -1;
        }
    }
}
