package io.ferrite.perf.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

import io.ferrite.engine.JobFailedException;

/**
 * {@code scripts/ferrite demo [OPTIONS]}: runs, embedded, a trading and telemetry job on generated data — trades for
 * a few hundred symbols to VWAP and volume per symbol over a sliding window and a risk-limit alert stream, and a
 * latency rollup per service per second — journaling its input and checkpointing every second, prints a progress
 * line every second and a summary table at the end, and writes a report folder. See {@link DemoOptions#USAGE}.
 */
public final class Demo
{
    private Demo()
    {
    }

    /**
     * Run the demo and exit: 0 when it ran, 1 when it failed, 2 for bad options.
     *
     * @param args the options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run the demo.
     *
     * @param args the options.
     * @param out  where progress and the summary go.
     * @param err  where errors go.
     * @return the exit code: 0 when it ran, 1 when it failed, 2 for bad options.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final DemoOptions options;
        try
        {
            options = DemoOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("ferrite demo: " + ex.getMessage());
            err.println("ferrite demo: scripts/ferrite demo --help lists the options");
            return 2;
        }
        if (options.help)
        {
            out.println(DemoOptions.USAGE);
            return 0;
        }
        try
        {
            execute(options, out);
            return 0;
        }
        catch (final JobFailedException ex)
        {
            err.println("ferrite demo: the job failed: " + ex.getMessage());
            ex.printStackTrace(err);
            return 1;
        }
        catch (final IOException ex)
        {
            err.println("ferrite demo: " + ex);
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("ferrite demo: interrupted");
            return 1;
        }
    }

    /**
     * Run the job, print the summary and write the report.
     *
     * @param options the options.
     * @param out     where progress and the summary go.
     * @return the run's figures.
     * @throws IOException if the job's directory or the report cannot be written.
     * @throws InterruptedException if interrupted while waiting for the job.
     */
    static DemoResult execute(final DemoOptions options, final PrintStream out)
        throws IOException, InterruptedException
    {
        final DemoResult result = new DemoRun(options, out).run();
        final List<String> files = Report.write(result, options.out);
        out.print(Report.table(result));
        out.printf("report: %s (%s)%n", options.out.toAbsolutePath(), String.join(", ", files));
        if (!result.jobDirectoryKept)
        {
            out.printf("job directory deleted (--keep keeps it)%n");
        }
        else
        {
            out.printf("job directory kept: %s%n", result.jobDirectory.toAbsolutePath());
        }
        return result;
    }
}
