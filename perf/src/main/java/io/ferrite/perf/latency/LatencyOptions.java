package io.ferrite.perf.latency;

import java.nio.file.Path;

import io.ferrite.perf.harness.Arguments;

/**
 * The latency harness's command-line options. {@link #parse} throws {@link IllegalArgumentException} with a message
 * naming the option and what it expects.
 */
final class LatencyOptions
{
    static final String USAGE = String.join(System.lineSeparator(),
        "Usage: scripts/ferrite latency --workload passthrough|vwap|q5 --out DIR [OPTIONS]",
        "",
        "Open-loop end-to-end latency of one workload: a generator offers events at a fixed rate, each stamped with",
        "its intended time; the sink records now - intended (for window results: from the intended time of the event",
        "that closed the window) after a warm-up. Writes DIR/latency.hgrm, latency.hlog, latency.png, summary.json.",
        "",
        "Options:",
        "  --workload W       passthrough, vwap or q5 (required)",
        "  --out DIR          the report folder (required)",
        "  --rate N           events per second (default 100000)",
        "  --seconds S        how long the generator runs (default 20)",
        "  --warmup S         seconds at the start whose latencies are not recorded (default 5)",
        "  --baseline B       also run the workload through a hand-built LMAX Disruptor pipeline (B: disruptor),",
        "                     after Ferrite, at the same rate for as long; writes baseline.hgrm and the ratios",
        "  --baseline-first   run the baseline before Ferrite rather than after (to see the order's effect)",
        "  --window-ms N      window size of vwap (default 1000) and q5 (default 100)",
        "  --slide-ms N       window slide of vwap (default 10) and q5 (default 20); must divide --window-ms",
        "  --threading MODE   auto (default), shared or dedicated; the baseline is run the same way",
        "  --seed N           the generator's seed (default 42)",
        "  --help             print this help");

    Workload workload;
    Path out;
    long rate = 100_000;
    int seconds = 20;
    int warmupSeconds = 5;
    boolean baseline;
    boolean baselineFirst;
    long windowMs;
    long slideMs;
    String threading = "auto";
    long seed = 42;
    boolean help;

    static LatencyOptions parse(final String... args)
    {
        final LatencyOptions options = new LatencyOptions();
        long windowMs = 0;
        long slideMs = 0;
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
            if ("--baseline-first".equals(option))
            {
                options.baselineFirst = true;
                i++;
                continue;
            }
            final String value = Arguments.value(args, i, USAGE);
            switch (option)
            {
                case "--workload":
                    options.workload = Workload.of(value);
                    break;
                case "--out":
                    options.out = Path.of(value);
                    break;
                case "--rate":
                    options.rate = Arguments.number(option, value, 1, 50_000_000);
                    break;
                case "--seconds":
                    options.seconds = (int)Arguments.number(option, value, 1, 86_400);
                    break;
                case "--warmup":
                    options.warmupSeconds = (int)Arguments.number(option, value, 0, 3_600);
                    break;
                case "--baseline":
                    if (!"disruptor".equals(value))
                    {
                        throw new IllegalArgumentException("--baseline expects disruptor, not '" + value + "'");
                    }
                    options.baseline = true;
                    break;
                case "--window-ms":
                    windowMs = Arguments.number(option, value, 1, 3_600_000);
                    break;
                case "--slide-ms":
                    slideMs = Arguments.number(option, value, 1, 3_600_000);
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
        if (options.help)
        {
            return options;
        }
        if (null == options.workload)
        {
            throw new IllegalArgumentException("--workload is required: passthrough, vwap or q5");
        }
        if (null == options.out)
        {
            throw new IllegalArgumentException("--out is required: the folder the report is written to");
        }
        if (options.baselineFirst && !options.baseline)
        {
            throw new IllegalArgumentException("--baseline-first needs --baseline disruptor");
        }
        if (options.warmupSeconds >= options.seconds)
        {
            throw new IllegalArgumentException("--warmup (" + options.warmupSeconds + " s) must be shorter than " +
                "--seconds (" + options.seconds + " s)");
        }
        if (!options.workload.windowed && (windowMs != 0 || slideMs != 0))
        {
            throw new IllegalArgumentException("--window-ms and --slide-ms apply to vwap and q5, not to " +
                options.workload.label);
        }
        options.windowMs = windowMs != 0 ? windowMs : options.workload.defaultWindowMs;
        options.slideMs = slideMs != 0 ? slideMs : options.workload.defaultSlideMs;
        if (options.workload.windowed &&
            (options.slideMs > options.windowMs || options.windowMs % options.slideMs != 0))
        {
            throw new IllegalArgumentException("--slide-ms (" + options.slideMs + ") must divide --window-ms (" +
                options.windowMs + ")");
        }
        return options;
    }

    long maxRecords()
    {
        return rate * seconds;
    }

    long windowUs()
    {
        return windowMs * 1_000L;
    }

    long slideUs()
    {
        return slideMs * 1_000L;
    }
}
