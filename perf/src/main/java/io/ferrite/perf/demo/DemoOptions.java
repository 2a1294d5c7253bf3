package io.ferrite.perf.demo;

import java.nio.file.Path;

import io.ferrite.perf.harness.Arguments;

/**
 * The demo's command-line options. {@link #parse} throws {@link IllegalArgumentException} with a message naming the
 * option and what it expects.
 */
final class DemoOptions
{
    static final String USAGE = String.join(System.lineSeparator(),
        "Usage: scripts/ferrite demo [OPTIONS]",
        "",
        "Runs a trading and telemetry job on generated data, embedded, and reports its end-to-end latency.",
        "",
        "Options:",
        "  --seconds S        how long the generators run (default 20)",
        "  --rate N           events per second, all sources together (default 200000: 4/5 trades, 1/5 telemetry)",
        "  --symbols N        trading symbols (default 300)",
        "  --warmup S         seconds of results not measured at the start (default 2)",
        "  --dir DIR          where the job keeps its journals and checkpoints (DIR/demo) and its results",
        "                     (DIR/results); default a temporary directory. An earlier run's files there are",
        "                     replaced; this run's are deleted at the end unless --keep",
        "  --keep             keep the job's files",
        "  --out DIR          the report folder (default ferrite-report)",
        "  --threading MODE   auto (default), shared or dedicated",
        "  --seed N           the generators' seed (default 42)",
        "  --help             print this help");

    int seconds = 20;
    long rate = 200_000;
    int symbols = 300;
    int warmupSeconds = 2;
    Path dir;
    boolean keep;
    Path out = Path.of("ferrite-report");
    String threading = "auto";
    long seed = 42;
    boolean help;

    static DemoOptions parse(final String... args)
    {
        final DemoOptions options = new DemoOptions();
        int i = 0;
        while (i < args.length)
        {
            final String option = args[i];
            if ("--help".equals(option) || "-h".equals(option))
            {
                options.help = true;
                i++;
                continue;
            }
            if ("--keep".equals(option))
            {
                options.keep = true;
                i++;
                continue;
            }
            final String value = Arguments.value(args, i, USAGE);
            switch (option)
            {
                case "--seconds":
                    options.seconds = (int)Arguments.number(option, value, 1, 86_400);
                    break;
                case "--rate":
                    options.rate = Arguments.number(option, value, 10, 100_000_000);
                    break;
                case "--symbols":
                    options.symbols = (int)Arguments.number(option, value, 1, 100_000);
                    break;
                case "--warmup":
                    options.warmupSeconds = (int)Arguments.number(option, value, 0, 3_600);
                    break;
                case "--dir":
                    options.dir = Path.of(value);
                    break;
                case "--out":
                    options.out = Path.of(value);
                    break;
                case "--threading":
                    if (!"auto".equals(value) && !"shared".equals(value) && !"dedicated".equals(value))
                    {
                        throw new IllegalArgumentException("--threading expects auto, shared or dedicated, not '" +
                            value + "'");
                    }
                    options.threading = value;
                    break;
                case "--seed":
                    options.seed = Arguments.number(option, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + option + "'");
            }
            i += 2;
        }
        if (!options.help && options.warmupSeconds >= options.seconds)
        {
            throw new IllegalArgumentException("--warmup (" + options.warmupSeconds + " s) must be shorter than " +
                "--seconds (" + options.seconds + " s)");
        }
        return options;
    }

    /**
     * Trades per second: four fifths of the rate.
     */
    long tradeRate()
    {
        return Math.max(1, rate * 4 / 5);
    }

    /**
     * Telemetry events per second: the rest of the rate.
     */
    long telemetryRate()
    {
        return Math.max(1, rate - tradeRate());
    }
}
