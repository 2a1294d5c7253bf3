package io.ferrite.memory.schema;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;

class SchemaTest
{
    private static final long BUDGET = 1024 * 1024;
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final byte FILL = (byte)0xA5;

    private static Schema tradeSchema(final String name)
    {
        return Schema.builder(name)
            .symbol("sym", 8)
            .float64("price")
            .int32("qty")
            .timestamp("ts", MILLISECONDS)
            .bool("buy")
            .build();
    }

    private static Schema allTypes()
    {
        return Schema.builder("all")
            .int8("i8")
            .int16("i16")
            .int32("i32")
            .int64("i64")
            .float32("f32")
            .float64("f64")
            .bool("flag")
            .timestamp("ts", NANOSECONDS)
            .symbol("sym", 6)
            .build();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Layout
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldDeriveAFieldOfTheSameTypeWidthAndUnitWithLike()
    {
        final Schema source = Schema.builder("source").timestamp("t", MICROSECONDS).symbol("sym", 12).int16("n")
            .float32("f").build();
        final Schema.Builder builder = Schema.builder("derived");
        for (final Field field : source.fields())
        {
            builder.like("copy_" + field.name(), field);
        }
        final Schema derived = builder.build();
        for (final Field field : source.fields())
        {
            final Field copy = derived.field("copy_" + field.name());
            assertEquals(field.type(), copy.type(), field.name());
            assertEquals(field.width(), copy.width(), field.name());
        }
        assertEquals(MICROSECONDS, derived.timestampField("copy_t").unit());
        assertEquals(source.recordLength(), derived.recordLength());
    }

    @Test
    void shouldLayOutTradeSchemaAsDocumentedInJavadoc()
    {
        final Schema schema = tradeSchema("trade");

        assertEquals(29, schema.recordLength());
        assertEquals(5, schema.fieldCount());
        assertEquals(0, schema.field("price").offset());
        assertEquals(8, schema.field("ts").offset());
        assertEquals(16, schema.field("qty").offset());
        assertEquals(20, schema.field("buy").offset());
        assertEquals(21, schema.field("sym").offset());

        assertEquals(8, schema.field("price").width());
        assertEquals(8, schema.field("ts").width());
        assertEquals(4, schema.field("qty").width());
        assertEquals(1, schema.field("buy").width());
        assertEquals(8, schema.field("sym").width());

        assertEquals(List.of("price", "ts", "qty", "buy", "sym"), names(schema.fieldsByOffset()));
        assertEquals(List.of("sym", "price", "qty", "ts", "buy"), names(schema.fields()));
    }

    @Test
    void shouldKeepDeclarationOrderAsFieldIndexAndCsvColumnOrder()
    {
        final Schema schema = tradeSchema("trade");

        final List<Field> fields = schema.fields();
        for (int i = 0; i < fields.size(); i++)
        {
            assertEquals(i, fields.get(i).index(), fields.get(i).toString());
        }
        assertEquals("sym,price,qty,ts,buy", schema.csvHeader());
        assertEquals("trade", schema.name());
    }

    @Test
    void shouldLayOutWidestFieldsFirstThenSymbolsKeepingDeclarationOrderWithinEachClass()
    {
        final Schema schema = Schema.builder("mixed")
            .int8("a")
            .symbol("s1", 3)
            .int16("b")
            .float32("c")
            .int64("d")
            .bool("e")
            .int32("f")
            .float64("g")
            .symbol("s2", 2)
            .timestamp("t", NANOSECONDS)
            .int16("h")
            .build();

        assertEquals(List.of("d", "g", "t", "c", "f", "b", "h", "a", "e", "s1", "s2"),
            names(schema.fieldsByOffset()));
        final int[] expectedOffsets = { 0, 8, 16, 24, 28, 32, 34, 36, 37, 38, 41 };
        final List<Field> byOffset = schema.fieldsByOffset();
        for (int i = 0; i < expectedOffsets.length; i++)
        {
            assertEquals(expectedOffsets[i], byOffset.get(i).offset(), byOffset.get(i).toString());
        }
        assertEquals(43, schema.recordLength());
        assertEquals(List.of("a", "s1", "b", "c", "d", "e", "f", "g", "s2", "t", "h"), names(schema.fields()));
    }

    @Test
    void shouldAlignEveryNumericFieldNaturallyAndPackFieldsWithoutGapsOrOverlap()
    {
        final Random random = new Random(SEED);
        for (int iteration = 0; iteration < 500; iteration++)
        {
            final Schema.Builder builder = Schema.builder("random");
            final int fieldCount = 1 + random.nextInt(20);
            int expectedLength = 0;
            for (int i = 0; i < fieldCount; i++)
            {
                final String name = "f" + i;
                switch (random.nextInt(9))
                {
                    case 0: builder.int8(name); expectedLength += 1; break;
                    case 1: builder.int16(name); expectedLength += 2; break;
                    case 2: builder.int32(name); expectedLength += 4; break;
                    case 3: builder.int64(name); expectedLength += 8; break;
                    case 4: builder.float32(name); expectedLength += 4; break;
                    case 5: builder.float64(name); expectedLength += 8; break;
                    case 6: builder.bool(name); expectedLength += 1; break;
                    case 7: builder.timestamp(name, MICROSECONDS); expectedLength += 8; break;
                    default:
                        final int width = 1 + random.nextInt(Schema.MAX_SYMBOL_LENGTH);
                        builder.symbol(name, width);
                        expectedLength += width;
                        break;
                }
            }
            final Schema schema = builder.build();
            final String context = "seed=" + SEED + " iteration=" + iteration + " " + schema;

            assertEquals(expectedLength, schema.recordLength(), context);
            assertEquals(fieldCount, schema.fieldCount(), context);
            int expectedOffset = 0;
            int previousAlignment = Integer.MAX_VALUE;
            int previousIndex = -1;
            for (final Field field : schema.fieldsByOffset())
            {
                assertEquals(expectedOffset, field.offset(), context);
                final int alignment = field.type() == FieldType.SYMBOL ? 0 : field.width();
                if (alignment > 0)
                {
                    assertEquals(0, field.offset() % alignment, "misaligned " + field + " " + context);
                }
                assertTrue(alignment <= previousAlignment, "wider field after narrower: " + field + " " + context);
                if (alignment == previousAlignment)
                {
                    assertTrue(field.index() > previousIndex, "declaration order lost: " + field + " " + context);
                }
                previousAlignment = alignment;
                previousIndex = field.index();
                expectedOffset += field.width();
            }
            assertEquals(schema.recordLength(), expectedOffset, context);
        }
    }

    @Test
    void shouldGiveEveryTypeItsWidth()
    {
        final Schema schema = allTypes();

        assertEquals(1, schema.field("i8").width());
        assertEquals(2, schema.field("i16").width());
        assertEquals(4, schema.field("i32").width());
        assertEquals(8, schema.field("i64").width());
        assertEquals(4, schema.field("f32").width());
        assertEquals(8, schema.field("f64").width());
        assertEquals(1, schema.field("flag").width());
        assertEquals(8, schema.field("ts").width());
        assertEquals(6, schema.field("sym").width());
        assertEquals(1 + 2 + 4 + 8 + 4 + 8 + 1 + 8 + 6, schema.recordLength());
        for (final FieldType type : FieldType.values())
        {
            if (type != FieldType.SYMBOL)
            {
                assertTrue(type.width() > 0, type.name());
            }
        }
        assertEquals(0, FieldType.SYMBOL.width());
    }

    @Test
    void shouldExposeUnmodifiableFieldLists()
    {
        final Schema schema = tradeSchema("trade");

        assertThrows(UnsupportedOperationException.class, () -> schema.fields().clear());
        assertThrows(UnsupportedOperationException.class, () -> schema.fieldsByOffset().remove(0));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fingerprint, equality
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldGiveIdenticalSchemasTheSameFingerprintAndEquality()
    {
        final Schema a = tradeSchema("trade");
        final Schema b = tradeSchema("trade");

        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(allTypes().fingerprint(), allTypes().fingerprint());
    }

    @Test
    void shouldKeepFingerprintWhenOnlySchemaNameDiffers()
    {
        final Schema a = tradeSchema("trade");
        final Schema b = tradeSchema("renamedTrade");

        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void shouldChangeFingerprintWhenAFieldNameDiffers()
    {
        final Schema base = Schema.builder("s").int64("a").int32("b").build();
        final Schema renamed = Schema.builder("s").int64("a").int32("c").build();

        assertNotEquals(base.fingerprint(), renamed.fingerprint());
        assertNotEquals(base, renamed);
    }

    @Test
    void shouldChangeFingerprintWhenAFieldTypeDiffersEvenAtTheSameWidth()
    {
        final Map<String, Function<Schema.Builder, Schema.Builder>> variants = new HashMap<>();
        variants.put("int8", (b) -> b.int8("x"));
        variants.put("bool", (b) -> b.bool("x"));
        variants.put("int16", (b) -> b.int16("x"));
        variants.put("int32", (b) -> b.int32("x"));
        variants.put("float32", (b) -> b.float32("x"));
        variants.put("int64", (b) -> b.int64("x"));
        variants.put("float64", (b) -> b.float64("x"));
        variants.put("timestampMillis", (b) -> b.timestamp("x", MILLISECONDS));
        variants.put("symbol1", (b) -> b.symbol("x", 1));
        variants.put("symbol8", (b) -> b.symbol("x", 8));

        final Map<Long, String> seen = new HashMap<>();
        for (final Map.Entry<String, Function<Schema.Builder, Schema.Builder>> e : variants.entrySet())
        {
            final Schema schema = e.getValue().apply(Schema.builder("s").int64("first")).build();
            final String previous = seen.put(schema.fingerprint(), e.getKey());
            assertNull(previous, "same fingerprint for " + e.getKey() + " and " + previous);
        }
    }

    @Test
    void shouldChangeFingerprintWhenASymbolWidthDiffers()
    {
        final Schema narrow = Schema.builder("s").symbol("sym", 8).build();
        final Schema wide = Schema.builder("s").symbol("sym", 9).build();

        assertNotEquals(narrow.fingerprint(), wide.fingerprint());
        assertNotEquals(narrow, wide);
    }

    @Test
    void shouldChangeFingerprintWhenATimestampUnitDiffers()
    {
        final Set<Long> fingerprints = new HashSet<>();
        for (final TimeUnit unit : TimeUnit.values())
        {
            assertTrue(fingerprints.add(Schema.builder("s").timestamp("ts", unit).build().fingerprint()), unit.name());
        }
    }

    @Test
    void shouldChangeFingerprintWhenFieldOrderWithinAnAlignmentClassDiffers()
    {
        final Schema ab = Schema.builder("s").int64("a").int64("b").build();
        final Schema ba = Schema.builder("s").int64("b").int64("a").build();

        assertNotEquals(ab.fingerprint(), ba.fingerprint());
        assertNotEquals(ab, ba);

        final Schema symbols = Schema.builder("s").symbol("x", 4).symbol("y", 4).build();
        final Schema swapped = Schema.builder("s").symbol("y", 4).symbol("x", 4).build();
        assertNotEquals(symbols.fingerprint(), swapped.fingerprint());
    }

    @Test
    void shouldChangeFingerprintWhenAFieldIsAddedOrRemoved()
    {
        final Schema one = Schema.builder("s").int32("a").build();
        final Schema two = Schema.builder("s").int32("a").int32("b").build();

        assertNotEquals(one.fingerprint(), two.fingerprint());
        assertNotEquals(one, two);
    }

    @Test
    void shouldTellSchemasWithDifferentCsvColumnOrderApartInEquals()
    {
        final Schema ab = Schema.builder("s").int64("a").int32("b").build();
        final Schema ba = Schema.builder("s").int32("b").int64("a").build();

        assertEquals(ab.recordLength(), ba.recordLength());
        assertNotEquals(ab, ba);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Typed handles
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldReadAndWriteInt8IncludingExtremes()
    {
        final Schema schema = allTypes();
        final Int8Field field = schema.int8Field("i8");
        withRecord(schema, (buffer, offset) ->
        {
            for (final byte value : new byte[]{ Byte.MIN_VALUE, -1, 0, 1, Byte.MAX_VALUE })
            {
                field.put(buffer, offset, value);
                assertEquals(value, field.get(buffer, offset));
                assertEquals(value, buffer.getByte(offset + field.offset()));
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
        });
    }

    @Test
    void shouldReadAndWriteInt16IncludingExtremesInNativeOrder()
    {
        final Schema schema = allTypes();
        final Int16Field field = schema.int16Field("i16");
        withRecord(schema, (buffer, offset) ->
        {
            for (final short value : new short[]{ Short.MIN_VALUE, -1, 0, 1, 0x1234, Short.MAX_VALUE })
            {
                field.put(buffer, offset, value);
                assertEquals(value, field.get(buffer, offset));
                assertEquals(value, buffer.getShort(offset + field.offset(), ByteOrder.nativeOrder()));
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
        });
    }

    @Test
    void shouldReadAndWriteInt32IncludingExtremesInNativeOrder()
    {
        final Schema schema = allTypes();
        final Int32Field field = schema.int32Field("i32");
        withRecord(schema, (buffer, offset) ->
        {
            for (final int value : new int[]{ Integer.MIN_VALUE, -1, 0, 1, 0x12345678, Integer.MAX_VALUE })
            {
                field.put(buffer, offset, value);
                assertEquals(value, field.get(buffer, offset));
                assertEquals(value, buffer.getInt(offset + field.offset(), ByteOrder.nativeOrder()));
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
        });
    }

    @Test
    void shouldReadAndWriteInt64IncludingExtremesInNativeOrder()
    {
        final Schema schema = allTypes();
        final Int64Field field = schema.int64Field("i64");
        withRecord(schema, (buffer, offset) ->
        {
            for (final long value : new long[]{ Long.MIN_VALUE, -1, 0, 1, 0x123456789ABCDEF0L, Long.MAX_VALUE })
            {
                field.put(buffer, offset, value);
                assertEquals(value, field.get(buffer, offset));
                assertEquals(value, buffer.getLong(offset + field.offset(), ByteOrder.nativeOrder()));
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
        });
    }

    @Test
    void shouldReadAndWriteFloat32IncludingNaNInfinitiesSignedZeroAndSubnormals()
    {
        final Schema schema = allTypes();
        final Float32Field field = schema.float32Field("f32");
        final float[] values = {
            0.0f, -0.0f, 1.0f, -1.5f, 123.45f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN };
        withRecord(schema, (buffer, offset) ->
        {
            for (final float value : values)
            {
                field.put(buffer, offset, value);
                final float read = field.get(buffer, offset);
                assertEquals(Float.floatToIntBits(value), Float.floatToIntBits(read), "value=" + value);
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
            field.put(buffer, offset, -0.0f);
            assertEquals(0x80000000, Float.floatToRawIntBits(field.get(buffer, offset)));
            assertEquals(0x80000000, buffer.getInt(offset + field.offset(), ByteOrder.nativeOrder()));
            field.put(buffer, offset, Float.NaN);
            assertTrue(Float.isNaN(field.get(buffer, offset)));
        });
    }

    @Test
    void shouldReadAndWriteFloat64IncludingNaNInfinitiesSignedZeroAndSubnormals()
    {
        final Schema schema = allTypes();
        final Float64Field field = schema.float64Field("f64");
        final double[] values = {
            0.0, -0.0, 1.0, -1.5, 123.45, 0.1, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
            Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN };
        withRecord(schema, (buffer, offset) ->
        {
            for (final double value : values)
            {
                field.put(buffer, offset, value);
                final double read = field.get(buffer, offset);
                assertEquals(Double.doubleToLongBits(value), Double.doubleToLongBits(read), "value=" + value);
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
            field.put(buffer, offset, -0.0);
            assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(field.get(buffer, offset)));
            assertEquals(0x8000000000000000L, buffer.getLong(offset + field.offset(), ByteOrder.nativeOrder()));
            field.put(buffer, offset, Double.NaN);
            assertTrue(Double.isNaN(field.get(buffer, offset)));
        });
    }

    @Test
    void shouldStoreBooleanAsOneOrZeroAndReadAnyNonZeroByteAsTrue()
    {
        final Schema schema = allTypes();
        final BooleanField field = schema.booleanField("flag");
        withRecord(schema, (buffer, offset) ->
        {
            field.put(buffer, offset, true);
            assertTrue(field.get(buffer, offset));
            assertEquals(1, buffer.getByte(offset + field.offset()));
            assertOnlyFieldWritten(buffer, offset, schema, field);

            field.put(buffer, offset, false);
            assertFalse(field.get(buffer, offset));
            assertEquals(0, buffer.getByte(offset + field.offset()));
            assertOnlyFieldWritten(buffer, offset, schema, field);

            for (final byte b : new byte[]{ 2, 127, -1, Byte.MIN_VALUE })
            {
                buffer.putByte(offset + field.offset(), b);
                assertTrue(field.get(buffer, offset), "byte " + b);
            }
        });
    }

    @Test
    void shouldReadAndWriteTimestampIncludingExtremesAndKeepItsUnit()
    {
        final Schema schema = allTypes();
        final TimestampField field = schema.timestampField("ts");
        assertEquals(NANOSECONDS, field.unit());
        withRecord(schema, (buffer, offset) ->
        {
            for (final long value : new long[]{ Long.MIN_VALUE, -1, 0, 1, 1_700_000_000_000_000_000L, Long.MAX_VALUE })
            {
                field.put(buffer, offset, value);
                assertEquals(value, field.get(buffer, offset));
                assertEquals(value, buffer.getLong(offset + field.offset(), ByteOrder.nativeOrder()));
                assertOnlyFieldWritten(buffer, offset, schema, field);
            }
        });
    }

    @Test
    void shouldConvertTimestampToMillisRoundingTowardNegativeInfinity()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final Schema schema = Schema.builder("times")
            .timestamp("ms", MILLISECONDS)
            .timestamp("us", MICROSECONDS)
            .timestamp("ns", NANOSECONDS)
            .timestamp("s", SECONDS)
            .timestamp("d", DAYS)
            .build();
        final TimestampField ms = schema.timestampField("ms");
        final TimestampField us = schema.timestampField("us");
        final TimestampField ns = schema.timestampField("ns");
        final TimestampField s = schema.timestampField("s");
        final TimestampField d = schema.timestampField("d");

        ms.put(buffer, 8, 1_700_000_000_123L);
        us.put(buffer, 8, 1_700_000_000_123_999L);
        ns.put(buffer, 8, 1_700_000_000_123_999_999L);
        s.put(buffer, 8, 1_700_000_000L);
        d.put(buffer, 8, 2L);
        assertEquals(1_700_000_000_123L, ms.getMillis(buffer, 8));
        assertEquals(1_700_000_000_123L, us.getMillis(buffer, 8));
        assertEquals(1_700_000_000_123L, ns.getMillis(buffer, 8));
        assertEquals(1_700_000_000_000L, s.getMillis(buffer, 8));
        assertEquals(2L * 86_400_000L, d.getMillis(buffer, 8));

        us.put(buffer, 8, -1L);
        ns.put(buffer, 8, -1L);
        s.put(buffer, 8, -1L);
        assertEquals(-1L, us.getMillis(buffer, 8));
        assertEquals(-1L, ns.getMillis(buffer, 8));
        assertEquals(-1000L, s.getMillis(buffer, 8));

        us.put(buffer, 8, -1000L);
        ns.put(buffer, 8, -1_000_001L);
        assertEquals(-1L, us.getMillis(buffer, 8));
        assertEquals(-2L, ns.getMillis(buffer, 8));
    }

    @Test
    void shouldKeepFieldsOfAdjacentRecordsIndependent()
    {
        final Schema schema = tradeSchema("trade");
        final Float64Field price = schema.float64Field("price");
        final Int32Field qty = schema.int32Field("qty");
        final SymbolField sym = schema.symbolField("sym");
        final int length = schema.recordLength();
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final MemorySegment segment = manager.allocate("schema-test", 100L * length);
            final UnsafeBuffer buffer = segment.buffer();
            for (int i = 0; i < 100; i++)
            {
                final int offset = i * length;
                price.put(buffer, offset, i + 0.25);
                qty.put(buffer, offset, -i);
                sym.put(buffer, offset, "S" + i);
            }
            for (int i = 0; i < 100; i++)
            {
                final int offset = i * length;
                assertEquals(i + 0.25, price.get(buffer, offset));
                assertEquals(-i, qty.get(buffer, offset));
                assertEquals("S" + i, sym.getString(buffer, offset));
            }
            segment.release();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lookups
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldResolveEveryTypedHandleByName()
    {
        final Schema schema = allTypes();

        assertSame(schema.field("i8"), schema.int8Field("i8"));
        assertSame(schema.field("i16"), schema.int16Field("i16"));
        assertSame(schema.field("i32"), schema.int32Field("i32"));
        assertSame(schema.field("i64"), schema.int64Field("i64"));
        assertSame(schema.field("f32"), schema.float32Field("f32"));
        assertSame(schema.field("f64"), schema.float64Field("f64"));
        assertSame(schema.field("flag"), schema.booleanField("flag"));
        assertSame(schema.field("ts"), schema.timestampField("ts"));
        assertSame(schema.field("sym"), schema.symbolField("sym"));
        assertTrue(schema.hasField("sym"));
        assertFalse(schema.hasField("nope"));
        assertFalse(schema.hasField("SYM"));
        for (final Field field : schema.fields())
        {
            assertSame(field, schema.field(field.name()));
        }
    }

    @Test
    void shouldRejectUnknownFieldNamingIt()
    {
        final Schema schema = tradeSchema("trade");

        final List<Function<String, Field>> lookups = List.of(
            schema::field, schema::int8Field, schema::int16Field, schema::int32Field, schema::int64Field,
            schema::float32Field, schema::float64Field, schema::booleanField, schema::timestampField,
            schema::symbolField);
        for (final Function<String, Field> lookup : lookups)
        {
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> lookup.apply("volume"));
            assertTrue(ex.getMessage().contains("'volume'"), ex.getMessage());
            assertTrue(ex.getMessage().contains("trade"), ex.getMessage());
        }
    }

    @Test
    void shouldRejectWrongTypeLookupNamingTheFieldAndBothTypes()
    {
        final Schema schema = allTypes();
        final List<String> names = List.of("i8", "i16", "i32", "i64", "f32", "f64", "flag", "ts", "sym");
        final List<Function<String, Field>> lookups = List.of(
            schema::int8Field, schema::int16Field, schema::int32Field, schema::int64Field, schema::float32Field,
            schema::float64Field, schema::booleanField, schema::timestampField, schema::symbolField);

        for (int f = 0; f < names.size(); f++)
        {
            for (int l = 0; l < lookups.size(); l++)
            {
                final String name = names.get(f);
                final Function<String, Field> lookup = lookups.get(l);
                if (f == l)
                {
                    assertSame(schema.field(name), lookup.apply(name));
                }
                else
                {
                    final IllegalArgumentException ex =
                        assertThrows(IllegalArgumentException.class, () -> lookup.apply(name), name);
                    assertTrue(ex.getMessage().contains("'" + name + "'"), ex.getMessage());
                    assertTrue(ex.getMessage().contains(schema.field(name).type().name()), ex.getMessage());
                }
            }
        }

        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> schema.int64Field("ts"));
        assertTrue(ex.getMessage().contains("'ts'") && ex.getMessage().contains("TIMESTAMP(NANOSECONDS)") &&
            ex.getMessage().contains("INT64"), ex.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Builder validation
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRejectDuplicateFieldNameNamingIt()
    {
        final Schema.Builder builder = Schema.builder("dup").int32("qty");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> builder.int64("qty"));
        assertTrue(ex.getMessage().contains("qty"), ex.getMessage());
        assertTrue(ex.getMessage().contains("duplicate"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.symbol("qty", 4));

        final Schema schema = builder.int64("other").build();
        assertEquals(2, schema.fieldCount());
        assertEquals(FieldType.INT32, schema.field("qty").type());
    }

    @Test
    void shouldRejectBadFieldNames()
    {
        final String[] badNames = { null, "", "1abc", "a b", "a-b", "a,b", "a.b", " a", "a ", "caf\u00e9", "a\"b",
            "a:b", "a;b", "a\tb", "\u0000" };
        for (final String name : badNames)
        {
            final Schema.Builder builder = Schema.builder("bad");
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> builder.int32(name), "name=" + name);
            assertTrue(ex.getMessage().contains("field=" + name), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> builder.symbol(name, 4), "name=" + name);
            assertThrows(IllegalArgumentException.class, () -> builder.timestamp(name, MILLISECONDS), "name=" + name);
        }

        final Schema schema = Schema.builder("good").int8("_").int8("a1").int8("A_b_9").int8("_x").build();
        assertEquals(4, schema.fieldCount());
    }

    @Test
    void shouldRejectSymbolLengthOutsideOneToMax()
    {
        for (final int length : new int[]{ Integer.MIN_VALUE, -1, 0, Schema.MAX_SYMBOL_LENGTH + 1, Integer.MAX_VALUE })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Schema.builder("s").symbol("sym", length), "length=" + length);
            assertTrue(ex.getMessage().contains("sym"), ex.getMessage());
        }
        assertEquals(1, Schema.builder("s").symbol("sym", 1).build().recordLength());
        assertEquals(Schema.MAX_SYMBOL_LENGTH,
            Schema.builder("s").symbol("sym", Schema.MAX_SYMBOL_LENGTH).build().recordLength());
    }

    @Test
    void shouldRejectTimestampWithoutUnit()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Schema.builder("s").timestamp("ts", null));
        assertTrue(ex.getMessage().contains("ts"), ex.getMessage());
    }

    @Test
    void shouldRejectSchemaWithoutFieldsOrName()
    {
        assertThrows(IllegalArgumentException.class, () -> Schema.builder("empty").build());
        assertThrows(IllegalArgumentException.class, () -> Schema.builder(null));
        assertThrows(IllegalArgumentException.class, () -> Schema.builder(""));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Symbols
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldPutAndReadSymbolPaddingWithZeroBytes()
    {
        final Schema schema = allTypes();
        final SymbolField sym = schema.symbolField("sym");
        withRecord(schema, (buffer, offset) ->
        {
            sym.put(buffer, offset, "ABCDEF");
            assertEquals(6, sym.length(buffer, offset));
            assertEquals("ABCDEF", sym.getString(buffer, offset));
            assertOnlyFieldWritten(buffer, offset, schema, sym);

            sym.put(buffer, offset, "XY");
            assertEquals(2, sym.length(buffer, offset));
            assertEquals("XY", sym.getString(buffer, offset));
            for (int i = 2; i < 6; i++)
            {
                assertEquals(0, buffer.getByte(offset + sym.offset() + i), "padding byte " + i);
            }
            assertOnlyFieldWritten(buffer, offset, schema, sym);

            sym.put(buffer, offset, "");
            assertEquals(0, sym.length(buffer, offset));
            assertEquals("", sym.getString(buffer, offset));
            assertTrue(sym.equalTo(buffer, offset, ""));

            sym.put(buffer, offset, new StringBuilder("a,\"\t"));
            assertEquals("a,\"\t", sym.getString(buffer, offset));

            final StringBuilder allAscii = new StringBuilder();
            for (char c = 1; c < 128; c++)
            {
                allAscii.setLength(0);
                allAscii.append(c).append((char)(128 - c));
                sym.put(buffer, offset, allAscii);
                assertTrue(sym.equalTo(buffer, offset, allAscii), "char " + (int)c);
            }
        });
    }

    @Test
    void shouldCompareSymbolWithTextWithoutAllocating()
    {
        final Schema schema = allTypes();
        final SymbolField sym = schema.symbolField("sym");
        withRecord(schema, (buffer, offset) ->
        {
            sym.put(buffer, offset, "IBM");
            assertTrue(sym.equalTo(buffer, offset, "IBM"));
            assertTrue(sym.equalTo(buffer, offset, new StringBuilder("IBM")));
            assertFalse(sym.equalTo(buffer, offset, "IB"));
            assertFalse(sym.equalTo(buffer, offset, "IBMX"));
            assertFalse(sym.equalTo(buffer, offset, "ibm"));
            assertFalse(sym.equalTo(buffer, offset, "IBN"));
            assertFalse(sym.equalTo(buffer, offset, ""));
            assertFalse(sym.equalTo(buffer, offset, "IBM\u0000"));
            assertFalse(sym.equalTo(buffer, offset, "IB\u014d"));

            sym.put(buffer, offset, "ABCDEF");
            assertTrue(sym.equalTo(buffer, offset, "ABCDEF"));
            assertFalse(sym.equalTo(buffer, offset, "ABCDEFG"));
        });
    }

    @Test
    void shouldAppendSymbolToAnyAppendable()
    {
        final Schema schema = allTypes();
        final SymbolField sym = schema.symbolField("sym");
        withRecord(schema, (buffer, offset) ->
        {
            sym.put(buffer, offset, "MSFT");
            final StringBuilder sb = new StringBuilder("x=");
            assertSame(sb, sym.appendTo(buffer, offset, sb));
            assertEquals("x=MSFT", sb.toString());

            final StringWriter writer = new StringWriter();
            sym.appendTo(buffer, offset, writer);
            assertEquals("MSFT", writer.toString());

            final Appendable failing = new Appendable()
            {
                @Override
                public Appendable append(final CharSequence csq) throws IOException
                {
                    throw new IOException("boom");
                }

                @Override
                public Appendable append(final CharSequence csq, final int start, final int end) throws IOException
                {
                    throw new IOException("boom");
                }

                @Override
                public Appendable append(final char c) throws IOException
                {
                    throw new IOException("boom");
                }
            };
            final UncheckedIOException ex =
                assertThrows(UncheckedIOException.class, () -> sym.appendTo(buffer, offset, failing));
            assertEquals("boom", ex.getCause().getMessage());
        });
    }

    @Test
    void shouldRejectSymbolLongerThanFieldLeavingFieldUnchanged()
    {
        final Schema schema = allTypes();
        final SymbolField sym = schema.symbolField("sym");
        withRecord(schema, (buffer, offset) ->
        {
            sym.put(buffer, offset, "KEEP");
            final byte[] before = bytes(buffer, offset, schema.recordLength());

            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> sym.put(buffer, offset, "TOOLONG"));
            assertTrue(ex.getMessage().contains("sym"), ex.getMessage());
            assertTrue(ex.getMessage().contains("too long"), ex.getMessage());
            assertArrayEquals(before, bytes(buffer, offset, schema.recordLength()));
            assertEquals("KEEP", sym.getString(buffer, offset));

            final UnsafeBuffer source = new UnsafeBuffer("TOOLONG!".getBytes(StandardCharsets.US_ASCII));
            assertThrows(IllegalArgumentException.class, () -> sym.putBytes(buffer, offset, source, 0, 7));
            assertArrayEquals(before, bytes(buffer, offset, schema.recordLength()));
        });
    }

    @Test
    void shouldRejectNonAsciiSymbolLeavingFieldUnchanged()
    {
        final Schema schema = allTypes();
        final SymbolField sym = schema.symbolField("sym");
        withRecord(schema, (buffer, offset) ->
        {
            sym.put(buffer, offset, "KEEP");
            final byte[] before = bytes(buffer, offset, schema.recordLength());

            for (final String bad : new String[]{ "caf\u00e9", "\u0080", "AB\u00ff", "\u20ac", "A\u0000B", "\u0000",
                "ABCDE\u0080" })
            {
                final IllegalArgumentException ex =
                    assertThrows(IllegalArgumentException.class, () -> sym.put(buffer, offset, bad), bad);
                assertTrue(ex.getMessage().contains("sym"), ex.getMessage());
                assertTrue(ex.getMessage().contains("not ASCII"), ex.getMessage());
                assertArrayEquals(before, bytes(buffer, offset, schema.recordLength()), bad);
                assertEquals("KEEP", sym.getString(buffer, offset));
            }
        });
    }

    @Test
    void shouldPutSymbolBytesPaddingWithZeroBytes()
    {
        final Schema schema = allTypes();
        final SymbolField sym = schema.symbolField("sym");
        final UnsafeBuffer source = new UnsafeBuffer("xxGOOGLExx".getBytes(StandardCharsets.US_ASCII));
        withRecord(schema, (buffer, offset) ->
        {
            sym.putBytes(buffer, offset, source, 2, 6);
            assertEquals("GOOGLE", sym.getString(buffer, offset));
            sym.putBytes(buffer, offset, source, 2, 4);
            assertEquals("GOOG", sym.getString(buffer, offset));
            assertEquals(0, buffer.getByte(offset + sym.offset() + 4));
            assertEquals(0, buffer.getByte(offset + sym.offset() + 5));
            assertOnlyFieldWritten(buffer, offset, schema, sym);
        });
    }

    @Test
    void shouldRoundTripSymbolsThroughLongForWidthsOneToEight()
    {
        final Random random = new Random(SEED);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (int width = 1; width <= 8; width++)
        {
            final Schema schema = Schema.builder("w" + width).int8("pad").symbol("sym", width).build();
            final SymbolField sym = schema.symbolField("sym");
            final Map<Long, String> byLong = new HashMap<>();
            for (int i = 0; i < 5_000; i++)
            {
                final String value = randomAscii(random, random.nextInt(width + 1), i % 3 == 0 ? 127 : 4);
                final String context = "seed=" + SEED + " width=" + width + " value=" + escape(value);
                buffer.setMemory(0, buffer.capacity(), FILL);
                sym.put(buffer, 3, value);
                final long asLong = sym.getAsLong(buffer, 3);

                final String previous = byLong.put(asLong, value);
                if (null != previous)
                {
                    assertEquals(previous, value, "distinct symbols share a long: " + context);
                }
                if (value.length() < 8)
                {
                    assertEquals(0, asLong >>> (8 * value.length()), "padding not zero: " + context);
                }

                buffer.setMemory(0, buffer.capacity(), FILL);
                sym.putAsLong(buffer, 3, asLong);
                assertEquals(value, sym.getString(buffer, 3), context);
                assertTrue(sym.equalTo(buffer, 3, value), context);
                assertEquals(asLong, sym.getAsLong(buffer, 3), context);
                assertEquals(FILL, buffer.getByte(3 + sym.offset() + width), "wrote past the field: " + context);
                assertEquals(FILL, buffer.getByte(3 + sym.offset() - 1), "wrote before the field: " + context);
            }
            assertEquals(0L, longOf(sym, buffer, ""), "width=" + width);
        }
    }

    @Test
    void shouldReadSymbolAsLittleEndianLong()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final SymbolField four = Schema.builder("s").symbol("sym", 4).build().symbolField("sym");
        final SymbolField eight = Schema.builder("s").symbol("sym", 8).build().symbolField("sym");

        assertEquals(0x4241L, longOf(four, buffer, "AB"));
        assertEquals(0x4241L, longOf(eight, buffer, "AB"));
        assertEquals(0x44434241L, longOf(four, buffer, "ABCD"));
        assertEquals(0x4847464544434241L, longOf(eight, buffer, "ABCDEFGH"));
        assertEquals(0x7F7F7F7F7F7F7F7FL, longOf(eight, buffer, "\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f"));
        assertEquals(longOf(four, buffer, "IBM"), longOf(eight, buffer, "IBM"));
    }

    @Test
    void shouldRefuseSymbolAsLongWhenWiderThanEightBytes()
    {
        final Schema schema = Schema.builder("wide").symbol("name", 9).build();
        final SymbolField name = schema.symbolField("name");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        name.put(buffer, 0, "ABC");

        final IllegalStateException get =
            assertThrows(IllegalStateException.class, () -> name.getAsLong(buffer, 0));
        assertTrue(get.getMessage().contains("name"), get.getMessage());
        final IllegalStateException put =
            assertThrows(IllegalStateException.class, () -> name.putAsLong(buffer, 0, 0x41L));
        assertTrue(put.getMessage().contains("name"), put.getMessage());
        assertEquals("ABC", name.getString(buffer, 0));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Printing
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldPrintRecordReadablyInDeclarationOrder()
    {
        final Schema schema = tradeSchema("trade");
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final MemorySegment segment = manager.allocate("schema-test", 256);
            final UnsafeBuffer buffer = segment.buffer();
            final int offset = 32;
            schema.symbolField("sym").put(buffer, offset, "IBM");
            schema.float64Field("price").put(buffer, offset, 123.45);
            schema.int32Field("qty").put(buffer, offset, 100);
            schema.timestampField("ts").put(buffer, offset, 1_700_000_000_123L);
            schema.booleanField("buy").put(buffer, offset, true);

            final String expected = "trade{sym='IBM', price=123.45, qty=100, ts=1700000000123, buy=true}";
            assertEquals(expected, schema.toString(buffer, offset));
            assertEquals("> " + expected, schema.appendRecord(buffer, offset, new StringBuilder("> ")).toString());

            final RecordFlyweight flyweight = new RecordFlyweight(schema);
            assertSame(schema, flyweight.schema());
            assertEquals("trade{unwrapped}", flyweight.toString());
            assertSame(flyweight, flyweight.wrap(buffer, offset));
            assertSame(buffer, flyweight.buffer());
            assertEquals(offset, flyweight.offset());
            final String text = flyweight.toString();
            assertEquals(expected, text);
            for (final String part : new String[]{ "sym='IBM'", "price=123.45", "qty=100", "ts=1700000000123",
                "buy=true" })
            {
                assertTrue(text.contains(part), text);
            }

            flyweight.wrap(buffer, offset + schema.recordLength());
            assertEquals("trade{sym='', price=0.0, qty=0, ts=0, buy=false}", flyweight.toString());
            segment.release();
        }
    }

    @Test
    void shouldPrintEveryTypeIncludingExtremes()
    {
        final Schema schema = allTypes();
        withRecord(schema, (buffer, offset) ->
        {
            schema.int8Field("i8").put(buffer, offset, Byte.MIN_VALUE);
            schema.int16Field("i16").put(buffer, offset, Short.MAX_VALUE);
            schema.int32Field("i32").put(buffer, offset, Integer.MIN_VALUE);
            schema.int64Field("i64").put(buffer, offset, Long.MAX_VALUE);
            schema.float32Field("f32").put(buffer, offset, Float.NaN);
            schema.float64Field("f64").put(buffer, offset, Double.NEGATIVE_INFINITY);
            schema.booleanField("flag").put(buffer, offset, false);
            schema.timestampField("ts").put(buffer, offset, -1L);
            schema.symbolField("sym").put(buffer, offset, "a b");

            assertEquals("all{i8=-128, i16=32767, i32=-2147483648, i64=9223372036854775807, f32=NaN, " +
                "f64=-Infinity, flag=false, ts=-1, sym='a b'}", schema.toString(buffer, offset));
        });
    }

    @Test
    void shouldListEveryFieldInLayout()
    {
        final Schema schema = tradeSchema("trade");
        final String layout = schema.layout();

        assertTrue(layout.contains("trade"), layout);
        assertTrue(layout.contains("29 bytes"), layout);
        assertTrue(layout.contains(Long.toHexString(schema.fingerprint())), layout);
        final String[] lines = layout.split("\\R");
        assertEquals(2 + schema.fieldCount(), lines.length, layout);
        final List<Field> byOffset = schema.fieldsByOffset();
        for (int i = 0; i < byOffset.size(); i++)
        {
            final Field field = byOffset.get(i);
            final String line = lines[2 + i];
            assertTrue(line.contains(field.name() + " (" + (field.index() + 1) + ")"), line);
            assertTrue(line.trim().startsWith(Integer.toString(field.offset())), line);
        }
        assertTrue(lines[2].contains("FLOAT64"), layout);
        assertTrue(lines[3].contains("TIMESTAMP(MILLISECONDS)"), layout);
        assertTrue(lines[4].contains("INT32"), layout);
        assertTrue(lines[5].contains("BOOLEAN"), layout);
        assertTrue(lines[6].contains("SYMBOL(8)"), layout);
    }

    @Test
    void shouldDescribeSchemaAndFieldsInToString()
    {
        final Schema schema = tradeSchema("trade");

        assertEquals("price:FLOAT64@0", schema.field("price").toString());
        assertEquals("sym:SYMBOL(8)@21", schema.field("sym").toString());
        assertEquals("ts:TIMESTAMP(MILLISECONDS)@8", schema.field("ts").toString());
        final String text = schema.toString();
        assertTrue(text.contains("trade") && text.contains("length=29"), text);
        for (final Field field : schema.fields())
        {
            assertTrue(text.contains(field.name()), text);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface RecordTest
    {
        void run(UnsafeBuffer buffer, int offset);
    }

    /**
     * Run a test against a record at an unaligned offset in off-heap memory, every other byte set to {@link #FILL}.
     */
    private static void withRecord(final Schema schema, final RecordTest test)
    {
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final MemorySegment segment = manager.allocate("schema-test", 4096);
            final UnsafeBuffer buffer = segment.buffer();
            buffer.setMemory(0, buffer.capacity(), FILL);
            test.run(buffer, 8 + schema.recordLength());
            for (int i = 0; i < 8 + schema.recordLength(); i++)
            {
                assertEquals(FILL, buffer.getByte(i), "wrote before the record at " + i);
            }
            for (int i = 8 + 2 * schema.recordLength(); i < buffer.capacity(); i++)
            {
                assertEquals(FILL, buffer.getByte(i), "wrote after the record at " + i);
            }
            segment.release();
        }
    }

    /**
     * Assert that every byte of the record outside the field still holds {@link #FILL}.
     */
    private static void assertOnlyFieldWritten(
        final UnsafeBuffer buffer, final int offset, final Schema schema, final Field field)
    {
        for (int i = 0; i < schema.recordLength(); i++)
        {
            if (i < field.offset() || i >= field.offset() + field.width())
            {
                assertEquals(FILL, buffer.getByte(offset + i), "byte " + i + " changed writing " + field);
            }
        }
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static long longOf(final SymbolField field, final UnsafeBuffer buffer, final String value)
    {
        field.put(buffer, 0, value);
        return field.getAsLong(buffer, 0);
    }

    private static String randomAscii(final Random random, final int length, final int alphabet)
    {
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            sb.append((char)(alphabet >= 127 ? 1 + random.nextInt(127) : 'A' + random.nextInt(alphabet)));
        }
        return sb.toString();
    }

    private static String escape(final String value)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c < 32 || c == 127)
            {
                sb.append(String.format("\\x%02x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static List<String> names(final List<Field> fields)
    {
        final List<String> names = new ArrayList<>();
        for (final Field field : fields)
        {
            names.add(field.name());
        }
        return names;
    }
}
