package io.ferrite.memory.csv;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Supplier;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.memory.schema.BooleanField;
import io.ferrite.memory.schema.Float32Field;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int16Field;
import io.ferrite.memory.schema.Int32Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Int8Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

class CsvCodecTest
{
    private static final long BUDGET = 1024 * 1024;
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final byte FILL = (byte)0xA5;
    private static final String SOURCE = "trades.csv";
    private static final String SPECIAL_CHARACTERS = ",\"\r\n; \t|x'";

    private static final double[] DOUBLE_EDGES = {
        0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 123.45, -123.45, 99.99, 0.01, 1e22, 1e23, 1e-22, 1e-23,
        9007199254740992.0, 9007199254740994.0, 4.35, 2.675, 1.005, 5e-324, Double.MIN_VALUE, -Double.MIN_VALUE,
        Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Math.nextUp(Double.MIN_NORMAL), Double.MAX_VALUE,
        -Double.MAX_VALUE, Math.nextDown(Double.MAX_VALUE), 1.7976931348623157e308, 2.2250738585072014e-308,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e-5, 1e-3, 1e7, 1e21, 1234567.0,
        0.000123, 123456789012345680.0 };
    private static final float[] FLOAT_EDGES = {
        0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 0.2f, 0.3f, 123.45f, -123.45f, 99.99f, 0.01f, 1e10f, 1e11f, 1e-10f,
        1e-11f, 16777216f, 16777218f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE, -Float.MAX_VALUE, Math.nextDown(Float.MAX_VALUE),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-3f, 1e7f, 3.4e38f, 1.4e-45f, 3.0e-45f,
        0.000123f };

    /**
     * Every type, with symbols first, in the middle and last, so quoting is tested at both ends of a line.
     */
    private static Schema allTypes()
    {
        return Schema.builder("all")
            .symbol("sym", 8)
            .int8("i8")
            .int16("i16")
            .int32("i32")
            .int64("i64")
            .symbol("mid", 3)
            .float32("f32")
            .float64("f64")
            .bool("flag")
            .timestamp("ts", MICROSECONDS)
            .symbol("note", 12)
            .build();
    }

    private static Schema tradeSchema()
    {
        return Schema.builder("trade")
            .symbol("sym", 4)
            .int32("qty")
            .float64("price")
            .bool("buy")
            .timestamp("ts", MILLISECONDS)
            .build();
    }

    private static final String GOOD_TRADE = "IBM,100,123.45,true,1700000000000";

    // ---------------------------------------------------------------------------------------------------------------
    // Round trips
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRoundTripRandomRecordsOfEveryType()
    {
        roundTripRandomRecords(new CsvCodec(allTypes()), 20_000);
    }

    @Test
    void shouldRoundTripRandomRecordsWithOtherDelimiters()
    {
        for (final char delimiter : new char[]{ ';', '\t', '|', ' ', 'x' })
        {
            roundTripRandomRecords(new CsvCodec(allTypes(), delimiter), 3_000);
        }
    }

