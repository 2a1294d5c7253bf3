package io.ferrite.perf.harness;

/**
 * Command-line argument parsing shared by the launcher's commands.
 */
public final class Arguments
{
    private Arguments()
    {
    }

    /**
     * The value after an option that takes one.
     *
     * @param args   the command line.
     * @param i      the option's index in it.
     * @param usage  the command's usage text, which lists each option it knows as {@code "  --name "}.
     * @return {@code args[i + 1]}.
     * @throws IllegalArgumentException if there is no value: "needs a value" for an option the usage lists,
     *                                  "unknown option" for any other.
     */
    public static String value(final String[] args, final int i, final String usage)
    {
        if (i + 1 >= args.length)
        {
            final String option = args[i];
            throw new IllegalArgumentException(usage.contains("  " + option + " ") ? option + " needs a value" :
                "unknown option '" + option + "'");
        }
        return args[i + 1];
    }

    /**
     * A whole-number option's value, underscores allowed as digit separators.
     *
     * @param option the option's name, for the message.
     * @param value  its value as given.
     * @param min    the least value allowed.
     * @param max    the largest value allowed.
     * @return the value.
     * @throws IllegalArgumentException naming the option if the value is not a whole number or is out of range.
     */
    public static long number(final String option, final String value, final long min, final long max)
    {
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " expects a whole number, not '" + value + "'");
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", not " + parsed);
        }
        return parsed;
    }
}
