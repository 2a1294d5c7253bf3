package io.ferrite.memory.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Crash points: disarmed in this JVM (no property), so passing them does nothing; armed in a child JVM, the n-th pass
 * of the named point halts it with the exit status of SIGKILL, and passes of other points do not count.
 */
class CrashPointsIT
{
    @Test
    void shouldDoNothingWhenNoPointIsArmed()
    {
        assertFalse(CrashPoints.ENABLED);
        for (final String point : CrashPoints.names())
        {
            CrashPoints.hit(point);
        }
    }

    @Test
    void shouldNameNinePointsOnceEach()
    {
        final Set<String> names = new HashSet<>(List.of(CrashPoints.names()));
        assertEquals(9, names.size());
        for (final String name : names)
        {
            assertTrue(CrashPoints.isPoint(name), name);
        }
        assertFalse(CrashPoints.isPoint("nowhere"));
    }

    @Test
    void shouldHaltAtTheArmedHitOfTheArmedPoint() throws Exception
    {
        final Child child = run(CrashPoints.PROP_NAME + "=" + CrashPoints.WINDOW_FIRE + ":3", CrashPoints.WINDOW_FIRE,
            10);
        assertEquals(CrashPoints.EXIT_STATUS, child.exit, child.output);
        assertTrue(child.output.contains("ENABLED true"), child.output);
        assertTrue(child.output.contains("HIT 3"), child.output);
        assertFalse(child.output.contains("HIT 4"), child.output);
        assertTrue(child.output.contains("crash point window-fire hit 3: halting"), child.output);
    }

    @Test
    void shouldRunToTheEndWhenTheArmedPointIsNotReached() throws Exception
    {
        final Child child = run(CrashPoints.PROP_NAME + "=" + CrashPoints.REPLAY + ":2", CrashPoints.COMMIT, 5);
        assertEquals(0, child.exit, child.output);
        assertTrue(child.output.contains("END"), child.output);
    }

    @Test
    void shouldRefuseAnUnknownPoint() throws Exception
    {
        final Child child = run(CrashPoints.PROP_NAME + "=nowhere:1", CrashPoints.COMMIT, 1);
        assertTrue(child.exit != 0 && child.exit != CrashPoints.EXIT_STATUS, child.output);
        assertTrue(child.output.contains("journal-append"), "the message lists the points: " + child.output);
    }

    private static final class Child
    {
        final int exit;
        final String output;

        Child(final int exit, final String output)
        {
            this.exit = exit;
            this.output = output;
        }
    }

    private static Child run(final String property, final String point, final int times) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-D" + property);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashPointProcess.class.getName());
        command.add(point);
        command.add(Integer.toString(times));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Child(process.exitValue(), output);
    }
}
