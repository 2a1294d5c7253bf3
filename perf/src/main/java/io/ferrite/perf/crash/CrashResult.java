package io.ferrite.perf.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link CrashHarness} run found.
 */
public final class CrashResult
{
    long expected;
    long committed;
    long lost;
    long duplicated;
    long wrong;
    int kills;
    int killsAfterCheckpoint;
    final Map<String, Integer> crashPointKills = new TreeMap<>();
    int corruptions;
    int recoveryKills;
    long deadLetters;
    long deadLettersExpected;
    long deadLettersLost;
    long deadLettersDuplicated;
    long deadLettersWrong;
    int recoveryAttempts;
    int attempts;
    int runs;
    long totalMs;
    String failure;
    final List<Long> recoveryUs = new ArrayList<>();
    final List<Long> caughtUpSinceJvmStartMs = new ArrayList<>();
    final List<Long> startMs = new ArrayList<>();
    long replayed;
    long replayOnlyUs;
    long coldStartMs = -1;
    final List<String> examples = new ArrayList<>();

    /**
     * Whether every expected result was committed exactly once and right, and every run behaved.
     *
     * @return true on success.
     */
    public boolean passed()
    {
        return null == failure && lost == 0 && duplicated == 0 && wrong == 0 && committed == expected &&
            deadLettersLost == 0 && deadLettersDuplicated == 0 && deadLettersWrong == 0;
    }

    /**
     * Results expected from the reference.
     *
     * @return the count.
     */
    public long expected()
    {
        return expected;
    }

    /**
     * Results read from the committed output.
     *
     * @return the count.
     */
    public long committed()
    {
        return committed;
    }

    /**
     * Expected results missing from the committed output.
     *
     * @return the count.
     */
    public long lost()
    {
        return lost;
    }

    /**
     * Committed results for a (window, key) already seen.
     *
     * @return the count.
     */
    public long duplicated()
    {
        return duplicated;
    }

    /**
     * Committed results that differ from the reference.
     *
     * @return the count.
     */
    public long wrong()
    {
        return wrong;
    }

    /**
     * Kills that really happened (see the class's description).
     *
     * @return the count.
     */
    public int kills()
    {
        return kills;
    }

    /**
     * Kills that came after a checkpoint completed in the killed run.
     *
     * @return the count.
     */
    public int killsAfterCheckpoint()
    {
        return killsAfterCheckpoint;
    }

    /**
     * Crashes at named crash points, by point (included in {@link #kills()}).
     *
     * @return the counts.
     */
    public Map<String, Integer> crashPointKills()
    {
        return crashPointKills;
    }

    /**
     * The SIGKILLs that landed while a restarted child was recovering (restoring or replaying, before it caught up).
     *
     * @return the count.
     */
    public int recoveryKills()
    {
        return recoveryKills;
    }

    /**
     * Damaged checkpoints that a restart detected, falling back to the one before.
     *
     * @return the count.
     */
    public int corruptions()
    {
        return corruptions;
    }

    /**
     * Runs of the child, the last one included.
     *
     * @return the count.
     */
    public int runs()
    {
        return runs;
    }

    /**
     * The whole harness run, verification included.
     *
     * @return milliseconds.
     */
    public long totalMs()
    {
        return totalMs;
    }

    /**
     * Why a run went wrong (a child failed, timed out or never finished), or null.
     *
     * @return the reason.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * The longest recovery of a restarted run, as the engine measures it ({@code Job.recoveryTimeNs()}: from the job's
     * construction, which restores the checkpoint, until its source has replayed its journal).
     *
     * @return milliseconds, -1 if no run recovered.
     */
    public double maxRecoveryMs()
    {
        return recoveryUs.stream().mapToLong(Long::longValue).max().orElse(-1000) / 1e3;
    }

