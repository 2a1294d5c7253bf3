package io.ferrite.perf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Compares a candidate benchmark with its baseline by interleaving them, A B A B …, each run in a JVM fork of its own
 * with the benchmark class's warm-up and measurement settings, and reports the median of the pair ratios
 * (candidate ÷ baseline). On a small shared machine whose speed drifts over minutes, pairs run back to back see the
 * same conditions, so the median pair ratio is steadier than the ratio of two separately averaged runs.
 * <p>
 * Usage: {@code scripts/ferrite compare CANDIDATE BASELINE [PAIRS]}, e.g.
 * {@code scripts/ferrite compare HashTableBenchmark.ferriteGet HashTableBenchmark.agronaGet 5}.
 */
public final class PairedComparison
{
    private PairedComparison()
    {
    }

    /**
     * Run the comparison.
     *
     * @param args the candidate's and the baseline's benchmark names (a class and method suffix), and optionally the
     *             number of pairs (default 5).
     * @throws RunnerException if JMH fails.
     */
    public static void main(final String[] args) throws RunnerException
    {
        if (args.length < 2 || args.length > 3)
        {
            System.err.println("usage: compare CANDIDATE BASELINE [PAIRS]   e.g. compare " +
                "HashTableBenchmark.ferriteGet HashTableBenchmark.agronaGet 5");
            System.exit(2);
        }
        final String candidate = args[0];
        final String baseline = args[1];
        final int pairs = args.length == 3 ? Integer.parseInt(args[2]) : 5;
        if (pairs < 1)
        {
            throw new IllegalArgumentException("pairs must be at least 1: " + pairs);
        }

        final List<Double> ratios = new ArrayList<>();
        String unit = "";
        for (int pair = 1; pair <= pairs; pair++)
        {
            final Result<?> a = run(candidate);
            final Result<?> b = run(baseline);
            unit = a.getScoreUnit();
            final double ratio = a.getScore() / b.getScore();
            ratios.add(ratio);
            System.out.printf(Locale.ROOT, "pair %d/%d: %s %.3f %s, %s %.3f %s, ratio %.3f%n",
                pair, pairs, candidate, a.getScore(), unit, baseline, b.getScore(), unit, ratio);
        }
        ratios.sort(Double::compare);
        final int n = ratios.size();
        final double median = n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
        System.out.printf(Locale.ROOT, "median ratio %s / %s over %d pairs: %.3f (min %.3f, max %.3f; unit %s)%n",
            candidate, baseline, n, median, ratios.get(0), ratios.get(n - 1), unit);
    }

    private static Result<?> run(final String benchmark) throws RunnerException
    {
        final Options options = new OptionsBuilder()
            .include(".*\\." + benchmark.replace(".", "\\.") + "$")
            .forks(1)
            .verbosity(VerboseMode.SILENT)
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        if (results.size() != 1)
        {
            throw new IllegalArgumentException("expected one benchmark named " + benchmark + ", found " +
                results.size() + " (scripts/ferrite jmh -l lists them)");
        }
        return results.iterator().next().getPrimaryResult();
    }
}
