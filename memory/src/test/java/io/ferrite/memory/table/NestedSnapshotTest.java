package io.ferrite.memory.table;

import static io.ferrite.memory.table.TableTestSupport.assertContents;
import static io.ferrite.memory.table.TableTestSupport.channel;
import static io.ferrite.memory.table.TableTestSupport.contents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotFiles;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.TableTestSupport.Key;
import io.ferrite.memory.timer.TimerQueue;

/**
 * The body-level snapshot methods, {@link OffHeapHashTable#writeTo}/{@link OffHeapHashTable#readFrom} and
 * {@link TimerQueue#writeTo}/{@link TimerQueue#readFrom}, with several structures sharing one snapshot body as an
 * operator's checkpoint does: contents, iteration order, capacity and firing order survive, a restored structure
 * writes the same bytes again, errors name absolute offsets, and a failed read leaves the target as it was. Seeded
 * ({@code -Dferrite.test.seed=...}); messages name the seed.
 */
class NestedSnapshotTest
{
    private static final long BASE_SEED = Long.getLong("ferrite.test.seed", 0x7AB1_E5EEDL);
    private static final long BUDGET = 256L << 20;
    private static final String OWNER = "nested";
    private static final long PREFIX = 0x1122_3344_5566_7788L;

    @TempDir
    Path dir;

    @FunctionalInterface
    private interface Body
    {
        void write(SnapshotWriter writer) throws IOException;
    }

    @FunctionalInterface
    private interface Read
    {
        void read(SnapshotReader reader) throws IOException;
    }

