package io.ferrite.perf.crash;

import java.nio.file.Path;
import java.util.Locale;

import io.ferrite.memory.crash.CrashPoints;

/**
 * The {@link CrashHarness}'s settings, with the defaults of the default test run.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class CrashOptions
{
    long events = 2_000_000;
    int kills = 10;
    long seed = 1;
    Path dir;
    boolean keep;
    int keys = 1_000;
    int parallelism = 2;
    long checkpointMs = 200;
    long jitterMs = 150;
    String threading = "SHARED";
    String childHeap = "512m";
    Path jvmOptions;
    long runTimeoutS = 600;
    boolean crashPoints;
    boolean corrupt;
    int recoveryKills = 3;

    /**
     * Parse command-line options.
     *
     * @param args the arguments.
     * @return the options.
     * @throws IllegalArgumentException naming an unknown option or a bad value.
     */
    public static CrashOptions parse(final String[] args)
    {
        final CrashOptions options = new CrashOptions();
        int i = 0;
        while (i < args.length)
        {
            final String option = args[i];
            if ("--keep".equals(option) || "--crash-points".equals(option) || "--corrupt".equals(option))
            {
                options.keep(options.keep || "--keep".equals(option));
                options.crashPoints(options.crashPoints || "--crash-points".equals(option));
                options.corrupt(options.corrupt || "--corrupt".equals(option));
                i++;
                continue;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            final String value = args[i + 1];
            i += 2;
            switch (option)
            {
                case "--events":
                    options.events(Long.parseLong(value.replace("_", "")));
                    break;
                case "--kills":
                    options.kills(Integer.parseInt(value));
                    break;
                case "--seed":
                    options.seed(Long.parseLong(value));
                    break;
                case "--dir":
                    options.dir(Path.of(value));
                    break;
                case "--keys":
                    options.keys(Integer.parseInt(value));
                    break;
                case "--parallelism":
                    options.parallelism(Integer.parseInt(value));
                    break;
                case "--checkpoint-ms":
                    options.checkpointMs(Long.parseLong(value));
                    break;
                case "--jitter-ms":
                    options.jitterMs(Long.parseLong(value));
                    break;
                case "--threading":
                    options.threading(value);
                    break;
                case "--child-heap":
                    options.childHeap(value);
                    break;
                case "--jvm-options":
                    options.jvmOptions(Path.of(value));
                    break;
                case "--recovery-kills":
                    options.recoveryKills(Integer.parseInt(value));
                    break;
                case "--run-timeout-s":
                    options.runTimeoutS(Long.parseLong(value));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return options;
    }

    /**
     * Events in the input (default 2,000,000).
     *
     * @param count at least 1,000.
     * @return this.
     */
    public CrashOptions events(final long count)
    {
        if (count < 1_000)
        {
            throw new IllegalArgumentException("--events must be at least 1000: " + count);
        }
        this.events = count;
        return this;
    }

    /**
     * Events in the input.
     *
     * @return the count.
     */
    public long events()
    {
        return events;
    }

    /**
     * Kills asked for.
     *
     * @return the count.
     */
    public int kills()
    {
        return kills;
    }

    /**
     * Kills to make before the last run is let finish (default 10).
     *
     * @param count at least 0.
     * @return this.
     */
    public CrashOptions kills(final int count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("--kills must not be negative: " + count);
        }
        this.kills = count;
        return this;
    }

    /**
     * The seed of the input and of the kill moments (default 1).
     *
     * @param value the seed.
     * @return this.
     */
    public CrashOptions seed(final long value)
    {
        this.seed = value;
        return this;
    }

    /**
     * The directory the job runs in: created, and must be empty; default a new temporary directory.
     *
     * @param directory the directory.
     * @return this.
     */
    public CrashOptions dir(final Path directory)
    {
        this.dir = directory;
        return this;
    }

    /**
     * Keep the directory at the end (it is always kept when the check fails).
     *
     * @param value true to keep it.
     * @return this.
     */
    public CrashOptions keep(final boolean value)
    {
        this.keep = value;
        return this;
    }

    /**
     * Distinct keys (default 1,000).
     *
     * @param count at least 1.
     * @return this.
     */
    public CrashOptions keys(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("--keys must be at least 1: " + count);
        }
        this.keys = count;
        return this;
    }

    /**
     * Parallel instances of each window operator (default 2).
     *
     * @param count at least 1.
     * @return this.
     */
    public CrashOptions parallelism(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("--parallelism must be at least 1: " + count);
        }
        this.parallelism = count;
        return this;
    }

    /**
     * The job's checkpoint interval (default 200 ms).
     *
     * @param ms at least 1.
     * @return this.
     */
    public CrashOptions checkpointMs(final long ms)
    {
        if (ms < 1)
        {
            throw new IllegalArgumentException("--checkpoint-ms must be at least 1: " + ms);
        }
        this.checkpointMs = ms;
        return this;
    }

    /**
     * The most a kill waits, at random, after its target in the input was passed (default 150 ms).
     *
     * @param ms at least 0.
     * @return this.
     */
    public CrashOptions jitterMs(final long ms)
    {
        if (ms < 0)
        {
            throw new IllegalArgumentException("--jitter-ms must not be negative: " + ms);
        }
        this.jitterMs = ms;
        return this;
    }

    /**
     * The child's threading mode (default SHARED).
     *
     * @param mode SHARED or DEDICATED.
     * @return this.
     */
    public CrashOptions threading(final String mode)
    {
        final String upper = mode.toUpperCase(Locale.ROOT);
        if (!"SHARED".equals(upper) && !"DEDICATED".equals(upper))
        {
            throw new IllegalArgumentException("--threading must be SHARED or DEDICATED: " + mode);
        }
        this.threading = upper;
        return this;
    }

    /**
     * The child's heap, as {@code -Xmx} takes it (default 512m).
     *
     * @param size the size.
     * @return this.
     */
    public CrashOptions childHeap(final String size)
    {
        this.childHeap = size;
        return this;
    }

    /**
     * The {@code java} argument file with the JVM flags Ferrite needs (default: the {@code ferrite.jvm.options}
     * system property, else {@code scripts/jvm.options} or {@code ../scripts/jvm.options} if present).
     *
     * @param file the file.
     * @return this.
     */
    public CrashOptions jvmOptions(final Path file)
    {
        this.jvmOptions = file;
        return this;
    }

    /**
     * Arm a named crash point in each killed run as well, cycling through {@link CrashPoints#names()}: the child
     * halts itself there (exit 137) if it gets there before the harness's SIGKILL.
     *
     * @param value true to arm them.
     * @return this.
     */
    public CrashOptions crashPoints(final boolean value)
    {
        this.crashPoints = value;
        return this;
    }

    /**
     * After every other kill, damage the newest complete checkpoint (flipped bits, a truncation, a page of
     * zeroes, in its manifest or a stage file): the next run must detect it and restore the checkpoint before.
     *
     * @param value true to damage checkpoints.
     * @return this.
     */
    public CrashOptions corrupt(final boolean value)
    {
        this.corrupt = value;
        return this;
    }

    /**
     * Extra SIGKILLs aimed at a restart's recovery (default 3): every other restart is killed at a random moment of
     * its first second, while it opens its journals, restores the checkpoint or replays; they come on top of the
     * {@link #kills(int)}, which are only counted once a run has caught up and taken fresh input.
     *
     * @param count at least 0.
     * @return this.
     */
    public CrashOptions recoveryKills(final int count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("--recovery-kills must not be negative: " + count);
        }
        this.recoveryKills = count;
        return this;
    }

    /**
     * The longest one run may take before the harness gives up (default 600 s).
     *
     * @param seconds at least 1.
     * @return this.
     */
    public CrashOptions runTimeoutS(final long seconds)
    {
        if (seconds < 1)
        {
            throw new IllegalArgumentException("--run-timeout-s must be at least 1: " + seconds);
        }
        this.runTimeoutS = seconds;
        return this;
    }
}
