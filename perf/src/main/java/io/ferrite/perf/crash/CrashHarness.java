package io.ferrite.perf.crash;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ferrite.engine.DeadLetter;
import io.ferrite.memory.crash.CrashPoints;
import io.ferrite.queues.committed.ReadCommittedReader;
import io.ferrite.queues.journal.Journal;

/**
 * "Kill it at any moment and lose nothing, double nothing": runs {@link CrashJob} in a child JVM over a seeded
 * {@link CrashWorkload}, kills it with SIGKILL at random moments, restarts it on the same directory each time, lets the
 * last run finish, and compares the committed output of both windows with a plain-Java {@link CrashReference}. It
 * reports lost, duplicated and wrong results and the kills that really happened, and fails on any difference.
 * <p>
 * <b>Kill moments.</b> Kill {@code k} has a target: a point in the input, drawn from the seed, uniformly in the first
 * 90 % of it (the targets sorted). A run is killed once its fresh input (the generator's sequence, which the child
 * reports every 25 ms) passes its target, after a further random delay of up to
 * {@link CrashOptions#jitterMs(long)}: so the kills spread over the whole input and land at arbitrary phases of the
 * checkpoint cycle — mid-record, mid-snapshot, between a manifest and its commit.
 * <p>
 * <b>What counts as a kill.</b> A kill counts when (1) the child was alive when SIGKILL was sent and died of it (exit
 * status 137, not 0), and (2) it had made progress since its start: it had finished its recovery (replayed its journal
 * to the end) and taken fresh input beyond it, as the lines it printed before it died say. A kill that misses either is
 * an attempt, not a kill, and the next run tries the same target again. Separately, the report says how many kills
 * came after a new checkpoint had completed in that run (a new {@code MANIFEST} on disk that was not there when the
 * run started).
 * <p>
 * <b>Crash points and damaged checkpoints.</b> With {@code --crash-points} each killed run also arms one of the
 * engine's named {@link CrashPoints} (cycling through them, at a random hit): the child halts itself there, exit 137,
 * if it gets there before its SIGKILL; such a crash counts as a kill. With {@code --corrupt}, after every other kill
 * the newest complete checkpoint is damaged ({@link CheckpointCorruptor}) and the next run must restore the one before.
 * <p>
 * Usage: {@code scripts/ferrite crash [--events N] [--kills K] [--seed S] [--dir DIR] [--keep] [--keys K]
 * [--parallelism P] [--checkpoint-ms MS] [--jitter-ms MS] [--threading SHARED|DEDICATED] [--child-heap SIZE]
 * [--jvm-options FILE] [--run-timeout-s S] [--recovery-kills N] [--crash-points] [--corrupt]}. Exit status 0 when
 * nothing was lost, duplicated or wrong; 1 otherwise (or when a run failed); 2 for bad arguments.
 */
public final class CrashHarness
{
    private static final int EXIT_SIGKILL = 128 + 9;

    private CrashHarness()
    {
    }

    /**
     * Run the harness from the command line.
     *
     * @param args see the class's description.
     * @throws Exception if the harness itself fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final String usage = "usage: crash [--events N] [--kills K] [--seed S] [--dir DIR] [--keep] [--keys K] " +
            "[--parallelism P] [--checkpoint-ms MS] [--jitter-ms MS] [--threading SHARED|DEDICATED] " +
            "[--child-heap SIZE] [--jvm-options FILE] [--run-timeout-s S] [--recovery-kills N] [--crash-points] " +
            "[--corrupt]";
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h"))
        {
            System.out.println(usage);
            System.out.println("Defaults: 2,000,000 events, 10 kills, seed 1, 1,000 keys, parallelism 2, checkpoints " +
                "every 200 ms, jitter 150 ms, SHARED, child heap 512m, a temporary directory deleted on success.");
            System.out.println("--crash-points also arms a named crash point in each killed run (" +
                String.join(", ", CrashPoints.names()) + "); --corrupt damages the newest checkpoint after every " +
                "other kill. Exit status 0 when nothing was lost, duplicated or wrong.");
            return;
        }
        final CrashOptions options;
        try
        {
            options = CrashOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("crash: " + ex.getMessage());
            System.err.println(usage);
            System.exit(2);
            return;
        }
        final CrashResult result = run(options, System.out);
        System.exit(result.passed() ? 0 : 1);
    }

    /**
     * Run the harness.
     *
     * @param options the settings.
     * @param out     where progress and the report go.
     * @return what it found.
     * @throws IOException          if the directory cannot be prepared or a child cannot be started.
     * @throws InterruptedException if interrupted.
     */
    public static CrashResult run(final CrashOptions options, final PrintStream out)
        throws IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        final Path dir = prepare(options.dir);
        final Path jobDir = dir.resolve(CrashWorkload.JOB);
        final Path log = dir.resolve("children.log");
        final CrashResult result = new CrashResult();
        out.printf(Locale.ROOT, "crash harness: %,d events, %,d keys, seed %d, %d kills, checkpoints every %d ms, " +
            "parallelism %d, %s; directory %s%n", options.events, options.keys, options.seed, options.kills,
            options.checkpointMs, options.parallelism, options.threading, dir);

