package io.ferrite.perf.crash;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@link CrashJob} in a child JVM, followed through the lines it prints (read on a daemon thread): whether
 * it started, when it caught up, how far its fresh input got, its newest checkpoint.
 * <p>
 * {@link #kill()} sends SIGKILL through the {@link ProcessHandle}: {@code Process.destroyForcibly()} sends the same
 * signal on Linux and macOS but also closes the pipe this class still has to drain for the child's last lines.
 * <p>
 * <b>Note:</b> The accessors may be called from any thread.
 */
final class CrashChild
{
    private static final int KEPT_LINES = 20;

    private final Process process;
    private final Thread reader;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final long startNs = System.nanoTime();
    private volatile boolean started;
    private volatile long restored = -1;
    private volatile long startMs = -1;
    private volatile boolean caughtUp;
    private volatile long caughtUpNext = -1;
    private volatile long replayed = -1;
    private volatile long recoveryUs = -1;
    private volatile long caughtUpSinceJvmStartMs = -1;
    private volatile long next;
    private volatile long checkpoint = -1;
    private volatile boolean done;

    private CrashChild(final Process process)
    {
        this.process = process;
        this.reader = new Thread(this::readLines, "crash-child-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Start a child.
     *
     * @param command the command line.
     * @param log     the file the child's standard error is appended to.
     * @return the child.
     * @throws IOException if it cannot be started.
     */
    static CrashChild start(final List<String> command, final File log) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
            .redirectError(ProcessBuilder.Redirect.appendTo(log));
        return new CrashChild(builder.start());
    }

    private void readLines()
    {
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                onLine(line);
            }
        }
        catch (final IOException ex)
        {
            synchronized (lastLines)
            {
                lastLines.add("(standard output unreadable: " + ex + ")");
            }
        }
    }

    private void onLine(final String line)
    {
        synchronized (lastLines)
        {
            if (lastLines.size() == KEPT_LINES)
            {
                lastLines.removeFirst();
            }
            lastLines.add(line);
        }
        if (line.startsWith("STARTED "))
        {
            restored = field(line, "restored", -1);
            startMs = field(line, "startMs", -1);
            started = true;
        }
        else if (line.startsWith("RECOVERED "))
        {
            recoveryUs = field(line, "recoveryUs", -1);
            replayed = field(line, "replayed", -1);
            caughtUpSinceJvmStartMs = field(line, "sinceJvmStartMs", -1);
        }
        else if (line.startsWith("CAUGHT-UP "))
        {
            caughtUpNext = field(line, "next", -1);
            next = Math.max(next, caughtUpNext);
            caughtUp = true;
        }
        else if (line.startsWith("PROGRESS ") || line.startsWith("DONE "))
        {
            next = Math.max(next, field(line, "next", 0));
            checkpoint = Math.max(checkpoint, field(line, "checkpoint", -1));
            if (line.startsWith("DONE "))
            {
                done = true;
            }
        }
    }

    private static long field(final String line, final String name, final long missing)
    {
        final String key = " " + name + "=";
        final int at = line.indexOf(key);
        if (at < 0)
        {
            return missing;
        }
        final int from = at + key.length();
        int to = from;
        while (to < line.length() && line.charAt(to) != ' ')
        {
            to++;
        }
        try
        {
            return Long.parseLong(line.substring(from, to));
        }
        catch (final NumberFormatException ex)
        {
            return missing;
        }
    }

    /**
     * SIGKILL the child if it is still running.
     *
     * @return true if it was running when the signal was sent.
     */
    boolean kill()
    {
        return process.isAlive() && process.toHandle().destroyForcibly();
    }

    /**
     * Wait for the child to exit and for its last lines to be read.
     *
     * @param timeout the most to wait.
     * @param unit    its unit.
     * @return true if it exited.
     * @throws InterruptedException if interrupted.
     */
    boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final boolean exited = process.waitFor(timeout, unit);
        if (exited)
        {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        return exited;
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    int exitValue()
    {
        return process.exitValue();
    }

    long pid()
    {
        return process.pid();
    }

    long elapsedMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    boolean started()
    {
        return started;
    }

    long restored()
    {
        return restored;
    }

    long startMs()
    {
        return startMs;
    }

    boolean caughtUp()
    {
        return caughtUp;
    }

    long caughtUpNext()
    {
        return caughtUpNext;
    }

    long replayed()
    {
        return replayed;
    }

    boolean recovered()
    {
        return recoveryUs >= 0;
    }

    long recoveryUs()
    {
        return recoveryUs;
    }

    long caughtUpSinceJvmStartMs()
    {
        return caughtUpSinceJvmStartMs;
    }

    long next()
    {
        return next;
    }

    long checkpoint()
    {
        return checkpoint;
    }

    boolean done()
    {
        return done;
    }

    List<String> lastLines()
    {
        synchronized (lastLines)
        {
            return new ArrayList<>(lastLines);
        }
    }
}
