package io.ferrite.memory.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Helpers shared by the hash table tests: a content-compared key, reading a table's whole content through its
 * cursor, and comparing a table with a model map.
 */
final class TableTestSupport
{
    /**
     * Where keys sit in the scratch buffers handed to the table: deliberately unaligned.
     */
    static final int KEY_OFFSET = 5;

    private TableTestSupport()
    {
    }

    /**
     * A key compared by content.
     */
    static final class Key
    {
        private final byte[] bytes;
        private final int hash;

        Key(final byte[] bytes)
        {
            this.bytes = bytes.clone();
            this.hash = Arrays.hashCode(bytes);
        }

        static Key of(final DirectBuffer buffer, final int offset, final int width)
        {
            final byte[] bytes = new byte[width];
            buffer.getBytes(offset, bytes);
            return new Key(bytes);
        }

        static Key ofLong(final long key)
        {
            final byte[] bytes = new byte[8];
            new UnsafeBuffer(bytes).putLong(0, key, ByteOrder.nativeOrder());
            return new Key(bytes);
        }

        byte[] bytes()
        {
            return bytes.clone();
        }

        int width()
        {
            return bytes.length;
        }

        long asLong()
        {
            return new UnsafeBuffer(bytes).getLong(0, ByteOrder.nativeOrder());
        }

        boolean isZero()
        {
            for (final byte b : bytes)
            {
                if (0 != b)
                {
                    return false;
                }
            }
            return true;
        }

        /**
         * A buffer holding this key at {@link #KEY_OFFSET}, with non-zero bytes around it.
         */
        UnsafeBuffer buffer()
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[KEY_OFFSET + bytes.length + 11]);
            buffer.setMemory(0, buffer.capacity(), (byte)0x5A);
            buffer.putBytes(KEY_OFFSET, bytes);
            return buffer;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key && Arrays.equals(bytes, ((Key)other).bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public String toString()
        {
            return hex(bytes);
        }
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /**
     * Look a key up through the buffer API.
     */
    static int get(final OffHeapHashTable table, final Key key)
    {
        return table.get(key.buffer(), KEY_OFFSET);
    }

    /**
     * Insert a key through the buffer API and write its value.
     */
    static void put(final OffHeapHashTable table, final Key key, final byte[] value)
    {
        final int offset = table.getOrInsert(key.buffer(), KEY_OFFSET);
        table.buffer().putBytes(offset, value);
    }

    /**
     * A table's whole content, read through its cursor; fails on a key seen twice or a count other than size().
     */
    static Map<Key, byte[]> contents(final OffHeapHashTable table)
    {
        final Map<Key, byte[]> contents = new HashMap<>();
        final OffHeapHashTable.Cursor cursor = table.cursor();
        int count = 0;
        while (cursor.next())
        {
            final Key key = Key.of(cursor.buffer(), cursor.keyOffset(), table.keyWidth());
            assertEquals(cursor.keyOffset() + table.keyWidth(), cursor.valueOffset(), "value follows key");
            if (8 == table.keyWidth())
            {
                assertEquals(key.asLong(), cursor.longKey(), "cursor's long key");
            }
            final byte[] value = bytes(cursor.buffer(), cursor.valueOffset(), table.valueWidth());
            assertNull(contents.put(key, value), () -> "cursor returned key twice: " + key);
            count++;
        }
        assertFalse(cursor.next(), "an exhausted cursor stays exhausted");
        assertEquals(table.size(), count, "cursor count vs size()");
        return contents;
    }

    /**
     * Assert a table holds exactly the model's entries: through the cursor, and through lookups by key, whose
     * offsets must agree with the cursor's.
     */
    static void assertContents(final Map<Key, byte[]> expected, final OffHeapHashTable table)
    {
        assertEquals(expected.size(), table.size(), "size()");
        assertEquals(expected.isEmpty(), table.isEmpty(), "isEmpty()");
        final Set<Key> seen = new HashSet<>();
        final OffHeapHashTable.Cursor cursor = table.cursor();
        while (cursor.next())
        {
            final Key key = Key.of(cursor.buffer(), cursor.keyOffset(), table.keyWidth());
            assertTrue(seen.add(key), () -> "cursor returned key twice: " + key);
            final byte[] value = expected.get(key);
            assertNotNull(value, () -> "table holds a key the model does not: " + key);
            assertArrayEquals(value, bytes(cursor.buffer(), cursor.valueOffset(), table.valueWidth()),
                () -> "value of key " + key);
            assertEquals(cursor.valueOffset(), get(table, key), () -> "lookup offset vs cursor offset of " + key);
            if (8 == table.keyWidth())
            {
                assertEquals(key.asLong(), cursor.longKey(), "cursor's long key");
                assertEquals(cursor.valueOffset(), table.get(key.asLong()), () -> "long lookup of " + key);
            }
        }
        assertEquals(expected.size(), seen.size(), "entries seen by the cursor");
    }

    static byte[] snapshotBytes(final OffHeapHashTable table) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long written = table.snapshot(Channels.newChannel(out));
        assertEquals(out.size(), written, "snapshot() returns the bytes written");
        return out.toByteArray();
    }

    static ReadableByteChannel channel(final byte[] bytes)
    {
        return Channels.newChannel(new ByteArrayInputStream(bytes));
    }
}