    private static byte[] snapshot(final Body body)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel channel = Channels.newChannel(out))
        {
            final SnapshotWriter writer = new SnapshotWriter(channel);
            body.write(writer);
            writer.finish();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * Read with a reader built for short chunks, as one shared by many structures may be.
     */
    private static void restore(final byte[] bytes, final Read read) throws IOException
    {
        final SnapshotReader reader = new SnapshotReader(channel(bytes), "body", 16);
        read.read(reader);
        reader.verifyTrailer();
    }

    private static List<String> order(final OffHeapHashTable table)
    {
        final List<String> order = new ArrayList<>();
        final OffHeapHashTable.Cursor cursor = table.cursor();
        while (cursor.next())
        {
            order.add(TableTestSupport.hex(TableTestSupport.bytes(cursor.buffer(), cursor.keyOffset(),
                table.keyWidth())));
        }
        return order;
    }

    private static List<String> fireAll(final TimerQueue queue)
    {
        final List<String> fired = new ArrayList<>();
        queue.fireUpTo(Long.MAX_VALUE, (time, key, offset) -> fired.add(time + "/" +
            TableTestSupport.hex(TableTestSupport.bytes(key, offset, queue.keyWidth()))), Integer.MAX_VALUE);
        return fired;
    }

    /**
     * Fill a table through growth and removals, so its slots and their order come from its history.
     */
    private static Map<Key, byte[]> churn(final OffHeapHashTable table, final SplittableRandom random,
        final int operations, final int keySpace)
    {
        final Map<Key, byte[]> model = new HashMap<>();
        for (int i = 0; i < operations; i++)
        {
            final byte[] keyBytes = new byte[table.keyWidth()];
            final int k = random.nextInt(keySpace);
            for (int j = 0; j < keyBytes.length; j++)
            {
                keyBytes[j] = (byte)(k * 0x9E3779B1 >>> (8 * (j % 4)) ^ j);
            }
            if (0 == k)
            {
                Arrays.fill(keyBytes, (byte)0); // The all-zero key, with its slot of its own.
            }
            final Key key = new Key(keyBytes);
            if (random.nextInt(3) == 0)
            {
                table.remove(key.buffer(), TableTestSupport.KEY_OFFSET);
                model.remove(key);
            }
            else
            {
                final byte[] value = new byte[table.valueWidth()];
                random.nextBytes(value);
                TableTestSupport.put(table, key, value);
                model.put(key, value);
            }
        }
        return model;
    }

    @ParameterizedTest(name = "keyWidth={0} valueWidth={1}")
    @CsvSource({"8, 8", "8, 0", "16, 40", "13, 12", "1, 3", "64, 40000"})
    void shouldRestoreTablesAndTimersSharingOneBodyExactlyAsTheyWere(final int keyWidth, final int valueWidth)
        throws IOException
    {
        for (int run = 0; run < 6; run++)
        {
            final long seed = BASE_SEED * 31 + keyWidth * 1_000L + valueWidth + run;
            final SplittableRandom random = new SplittableRandom(seed);
            final String context = "seed=" + seed + " keyWidth=" + keyWidth + " valueWidth=" + valueWidth;
            final int operations = valueWidth > 1_000 ? 200 : 1 + random.nextInt(20_000);
            try (MemoryManager manager = new MemoryManager(BUDGET);
                OffHeapHashTable first = new OffHeapHashTable(manager, OWNER, keyWidth, valueWidth, 16, 0.65f, 0L);
                OffHeapHashTable second = new OffHeapHashTable(manager, OWNER, 8, 16, 16, 0.65f, 0L);
                TimerQueue timers = new TimerQueue(manager, OWNER, 16, 16);
                OffHeapHashTable firstCopy = new OffHeapHashTable(manager, OWNER, keyWidth, valueWidth, 16, 0.65f,
                    0L);
                OffHeapHashTable secondCopy = new OffHeapHashTable(manager, OWNER, 8, 16, 16, 0.65f, 0L);
                TimerQueue timersCopy = new TimerQueue(manager, OWNER, 16, 16))
            {
                final Map<Key, byte[]> firstModel = churn(first, random, operations, 1 + random.nextInt(5_000));
                final Map<Key, byte[]> secondModel = churn(second, random, random.nextInt(3_000), 2_000);
                final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
                for (int i = random.nextInt(5_000); i > 0; i--)
                {
                    key.putLong(0, random.nextLong());
                    key.putLong(8, random.nextInt(50));
                    timers.register(random.nextInt(1_000), key, 0);
                }
                timers.fireUpTo(random.nextInt(500), (t, k, o) -> { }, random.nextInt(1_000));

                final Body body = (writer) ->
                {
                    writer.writeLong(PREFIX);
                    first.writeTo(writer);
                    timers.writeTo(writer);
                    second.writeTo(writer);
                    writer.writeLong(~PREFIX);
                };
                final byte[] bytes = snapshot(body);
                restore(bytes, (reader) ->
                {
                    assertEquals(PREFIX, reader.readLong());
                    firstCopy.readFrom(reader);
                    timersCopy.readFrom(reader);
                    secondCopy.readFrom(reader);
                    assertEquals(~PREFIX, reader.readLong());
                });

                assertContents(firstModel, firstCopy);
                assertContents(secondModel, secondCopy);
                assertEquals(first.capacity(), firstCopy.capacity(), context + ": the restored table's slots");
                assertEquals(order(first), order(firstCopy), context + ": the restored table's iteration order");
                assertEquals(order(second), order(secondCopy), context);
                assertEquals(timers.size(), timersCopy.size(), context);
                assertArrayEquals(bytes, snapshot((writer) ->
                {
                    writer.writeLong(PREFIX);
                    firstCopy.writeTo(writer);
                    timersCopy.writeTo(writer);
                    secondCopy.writeTo(writer);
                    writer.writeLong(~PREFIX);
                }), context + ": restored structures write the bytes they were read from");
                assertEquals(fireAll(timers), fireAll(timersCopy), context + ": firing order");

                // The restored table goes on as the original: the same changes leave the same slots.
                final long next = random.nextLong();
                final int more = valueWidth > 1_000 ? 100 : 2_000;
                churn(first, new SplittableRandom(next), more, 3_000);
                churn(firstCopy, new SplittableRandom(next), more, 3_000);
                assertEquals(order(first), order(firstCopy), context + ": order after more changes");
                assertEquals(contents(first).size(), firstCopy.size(), context);
            }
        }
    }

    @Test
    void shouldRestoreTheSlotsOfATableThatGrewAndEmptiedMostly() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, 0L);
            OffHeapHashTable copy = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, 0L))
        {
            for (long k = 1; k <= 100_000; k++)
            {
                table.putLong(k, -k);
            }
            for (long k = 1; k <= 100_000; k++)
            {
                if (k % 1_000 != 0)
                {
                    table.remove(k);
                }
            }
            final byte[] bytes = snapshot(table::writeTo);
            restore(bytes, copy::readFrom);
            assertEquals(table.capacity(), copy.capacity());
            assertEquals(order(table), order(copy));
            assertEquals(table.allocatedBytes(), copy.allocatedBytes());
            assertArrayEquals(bytes, snapshot(copy::writeTo));
            assertEquals(100, copy.size());
            // Emptied, the copy trims back to its own initial size, as the original does.
            for (long k = 1_000; k <= 100_000; k += 1_000)
            {
                assertTrue(table.remove(k));
                assertTrue(copy.remove(k));
            }
            table.trimIfEmpty();
            copy.trimIfEmpty();
            assertEquals(table.allocatedBytes(), copy.allocatedBytes());
        }
    }

    @Test
    void shouldStillReadAVersionOneTableSnapshot() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, 0L))
        {
            final byte[] bytes = snapshot((writer) ->
            {
                writer.writeInt(OffHeapHashTable.SNAPSHOT_MAGIC);
                writer.writeInt(HashTableSnapshot.VERSION_WITHOUT_SLOTS);
                writer.writeLong(0L);
                writer.writeInt(8);
                writer.writeInt(8);
                writer.writeLong(3);
                for (long k = 0; k < 3; k++)
                {
                    writer.writeLong(k);
                    writer.writeLong(k * 10);
                }
            });
            table.restore(channel(bytes), "v1");
            assertEquals(3, table.size());
            for (long k = 0; k < 3; k++)
            {
                assertEquals(k * 10, table.getLong(k, -1));
            }
            table.clear();
            restore(bytes, table::readFrom);
            assertEquals(3, table.size());
        }
    }

    @Test
    void shouldNameTheSourceAndTheAbsoluteOffsetOfAnErrorInANestedBody() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, 0L);
            OffHeapHashTable other = new OffHeapHashTable(manager, OWNER, 8, 16, 16, 0.65f, 0L);
            TimerQueue timers = new TimerQueue(manager, OWNER, 16, 16);
            TimerQueue narrow = new TimerQueue(manager, OWNER, 8, 16))
        {
            table.putLong(5, 50);
            final byte[] tableBytes = snapshot((writer) ->
            {
                writer.writeLong(PREFIX);
                writer.writeInt(7);
                table.writeTo(writer);
            });
            final int base = 12;
            assertNestedFailure(tableBytes, other, base + 16, "widths key=8 value=8 do not match");

            final byte[] badSlots = tableBytes.clone();
            badSlots[base + HashTableSnapshot.V1_HEADER_LENGTH] ^= 0x01;
            assertNestedFailure(badSlots, table, base + HashTableSnapshot.V1_HEADER_LENGTH, "slot count");

            final byte[] badMagic = tableBytes.clone();
            badMagic[base + 1] ^= 0x10;
            assertNestedFailure(badMagic, table, base, "bad magic");

            final byte[] badVersion = tableBytes.clone();
            badVersion[base + 4] = 9;
            assertNestedFailure(badVersion, table, base + 4, "unsupported version 9");

            final byte[] badCount = tableBytes.clone();
            badCount[base + 31] = (byte)0x80;
            assertNestedFailure(badCount, table, base + 24, "entry count out of range");

            final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
            timers.register(3, key, 0);
            final byte[] timerBytes = snapshot((writer) ->
            {
                writer.writeLong(PREFIX);
                writer.writeInt(7);
                timers.writeTo(writer);
            });
            final SnapshotCorruptedException width = assertThrows(SnapshotCorruptedException.class,
                () -> restore(timerBytes, (reader) ->
                {
                    reader.readLong();
                    reader.readInt();
                    narrow.readFrom(reader);
                }));
            assertEquals(base + 8, width.offset(), width::getMessage);
            assertEquals("body", width.source());
            assertTrue(width.getMessage().contains("key width 16 does not match the queue's 8"), width::getMessage);

            final byte[] badTimerMagic = timerBytes.clone();
            badTimerMagic[base] ^= 0x01;
            final SnapshotCorruptedException magic = assertThrows(SnapshotCorruptedException.class,
                () -> restore(badTimerMagic, (reader) ->
                {
                    reader.readLong();
                    reader.readInt();
                    timers.readFrom(reader);
                }));
            assertEquals(base, magic.offset(), magic::getMessage);
            assertEquals(1, timers.size(), "a failed read leaves the queue as it was");
        }
    }

    private static void assertNestedFailure(final byte[] bytes, final OffHeapHashTable target, final long offset,
        final String message)
    {
        final Map<Key, byte[]> before = contents(target);
        final int capacity = target.capacity();
        final UnsafeBuffer buffer = target.buffer();
        try
        {
            restore(bytes, (reader) ->
            {
                reader.readLong();
                reader.readInt();
                target.readFrom(reader);
            });
            fail("a bad nested body was read: " + message);
        }
        catch (final SnapshotCorruptedException ex)
        {
            assertEquals("body", ex.source());
            assertEquals(offset, ex.offset(), ex::getMessage);
            assertTrue(ex.getMessage().contains(message), ex::getMessage);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        assertContents(before, target);
        assertEquals(capacity, target.capacity());
        assertSame(buffer, target.buffer(), "a failed read leaves the table as it was");
    }

    @Test
    void shouldRefuseTheBodyOfAClosedStructure()
    {
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 8, 8);
            final TimerQueue timers = new TimerQueue(manager, OWNER, 8, 16);
            table.close();
            timers.close();
            assertThrows(IllegalStateException.class, () -> table.writeTo(new SnapshotWriter(Channels.newChannel(
                new ByteArrayOutputStream()))));
            assertThrows(IllegalStateException.class, () -> timers.writeTo(new SnapshotWriter(Channels.newChannel(
                new ByteArrayOutputStream()))));
        }
    }

    @Test
    void shouldWriteAndCheckAnOperatorHeader() throws IOException
    {
        final long[] configuration = {10_000, 1_000, 0};
        final SnapshotHeader.Describer describer = (c) -> new String[]{"sliding " + c[0] + "/" + c[1], "offset " +
            c[2]};
        final byte[] bytes = snapshot((writer) -> SnapshotHeader.write(writer, 0x57535246, 1, configuration));
        assertEquals(12 + 24 + SnapshotFormat.TRAILER_LENGTH, bytes.length);
        restore(bytes, (reader) -> SnapshotHeader.read(reader, 0x57535246, 1, "op", configuration, describer));

        final SnapshotCorruptedException slide = assertThrows(SnapshotCorruptedException.class, () -> restore(bytes,
            (reader) -> SnapshotHeader.read(reader, 0x57535246, 1, "op", new long[]{10_000, 500, 0}, describer)));
        assertTrue(slide.getMessage().endsWith(
            "op: checkpoint taken with sliding 10000/1000, this operator is sliding 10000/500"), slide::getMessage);
        assertEquals(12 + 8, slide.offset());
        final SnapshotCorruptedException two = assertThrows(SnapshotCorruptedException.class, () -> restore(bytes,
            (reader) -> SnapshotHeader.read(reader, 0x57535246, 1, "op", new long[]{10_000, 500, 3}, describer)));
        assertTrue(two.getMessage().endsWith("checkpoint taken with sliding 10000/1000 and offset 0, this operator " +
            "is sliding 10000/500 and offset 3"), two::getMessage);
        final SnapshotCorruptedException magic = assertThrows(SnapshotCorruptedException.class, () -> restore(bytes,
            (reader) -> SnapshotHeader.read(reader, 0x45535246, 1, "op", configuration, describer)));
        assertEquals(0, magic.offset());
        final SnapshotCorruptedException version = assertThrows(SnapshotCorruptedException.class, () -> restore(
            bytes, (reader) -> SnapshotHeader.read(reader, 0x57535246, 2, "op", configuration, describer)));
        assertEquals(4, version.offset());
        final SnapshotCorruptedException length = assertThrows(SnapshotCorruptedException.class, () -> restore(bytes,
            (reader) -> SnapshotHeader.read(reader, 0x57535246, 1, "op", new long[]{10_000, 1_000}, describer)));
        assertEquals(8, length.offset());
    }

    @Test
    void shouldKeepTheFileSnapshotOfATableReadableByTheBodyReader() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, 13, 5, 16, 0.65f, 99L);
            OffHeapHashTable copy = new OffHeapHashTable(manager, OWNER, 13, 5, 16, 0.65f, 99L))
        {
            final Map<Key, byte[]> model = churn(table, new SplittableRandom(BASE_SEED), 3_000, 2_000);
            final Path file = dir.resolve("t.snap");
            SnapshotFiles.writeAtomically(file, table::writeTo);
            assertArrayEquals(Files.readAllBytes(file), TableTestSupport.snapshotBytes(table));
            copy.restore(file);
            assertContents(model, copy);
            assertEquals(order(table), order(copy));
        }
    }
}
