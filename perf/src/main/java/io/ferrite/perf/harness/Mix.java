package io.ferrite.perf.harness;

/**
 * Stateless pseudo-random numbers: record {@code n}'s values come from {@code (seed, n)} alone, as a generator
 * source must make them (a recovered job resumes a generator at any record). SplitMix64's finaliser.
 */
public final class Mix
{
    private Mix()
    {
    }

    /**
     * Mix a value with a seed.
     *
     * @param seed  the seed.
     * @param value the value, e.g. a record's number.
     * @return 64 well-mixed bits.
     */
    public static long mix(final long seed, final long value)
    {
        long z = seed + (value + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A uniform double in [0, 1).
     *
     * @param bits mixed bits.
     * @return the double.
     */
    public static double unit(final long bits)
    {
        return (bits >>> 11) * 0x1.0p-53;
    }

    /**
     * A uniform integer in [0, bound).
     *
     * @param bits  mixed bits.
     * @param bound the bound, positive.
     * @return the integer.
     */
    public static int below(final long bits, final int bound)
    {
        return (int)(((bits >>> 32) * bound) >>> 32);
    }
}