        // Interrupted (Ctrl-C), the harness takes its running child with it.
        final CrashChild[] current = new CrashChild[1];
        final Thread reaper = new Thread(() ->
        {
            final CrashChild running = current[0];
            if (null != running)
            {
                running.kill();
            }
        }, "crash-harness-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try
        {
            runChildren(options, dir, result, current, out);
        }
        finally
        {
            Runtime.getRuntime().removeShutdownHook(reaper);
        }

        if (null == result.failure)
        {
            verify(new CrashWorkload(options.seed, options.keys, options.events), jobDir, result);
        }
        result.totalMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        if (null != result.failure)
        {
            out.println("the children's standard error (" + log + "), last lines:");
            out.println(tail(log, 40));
        }
        out.print(result.summary());
        if (result.kills < options.kills && null == result.failure)
        {
            out.println("note: " + result.kills + " of the " + options.kills + " kills asked for happened");
        }
        if (result.passed() && !options.keep)
        {
            delete(dir);
        }
        else
        {
            out.println("directory kept: " + dir);
        }
        return result;
    }

    /**
     * Start, kill and restart the child until its input is done, a run fails, or it is given up on.
     */
    private static void runChildren(
        final CrashOptions options,
        final Path dir,
        final CrashResult result,
        final CrashChild[] current,
        final PrintStream out) throws IOException, InterruptedException
    {
        final Path jobDir = dir.resolve(CrashWorkload.JOB);
        final Path log = dir.resolve("children.log");
        final String[] points = CrashPoints.names();
        final Random random = new Random(options.seed);
        final long[] targets = new long[options.kills];
        for (int k = 0; k < targets.length; k++)
        {
            targets[k] = options.events * 3 / 100 + (long)(random.nextDouble() * (options.events * 87 / 100));
        }
        Arrays.sort(targets);

        final long gap = Math.max(1, options.events * 87 / 100 / Math.max(1, options.kills));
        boolean finished = false;
        long corrupted = -1;
        long expectedRestore = -1;
        final java.util.Set<Long> damaged = new java.util.HashSet<>();
        while (!finished && null == result.failure)
        {
            result.runs++;
            final long checkpointBefore = CheckpointCorruptor.newest(jobDir);
            // Kill a restart during its recovery: after a regular kill, every other restart, until enough.
            final boolean killInRecovery = checkpointBefore >= 0 && result.recoveryKills < options.recoveryKills &&
                result.runs % 2 == 0 && result.recoveryAttempts < options.recoveryKills * 3;
            final boolean killThisRun = result.kills < options.kills && result.attempts < options.kills * 3;
            final String armed = options.crashPoints && killThisRun && !killInRecovery ?
                arm(points[(result.runs - 1) % points.length], gap, random) : null;
            final CrashChild child = CrashChild.start(command(options, dir, armed), log.toFile());
            current[0] = child;
            final long deadlineMs = TimeUnit.SECONDS.toMillis(options.runTimeoutS);
            boolean sent = false;
            boolean timedOut = false;
            boolean killedInRecovery = false;
            if (killInRecovery)
            {
                // A random moment of the first 1.4 s of the child, which here holds the JVM's start, building the job
                // (opening the journals, restoring the checkpoint) and the replay.
                Thread.sleep(200 + (long)(random.nextDouble() * 1_200));
                if (child.isAlive() && !child.caughtUp())
                {
                    result.recoveryAttempts++;
                    killedInRecovery = true;
                    sent = child.kill();
                }
            }
            if (killThisRun && !killedInRecovery)
            {
                // Also when the recovery kill came too late (the child had caught up): a regular kill then.
                final long target = targets[result.kills];
                final long jitterMs = options.jitterMs == 0 ? 0 : (long)(random.nextDouble() * options.jitterMs);
                while (child.isAlive() && child.next() < target && !timedOut)
                {
                    Thread.sleep(1);
                    timedOut = child.elapsedMs() > deadlineMs;
                }
                if (child.isAlive() && !timedOut)
                {
                    Thread.sleep(jitterMs);
                    result.attempts++;
                    sent = child.kill();
                }
            }
            if (!child.await(Math.max(1, deadlineMs - child.elapsedMs()), TimeUnit.MILLISECONDS))
            {
                timedOut = true;
                child.kill();
                child.await(30, TimeUnit.SECONDS);
            }
            current[0] = null;
            final int exit = child.isAlive() ? -1 : child.exitValue();
            final long checkpointAfter = CheckpointCorruptor.newest(jobDir);
            String outcome;
            if (corrupted >= 0 && child.started())
            {
                // Found when the damage was done: by now the run has taken newer checkpoints and deleted old ones.
                final long expected = expectedRestore;
                if (child.restored() == expected)
                {
                    result.corruptions++;
                }
                else
                {
                    result.failure = "run " + result.runs + " restored checkpoint " + child.restored() + " after " +
                        "checkpoint " + corrupted + " was damaged; expected " + expected;
                }
            }
            if (timedOut)
            {
                result.failure = "run " + result.runs + " did not finish within " + options.runTimeoutS + " s";
                outcome = "TIMED OUT";
            }
            else if (exit == 0)
            {
                finished = true;
                outcome = child.done() ? "ran to the end (exit 0)" : "exited 0 without reporting DONE";
                if (!child.done())
                {
                    result.failure = "run " + result.runs + " exited 0 without reporting DONE";
                }
            }
            else if (!sent && null != armed && exit == CrashPoints.EXIT_STATUS)
            {
                result.kills++;
                final String point = armed.substring(0, armed.indexOf(':'));
                result.crashPointKills.merge(point, 1, Integer::sum);
                result.killsAfterCheckpoint += checkpointAfter > checkpointBefore ? 1 : 0;
                outcome = "halted at crash point " + armed;
            }
            else if (killedInRecovery && sent && exit == EXIT_SIGKILL)
            {
                // Its lines say whether it died before catching up (the SIGKILL was sent before that was read).
                final boolean inRecovery = !child.caughtUp();
                result.recoveryKills += inRecovery ? 1 : 0;
                outcome = inRecovery ? "SIGKILL during recovery" + (child.started() ? " (restored checkpoint " +
                    child.restored() + ", replaying)" : " (starting: the JVM, the journals, the restore)") :
                    "SIGKILL meant for the recovery, not counted (it had caught up)";
            }
            else if (sent && exit == EXIT_SIGKILL)
            {
                // Every line the child printed came before its death: fresh input reported at all is progress.
                final boolean progressed = child.caughtUp() && child.next() > child.caughtUpNext();
                final boolean newCheckpoint = checkpointAfter > checkpointBefore;
                if (progressed)
                {
                    result.kills++;
                    result.killsAfterCheckpoint += newCheckpoint ? 1 : 0;
                }
                outcome = (progressed ? "SIGKILL" : "SIGKILL, not counted (no fresh input since the restart)") +
                    (newCheckpoint ? "" : ", no new checkpoint in this run") + (null == armed ? "" : " (armed " +
                    armed + ")");
            }
            else
            {
                result.failure = "run " + result.runs + " (pid " + child.pid() + ") exited with status " + exit +
                    "; its last lines: " + child.lastLines() + "; its standard error is in " + log;
                outcome = "FAILED (exit " + exit + ")";
            }
            corrupted = -1;
            if (options.corrupt && !finished && null == result.failure && random.nextBoolean())
            {
                // Only the newest checkpoint may be lost (the sink commits one behind): never damage one whose
                // predecessor, the checkpoint the next run must restore, was itself damaged earlier.
                final long newest = CheckpointCorruptor.newest(jobDir);
                final long before = newest < 0 ? -1 : CheckpointCorruptor.newestBefore(jobDir, newest);
                final String damage = newest < 0 || damaged.contains(before) ? null :
                    CheckpointCorruptor.corrupt(jobDir, newest, random);
                if (null != damage)
                {
                    corrupted = newest;
                    damaged.add(newest);
                    expectedRestore = before;
                    outcome += "; then " + damage;
                }
            }
            record(result, child);
            out.println(describe(result.runs, child, checkpointAfter, outcome));
        }
    }

