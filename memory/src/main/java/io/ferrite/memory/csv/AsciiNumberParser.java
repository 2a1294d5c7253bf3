package io.ferrite.memory.csv;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * Parses integers and decimal floats straight from ASCII bytes. The result goes to a field of the parser and the
 * return value is a status, so the common case allocates nothing. Floats use Clinger's fast path (a mantissa that
 * fits the significand and a power of ten that is exact), which covers prices and measurements as they are usually
 * written; anything else is validated here and handed to the JDK's correctly rounded parser.
 * <p>
 * <b>Note:</b> Not threadsafe; one parser per codec.
 */
final class AsciiNumberParser
{
    static final int OK = 0;
    static final int NOT_A_NUMBER = 1;
    static final int OUT_OF_RANGE = 2;

    private static final double[] DOUBLE_POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    private static final float[] FLOAT_POWERS_OF_TEN = {
        1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f };
    private static final long MAX_EXACT_DOUBLE_MANTISSA = 1L << 53;
    private static final long MAX_EXACT_FLOAT_MANTISSA = 1L << 24;

    long longValue;
    double doubleValue;
    float floatValue;

    /**
     * Parse a signed decimal integer within [min, max].
     */
    int parseLong(final DirectBuffer buffer, final int offset, final int length, final long min, final long max)
    {
        int i = offset;
        final int end = offset + length;
        boolean negative = false;
        final byte first = buffer.getByte(i);
        if ('-' == first || '+' == first)
        {
            negative = '-' == first;
            i++;
        }
        if (i == end)
        {
            return NOT_A_NUMBER;
        }

        // Accumulate negatively, as Long.parseLong does, so Long.MIN_VALUE parses.
        long result = 0;
        boolean overflow = false;
        for (; i < end; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return NOT_A_NUMBER;
            }
            if (result < Long.MIN_VALUE / 10 || (result == Long.MIN_VALUE / 10 && digit > 8))
            {
                overflow = true;
            }
            result = result * 10 - digit;
        }
        if (overflow)
        {
            return OUT_OF_RANGE;
        }
        if (!negative)
        {
            if (result == Long.MIN_VALUE)
            {
                return OUT_OF_RANGE;
            }
            result = -result;
        }
        if (result < min || result > max)
        {
            return OUT_OF_RANGE;
        }
        longValue = result;
        return OK;
    }

    /**
     * Parse a decimal float, {@code [+-]digits[.digits][(e|E)[+-]digits]}, or NaN, Infinity, -Infinity.
     */
    int parseDouble(final DirectBuffer buffer, final int offset, final int length)
    {
        final int status = scan(buffer, offset, length);
        if (status != OK)
        {
            return status;
        }
        if (special != 0)
        {
            doubleValue = special == SPECIAL_NAN ? Double.NaN :
                (negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            return OK;
        }
        if (!truncated && mantissa <= MAX_EXACT_DOUBLE_MANTISSA && exponent >= -22 && exponent <= 22)
        {
            final double m = (double)mantissa;
            final double value = exponent >= 0 ? m * DOUBLE_POWERS_OF_TEN[exponent] :
                m / DOUBLE_POWERS_OF_TEN[-exponent];
            doubleValue = negative ? -value : value;
            return OK;
        }
        final double value = Double.parseDouble(buffer.getStringWithoutLengthAscii(offset, length));
        if (Double.isInfinite(value))
        {
            return OUT_OF_RANGE;
        }
        doubleValue = value;
        return OK;
    }

    /**
     * Parse a decimal float as a correctly rounded single-precision value.
     */
    int parseFloat(final DirectBuffer buffer, final int offset, final int length)
    {
        final int status = scan(buffer, offset, length);
        if (status != OK)
        {
            return status;
        }
        if (special != 0)
        {
            floatValue = special == SPECIAL_NAN ? Float.NaN :
                (negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
            return OK;
        }
        if (!truncated && mantissa <= MAX_EXACT_FLOAT_MANTISSA && exponent >= -10 && exponent <= 10)
        {
            final float m = (float)mantissa;
            final float value = exponent >= 0 ? m * FLOAT_POWERS_OF_TEN[exponent] :
                m / FLOAT_POWERS_OF_TEN[-exponent];
            floatValue = negative ? -value : value;
            return OK;
        }
        final float value = Float.parseFloat(buffer.getStringWithoutLengthAscii(offset, length));
        if (Float.isInfinite(value))
        {
            return OUT_OF_RANGE;
        }
        floatValue = value;
        return OK;
    }

    private static final int SPECIAL_NAN = 1;
    private static final int SPECIAL_INFINITY = 2;

    private boolean negative;
    private boolean truncated;
    private long mantissa;
    private int exponent;
    private int special;

    private int scan(final DirectBuffer buffer, final int offset, final int length)
    {
        negative = false;
        truncated = false;
        mantissa = 0;
        exponent = 0;
        special = 0;

        int i = offset;
        final int end = offset + length;
        final byte first = buffer.getByte(i);
        if ('-' == first || '+' == first)
        {
            negative = '-' == first;
            i++;
        }
        if (i == end)
        {
            return NOT_A_NUMBER;
        }
        if (matches(buffer, i, end, "NaN") && i == offset)
        {
            special = SPECIAL_NAN;
            return OK;
        }
        if (matches(buffer, i, end, "Infinity"))
        {
            special = SPECIAL_INFINITY;
            return OK;
        }

        int digits = 0;
        int significant = 0;
        int dropped = 0;
        for (; i < end; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                break;
            }
            digits++;
            if (significant < 18)
            {
                if (mantissa != 0 || digit != 0)
                {
                    significant++;
                }
                mantissa = mantissa * 10 + digit;
            }
            else
            {
                dropped++;
                truncated |= digit != 0;
            }
        }
        exponent = dropped;
        if (i < end && '.' == buffer.getByte(i))
        {
            i++;
            for (; i < end; i++)
            {
                final int digit = buffer.getByte(i) - '0';
                if (digit < 0 || digit > 9)
                {
                    break;
                }
                digits++;
                if (significant < 18)
                {
                    if (mantissa != 0 || digit != 0)
                    {
                        significant++;
                    }
                    mantissa = mantissa * 10 + digit;
                    exponent--;
                }
                else
                {
                    truncated |= digit != 0;
                }
            }
        }
        if (0 == digits)
        {
            return NOT_A_NUMBER;
        }
        if (i < end && ('e' == buffer.getByte(i) || 'E' == buffer.getByte(i)))
        {
            i++;
            boolean negativeExponent = false;
            if (i < end && ('-' == buffer.getByte(i) || '+' == buffer.getByte(i)))
            {
                negativeExponent = '-' == buffer.getByte(i);
                i++;
            }
            if (i == end)
            {
                return NOT_A_NUMBER;
            }
            int value = 0;
            for (; i < end; i++)
            {
                final int digit = buffer.getByte(i) - '0';
                if (digit < 0 || digit > 9)
                {
                    return NOT_A_NUMBER;
                }
                if (value < 100_000)
                {
                    value = value * 10 + digit;
                }
                else
                {
                    // Too many exponent digits to hold: leave the value to the JDK's parser, which reads them all,
                    // lest leading zeros of the fraction cancel a cut-short exponent into the fast path's range.
                    truncated = true;
                }
            }
            exponent += negativeExponent ? -value : value;
        }
        return i == end ? OK : NOT_A_NUMBER;
    }

    private static boolean matches(final DirectBuffer buffer, final int offset, final int end, final String text)
    {
        if (end - offset != text.length())
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (buffer.getByte(offset + i) != text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    static String text(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[Math.min(length, 64)];
        buffer.getBytes(offset, bytes);
        final String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return length > 64 ? text + "..." : text;
    }
}
