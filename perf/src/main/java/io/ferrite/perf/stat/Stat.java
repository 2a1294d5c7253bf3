package io.ferrite.perf.stat;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.CountersReader;

import io.ferrite.engine.counters.CountersFile;

/**
 * Prints a table of a job's counters every second, read from its counters file with no cost to the job:
 * {@code scripts/ferrite stat DIR [--once] [--interval-ms N]}. Stops when the job's process has exited.
 */
public final class Stat
{
    private Stat()
    {
    }

    /**
     * Run the command.
     *
     * @param args the job directory, then {@code --once} or {@code --interval-ms N}.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        if (args.length < 1 || args[0].startsWith("-"))
        {
            System.err.println("usage: stat DIR [--once] [--interval-ms N]");
            System.exit(2);
        }
        final Path directory = Path.of(args[0]);
        boolean once = false;
        long intervalMs = 1000;
        int i = 1;
        while (i < args.length)
        {
            if ("--once".equals(args[i]))
            {
                once = true;
                i++;
            }
            else if ("--interval-ms".equals(args[i]) && i + 1 < args.length)
            {
                intervalMs = Long.parseLong(args[i + 1]);
                i += 2;
            }
            else
            {
                System.err.println("stat: unknown option '" + args[i] +
                    "'; usage: stat DIR [--once] [--interval-ms N]");
                System.exit(2);
            }
        }

        try (CountersFile.Reader reader = CountersFile.openReader(directory))
        {
            final Int2ObjectHashMap<long[]> previous = new Int2ObjectHashMap<>();
            long previousNs = System.nanoTime();
            while (true)
            {
                final long nowNs = System.nanoTime();
                final boolean alive = ProcessHandle.of(reader.pid()).map(ProcessHandle::isAlive).orElse(false);
                System.out.print(render(reader, previous, nowNs - previousNs, alive));
                previousNs = nowNs;
                if (once || !alive)
                {
                    break;
                }
                Thread.sleep(intervalMs);
            }
        }
        catch (final NoSuchFileException ex)
        {
            System.err.println("stat: " + ex.getFile() + ": " + ex.getReason());
            System.exit(1);
        }
        catch (final IOException ex)
        {
            System.err.println("stat: " + ex.getMessage());
            System.exit(1);
        }
    }

    /**
     * One table: every allocated counter's id, type, value, rate since the previous table, and label.
     *
     * @param reader    the job's counters.
     * @param previous  each counter's value at the previous table, updated here; empty for the first.
     * @param elapsedNs the time since the previous table.
     * @param alive     whether the job's process is still running.
     * @return the table's text.
     */
    static String render(
        final CountersFile.Reader reader, final Int2ObjectHashMap<long[]> previous, final long elapsedNs,
        final boolean alive)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s  pid %d (%s)  started %s  at %s%n", reader.file().getParent(),
            reader.pid(), alive ? "running" : "exited", Instant.ofEpochMilli(reader.startTimeMs()), Instant.now()));
        sb.append(String.format(Locale.ROOT, "%5s %5s %20s %16s  %s%n", "id", "type", "value", "per second", "label"));
        final CountersReader counters = reader.counters();
        for (int id = 0, max = counters.maxCounterId(); id < max; id++)
        {
            final int state = counters.getCounterState(id);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            if (state != CountersReader.RECORD_ALLOCATED)
            {
                continue;
            }
            final long value = counters.getCounterValue(id);
            final long[] last = previous.get(id);
            final String rate = null == last || elapsedNs <= 0 ? "" : String.format(Locale.ROOT, "%,.0f",
                (value - last[0]) * (double)TimeUnit.SECONDS.toNanos(1) / elapsedNs);
            sb.append(String.format(Locale.ROOT, "%5d %5d %,20d %16s  %s%n",
                id, counters.getCounterTypeId(id), value, rate, counters.getCounterLabel(id)));
            if (null == last)
            {
                previous.put(id, new long[]{ value });
            }
            else
            {
                last[0] = value;
            }
        }
        return sb.append('\n').toString();
    }
}
