package io.ferrite.perf.nexmark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.ferrite.engine.JobFailedException;

/**
 * {@code scripts/ferrite nexmark}: {@code gen} writes generated events to a file, {@code run} runs one query over a
 * file or over events generated in memory, {@code bench} runs every query and prints a table. Bad arguments get a
 * message naming the argument and exit code 2; a failed job exit code 1.
 */
public final class NexmarkCli
{
    static final String USAGE = String.join("\n",
        "usage: scripts/ferrite nexmark gen --events N [--seed S] [--event-rate R] --out FILE",
        "       scripts/ferrite nexmark run --query Q (--in FILE | --events N [--seed S] [--event-rate R]) --out FILE",
        "                                   [--dir DIR] [--parallelism P]",
        "       scripts/ferrite nexmark bench [--events N] [--parallelism P] [--seed S]",
        "queries: " + String.join(", ", NexmarkQueries.names()));

    private static final long GEN_PROGRESS_MS = 1_000;

    private final PrintStream out;
    private final PrintStream err;

    NexmarkCli(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Run a command and exit with its code.
     *
     * @param args the command and its options.
     */
    public static void main(final String[] args)
    {
        final int code = new NexmarkCli(System.out, System.err).execute(args);
        System.out.flush();
        System.err.flush();
        // Chronicle Queue may leave threads behind; everything the command wrote is closed.
        Runtime.getRuntime().halt(code);
    }

    /**
     * Run a command.
     *
     * @param args the command and its options.
     * @return the exit code: 0 done, 1 the job failed, 2 bad arguments.
     */
    int execute(final String[] args)
    {
        try
        {
            if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0]))
            {
                if (args.length == 0)
                {
                    err.println(USAGE);
                    return 2;
                }
                out.println(USAGE);
                return 0;
            }
            final Map<String, String> options = options(args);
            switch (args[0])
            {
                case "gen":
                    return gen(options);
                case "run":
                    return run(options);
                case "bench":
                    return bench(options);
                default:
                    throw new UsageException("unknown command '" + args[0] + "': expected gen, run or bench");
            }
        }
        catch (final UsageException ex)
        {
            err.println("nexmark: " + ex.getMessage());
            err.println(USAGE);
            return 2;
        }
        catch (final JobFailedException ex)
        {
            err.println("nexmark: the job failed: " + rootMessage(ex));
            return 1;
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("nexmark: " + rootMessage(ex));
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("nexmark: interrupted");
            return 1;
        }
    }

    private int gen(final Map<String, String> options) throws IOException
    {
        allow(options, "gen", Set.of("--events", "--seed", "--event-rate", "--out"));
        final long events = nonNegative(options, "--events", -1);
        if (events < 0)
        {
            throw new UsageException("gen needs --events N");
        }
        final long seed = number(options, "--seed", 1);
        final long rate = positive(options, "--event-rate", NexmarkGenerator.DEFAULT_EVENT_RATE);
        final Path file = outputFile(options);
        final NexmarkGenerator generator = new NexmarkGenerator(seed, rate);
        final StringBuilder line = new StringBuilder(256);
        long nextProgressNs = System.nanoTime() + GEN_PROGRESS_MS * 1_000_000L;
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII))
        {
            for (long n = 0; n < events; n++)
            {
                line.setLength(0);
                writer.append(NexmarkCsv.format(generator.event(n), line)).append('\n');
                if ((n & 0xFFF) == 0 && System.nanoTime() - nextProgressNs > 0)
                {
                    err.println(String.format(Locale.ROOT, "nexmark gen: %,d of %,d events", n, events));
                    nextProgressNs += GEN_PROGRESS_MS * 1_000_000L;
                }
            }
        }
        out.println("events " + events);
        return 0;
    }

    private int run(final Map<String, String> options) throws IOException, InterruptedException
    {
        allow(options, "run", Set.of("--query", "--in", "--events", "--seed", "--event-rate", "--out", "--dir",
            "--parallelism"));
        final String name = options.get("--query");
        if (null == name)
        {
            throw new UsageException("run needs --query Q (one of " + String.join(", ", NexmarkQueries.names()) + ")");
        }
        final NexmarkQuery query;
        try
        {
            query = NexmarkQueries.create(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("--query: " + ex.getMessage());
        }
        final NexmarkRunner runner = new NexmarkRunner(query);
        final String in = options.get("--in");
        final boolean generated = options.containsKey("--events");
        if ((null == in) == !generated)
        {
            throw new UsageException("run needs either --in FILE or --events N, not " + (generated ? "both" :
                "neither"));
        }
        if (generated)
        {
            runner.generate(nonNegative(options, "--events", 0), number(options, "--seed", 1))
                .eventRate(positive(options, "--event-rate", NexmarkGenerator.DEFAULT_EVENT_RATE));
        }
        else
        {
            if (options.containsKey("--seed") || options.containsKey("--event-rate"))
            {
                throw new UsageException("--seed and --event-rate go with --events, not --in");
            }
            final Path file = Path.of(in);
            if (!Files.isRegularFile(file) || !Files.isReadable(file))
            {
                throw new UsageException("--in: cannot read " + file);
            }
            runner.input(file);
        }
        runner.output(outputFile(options));
        if (options.containsKey("--dir"))
        {
            runner.directory(Path.of(options.get("--dir")));
        }
        runner.parallelism((int)Math.min(Integer.MAX_VALUE, positive(options, "--parallelism", 1)));
        runner.progress(err);
        NexmarkRunner.print(runner.run(), out);
        return 0;
    }

    private int bench(final Map<String, String> options) throws IOException, InterruptedException
    {
        allow(options, "bench", Set.of("--events", "--parallelism", "--seed"));
        final long events = positive(options, "--events", NexmarkBench.DEFAULT_EVENTS);
        final int parallelism = (int)Math.min(Integer.MAX_VALUE, positive(options, "--parallelism", 1));
        new NexmarkBench(events, parallelism, number(options, "--seed", 1), out, err).run();
        return 0;
    }

    private static Map<String, String> options(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2)
        {
            if (!args[i].startsWith("--"))
            {
                throw new UsageException("expected an option, found '" + args[i] + "'");
            }
            if (i + 1 >= args.length)
            {
                throw new UsageException(args[i] + " needs a value");
            }
            if (null != options.put(args[i], args[i + 1]))
            {
                throw new UsageException(args[i] + " is given twice");
            }
        }
        return options;
    }

    private static void allow(final Map<String, String> options, final String command, final Set<String> allowed)
    {
        for (final String option : options.keySet())
        {
            if (!allowed.contains(option))
            {
                throw new UsageException("unknown option " + option + " for " + command);
            }
        }
    }

    private static Path outputFile(final Map<String, String> options)
    {
        final String value = options.get("--out");
        if (null == value)
        {
            throw new UsageException("--out FILE is needed");
        }
        final Path file = Path.of(value).toAbsolutePath();
        final Path parent = file.getParent();
        if (null == parent || !Files.isDirectory(parent) || !Files.isWritable(parent))
        {
            throw new UsageException("--out: cannot write " + value + " (no writable directory " + parent + ")");
        }
        if (Files.isDirectory(file))
        {
            throw new UsageException("--out: " + value + " is a directory");
        }
        return file;
    }

    private static long number(final Map<String, String> options, final String name, final long missing)
    {
        final String value = options.get(name);
        if (null == value)
        {
            return missing;
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(name + ": not a whole number: '" + value + "'");
        }
    }

    private static long nonNegative(final Map<String, String> options, final String name, final long missing)
    {
        final long value = number(options, name, missing);
        if (options.containsKey(name) && value < 0)
        {
            throw new UsageException(name + " must not be negative: " + value);
        }
        return value;
    }

    private static long positive(final Map<String, String> options, final String name, final long missing)
    {
        final long value = number(options, name, missing);
        if (value < 1)
        {
            throw new UsageException(name + " must be at least 1: " + value);
        }
        return value;
    }

    private static String rootMessage(final Throwable ex)
    {
        Throwable cause = ex;
        final StringBuilder message = new StringBuilder(String.valueOf(ex.getMessage()));
        while (null != cause.getCause() && cause.getCause() != cause)
        {
            cause = cause.getCause();
            message.append(": ").append(cause.getMessage());
        }
        return message.toString();
    }

    /**
     * A bad argument: the message names it.
     */
    static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }
}
