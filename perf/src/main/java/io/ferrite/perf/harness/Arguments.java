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
