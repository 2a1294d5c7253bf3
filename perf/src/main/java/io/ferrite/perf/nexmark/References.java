package io.ferrite.perf.nexmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the plain-Java references share: epoch-aligned window starts, CSV quoting of strings as the engine's CSV codec
 * does it, and sorted output. References allocate freely; nothing here is on a record's path.
 */
final class References
{
    private References()
    {
    }

    /**
     * The start of the epoch-aligned window of a length (or of a slide) that holds a time.
     *
     * @param time   epoch milliseconds.
     * @param length the window's length or slide, in milliseconds.
     * @return the start.
     */
    static long alignedStart(final long time, final long length)
    {
        return Math.floorDiv(time, length) * length;
    }

    /**
     * A string as the CSV codec writes a symbol: quoted (with {@code ""} for a quote) only when it is empty or holds a
     * comma, a quote, CR or LF.
     *
     * @param value the string.
     * @return the CSV field.
     */
    static String csv(final String value)
    {
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length() && !quote; i++)
        {
            final char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    /**
     * The lines, sorted.
     *
     * @param lines the lines, not changed.
     * @return a sorted copy.
     */
    static List<String> sorted(final List<String> lines)
    {
        final List<String> copy = new ArrayList<>(lines);
        Collections.sort(copy);
        return copy;
    }
}