    private static void record(final CrashResult result, final CrashChild child)
    {
        if (!child.recovered())
        {
            return;
        }
        if (child.restored() < 0 && child.replayed() == 0)
        {
            result.coldStartMs = result.coldStartMs < 0 ? child.caughtUpSinceJvmStartMs() : result.coldStartMs;
        }
        else
        {
            result.recoveryUs.add(child.recoveryUs());
            result.startMs.add(child.startMs());
            result.caughtUpSinceJvmStartMs.add(child.caughtUpSinceJvmStartMs());
            result.replayed += child.replayed();
            result.replayOnlyUs += Math.max(0, child.recoveryUs() - child.startMs() * 1000);
        }
    }

    private static String describe(final int run, final CrashChild child, final long checkpoint, final String outcome)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "run %2d (pid %d): ", run,
            child.pid()));
        if (!child.started())
        {
            line.append("not started");
        }
        else
        {
            line.append(child.restored() < 0 ? "no checkpoint" : "restored checkpoint " + child.restored());
            if (child.recovered())
            {
                line.append(String.format(Locale.ROOT, ", recovered in %.2f s replaying %,d, caught up %.2f s after " +
                    "JVM start", child.recoveryUs() / 1e6, child.replayed(), child.caughtUpSinceJvmStartMs() / 1e3));
            }
            else
            {
                line.append(", still recovering");
            }
            if (child.caughtUp())
            {
                line.append(String.format(Locale.ROOT, "; fresh input %,d -> %,d", child.caughtUpNext(),
                    child.next()));
            }
        }
        line.append(String.format(Locale.ROOT, "; newest checkpoint %d; %s after %.2f s", checkpoint, outcome,
            child.elapsedMs() / 1e3));
        return line.toString();
    }

    private static void verify(final CrashWorkload workload, final Path jobDir, final CrashResult result)
    {
        for (final CrashWorkload.Shape shape : CrashWorkload.Shape.values())
        {
            final CrashReference reference = new CrashReference(workload, shape);
            final Path sink = jobDir.resolve("sinks").resolve(shape.sink());
            try (Journal journal = Journal.open(new Journal.Context().directory(sink).maxPayloadLength(1024)))
            {
                ReadCommittedReader.readAllCommitted(journal, reference::onResult);
            }
            result.expected += reference.expectedResults();
            result.committed += reference.results();
            result.duplicated += reference.duplicated();
            result.wrong += reference.wrong();
            result.lost += reference.lost();
            result.examples.addAll(reference.examples());
        }
        verifyDeadLetters(workload, jobDir, result);
    }

    /**
     * Each malformed event exactly once in the dead-letter journal, with its reason, however many kills.
     */
    private static void verifyDeadLetters(final CrashWorkload workload, final Path jobDir, final CrashResult result)
    {
        final java.util.Map<Long, Integer> seen = new java.util.HashMap<>();
        for (final DeadLetter letter : DeadLetter.readAll(jobDir))
        {
            final String reason = letter.reason();
            final int at = reason.indexOf("malformed event id=");
            final long id = at < 0 ? -1 : Long.parseLong(reason.substring(at + "malformed event id=".length()).trim());
            if (id < 0 || !workload.malformed(id))
            {
                result.deadLettersWrong++;
                result.examples.add("dead letter not expected: " + reason);
                continue;
            }
            seen.merge(id, 1, Integer::sum);
        }
        for (long i = 0; i < workload.events(); i++)
        {
            if (workload.malformed(i))
            {
                result.deadLettersExpected++;
                final int count = seen.getOrDefault(i, 0);
                if (count == 0)
                {
                    result.deadLettersLost++;
                }
                else if (count > 1)
                {
                    result.deadLettersDuplicated += count - 1;
                }
            }
        }
        result.deadLetters = seen.values().stream().mapToLong(Integer::longValue).sum();
    }

    /**
     * Arm a crash point at a random hit, within what a run is likely to reach before its SIGKILL.
     */
    private static String arm(final String point, final long gap, final Random random)
    {
        final long most;
        switch (point)
        {
            case CrashPoints.JOURNAL_APPEND:
                most = gap;
                break;
            case CrashPoints.WINDOW_FIRE:
            case CrashPoints.OUTPUT_APPEND:
                most = Math.max(1, gap / 20);
                break;
            case CrashPoints.REPLAY:
                most = 20_000;
                break;
            case CrashPoints.SNAPSHOT_WRITE:
            case CrashPoints.SNAPSHOT_RENAME:
                // A checkpoint writes a file per stage and a manifest: 8 with parallelism 2.
                most = 16;
                break;
            case CrashPoints.COMMIT:
                most = 4;
                break;
            case CrashPoints.RESTORE:
                most = 7;
                break;
            default:
                most = 2;
                break;
        }
        return point + ":" + (1 + (long)(random.nextDouble() * most));
    }

    private static List<String> command(final CrashOptions options, final Path dir, final String crashPoint)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final Path jvmOptions = jvmOptions(options);
        if (null != jvmOptions)
        {
            command.add("@" + jvmOptions.toAbsolutePath());
        }
        command.add("-Xmx" + options.childHeap);
        if (null != crashPoint)
        {
            command.add("-D" + CrashPoints.PROP_NAME + "=" + crashPoint);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashJob.class.getName());
        command.addAll(List.of("--dir", dir.toString(), "--events", Long.toString(options.events),
            "--seed", Long.toString(options.seed), "--keys", Integer.toString(options.keys),
            "--parallelism", Integer.toString(options.parallelism),
            "--checkpoint-ms", Long.toString(options.checkpointMs), "--threading", options.threading));
        return command;
    }

    private static Path jvmOptions(final CrashOptions options) throws IOException
    {
        if (null != options.jvmOptions)
        {
            if (!Files.isRegularFile(options.jvmOptions))
            {
                throw new IOException("no JVM options file " + options.jvmOptions);
            }
            return options.jvmOptions;
        }
        final String property = System.getProperty("ferrite.jvm.options");
        if (null != property)
        {
            return Path.of(property);
        }
        for (final Path candidate : new Path[]{Path.of("scripts", "jvm.options"), Path.of("..", "scripts",
            "jvm.options")})
        {
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        System.err.println("crash: warning: no scripts/jvm.options found (use --jvm-options FILE); the child runs " +
            "without the flags Agrona and Chronicle Queue need");
        return null;
    }

    private static Path prepare(final Path dir) throws IOException
    {
        if (null == dir)
        {
            return Files.createTempDirectory("ferrite-crash-");
        }
        Files.createDirectories(dir);
        try (Stream<Path> entries = Files.list(dir))
        {
            if (entries.findAny().isPresent())
            {
                throw new IOException("the crash harness needs an empty directory, and " + dir + " is not");
            }
        }
        return dir;
    }

    private static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            final List<Path> all = new ArrayList<>();
            paths.forEach(all::add);
            all.sort(Comparator.reverseOrder());
            for (final Path path : all)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String tail(final Path log, final int lines) throws IOException
    {
        if (!Files.exists(log))
        {
            return "(none)";
        }
        final List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
