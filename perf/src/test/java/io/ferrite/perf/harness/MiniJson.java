package io.ferrite.perf.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON parser for the tests: objects as maps, arrays as lists, numbers as doubles; anything else
 * throws with the offset.
 */
public final class MiniJson
{
    private final String text;
    private int at;

    private MiniJson(final String text)
    {
        this.text = text;
    }

    /**
     * Parse a JSON document.
     *
     * @param text the document.
     * @return its value: a map, a list, a string, a double, a boolean or null.
     */
    public static Object parse(final String text)
    {
        final MiniJson parser = new MiniJson(text);
        final Object value = parser.value();
        parser.skipSpace();
        if (parser.at != text.length())
        {
            throw parser.error("trailing text");
        }
        return value;
    }

    private Object value()
    {
        skipSpace();
        if (at >= text.length())
        {
            throw error("a value");
        }
        final char c = text.charAt(at);
        switch (c)
        {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}')
        {
            at++;
            return map;
        }
        while (true)
        {
            skipSpace();
            final String key = string();
            skipSpace();
            expect(':');
            if (map.containsKey(key))
            {
                throw error("a new key, not a second '" + key + "'");
            }
            map.put(key, value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']')
        {
            at++;
            return list;
        }
        while (true)
        {
            list.add(value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (at >= text.length())
            {
                throw error("the end of a string");
            }
            final char c = text.charAt(at++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c == '\\')
            {
                final char escaped = text.charAt(at++);
                switch (escaped)
                {
                    case 'u':
                        sb.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    case 'n':
                        sb.append('\n');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    case '"':
                    case '\\':
                    case '/':
                        sb.append(escaped);
                        break;
                    default:
                        throw error("a known escape");
                }
            }
            else if (c < 0x20)
            {
                throw error("no control character in a string");
            }
            else
            {
                sb.append(c);
            }
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, at))
        {
            throw error(word);
        }
        at += word.length();
        return value;
    }

    private Double number()
    {
        final int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0)
        {
            at++;
        }
        if (start == at)
        {
            throw error("a value");
        }
        try
        {
            return Double.valueOf(text.substring(start, at));
        }
        catch (final NumberFormatException ex)
        {
            throw error("a number");
        }
    }

    private char peek()
    {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("'" + c + "'");
        }
        at++;
    }

    private void skipSpace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private IllegalArgumentException error(final String expected)
    {
        return new IllegalArgumentException("JSON: expected " + expected + " at offset " + at + ": " +
            text.substring(Math.max(0, at - 20), Math.min(text.length(), at + 20)));
    }
}
