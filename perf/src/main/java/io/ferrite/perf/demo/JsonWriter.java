package io.ferrite.perf.demo;

import java.util.Locale;

/**
 * Writes a JSON document with indentation, member by member: enough for {@code summary.json} without a library.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
final class JsonWriter
{
    private final StringBuilder out = new StringBuilder();
    private int depth;
    private boolean first = true;

    JsonWriter beginObject()
    {
        return begin(null, '{');
    }

    JsonWriter beginObject(final String name)
    {
        return begin(name, '{');
    }

    JsonWriter endObject()
    {
        return end('}');
    }

    JsonWriter field(final String name, final long value)
    {
        return raw(name, Long.toString(value));
    }

    JsonWriter field(final String name, final double value)
    {
        return raw(name, Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
    }

    JsonWriter field(final String name, final boolean value)
    {
        return raw(name, Boolean.toString(value));
    }

    JsonWriter field(final String name, final String value)
    {
        return raw(name, null == value ? "null" : quote(value));
    }

    JsonWriter nullField(final String name)
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

    static String quote(final String value)
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
