package io.ferrite.perf.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash harness as a test: {@link CrashJob} in child JVMs, killed with SIGKILL at random moments, restarted on the
 * same directory; the committed output of both windows must equal the plain-Java reference — nothing lost, nothing
 * duplicated, nothing wrong — and the kills must really have happened. The default run: 2,000,000 events and 10 kills
 * (about 20–40 s on a 2-core machine), and 600,000 events with 9 kills that also arm the engine's named crash points;
 * tagged slow: 20,000,000 events and 100 kills, and 2,000,000 events with 27 kills at crash points. The seed comes from {@code ferrite.test.seed} when set, so a failure can be run again.
 */
class CrashHarnessIT
{
    private static final long SEED = Long.getLong("ferrite.test.seed", 0xC2A5L);

    @TempDir
    Path dir;

    @Test
    void shouldLoseNothingAndDoubleNothingAcrossTenKills() throws Exception
    {
        check(new CrashOptions().events(2_000_000).kills(10));
    }

    @Test
    @Tag("slow")
    void shouldLoseNothingAndDoubleNothingAcrossAHundredKills() throws Exception
    {
        check(new CrashOptions().events(20_000_000).kills(100));
    }

    @Test
    void shouldLoseNothingAndDoubleNothingWhenItDiesAtNamedCrashPoints() throws Exception
    {
        // Each killed run arms the next of the 9 points; most halt the child before its SIGKILL would.
        final CrashResult result = check(new CrashOptions().events(600_000).kills(9).crashPoints(true));
        assertTrue(!result.crashPointKills().isEmpty(), "no crash point was reached: " + result);
    }

    @Test
    @Tag("slow")
    void shouldLoseNothingAndDoubleNothingWhenItDiesAtEachNamedCrashPoint() throws Exception
    {
        // Each of the 9 points three times over, unless a run's SIGKILL comes first.
        final CrashResult result = check(new CrashOptions().events(2_000_000).kills(27).crashPoints(true));
        assertTrue(result.crashPointKills().size() >= 6, "crashes at most points: " + result.crashPointKills());
    }

    @Test
    void shouldFallBackToThePreviousCheckpointWhenTheNewestIsDamaged() throws Exception
    {
        // After about every other kill the newest checkpoint's MANIFEST or a stage file gets flipped bits, a
        // truncation or a zeroed page; the next run must detect it and restore the one before.
        final CrashResult result = check(new CrashOptions().events(1_000_000).kills(8).corrupt(true));
        assertTrue(result.corruptions() > 0, "no checkpoint was damaged: " + result);
    }

    private CrashResult check(final CrashOptions options) throws Exception
    {
        final CrashResult result = CrashHarness.run(options.seed(SEED).dir(dir.resolve("job")), System.out);
        final String context = "seed=" + SEED + "\n" + result;
        assertNull(result.failure(), context);
        assertEquals(0, result.lost(), context);
        assertEquals(0, result.duplicated(), context);
        assertEquals(0, result.wrong(), context);
        assertEquals(result.expected(), result.committed(), context);
        assertTrue(result.expected() > 0, context);
        assertTrue(result.passed(), context);
        assertEquals(options.kills(), result.kills(), context);
        assertTrue(result.killsAfterCheckpoint() > 0, context);
        return result;
    }
}