    /**
     * The mean recovery of the restarted runs (see {@link #maxRecoveryMs()}).
     *
     * @return milliseconds, -1 if no run recovered.
     */
    public double meanRecoveryMs()
    {
        return recoveryUs.stream().mapToLong(Long::longValue).average().orElse(-1000) / 1e3;
    }

    /**
     * The replay rate over all restarts: records replayed per second of recovery.
     *
     * @return records per second, 0 if none were replayed.
     */
    public double replayRatePerSecond()
    {
        final long totalUs = recoveryUs.stream().mapToLong(Long::longValue).sum();
        return totalUs == 0 ? 0.0 : replayed * 1e6 / totalUs;
    }

    /**
     * The longest time from a restarted child's JVM start to caught up.
     *
     * @return milliseconds, -1 if no run recovered.
     */
    public long maxCaughtUpSinceJvmStartMs()
    {
        return caughtUpSinceJvmStartMs.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    @Override
    public String toString()
    {
        return summary();
    }

    String summary()
    {
        final StringBuilder text = new StringBuilder();
        final int atPoints = crashPointKills.values().stream().mapToInt(Integer::intValue).sum();
        text.append(String.format(Locale.ROOT, "kills %d (%d by SIGKILL of %d sent, %d at crash points; %d after a " +
            "new checkpoint in the killed run), runs %d, total %.1f s%n", kills, kills - atPoints, attempts, atPoints,
            killsAfterCheckpoint, runs, totalMs / 1e3));
        if (!crashPointKills.isEmpty())
        {
            text.append("crashes at named points: ").append(crashPointKills).append(System.lineSeparator());
        }
        text.append(String.format(Locale.ROOT, "dead letters: expected %,d malformed events, found %,d: lost %d, " +
            "duplicated %d, wrong %d%n", deadLettersExpected, deadLetters, deadLettersLost, deadLettersDuplicated,
            deadLettersWrong));
        if (recoveryAttempts > 0)
        {
            text.append(recoveryKills).append(" more SIGKILL(s) during a restart's recovery (of ")
                .append(recoveryAttempts).append(" sent)").append(System.lineSeparator());
        }
        if (corruptions > 0)
        {
            text.append(corruptions).append(" damaged checkpoint(s) detected, the one before restored")
                .append(System.lineSeparator());
        }
        text.append(String.format(Locale.ROOT, "results: expected %,d, committed %,d: lost %d, duplicated %d, " +
            "wrong %d%n", expected, committed, lost, duplicated, wrong));
        if (!recoveryUs.isEmpty())
        {
            final double meanSinceStart = caughtUpSinceJvmStartMs.stream().mapToLong(Long::longValue)
                .average().orElse(0);
            final double meanStart = startMs.stream().mapToLong(Long::longValue).average().orElse(0);
            text.append(String.format(Locale.ROOT, "recovery (%d restarts; the engine's job.recoveryTimeNs(): " +
                "restore + replay): mean %.0f ms, max %.0f ms, of which pipeline.start() mean %.0f ms; replayed %,d " +
                "events (job.replayedRecords()): %,.0f events/s over the whole recovery, %,.0f events/s after " +
                "start() returned; JVM start to caught up mean %.0f ms, max %d ms (a cold start without recovery: %d " +
                "ms)%n", recoveryUs.size(), meanRecoveryMs(), maxRecoveryMs(), meanStart, replayed,
                replayRatePerSecond(), replayOnlyUs == 0 ? 0.0 : replayed * 1e6 / replayOnlyUs, meanSinceStart,
                maxCaughtUpSinceJvmStartMs(), coldStartMs));
        }
        for (final String example : examples)
        {
            text.append("  ").append(example).append(System.lineSeparator());
        }
        if (null != failure)
        {
            text.append("FAILED: ").append(failure).append(System.lineSeparator());
        }
        else
        {
            text.append(passed() ? "PASS" : "FAIL").append(System.lineSeparator());
        }
        return text.toString();
    }
}
