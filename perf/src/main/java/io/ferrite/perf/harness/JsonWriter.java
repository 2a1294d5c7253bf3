package io.ferrite.perf.harness;

import java.util.Locale;

/**
 * Writes a JSON document with indentation, member by member: enough for {@code summary.json} without a library.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class JsonWriter
{
    private final StringBuilder out = new StringBuilder();
    private int depth;
    private boolean first = true;

    /**
     * Begin an object: the document, or an array's member.
     *
     * @return this.
     */
    public JsonWriter beginObject()
    {
        return begin(null, '{');
    }

    /**
     * Begin an object member.
     *
     * @param name the member's name.
     * @return this.
     */
    public JsonWriter beginObject(final String name)
    {
        return begin(name, '{');
    }

    /**
     * End the innermost object.
     *
     * @return this.
     */
    public JsonWriter endObject()
    {
        return end('}');
    }

    /**
     * A whole-number member.
     *
     * @param name  the name.
     * @param value the value.
     * @return this.
     */
    public JsonWriter field(final String name, final long value)
    {
        return raw(name, Long.toString(value));
    }

    /**
     * A number member, with three decimals; null when not finite.
     *
     * @param name  the name.
     * @param value the value.
     * @return this.
     */
    public JsonWriter field(final String name, final double value)
    {
        return raw(name, Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
    }

    /**
     * A boolean member.
     *
     * @param name  the name.
     * @param value the value.
     * @return this.
     */
    public JsonWriter field(final String name, final boolean value)
    {
        return raw(name, Boolean.toString(value));
    }

    /**
     * A string member; null when the value is.
     *
     * @param name  the name.
     * @param value the value.
     * @return this.
     */
    public JsonWriter field(final String name, final String value)
    {
        return raw(name, null == value ? "null" : quote(value));
    }

    /**
     * A null member.
     *
     * @param name the name.
     * @return this.
     */
    public JsonWriter nullField(final String name)
    {
        return raw(name, "null");
    }

    private JsonWriter begin(final String name, final char bracket)
    {
        member(name);
        out.append(bracket);
        depth++;
        first = true;
        return this;
    }

    private JsonWriter end(final char bracket)
    {
        depth--;
        if (!first)
        {
            newline();
        }
        out.append(bracket);
        first = false;
        return this;
    }

    private JsonWriter raw(final String name, final String value)
    {
        member(name);
        out.append(value);
        return this;
    }

    private void member(final String name)
    {
        if (depth > 0)
        {
            if (!first)
            {
                out.append(',');
            }
            newline();
        }
        first = false;
        if (null != name)
        {
            out.append(quote(name)).append(": ");
        }
    }

    private void newline()
    {
        out.append('\n');
        for (int i = 0; i < depth; i++)
        {
            out.append("  ");
        }
    }

    /**
     * A string as a JSON string literal.
     *
     * @param value the string.
     * @return the literal, quoted and escaped.
     */
    public static String quote(final String value)
    {
        final StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                quoted.append('\\').append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    @Override
    public String toString()
    {
        return out.toString() + "\n";
    }
}