    private static void roundTripRandomRecords(final CsvCodec codec, final int iterations)
    {
        final Random random = new Random(SEED);
        final Schema schema = codec.schema();
        final AllFields f = new AllFields(schema);
        final int length = schema.recordLength();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(8);
        final StringBuilder text = new StringBuilder();
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final MemorySegment segment = manager.allocate("csv-test", 4096);
            final UnsafeBuffer buffer = segment.buffer();
            final int in = 8;
            final int decoded = 256;
            final int decodedFromBytes = 512;
            for (int i = 0; i < iterations; i++)
            {
                final long lineNumber = i + 1;
                f.randomise(random, buffer, in);

                text.setLength(0);
                assertSame(text, codec.encode(buffer, in, text));
                final String line = text.toString();
                final int outOffset = random.nextInt(16);
                final int encodedLength = codec.encode(buffer, in, out, outOffset);
                final Supplier<String> context = () -> "seed=" + SEED + " line " + lineNumber + ": " + escape(line);
                assertEquals(line, out.getStringWithoutLengthAscii(outOffset, encodedLength), context);

                buffer.setMemory(decoded - 8, length + 16, FILL);
                codec.decode(SOURCE, lineNumber, line, buffer, decoded);
                f.assertSameRecord(buffer, in, buffer, decoded, context);
                assertFillAround(buffer, decoded, length, context);

                buffer.setMemory(decodedFromBytes - 8, length + 16, FILL);
                codec.decode(SOURCE, lineNumber, out, outOffset, encodedLength, buffer, decodedFromBytes);
                f.assertSameRecord(buffer, in, buffer, decodedFromBytes, context);
                assertFillAround(buffer, decodedFromBytes, length, context);

                text.setLength(0);
                assertEquals(line, codec.encode(buffer, decoded, text).toString(), context);
            }
            segment.release();
        }
    }

    @Test
    void shouldEncodeRecordIntoBufferAndStringBuilderAsTheSameText()
    {
        final Schema schema = allTypes();
        final CsvCodec codec = new CsvCodec(schema);
        final AllFields f = new AllFields(schema);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);
        f.sym.put(record, 0, "a,\"b\"");
        f.i8.put(record, 0, Byte.MIN_VALUE);
        f.i16.put(record, 0, Short.MIN_VALUE);
        f.i32.put(record, 0, Integer.MIN_VALUE);
        f.i64.put(record, 0, Long.MIN_VALUE);
        f.mid.put(record, 0, "X");
        f.f32.put(record, 0, -0.0f);
        f.f64.put(record, 0, 123.45);
        f.flag.put(record, 0, false);
        f.ts.put(record, 0, Long.MAX_VALUE);
        f.note.put(record, 0, "line\r\nbreak");

        final String expected = "\"a,\"\"b\"\"\",-128,-32768,-2147483648,-9223372036854775808,X,-0.0,123.45,false," +
            "9223372036854775807,\"line\r\nbreak\"";
        assertEquals(expected, codec.encode(record, 0, new StringBuilder()).toString());

        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
        out.setMemory(0, 4, FILL);
        final int length = codec.encode(record, 0, out, 4);
        assertEquals(expected.length(), length);
        assertEquals(expected, out.getStringWithoutLengthAscii(4, length));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(FILL, out.getByte(i), "wrote before the offset");
        }

        final StringBuilder appended = new StringBuilder("prefix:");
        assertEquals("prefix:" + expected, codec.encode(record, 0, appended).toString());
    }

    @Test
    void shouldQuoteOnlySymbolsHoldingDelimiterQuoteCrOrLf()
    {
        final Schema schema = Schema.builder("q").symbol("sym", 12).int32("qty").build();
        final SymbolField sym = schema.symbolField("sym");
        final CsvCodec comma = new CsvCodec(schema);
        final CsvCodec semicolon = new CsvCodec(schema, ';');
        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[schema.recordLength()]);
        schema.int32Field("qty").put(record, 0, 5);

        final String[][] cases = {
            // symbol, comma-delimited line, semicolon-delimited line
            { "IBM", "IBM,5", "IBM;5" },
            { "a,b", "\"a,b\",5", "a,b;5" },
            { "a;b", "a;b,5", "\"a;b\";5" },
            { "say \"hi\"", "\"say \"\"hi\"\"\",5", "\"say \"\"hi\"\"\";5" },
            { "\"", "\"\"\"\",5", "\"\"\"\";5" },
            { "\"\"", "\"\"\"\"\"\",5", "\"\"\"\"\"\";5" },
            { "a\rb", "\"a\rb\",5", "\"a\rb\";5" },
            { "a\nb", "\"a\nb\",5", "\"a\nb\";5" },
            { ",", "\",\",5", ",;5" },
            { " x ", " x ,5", " x ;5" },
            { "'", "',5", "';5" },
        };
        for (final String[] c : cases)
        {
            sym.put(record, 0, c[0]);
            assertEquals(c[1], comma.encode(record, 0, new StringBuilder()).toString(), c[0]);
            assertEquals(c[2], semicolon.encode(record, 0, new StringBuilder()).toString(), c[0]);

            decoded.setMemory(0, decoded.capacity(), FILL);
            comma.decode(SOURCE, 1, c[1], decoded, 0);
            assertEquals(c[0], sym.getString(decoded, 0));
            assertEquals(5, schema.int32Field("qty").get(decoded, 0));

            decoded.setMemory(0, decoded.capacity(), FILL);
            semicolon.decode(SOURCE, 1, c[2], decoded, 0);
            assertEquals(c[0], sym.getString(decoded, 0));
        }
    }

    @Test
    void shouldRoundTripFloat64BitExactlyOverManyRandomValues()
    {
        final Random random = new Random(SEED);
        final Schema schema = Schema.builder("d").float64("value").build();
        final Float64Field value = schema.float64Field("value");
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[8]);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(32);
        final StringBuilder text = new StringBuilder();

        for (int i = 0; i < 200_000; i++)
        {
            final double expected = i < DOUBLE_EDGES.length ? DOUBLE_EDGES[i] : randomDouble(random);
            value.put(record, 0, expected);
            text.setLength(0);
            codec.encode(record, 0, text);
            final int length = codec.encode(record, 0, out, 0);
            final Supplier<String> context = () -> "seed=" + SEED + " value=" + expected + " bits=0x" +
                Long.toHexString(Double.doubleToRawLongBits(expected)) + " text=" + text;
            assertEquals(Double.toString(expected), text.toString(), context);

            codec.decode(SOURCE, i + 1, out, 0, length, decoded, 0);
            assertSameDouble(expected, value.get(decoded, 0), context);
        }
    }

    @Test
    void shouldRoundTripFloat32BitExactlyOverManyRandomValues()
    {
        final Random random = new Random(SEED);
        final Schema schema = Schema.builder("f").float32("value").build();
        final Float32Field value = schema.float32Field("value");
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[4]);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[4]);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(32);
        final StringBuilder text = new StringBuilder();

        for (int i = 0; i < 200_000; i++)
        {
            final float expected = i < FLOAT_EDGES.length ? FLOAT_EDGES[i] : randomFloat(random);
            value.put(record, 0, expected);
            text.setLength(0);
            codec.encode(record, 0, text);
            final int length = codec.encode(record, 0, out, 0);
            final Supplier<String> context = () -> "seed=" + SEED + " value=" + expected + " bits=0x" +
                Integer.toHexString(Float.floatToRawIntBits(expected)) + " text=" + text;
            assertEquals(Float.toString(expected), text.toString(), context);

            codec.decode(SOURCE, i + 1, out, 0, length, decoded, 0);
            assertSameFloat(expected, value.get(decoded, 0), context);
        }
    }

    @Test
    void shouldParseDecimalTextExactlyAsTheJdkDoes()
    {
        final Random random = new Random(SEED);
        final Schema doubles = Schema.builder("d").float64("value").build();
        final Schema floats = Schema.builder("f").float32("value").build();
        final CsvCodec doubleCodec = new CsvCodec(doubles);
        final CsvCodec floatCodec = new CsvCodec(floats);
        final Float64Field doubleValue = doubles.float64Field("value");
        final Float32Field floatValue = floats.float32Field("value");
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer line = new UnsafeBuffer(new byte[128]);

        for (int i = 0; i < 300_000; i++)
        {
            final String text = randomDecimal(random);
            final int length = line.putStringWithoutLengthAscii(7, text);
            final Supplier<String> context = () -> "seed=" + SEED + " text=" + text;

            final double expectedDouble = Double.parseDouble(text);
            if (Double.isInfinite(expectedDouble))
            {
                final MalformedRecordException ex = assertThrows(MalformedRecordException.class,
                    () -> doubleCodec.decode(SOURCE, 1, line, 7, length, decoded, 0), context);
                assertTrue(ex.reason().startsWith("out of range"), ex::getMessage);
            }
            else
            {
                doubleCodec.decode(SOURCE, 1, line, 7, length, decoded, 0);
                assertSameDouble(expectedDouble, doubleValue.get(decoded, 0), context);
            }

            final float expectedFloat = Float.parseFloat(text);
            if (Float.isInfinite(expectedFloat))
            {
                final MalformedRecordException ex = assertThrows(MalformedRecordException.class,
                    () -> floatCodec.decode(SOURCE, 1, line, 7, length, decoded, 0), context);
                assertTrue(ex.reason().startsWith("out of range"), ex::getMessage);
            }
            else
            {
                floatCodec.decode(SOURCE, 1, line, 7, length, decoded, 0);
                assertSameFloat(expectedFloat, floatValue.get(decoded, 0), context);
            }
        }
    }

    @Test
    void shouldParseTypicalPricesExactlyAsTheJdkDoes()
    {
        final Schema schema = Schema.builder("p").float64("d").float32("f").build();
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[schema.recordLength()]);
        final Random random = new Random(SEED);

        for (int i = 0; i < 200_000; i++)
        {
            final int scale = random.nextInt(9);
            final long unscaled = random.nextInt(4) == 0 ? random.nextLong() % 100_000_000_000_000L :
                random.nextInt(10_000_000);
            final String text = BigDecimal.valueOf(unscaled, scale).toPlainString();
            final Supplier<String> context = () -> "seed=" + SEED + " text=" + text;
            codec.decode(SOURCE, 1, text + ',' + text, decoded, 0);
            assertSameDouble(Double.parseDouble(text), schema.float64Field("d").get(decoded, 0), context);
            assertSameFloat(Float.parseFloat(text), schema.float32Field("f").get(decoded, 0), context);
        }
    }

    @Test
    void shouldDecodeFloatSpecialsAndSignedZero()
    {
        final Schema schema = Schema.builder("p").float64("d").float32("f").build();
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[schema.recordLength()]);
        final Float64Field d = schema.float64Field("d");
        final Float32Field f = schema.float32Field("f");

        codec.decode(SOURCE, 1, "NaN,NaN", decoded, 0);
        assertTrue(Double.isNaN(d.get(decoded, 0)));
        assertTrue(Float.isNaN(f.get(decoded, 0)));
        codec.decode(SOURCE, 1, "Infinity,Infinity", decoded, 0);
        assertEquals(Double.POSITIVE_INFINITY, d.get(decoded, 0));
        assertEquals(Float.POSITIVE_INFINITY, f.get(decoded, 0));
        codec.decode(SOURCE, 1, "-Infinity,-Infinity", decoded, 0);
        assertEquals(Double.NEGATIVE_INFINITY, d.get(decoded, 0));
        assertEquals(Float.NEGATIVE_INFINITY, f.get(decoded, 0));
        codec.decode(SOURCE, 1, "-0,-0.0", decoded, 0);
        assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(d.get(decoded, 0)));
        assertEquals(0x80000000, Float.floatToRawIntBits(f.get(decoded, 0)));
        codec.decode(SOURCE, 1, "0,+0.0e5", decoded, 0);
        assertEquals(0L, Double.doubleToRawLongBits(d.get(decoded, 0)));
        assertEquals(0, Float.floatToRawIntBits(f.get(decoded, 0)));
        codec.decode(SOURCE, 1, "1E3,.5", decoded, 0);
        assertEquals(1000.0, d.get(decoded, 0));
        assertEquals(0.5f, f.get(decoded, 0));
        codec.decode(SOURCE, 1, "5.,-1e-2", decoded, 0);
        assertEquals(5.0, d.get(decoded, 0));
        assertEquals(-0.01f, f.get(decoded, 0));
    }

    @Test
    void shouldDecodeIntegerExtremesAndSigns()
    {
        final Schema schema = Schema.builder("ints").int8("a").int16("b").int32("c").int64("d")
            .timestamp("t", NANOSECONDS).build();
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[schema.recordLength()]);

        codec.decode(SOURCE, 1, "-128,-32768,-2147483648,-9223372036854775808,-9223372036854775808", decoded, 0);
        assertEquals(Byte.MIN_VALUE, schema.int8Field("a").get(decoded, 0));
        assertEquals(Short.MIN_VALUE, schema.int16Field("b").get(decoded, 0));
        assertEquals(Integer.MIN_VALUE, schema.int32Field("c").get(decoded, 0));
        assertEquals(Long.MIN_VALUE, schema.int64Field("d").get(decoded, 0));
        assertEquals(Long.MIN_VALUE, schema.timestampField("t").get(decoded, 0));

        codec.decode(SOURCE, 1, "127,32767,2147483647,9223372036854775807,+9223372036854775807", decoded, 0);
        assertEquals(Byte.MAX_VALUE, schema.int8Field("a").get(decoded, 0));
        assertEquals(Short.MAX_VALUE, schema.int16Field("b").get(decoded, 0));
        assertEquals(Integer.MAX_VALUE, schema.int32Field("c").get(decoded, 0));
        assertEquals(Long.MAX_VALUE, schema.int64Field("d").get(decoded, 0));
        assertEquals(Long.MAX_VALUE, schema.timestampField("t").get(decoded, 0));

        codec.decode(SOURCE, 1, "+5,-0,007,-00000000000000000000042,0", decoded, 0);
        assertEquals(5, schema.int8Field("a").get(decoded, 0));
        assertEquals(0, schema.int16Field("b").get(decoded, 0));
        assertEquals(7, schema.int32Field("c").get(decoded, 0));
        assertEquals(-42, schema.int64Field("d").get(decoded, 0));
        assertEquals(0, schema.timestampField("t").get(decoded, 0));
    }

    @Test
    void shouldDecodeBooleansInAnyCaseOrAsOneAndZero()
    {
        final Schema schema = Schema.builder("b").bool("flag").build();
        final BooleanField flag = schema.booleanField("flag");
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer decoded = new UnsafeBuffer(new byte[1]);

        for (final String text : new String[]{ "true", "TRUE", "True", "tRuE", "1", "\"true\"", "\"1\"" })
        {
            decoded.putByte(0, (byte)0);
            codec.decode(SOURCE, 1, text, decoded, 0);
            assertTrue(flag.get(decoded, 0), text);
            assertEquals(1, decoded.getByte(0), text);
        }
        for (final String text : new String[]{ "false", "FALSE", "False", "fAlSe", "0", "\"false\"" })
        {
            decoded.putByte(0, (byte)1);
            codec.decode(SOURCE, 1, text, decoded, 0);
            assertFalse(flag.get(decoded, 0), text);
            assertEquals(0, decoded.getByte(0), text);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Header, line endings, quoting
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldWriteAndRecogniseHeader()
    {
        final CsvCodec comma = new CsvCodec(tradeSchema());
        final CsvCodec tab = new CsvCodec(tradeSchema(), '\t');

        assertEquals("sym,qty,price,buy,ts", comma.header());
        assertEquals("sym\tqty\tprice\tbuy\tts", tab.header());
        assertSame(comma.schema(), comma.schema());
        assertEquals("trade", comma.schema().name());

        assertTrue(isHeader(comma, "sym,qty,price,buy,ts"));
        assertTrue(isHeader(comma, "sym,qty,price,buy,ts\r"));
        assertTrue(isHeader(tab, "sym\tqty\tprice\tbuy\tts"));
        assertTrue(isHeader(tab, "sym\tqty\tprice\tbuy\tts\r"));
        assertFalse(isHeader(comma, "sym\tqty\tprice\tbuy\tts"));
        assertFalse(isHeader(tab, "sym,qty,price,buy,ts"));
        assertFalse(isHeader(comma, GOOD_TRADE));
        assertFalse(isHeader(comma, ""));
        assertFalse(isHeader(comma, "\r"));
        assertFalse(isHeader(comma, "sym,qty,price,buy,t"));
        assertFalse(isHeader(comma, "sym,qty,price,buy,tS"));
        assertFalse(isHeader(comma, "sym,qty,price,buy,ts,"));
        assertFalse(isHeader(comma, "sym,qty,price,buy,ts\r\r"));
        assertFalse(isHeader(comma, "SYM,QTY,PRICE,BUY,TS"));
        assertFalse(isHeader(comma, " sym,qty,price,buy,ts"));

        final byte[] bytes = "xxsym,qty,price,buy,ts\r\nIBM".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertTrue(comma.isHeader(buffer, 2, 21));
        assertTrue(comma.isHeader(buffer, 2, 20));
        assertFalse(comma.isHeader(buffer, 2, 19));
        assertFalse(comma.isHeader(buffer, 1, 21));
    }

    @Test
    void shouldAcceptCrlfLineEndings()
    {
        final Schema schema = tradeSchema();
        final CsvCodec codec = new CsvCodec(schema);
        final String file = codec.header() + "\r\n" + GOOD_TRADE + "\r\n" + "\"A,B\",7,0.5,0,-1\r\n" +
            "\"C\"\"D\",8,1.5,1,2\r\n";
        final UnsafeBuffer buffer = new UnsafeBuffer(file.getBytes(StandardCharsets.US_ASCII));
        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);

        int lineStart = 0;
        int lineNumber = 0;
        final String[] symbols = { null, "IBM", "A,B", "C\"D" };
        final int[] quantities = { 0, 100, 7, 8 };
        final long[] timestamps = { 0, 1700000000000L, -1, 2 };
        for (int i = 0; i < file.length(); i++)
        {
            if (buffer.getByte(i) == '\n')
            {
                lineNumber++;
                final int lineLength = i - lineStart;
                assertEquals('\r', buffer.getByte(i - 1));
                if (1 == lineNumber)
                {
                    assertTrue(codec.isHeader(buffer, lineStart, lineLength));
                }
                else
                {
                    assertFalse(codec.isHeader(buffer, lineStart, lineLength));
                    codec.decode(SOURCE, lineNumber, buffer, lineStart, lineLength, record, 0);
                    assertEquals(symbols[lineNumber - 1], schema.symbolField("sym").getString(record, 0));
                    assertEquals(quantities[lineNumber - 1], schema.int32Field("qty").get(record, 0));
                    assertEquals(timestamps[lineNumber - 1], schema.timestampField("ts").get(record, 0));
                }
                lineStart = i + 1;
            }
        }
        assertEquals(4, lineNumber);

        codec.decode(SOURCE, 1, GOOD_TRADE + "\r", record, 0);
        assertEquals(1700000000000L, schema.timestampField("ts").get(record, 0));
        codec.decode(SOURCE, 1, "\"X\",1,2.5,true,\"3\"\r", record, 0);
        assertEquals(3L, schema.timestampField("ts").get(record, 0));
        assertEquals(2.5, schema.float64Field("price").get(record, 0));
    }

    @Test
    void shouldAcceptQuotedNumericAndBooleanFields()
    {
        final Schema schema = allTypes();
        final AllFields f = new AllFields(schema);
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);

        codec.decode(SOURCE, 1, "\"IBM\",\"-1\",\"-2\",\"3\",\"4\",\"X\",\"1.5\",\"123.45\",\"TRUE\",\"-5\",\"n\"",
            record, 0);
        assertEquals("IBM", f.sym.getString(record, 0));
        assertEquals(-1, f.i8.get(record, 0));
        assertEquals(-2, f.i16.get(record, 0));
        assertEquals(3, f.i32.get(record, 0));
        assertEquals(4L, f.i64.get(record, 0));
        assertEquals("X", f.mid.getString(record, 0));
        assertEquals(1.5f, f.f32.get(record, 0));
        assertEquals(123.45, f.f64.get(record, 0));
        assertTrue(f.flag.get(record, 0));
        assertEquals(-5L, f.ts.get(record, 0));
        assertEquals("n", f.note.getString(record, 0));

        codec.decode(SOURCE, 1, "IBM,-1,\"-2\",3,\"4\",X,1.5,\"123.45\",TRUE,\"-5\",n", record, 0);
        assertEquals(-2, f.i16.get(record, 0));
        assertEquals(123.45, f.f64.get(record, 0));
    }

    @Test
    void shouldDecodeLinesAtAnyOffsetWithoutTouchingBytesOutsideTheRecord()
    {
        final Schema schema = tradeSchema();
        final CsvCodec codec = new CsvCodec(schema);
        final int length = schema.recordLength();
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final MemorySegment segment = manager.allocate("csv-test", 4096);
            final UnsafeBuffer buffer = segment.buffer();
            buffer.setMemory(0, buffer.capacity(), FILL);
            final int lineOffset = 1000;
            final int lineLength = buffer.putStringWithoutLengthAscii(lineOffset, "\"A\"\"\",1,2,0,3");
            for (int recordOffset = 0; recordOffset < 64; recordOffset += 7)
            {
                codec.decode(SOURCE, 1, buffer, lineOffset, lineLength, buffer, recordOffset);
                assertEquals("A\"", schema.symbolField("sym").getString(buffer, recordOffset));
                assertEquals(0, buffer.getByte(recordOffset + schema.field("sym").offset() + 2));
                assertEquals(0, buffer.getByte(recordOffset + schema.field("sym").offset() + 3));
                assertEquals(3L, schema.timestampField("ts").get(buffer, recordOffset));
                final int end = recordOffset + length;
                assertFillAround(buffer, recordOffset, length, () -> "record at " + end);
                buffer.setMemory(recordOffset, length, FILL);
            }
            segment.release();
        }
    }

    @Test
    void shouldRejectDelimitersThatCannotBeUsed()
    {
        for (final char delimiter : new char[]{ '"', '\r', '\n', '\0', '\u00e9', '\u20ac' })
        {
            assertThrows(IllegalArgumentException.class, () -> new CsvCodec(tradeSchema(), delimiter),
                "delimiter " + (int)delimiter);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Malformed input: one test per kind
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRejectTooFewColumns()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        MalformedRecordException ex = assertMalformed(codec, 7, "IBM,100,123.45", 4, "buy");
        assertReason(ex, "wrong column count", "expected 5", "found 3");

        ex = assertMalformed(codec, 8, "IBM", 2, "qty");
        assertReason(ex, "wrong column count", "expected 5", "found 1");

        ex = assertMalformed(codec, 9, "IBM,100,123.45,true\r", 5, "ts");
        assertReason(ex, "wrong column count", "expected 5", "found 4");

        ex = assertMalformed(codec, 10, "IBM,100,123.45,\"true\"", 5, "ts");
        assertReason(ex, "wrong column count", "expected 5", "found 4");

        ex = assertMalformed(codec, 11, "IBM,100,\"123.45\"", 4, "buy");
        assertReason(ex, "wrong column count", "expected 5", "found 3");
    }

    @Test
    void shouldRejectTooManyColumns()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        MalformedRecordException ex = assertMalformed(codec, 7, GOOD_TRADE + ",extra", 6, null);
        assertReason(ex, "wrong column count", "expected 5", "found 6");

        ex = assertMalformed(codec, 8, GOOD_TRADE + ",extra,more", 6, null);
        assertReason(ex, "wrong column count", "expected 5", "found 7");

        ex = assertMalformed(codec, 9, GOOD_TRADE + ",", 6, null);
        assertReason(ex, "wrong column count", "expected 5", "found 6");

        ex = assertMalformed(codec, 10, GOOD_TRADE + ",\"a,b\"\r", 6, null);
        assertReason(ex, "wrong column count", "expected 5", "found 6");

        ex = assertMalformed(codec, 11, "IBM,100,123.45,true,\"1\",2", 6, null);
        assertReason(ex, "wrong column count", "expected 5", "found 6");
    }

    @Test
    void shouldRejectTextThatIsNotANumber()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());
        final String[] notIntegers = { "12a", " 12", "12 ", "1e", "--1", "-", "+", "+-1", "1.0", "0x10", "1_000",
            "\u0661", "１", "1e5", "١٢", "NaN", "Infinity" };
        for (final String text : notIntegers)
        {
            final MalformedRecordException ex = assertMalformed(codec, 3, "IBM," + text + ",123.45,true,1", 2, "qty");
            assertReason(ex, "not a number", "int32");
        }
        for (final String text : new String[]{ "12a", "x", " 1", "2024-01-01", "1.5", "1e3" })
        {
            final MalformedRecordException ex = assertMalformed(codec, 4, "IBM,1,1.0,true," + text, 5, "ts");
            assertReason(ex, "not a number", "timestamp", "milliseconds");
        }

        final String[] notFloats = { "12a", " 1.5", "1.5 ", "1e", "1E", "1e+", "1e-", "--1", "-", "+", ".", "-.",
            "e5", ".e5", "1.2.3", "1e5.5", "1e5e5", "inf", "infinity", "nan", "-NaN", "NaNa", "Infinityx", "1.5f",
            "1.5d", "0x1p3", "1.5E--2", "\u0661.5", "12345678901234567890x" };
        for (final String text : notFloats)
        {
            final MalformedRecordException ex = assertMalformed(codec, 5, "IBM,1," + text + ",true,1", 3, "price");
            assertReason(ex, "not a number", "float64");
        }

        final Schema floats = Schema.builder("f").float32("a").int8("b").int16("c").int64("d").build();
        final CsvCodec floatCodec = new CsvCodec(floats);
        assertReason(assertMalformed(floatCodec, 1, "1e,1,1,1", 1, "a"), "not a number", "float32");
        assertReason(assertMalformed(floatCodec, 1, "1,a,1,1", 2, "b"), "not a number", "int8");
        assertReason(assertMalformed(floatCodec, 1, "1,1,1.,1", 3, "c"), "not a number", "int16");
        assertReason(assertMalformed(floatCodec, 1, "1,1,1,--1", 4, "d"), "not a number", "int64");
    }

    @Test
    void shouldRejectNumbersOutOfRange()
    {
        final Schema schema = Schema.builder("ranges").int8("i8").int16("i16").int32("i32").int64("i64")
            .timestamp("ts", NANOSECONDS).float32("f32").float64("f64").build();
        final CsvCodec codec = new CsvCodec(schema);
        final String[] names = { "i8", "i16", "i32", "i64", "ts", "f32", "f64" };
        final String[] types = { "int8", "int16", "int32", "int64", "timestamp", "float32", "float64" };
        final String[][] outOfRange = {
            { "300", "128", "-129", "1000000000000000000000" },
            { "40000", "32768", "-32769" },
            { "2147483648", "-2147483649", "99999999999" },
            { "9223372036854775808", "-9223372036854775809", "99999999999999999999" },
            { "9223372036854775808", "-9223372036854775809" },
            { "1e39", "-1e39", "3.5e38", "1e400" },
            { "1e309", "-1e309", "1.8e308", "1e99999999999" },
        };
        for (int column = 0; column < names.length; column++)
        {
            for (final String text : outOfRange[column])
            {
                final String[] values = { "0", "0", "0", "0", "0", "0", "0" };
                values[column] = text;
                final MalformedRecordException ex =
                    assertMalformed(codec, 42, String.join(",", values), column + 1, names[column]);
                assertReason(ex, "out of range", types[column], "'" + text + "'");
            }
        }
    }

    @Test
    void shouldRejectOutOfRangeFloatWhoseLongExponentIsOffsetByLeadingZeros()
    {
        // 0.(99,999 zeros)1e1000000 is 1e900000. The exponent has more digits than the parser accumulates; cutting it
        // short to 100000 would let the leading zeros cancel it and the fast path answer 1.0.
        final String zeros = "0".repeat(99_999);
        final String huge = "0." + zeros + "1e1000000";
        assertEquals(Double.POSITIVE_INFINITY, Double.parseDouble(huge));
        assertEquals(Float.POSITIVE_INFINITY, Float.parseFloat(huge));

        final Schema schema = Schema.builder("p").float64("d").float32("f").build();
        final CsvCodec codec = new CsvCodec(schema);
        assertReason(assertMalformed(codec, 3, huge + ",1", 1, "d"), "out of range", "float64");
        assertReason(assertMalformed(codec, 4, "1," + huge, 2, "f"), "out of range", "float32");
        assertReason(assertMalformed(codec, 5, "0." + zeros + "1e1000000000000,1", 1, "d"), "out of range");

        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);
        final String tenBillion = "0." + zeros + "1e100010";
        codec.decode(SOURCE, 6, tenBillion + ',' + tenBillion, record, 0);
        assertEquals(1e10, schema.float64Field("d").get(record, 0));
        assertEquals(1e10f, schema.float32Field("f").get(record, 0));
        final String tiny = "0." + zeros + "1e-1000000";
        codec.decode(SOURCE, 7, tiny + ',' + tiny, record, 0);
        assertEquals(0.0, schema.float64Field("d").get(record, 0));
        assertEquals(0.0f, schema.float32Field("f").get(record, 0));
    }

    @Test
    void shouldRejectSymbolLongerThanField()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        MalformedRecordException ex = assertMalformed(codec, 12, "ABCDE,100,123.45,true,1", 1, "sym");
        assertReason(ex, "symbol too long", "5 characters", "at most 4", "'ABCDE'");

        ex = assertMalformed(codec, 13, "\"AB\"\"CD\",100,123.45,true,1", 1, "sym");
        assertReason(ex, "symbol too long", "5 characters", "at most 4");

        ex = assertMalformed(codec, 14, "\"A,BCD\",100,123.45,true,1", 1, "sym");
        assertReason(ex, "symbol too long", "5 characters");

        final UnsafeBuffer record = new UnsafeBuffer(new byte[tradeSchema().recordLength()]);
        codec.decode(SOURCE, 1, "\"AB\"\"C\",100,123.45,true,1", record, 0);
        assertEquals("AB\"C", tradeSchema().symbolField("sym").getString(record, 0));
        codec.decode(SOURCE, 1, "ABCD,100,123.45,true,1", record, 0);
        assertEquals("ABCD", tradeSchema().symbolField("sym").getString(record, 0));
    }

    @Test
    void shouldRejectSymbolThatIsNotAscii()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        MalformedRecordException ex = assertMalformed(codec, 2, "IB\u00e9,100,123.45,true,1", 1, "sym");
        assertReason(ex, "not ASCII", "character 3");

        ex = assertMalformed(codec, 2, "\"\u00e9\",100,123.45,true,1", 1, "sym");
        assertReason(ex, "not ASCII", "character 1");

        final UnsafeBuffer record = new UnsafeBuffer(new byte[tradeSchema().recordLength()]);
        final byte[][] lines = {
            { 'A', (byte)0x80, ',', '1', ',', '1', ',', '1', ',', '1' },
            { 'A', (byte)0xFF, ',', '1', ',', '1', ',', '1', ',', '1' },
            { 'A', 0, ',', '1', ',', '1', ',', '1', ',', '1' },
        };
        for (final byte[] bytes : lines)
        {
            final MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> codec.decode(SOURCE, 5, new UnsafeBuffer(bytes), 0, bytes.length, record, 0));
            assertException(e, 5, 1, "sym");
            assertReason(e, "not ASCII", "character 2");
        }
    }

    @Test
    void shouldRoundTripEmptySymbolAsQuotedEmptyField()
    {
        final Schema schema = Schema.builder("q").symbol("sym", 4).int32("qty").build();
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);
        record.setMemory(0, schema.recordLength(), (byte)'x');
        codec.decode("test", 1, "\"\",7", record, 0);
        assertEquals(0, schema.symbolField("sym").length(record, 0));
        assertEquals(7, schema.int32Field("qty").get(record, 0));
        assertEquals("\"\",7", codec.encode(record, 0, new StringBuilder()).toString());
    }

    @Test
    void shouldRejectBadBoolean()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());
        for (final String text : new String[]{ "yes", "no", "2", "-1", "T", "F", "tru", "truee", "fals", "on",
            " true", "true ", "10", "\"ye\"\"s\"" })
        {
            final MalformedRecordException ex =
                assertMalformed(codec, 99, "IBM,100,123.45," + text + ",1", 4, "buy");
            assertReason(ex, "bad boolean", "true, false, 1 or 0");
        }
        final MalformedRecordException ex = assertMalformed(codec, 99, "IBM,100,123.45,yes,1", 4, "buy");
        assertReason(ex, "'yes'");
    }

    @Test
    void shouldRejectEmptyField()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        assertReason(assertMalformed(codec, 21, ",100,123.45,true,1", 1, "sym"), "empty field", "symbol");
        assertReason(assertMalformed(codec, 22, "IBM,,123.45,true,1", 2, "qty"), "empty field", "int32");
        assertReason(assertMalformed(codec, 23, "IBM,100,,true,1", 3, "price"), "empty field", "float64");
        assertReason(assertMalformed(codec, 24, "IBM,100,123.45,,1", 4, "buy"), "empty field", "boolean");
        assertReason(assertMalformed(codec, 25, "IBM,100,123.45,true,", 5, "ts"), "empty field", "timestamp");
        assertReason(assertMalformed(codec, 26, "IBM,100,123.45,true,\r", 5, "ts"), "empty field");
        assertReason(assertMalformed(codec, 27, "IBM,\"\",123.45,true,1", 2, "qty"), "empty field");
        assertReason(assertMalformed(codec, 29, "", 1, "sym"), "empty field");
    }

    @Test
    void shouldRejectUnterminatedQuote()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        assertReason(assertMalformed(codec, 31, "\"IBM,100,123.45,true,1", 1, "sym"), "unterminated quote");
        assertReason(assertMalformed(codec, 32, "IBM,\"100,123.45,true,1", 2, "qty"), "unterminated quote");
        assertReason(assertMalformed(codec, 33, "IBM,100,123.45,true,\"1", 5, "ts"), "unterminated quote");
        assertReason(assertMalformed(codec, 34, "IBM,100,123.45,true,\"1\r", 5, "ts"), "unterminated quote");
        assertReason(assertMalformed(codec, 35, "\"AB\"\",100,123.45,true,1", 1, "sym"), "unterminated quote");
        assertReason(assertMalformed(codec, 36, "\"", 1, "sym"), "unterminated quote");
        assertReason(assertMalformed(codec, 37, "\"AB\"\"", 1, "sym"), "unterminated quote");
    }

    @Test
    void shouldRejectCharacterAfterClosingQuote()
    {
        final CsvCodec codec = new CsvCodec(tradeSchema());

        assertReason(assertMalformed(codec, 41, "\"IBM\"X,100,123.45,true,1", 1, "sym"),
            "after closing quote", "'X'");
        assertReason(assertMalformed(codec, 42, "IBM,\"100\" ,123.45,true,1", 2, "qty"),
            "after closing quote", "' '");
        assertReason(assertMalformed(codec, 43, "IBM,100,123.45,true,\"1\"2", 5, "ts"),
            "after closing quote", "'2'");
        assertReason(assertMalformed(codec, 44, "\"AB\"\"C\"D,100,123.45,true,1", 1, "sym"),
            "after closing quote", "'D'");
    }

    @Test
    void shouldKeepDecodingAfterAMalformedLine()
    {
        final Schema schema = tradeSchema();
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[schema.recordLength()]);
        final String[] bad = { "\"IBM", "IBM,1", "IBM,1,1,1,1,1", "IBM,x,1,1,1", "IBM,1,1,maybe,1", "\"A\"\"B\"x" };
        for (final String line : bad)
        {
            assertThrows(MalformedRecordException.class, () -> codec.decode(SOURCE, 1, line, record, 0), line);
            codec.decode(SOURCE, 2, "\"Q\",5,0.25,false,9", record, 0);
            assertEquals("Q", schema.symbolField("sym").getString(record, 0));
            assertEquals(5, schema.int32Field("qty").get(record, 0));
            assertEquals(0.25, schema.float64Field("price").get(record, 0));
            assertFalse(schema.booleanField("buy").get(record, 0));
            assertEquals(9L, schema.timestampField("ts").get(record, 0));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Allocation
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldDecodeWellFormedLinesWithoutAllocating()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "thread allocation accounting is off");

        final Schema schema = Schema.builder("alloc")
            .symbol("sym", 8)
            .int8("side")
            .int16("lots")
            .int32("qty")
            .int64("id")
            .float64("price")
            .float32("size")
            .bool("buy")
            .timestamp("ts", NANOSECONDS)
            .symbol("venue", 6)
            .build();
        final CsvCodec codec = new CsvCodec(schema);
        final UnsafeBuffer[] lines = {
            ascii("IBM,-3,1200,100,9000000000123,123.45,2.5,true,1700000000123456789,XNYS"),
            ascii("\"MS,FT\",127,-32768,-2147483648,-9223372036854775808,-0.5,100,FALSE,0,\"X\"\"Y\"\r"),
            ascii("\"A\",0,1,2,3,99.99,0.125,1,-1700000000123456789,\"ARCA\""),
        };

        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final MemorySegment segment = manager.allocate("csv-test", 4096);
            final UnsafeBuffer record = segment.buffer();
            final int length = schema.recordLength();

            for (int i = 0; i < 100_000; i++)
            {
                final UnsafeBuffer line = lines[i % lines.length];
                codec.decode(SOURCE, i, line, 0, line.capacity(), record, (i & 7) * length);
            }

            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++)
            {
                final UnsafeBuffer line = lines[i % lines.length];
                codec.decode(SOURCE, i, line, 0, line.capacity(), record, (i & 7) * length);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertTrue(allocated < 1024, "decoding 100,000 lines allocated " + allocated + " bytes");

            codec.decode(SOURCE, 1, lines[1], 0, lines[1].capacity(), record, 0);
            assertEquals("MS,FT", schema.symbolField("sym").getString(record, 0));
            assertEquals(Long.MIN_VALUE, schema.int64Field("id").get(record, 0));
            assertEquals(-0.5, schema.float64Field("price").get(record, 0));
            assertEquals(100.0f, schema.float32Field("size").get(record, 0));
            assertEquals("X\"Y", schema.symbolField("venue").getString(record, 0));
            codec.decode(SOURCE, 1, lines[0], 0, lines[0].capacity(), record, 0);
            assertEquals(123.45, schema.float64Field("price").get(record, 0));
            assertEquals(1700000000123456789L, schema.timestampField("ts").get(record, 0));
            segment.release();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Decode a malformed line both from a string and from bytes at an offset, and check where the error is reported.
     */
    private static MalformedRecordException assertMalformed(
        final CsvCodec codec, final long lineNumber, final String line, final int column, final String fieldName)
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[codec.schema().recordLength()]);
        final MalformedRecordException fromString = assertThrows(MalformedRecordException.class,
            () -> codec.decode(SOURCE, lineNumber, line, record, 0), () -> "no error for " + escape(line));
        assertException(fromString, lineNumber, column, fieldName);

        final byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[utf8.length + 10]);
        bytes.setMemory(0, bytes.capacity(), (byte)',');
        bytes.putBytes(3, utf8);
        final MalformedRecordException fromBytes = assertThrows(MalformedRecordException.class,
            () -> codec.decode(SOURCE, lineNumber, bytes, 3, utf8.length, record, 0),
            () -> "no error for bytes of " + escape(line));
        assertException(fromBytes, lineNumber, column, fieldName);
        assertEquals(fromString.getMessage(), fromBytes.getMessage());
        return fromString;
    }

    private static void assertException(
        final MalformedRecordException ex, final long lineNumber, final int column, final String fieldName)
    {
        final String message = ex.getMessage();
        assertEquals(SOURCE, ex.source(), message);
        assertEquals(lineNumber, ex.lineNumber(), message);
        assertEquals(column, ex.column(), message);
        if (null == fieldName)
        {
            assertNull(ex.fieldName(), message);
        }
        else
        {
            assertEquals(fieldName, ex.fieldName(), message);
            assertTrue(message.contains("(" + fieldName + ")"), message);
        }
        assertTrue(message.startsWith(SOURCE + " line " + lineNumber + ", column " + column), message);
        assertTrue(message.endsWith(ex.reason()), message);
    }

    private static void assertReason(final MalformedRecordException ex, final String... parts)
    {
        for (final String part : parts)
        {
            assertTrue(ex.reason().contains(part), () -> "reason lacks '" + part + "': " + ex.reason());
            assertTrue(ex.getMessage().contains(part), () -> "message lacks '" + part + "': " + ex.getMessage());
        }
    }

    private static boolean isHeader(final CsvCodec codec, final String line)
    {
        final byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        return codec.isHeader(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void assertFillAround(
        final DirectBuffer buffer, final int offset, final int length, final Supplier<String> context)
    {
        for (int i = Math.max(0, offset - 8); i < offset; i++)
        {
            assertEquals(FILL, buffer.getByte(i), context);
        }
        for (int i = offset + length; i < offset + length + 8; i++)
        {
            assertEquals(FILL, buffer.getByte(i), context);
        }
    }

    private static void assertSameDouble(final double expected, final double actual, final Supplier<String> context)
    {
        if (Double.isNaN(expected))
        {
            assertTrue(Double.isNaN(actual), context);
        }
        else
        {
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                () -> context.get() + " decoded=" + actual);
        }
    }

    private static void assertSameFloat(final float expected, final float actual, final Supplier<String> context)
    {
        if (Float.isNaN(expected))
        {
            assertTrue(Float.isNaN(actual), context);
        }
        else
        {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                () -> context.get() + " decoded=" + actual);
        }
    }

    private static double randomDouble(final Random random)
    {
        final double sign = random.nextBoolean() ? 1.0 : -1.0;
        switch (random.nextInt(9))
        {
            case 0:
                return Double.longBitsToDouble(random.nextLong());
            case 1:
                return Double.longBitsToDouble(random.nextLong() & 0x800FFFFFFFFFFFFFL);
            case 2:
                return sign * random.nextInt(10_000_000) / 100.0;
            case 3:
                return sign * (random.nextInt(100_000) + random.nextInt(10_000) / 10_000.0);
            case 4:
                return sign * random.nextDouble() * Math.pow(10, random.nextInt(44) - 22);
            case 5:
                return sign * Math.scalb(1.0 + random.nextDouble(), random.nextInt(2046) - 1022);
            case 6:
                return DOUBLE_EDGES[random.nextInt(DOUBLE_EDGES.length)];
            case 7:
                return Double.longBitsToDouble(random.nextLong() & 0x80FFFFFFFFFFFFFFL | 0x7F00000000000000L);
            default:
                return (double)(random.nextLong() >> random.nextInt(64));
        }
    }

    private static float randomFloat(final Random random)
    {
        final float sign = random.nextBoolean() ? 1.0f : -1.0f;
        switch (random.nextInt(9))
        {
            case 0:
                return Float.intBitsToFloat(random.nextInt());
            case 1:
                return Float.intBitsToFloat(random.nextInt() & 0x807FFFFF);
            case 2:
                return sign * random.nextInt(1_000_000) / 100.0f;
            case 3:
                return (float)(sign * random.nextInt(10_000_000) / 100.0);
            case 4:
                return sign * random.nextFloat() * (float)Math.pow(10, random.nextInt(20) - 10);
            case 5:
                return sign * Math.scalb(1.0f + random.nextFloat(), random.nextInt(254) - 126);
            case 6:
                return FLOAT_EDGES[random.nextInt(FLOAT_EDGES.length)];
            case 7:
                return Float.intBitsToFloat(random.nextInt() & 0x80FFFFFF | 0x7E000000);
            default:
                return (float)(random.nextInt() >> random.nextInt(32));
        }
    }

    /**
     * Random decimal text in the codec's grammar: prices, short and long mantissas, leading zeros, exponents.
     */
    private static String randomDecimal(final Random random)
    {
        final StringBuilder sb = new StringBuilder();
        final int sign = random.nextInt(10);
        if (sign < 3)
        {
            sb.append('-');
        }
        else if (sign == 3)
        {
            sb.append('+');
        }
        switch (random.nextInt(4))
        {
            case 0:
                // A price: up to 7 integer digits, 1 to 4 decimals.
                sb.append(random.nextInt(10_000_000));
                sb.append('.');
                appendDigits(random, sb, 1 + random.nextInt(4));
                break;
            case 1:
                // A short mantissa, with or without a point, and a small exponent: Clinger's fast path.
                final int digits = 1 + random.nextInt(9);
                appendDigits(random, sb, digits);
                if (random.nextBoolean())
                {
                    sb.insert(sb.length() - random.nextInt(digits + 1), '.');
                }
                if (random.nextBoolean())
                {
                    sb.append(random.nextBoolean() ? 'e' : 'E').append(random.nextInt(50) - 25);
                }
                break;
            case 2:
                // Up to 25 digits on either side of the point, leading zeros allowed.
                final int integerDigits = random.nextInt(26);
                final int fractionDigits = random.nextInt(26);
                appendDigits(random, sb, integerDigits);
                if (0 == integerDigits || random.nextBoolean())
                {
                    sb.append('.');
                    appendDigits(random, sb, Math.max(0 == integerDigits ? 1 : 0, fractionDigits));
                }
                break;
            default:
                // Any exponent, including ones that overflow or underflow.
                appendDigits(random, sb, 1 + random.nextInt(18));
                if (random.nextBoolean())
                {
                    sb.append('.');
                    appendDigits(random, sb, random.nextInt(18));
                }
                sb.append(random.nextBoolean() ? 'e' : 'E');
                final int exponentSign = random.nextInt(3);
                sb.append(0 == exponentSign ? "-" : 1 == exponentSign ? "+" : "");
                if (random.nextInt(8) == 0)
                {
                    sb.append("000");
                }
                sb.append(random.nextInt(400));
                break;
        }
        return sb.toString();
    }

    private static void appendDigits(final Random random, final StringBuilder sb, final int count)
    {
        final boolean leadingZeros = random.nextInt(4) == 0;
        for (int i = 0; i < count; i++)
        {
            sb.append((char)('0' + (leadingZeros && i < count / 2 ? 0 : random.nextInt(10))));
        }
    }

    private static String randomSymbol(final Random random, final int width)
    {
        final int length = 1 + random.nextInt(width);
        final StringBuilder sb = new StringBuilder(length);
        final int style = random.nextInt(3);
        for (int i = 0; i < length; i++)
        {
            final char c;
            if (0 == style)
            {
                c = (char)('A' + random.nextInt(26));
            }
            else if (1 == style)
            {
                c = SPECIAL_CHARACTERS.charAt(random.nextInt(SPECIAL_CHARACTERS.length()));
            }
            else
            {
                c = (char)(1 + random.nextInt(127));
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static long randomLong(final Random random, final long min, final long max)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return min;
            case 1:
                return max;
            case 2:
                return random.nextInt(201) - 100;
            default:
                final long value = random.nextLong() >> random.nextInt(64);
                return Math.max(min, Math.min(max, value));
        }
    }

    private static String escape(final String value)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length(); i++)
        {
            if (sb.length() >= 200)
            {
                return sb.append("... (").append(value.length()).append(" characters)").toString();
            }
            final char c = value.charAt(i);
            if (c < 32 || c >= 127)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The handles of {@link #allTypes()}, with random filling and comparison of records.
     */
    private static final class AllFields
    {
        final SymbolField sym;
        final Int8Field i8;
        final Int16Field i16;
        final Int32Field i32;
        final Int64Field i64;
        final SymbolField mid;
        final Float32Field f32;
        final Float64Field f64;
        final BooleanField flag;
        final TimestampField ts;
        final SymbolField note;

        AllFields(final Schema schema)
        {
            sym = schema.symbolField("sym");
            i8 = schema.int8Field("i8");
            i16 = schema.int16Field("i16");
            i32 = schema.int32Field("i32");
            i64 = schema.int64Field("i64");
            mid = schema.symbolField("mid");
            f32 = schema.float32Field("f32");
            f64 = schema.float64Field("f64");
            flag = schema.booleanField("flag");
            ts = schema.timestampField("ts");
            note = schema.symbolField("note");
        }

        void randomise(final Random random, final MutableDirectBuffer buffer, final int offset)
        {
            sym.put(buffer, offset, randomSymbol(random, sym.width()));
            i8.put(buffer, offset, (byte)randomLong(random, Byte.MIN_VALUE, Byte.MAX_VALUE));
            i16.put(buffer, offset, (short)randomLong(random, Short.MIN_VALUE, Short.MAX_VALUE));
            i32.put(buffer, offset, (int)randomLong(random, Integer.MIN_VALUE, Integer.MAX_VALUE));
            i64.put(buffer, offset, randomLong(random, Long.MIN_VALUE, Long.MAX_VALUE));
            mid.put(buffer, offset, randomSymbol(random, mid.width()));
            f32.put(buffer, offset, randomFloat(random));
            f64.put(buffer, offset, randomDouble(random));
            flag.put(buffer, offset, random.nextBoolean());
            ts.put(buffer, offset, randomLong(random, Long.MIN_VALUE, Long.MAX_VALUE));
            note.put(buffer, offset, randomSymbol(random, note.width()));
        }

        void assertSameRecord(
            final DirectBuffer expected,
            final int expectedOffset,
            final DirectBuffer actual,
            final int actualOffset,
            final Supplier<String> context)
        {
            assertEquals(sym.getString(expected, expectedOffset), sym.getString(actual, actualOffset), context);
            assertEquals(i8.get(expected, expectedOffset), i8.get(actual, actualOffset), context);
            assertEquals(i16.get(expected, expectedOffset), i16.get(actual, actualOffset), context);
            assertEquals(i32.get(expected, expectedOffset), i32.get(actual, actualOffset), context);
            assertEquals(i64.get(expected, expectedOffset), i64.get(actual, actualOffset), context);
            assertEquals(mid.getString(expected, expectedOffset), mid.getString(actual, actualOffset), context);
            assertSameFloat(f32.get(expected, expectedOffset), f32.get(actual, actualOffset), context);
            assertSameDouble(f64.get(expected, expectedOffset), f64.get(actual, actualOffset), context);
            assertEquals(flag.get(expected, expectedOffset), flag.get(actual, actualOffset), context);
            assertEquals(ts.get(expected, expectedOffset), ts.get(actual, actualOffset), context);
            assertEquals(note.getString(expected, expectedOffset), note.getString(actual, actualOffset), context);
            for (final SymbolField symbol : new SymbolField[]{ sym, mid, note })
            {
                final int length = symbol.length(actual, actualOffset);
                for (int i = length; i < symbol.width(); i++)
                {
                    assertEquals(0, actual.getByte(actualOffset + symbol.offset() + i), context);
                }
            }
        }
    }
}
