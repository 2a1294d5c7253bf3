package io.ferrite.memory.table;

import static io.ferrite.memory.table.TableTestSupport.assertContents;
import static io.ferrite.memory.table.TableTestSupport.channel;
import static io.ferrite.memory.table.TableTestSupport.contents;
import static io.ferrite.memory.table.TableTestSupport.snapshotBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ferrite.memory.MemoryBudgetExceededException;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.TrickleChannel;
import io.ferrite.memory.snapshot.SnapshotFiles;
import io.ferrite.memory.snapshot.SnapshotFormat;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.TableTestSupport.Key;

/**
 * Restoring a hash table from a bad snapshot: every kind of damage is reported as a
 * {@link SnapshotCorruptedException} and leaves the target table exactly as it was, holding no extra memory.
 */
class HashTableSnapshotTest
{
    private static final String OWNER = "snapshot-op";
    private static final long FINGERPRINT = 0x0123_4567_89AB_CDEFL;
    private static final long BUDGET = 64L * 1024 * 1024;
    private static final int SOURCE_ENTRIES = 5;

    @TempDir
    Path dir;

    static Stream<Arguments> layouts()
    {
        return Stream.of(
            Arguments.of(8, 8),
            Arguments.of(13, 12),
            Arguments.of(1, 0),
            Arguments.of(3, 8),
            Arguments.of(64, 3));
    }

    @ParameterizedTest(name = "keyWidth={0} valueWidth={1}")
    @MethodSource("layouts")
    void shouldRoundTripAndRejectEveryTruncationLeavingTheTableUnchanged(final int keyWidth, final int valueWidth)
        throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, keyWidth, valueWidth))
        {
            final byte[] snapshot = sourceSnapshot(manager, keyWidth, valueWidth);
            assertEquals(HashTableSnapshot.HEADER_LENGTH + SOURCE_ENTRIES * (keyWidth + valueWidth) +
                SnapshotFormat.TRAILER_LENGTH, snapshot.length);
            final TableState before = TableState.of(manager, target);
            final Path file = dir.resolve("truncated.snap");
            for (int i = 0; i < snapshot.length; i++)
            {
                final int cut = i;
                final byte[] truncated = Arrays.copyOf(snapshot, cut);
                Files.write(file, truncated);
                final SnapshotCorruptedException fromFile =
                    assertRestoreFails(before, manager, target, () -> target.restore(file), "cut at " + cut);
                assertEquals(file.toString(), fromFile.source());
                assertTrue(fromFile.getMessage().contains(file.toString()), fromFile::getMessage);
                final SnapshotCorruptedException fromStream = assertRestoreFails(before, manager, target,
                    () -> target.restore(channel(truncated), "stream"), "cut at " + cut);
                assertEquals("stream", fromStream.source());
                for (final SnapshotCorruptedException ex : new SnapshotCorruptedException[] {fromFile, fromStream})
                {
                    final String expected = 0 == cut ? "empty" : "truncated";
                    assertTrue(ex.getMessage().contains(expected), () -> "cut at " + cut + ": " + ex.getMessage());
                    assertEquals(cut, ex.offset(), () -> "offset where the snapshot ended: " + ex.getMessage());
                }
            }

            Files.write(file, snapshot);
            target.restore(file);
            assertContents(sourceContents(keyWidth, valueWidth), target);
            assertEquals(target.allocatedBytes(), manager.usedBytes(OWNER), "only the restored table's memory");
        }
    }

    @ParameterizedTest(name = "keyWidth={0} valueWidth={1}")
    @MethodSource("layouts")
    void shouldRejectEverySingleByteCorruptionLeavingTheTableUnchanged(final int keyWidth, final int valueWidth)
        throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, keyWidth, valueWidth))
        {
            final byte[] snapshot = sourceSnapshot(manager, keyWidth, valueWidth);
            final TableState before = TableState.of(manager, target);
            final Path file = dir.resolve("flipped.snap");
            for (final int mask : new int[] {0xFF, 0x01, 0x80, 0x10})
            {
                for (int i = 0; i < snapshot.length; i++)
                {
                    final byte[] corrupted = snapshot.clone();
                    corrupted[i] ^= (byte)mask;
                    final String what = "byte " + i + " ^ 0x" + Integer.toHexString(mask);
                    Files.write(file, corrupted);
                    assertRestoreFails(before, manager, target, () -> target.restore(file), what);
                    assertRestoreFails(before, manager, target, () -> target.restore(channel(corrupted), "s"), what);
                }
            }
            assertEquals(0, manager.usedBytes() - before.usedBytes, "no memory left behind");
        }
    }

    @Test
    void shouldRejectAnEmptyFile() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 8, 8))
        {
            final Path file = Files.write(dir.resolve("empty.snap"), new byte[0]);
            final SnapshotCorruptedException ex =
                assertRestoreFails(TableState.of(manager, target), manager, target, () -> target.restore(file), "");
            assertEquals(0, ex.offset());
            assertEquals("snapshot corrupted: " + file + " at offset 0: empty", ex.getMessage());
        }
    }

    @Test
    void shouldRejectAWrongMagicOrVersion() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 8, 8))
        {
            final TableState before = TableState.of(manager, target);
            final Path magic = writeBody("magic.snap", (w) -> header(w, 0x12345678, 1, FINGERPRINT, 8, 8, 0));
            final SnapshotCorruptedException badMagic =
                assertRestoreFails(before, manager, target, () -> target.restore(magic), "magic");
            assertTrue(badMagic.getMessage().contains("bad magic 0x12345678"), badMagic::getMessage);
            assertEquals(0, badMagic.offset());

            // Another Ferrite snapshot kind's file: right frame, wrong body.
            final Path other = writeBody("other.snap", (w) -> w.writeLong(42));
            assertRestoreFails(before, manager, target, () -> target.restore(other), "another snapshot kind");

            final Path version = writeBody("version.snap", (w) ->
                header(w, OffHeapHashTable.SNAPSHOT_MAGIC, 3, FINGERPRINT, 8, 8, 0));
            final SnapshotCorruptedException badVersion =
                assertRestoreFails(before, manager, target, () -> target.restore(version), "version");
            assertTrue(badVersion.getMessage().contains("unsupported version 3"), badVersion::getMessage);
            assertEquals(4, badVersion.offset());
        }
    }

    @Test
    void shouldRejectASnapshotOfAnotherLayoutFingerprint() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable other = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, 0x7777L);
            OffHeapHashTable none = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, 0L))
        {
            populate(other, 8, 8);
            populate(none, 8, 8);
            final byte[] snapshot = sourceSnapshot(manager, 8, 8);
            for (final OffHeapHashTable target : new OffHeapHashTable[] {other, none})
            {
                final SnapshotCorruptedException ex = assertRestoreFails(TableState.of(manager, target), manager,
                    target, () -> target.restore(channel(snapshot), "fp"), "fingerprint");
                assertTrue(ex.getMessage().contains("layout fingerprint 0x" + Long.toHexString(FINGERPRINT)),
                    ex::getMessage);
                assertEquals(8, ex.offset());
            }
        }
    }

    @Test
    void shouldRejectASnapshotOfOtherKeyOrValueWidths() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET))
        {
            final byte[] snapshot = sourceSnapshot(manager, 13, 12);
            final int[][] widths = {{12, 12}, {14, 12}, {13, 11}, {13, 13}, {13, 0}, {8, 8}, {1, 24}};
            for (final int[] w : widths)
            {
                try (OffHeapHashTable target =
                    new OffHeapHashTable(manager, OWNER, w[0], w[1], 16, 0.65f, FINGERPRINT))
                {
                    populate(target, w[0], w[1]);
                    final SnapshotCorruptedException ex = assertRestoreFails(TableState.of(manager, target),
                        manager, target, () -> target.restore(channel(snapshot), "w"), Arrays.toString(w));
                    assertTrue(ex.getMessage().contains("widths key=13 value=12 do not match"), ex::getMessage);
                    assertEquals(16, ex.offset());
                }
            }
        }
    }

    @Test
    void shouldRejectTrailingGarbageAMissingTrailerABadTrailerMagicAndABadCrc() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 13, 12))
        {
            final byte[] snapshot = sourceSnapshot(manager, 13, 12);
            final TableState before = TableState.of(manager, target);
            final int trailerAt = snapshot.length - SnapshotFormat.TRAILER_LENGTH;

            for (final int garbage : new int[] {1, 7, 8, SnapshotFormat.TRAILER_LENGTH + 1, 200_000})
            {
                final byte[] longer = Arrays.copyOf(snapshot, snapshot.length + garbage);
                final SnapshotCorruptedException ex = assertRestoreFails(before, manager, target,
                    () -> restoreViaFile(target, "garbage.snap", longer), garbage + " bytes of garbage");
                assertTrue(ex.getMessage().contains("unexpected bytes after the trailer"), ex::getMessage);
                assertEquals(snapshot.length, ex.offset());
                assertRestoreFails(before, manager, target, () -> target.restore(channel(longer), "g"), "stream");
            }

            // The trailer written twice is still garbage after the trailer.
            final byte[] twice = Arrays.copyOf(snapshot, snapshot.length + SnapshotFormat.TRAILER_LENGTH);
            System.arraycopy(snapshot, trailerAt, twice, snapshot.length, SnapshotFormat.TRAILER_LENGTH);
            assertRestoreFails(before, manager, target, () -> restoreViaFile(target, "twice.snap", twice), "twice");

            final byte[] noTrailer = Arrays.copyOf(snapshot, trailerAt);
            final SnapshotCorruptedException missing = assertRestoreFails(before, manager, target,
                () -> restoreViaFile(target, "no-trailer.snap", noTrailer), "missing trailer");
            assertTrue(missing.getMessage().contains("truncated"), missing::getMessage);

            final byte[] badMagic = snapshot.clone();
            putIntLe(badMagic, trailerAt + 4, 0x444E4547);
            final SnapshotCorruptedException magic = assertRestoreFails(before, manager, target,
                () -> restoreViaFile(target, "bad-trailer.snap", badMagic), "bad trailer magic");
            assertTrue(magic.getMessage().contains("bad trailer magic"), magic::getMessage);
            assertEquals(trailerAt + 4, magic.offset());

            final byte[] badCrc = snapshot.clone();
            badCrc[trailerAt + 2] ^= 0x40;
            final SnapshotCorruptedException crc = assertRestoreFails(before, manager, target,
                () -> restoreViaFile(target, "bad-crc.snap", badCrc), "bad CRC");
            assertTrue(crc.getMessage().contains("CRC32C mismatch"), crc::getMessage);
            assertEquals(trailerAt, crc.offset());

            final byte[] badEntry = snapshot.clone();
            badEntry[HashTableSnapshot.HEADER_LENGTH + 20] ^= 0x02;
            final SnapshotCorruptedException entry = assertRestoreFails(before, manager, target,
                () -> restoreViaFile(target, "bad-entry.snap", badEntry), "bad entry");
            assertTrue(entry.getMessage().contains("CRC32C mismatch"), entry::getMessage);
        }
    }

    @Test
    void shouldRejectAnEntryCountOutOfRange() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 8, 8))
        {
            final TableState before = TableState.of(manager, target);
            for (final long count : new long[] {-1, Long.MIN_VALUE, Integer.MAX_VALUE, 1L << 40})
            {
                final Path file = writeBody("count.snap", (w) ->
                    header(w, OffHeapHashTable.SNAPSHOT_MAGIC, 1, FINGERPRINT, 8, 8, count));
                final SnapshotCorruptedException ex =
                    assertRestoreFails(before, manager, target, () -> target.restore(file), "count " + count);
                assertTrue(ex.getMessage().contains("entry count"), ex::getMessage);
                assertEquals(24, ex.offset());
            }
        }
    }

    @Test
    void shouldNotTrustALargeEntryCountWithMemoryBeforeTheEntriesAreThere() throws IOException
    {
        // A count that passes the range check but is not backed by entries, under a CRC that matches: the restore
        // must report the snapshot as corrupted, not pre-allocate for the count and fail on the budget.
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 8, 8))
        {
            final TableState before = TableState.of(manager, target);
            for (final long count : new long[] {6, 70_000, 5_000_000, 100_000_000, Integer.MAX_VALUE / 2})
            {
                final Path file = writeBody("lying-count.snap", (w) ->
                {
                    header(w, OffHeapHashTable.SNAPSHOT_MAGIC, 1, FINGERPRINT, 8, 8, count);
                    for (long k = 1; k <= SOURCE_ENTRIES; k++)
                    {
                        w.writeLong(k);
                        w.writeLong(k * 10);
                    }
                });
                final byte[] bytes = Files.readAllBytes(file);
                assertRestoreFails(before, manager, target, () -> target.restore(file), "file, count " + count);
                assertRestoreFails(before, manager, target, () -> target.restore(channel(bytes), "s"),
                    "stream, count " + count);
                assertTrue(manager.peakUsedBytes() < BUDGET / 2, "no allocation sized by an untrusted count");
            }
        }
    }

    @Test
    void shouldRejectFewerEntriesThanTheRestOfTheSnapshotHolds() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 8, 8))
        {
            final TableState before = TableState.of(manager, target);
            final Path file = writeBody("short-count.snap", (w) ->
            {
                header(w, OffHeapHashTable.SNAPSHOT_MAGIC, 1, FINGERPRINT, 8, 8, 2);
                for (long k = 1; k <= 3; k++)
                {
                    w.writeLong(k);
                    w.writeLong(k * 10);
                }
            });
            assertRestoreFails(before, manager, target, () -> target.restore(file), "count below the entries");
        }
    }

    @Test
    void shouldRejectADuplicateKey() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = target(manager, 3, 1))
        {
            final TableState before = TableState.of(manager, target);
            for (final byte[] duplicated : new byte[][] {{1, 2, 3}, {0, 0, 0}})
            {
                final Path file = writeBody("duplicate.snap", (w) ->
                {
                    header(w, OffHeapHashTable.SNAPSHOT_MAGIC, 1, FINGERPRINT, 3, 1, 3);
                    w.writeBytes(new UnsafeBuffer(new byte[] {duplicated[0], duplicated[1], duplicated[2], 9}), 0, 4);
                    w.writeBytes(new UnsafeBuffer(new byte[] {4, 5, 6, 9}), 0, 4);
                    w.writeBytes(new UnsafeBuffer(new byte[] {duplicated[0], duplicated[1], duplicated[2], 8}), 0, 4);
                });
                final SnapshotCorruptedException ex =
                    assertRestoreFails(before, manager, target, () -> target.restore(file), "duplicate");
                assertTrue(ex.getMessage().contains("duplicate key in entry 2"), ex::getMessage);
                assertEquals(HashTableSnapshot.V1_HEADER_LENGTH + 8, ex.offset());
            }
        }
    }

    @Test
    void shouldThrowBudgetExceededAndLeaveTheTableUnchangedWhenTheSnapshotDoesNotFit() throws IOException
    {
        final Path file = dir.resolve("big.snap");
        final Map<Key, byte[]> big = new HashMap<>();
        try (MemoryManager roomy = new MemoryManager(BUDGET);
            OffHeapHashTable source = new OffHeapHashTable(roomy, OWNER, 8, 16, 1, 0.65f, FINGERPRINT))
        {
            for (long k = 0; k < 40_000; k++)
            {
                source.putLong(k, k * 3);
            }
            source.snapshot(file);
            big.putAll(contents(source));
        }
        final byte[] bytes = Files.readAllBytes(file);
        try (MemoryManager tight = new MemoryManager(
            new MemoryManager.Context().budgetBytes(256L * 1024).pageSizeBytes(4096));
            OffHeapHashTable target = new OffHeapHashTable(tight, OWNER, 8, 16, 16, 0.65f, FINGERPRINT))
        {
            populate(target, 8, 16);
            final TableState before = TableState.of(tight, target);
            for (final boolean viaFile : new boolean[] {true, false})
            {
                final OffHeapHashTable.Cursor walk = target.cursor();
                assertTrue(walk.next());
                final MemoryBudgetExceededException ex = assertThrows(MemoryBudgetExceededException.class,
                    () ->
                    {
                        if (viaFile)
                        {
                            target.restore(file);
                        }
                        else
                        {
                            target.restore(channel(bytes), "big");
                        }
                    });
                assertEquals(OWNER, ex.owner());
                assertTrue(ex.getMessage().contains(OWNER), ex::getMessage);
                assertTrue(walk.next(), "a walk in progress survives a failed restore");
                before.assertUnchanged(tight, target, viaFile ? "file" : "stream");
            }

            // Still fully usable.
            target.putLong(999_999, 1);
            assertEquals(1, target.getLong(999_999, 0));
            assertTrue(target.remove(999_999));
            assertContents(before.contents, target);
        }
        assertEquals(40_000, big.size());
    }

    @Test
    void shouldReplaceTheContentAndReleaseTheOldMemoryOnASuccessfulRestore() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable target = new OffHeapHashTable(manager, OWNER, 13, 12, 1, 0.5f, FINGERPRINT))
        {
            for (int i = 1; i < 5_000; i++)
            {
                TableTestSupport.put(target, new Key(key(i + 1_000_000, 13)), value(i, 12));
            }
            final Path file = dir.resolve("small.snap");
            Files.write(file, sourceSnapshot(manager, 13, 12));
            target.restore(file);
            assertContents(sourceContents(13, 12), target);
            assertEquals(target.allocatedBytes(), manager.usedBytes(OWNER));
            assertEquals(1, manager.segmentCount(), "the old segment is released");

            // The restored table is a normal table: it grows, removes, and snapshots again.
            final Map<Key, byte[]> model = new HashMap<>(sourceContents(13, 12));
            for (int i = 1; i < 2_000; i++)
            {
                final Key key = new Key(key(i + 7_000_000, 13));
                TableTestSupport.put(target, key, value(i, 12));
                model.put(key, value(i, 12));
            }
            assertTrue(target.remove(new Key(new byte[13]).buffer(), TableTestSupport.KEY_OFFSET));
            model.remove(new Key(new byte[13]));
            assertContents(model, target);
            target.snapshot(file);
            target.clear();
            target.restore(file);
            assertContents(model, target);
        }
    }

    @Test
    void shouldRoundTripTheWidestValuesThroughAFileAndATricklingChannel() throws IOException
    {
        final int valueWidth = OffHeapHashTable.MAX_VALUE_WIDTH;
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable source = new OffHeapHashTable(manager, OWNER, 64, valueWidth, 4, 0.65f, FINGERPRINT);
            OffHeapHashTable target = new OffHeapHashTable(manager, OWNER, 64, valueWidth, 1, 0.65f, FINGERPRINT))
        {
            final Map<Key, byte[]> model = new HashMap<>();
            for (int i = 0; i < 6; i++)
            {
                final Key key = new Key(key(i, 64));
                final byte[] value = new byte[valueWidth];
                for (int j = 0; j < valueWidth; j++)
                {
                    value[j] = (byte)(j * 31 + i);
                }
                TableTestSupport.put(source, key, value);
                model.put(key, value);
            }
            final Path file = dir.resolve("wide.snap");
            assertEquals(HashTableSnapshot.HEADER_LENGTH + 6L * (64 + valueWidth) + SnapshotFormat.TRAILER_LENGTH,
                source.snapshot(file));
            target.restore(file);
            assertContents(model, target);

            target.clear();
            target.restore(trickle(Files.readAllBytes(file)), "trickle");
            assertContents(model, target);

            final byte[] truncated = Arrays.copyOf(Files.readAllBytes(file), (int)Files.size(file) - 70_000);
            final TableState before = TableState.of(manager, target);
            assertRestoreFails(before, manager, target, () -> target.restore(trickle(truncated), "t"), "wide");
        }
    }

    @Test
    void shouldWriteSnapshotFilesAtomicallyReplacingTheOldFile() throws IOException
    {
        try (MemoryManager manager = new MemoryManager(BUDGET);
            OffHeapHashTable table = target(manager, 8, 8);
            OffHeapHashTable copy = new OffHeapHashTable(manager, OWNER, 8, 8, 16, 0.65f, FINGERPRINT))
        {
            final Path file = dir.resolve("table.snap");
            Files.write(file, new byte[] {1, 2, 3});
            final long length = table.snapshot(file);
            assertEquals(Files.size(file), length);
            assertFalse(Files.exists(dir.resolve("table.snap" + SnapshotFiles.TEMP_SUFFIX)));
            assertArrayEquals(snapshotBytes(table), Files.readAllBytes(file), "file and channel snapshots agree");
            copy.restore(file);
            assertContents(contents(table), copy);
            try (var listing = Files.list(dir))
            {
                assertEquals(1, listing.count(), "only the snapshot file");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Restore
    {
        void run() throws IOException;
    }

    /**
     * Run a restore that must fail as corrupted, and check the table and the memory are exactly as before.
     */
    private static SnapshotCorruptedException assertRestoreFails(
        final TableState before,
        final MemoryManager manager,
        final OffHeapHashTable target,
        final Restore restore,
        final String what)
    {
        final OffHeapHashTable.Cursor walk = target.cursor();
        final boolean hadEntry = walk.next();
        SnapshotCorruptedException caught = null;
        try
        {
            restore.run();
            fail("restore of a bad snapshot succeeded: " + what);
        }
        catch (final SnapshotCorruptedException ex)
        {
            caught = ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new AssertionError("expected SnapshotCorruptedException for " + what + ", got " + ex, ex);
        }
        if (hadEntry)
        {
            walk.next(); // A walk in progress survives: no ConcurrentModificationException.
        }
        assertTrue(caught.getMessage().startsWith("snapshot corrupted: "), caught::getMessage);
        before.assertUnchanged(manager, target, what);
        return caught;
    }

    /**
     * Everything observable about a table and its memory.
     */
    private static final class TableState
    {
        private final Map<Key, byte[]> contents;
        private final int size;
        private final int capacity;
        private final long allocatedBytes;
        private final UnsafeBuffer buffer;
        private final long usedBytes;
        private final long ownerUsedBytes;
        private final int segmentCount;

        private TableState(final MemoryManager manager, final OffHeapHashTable table)
        {
            contents = contents(table);
            size = table.size();
            capacity = table.capacity();
            allocatedBytes = table.allocatedBytes();
            buffer = table.buffer();
            usedBytes = manager.usedBytes();
            ownerUsedBytes = manager.usedBytes(table.owner());
            segmentCount = manager.segmentCount();
        }

        static TableState of(final MemoryManager manager, final OffHeapHashTable table)
        {
            return new TableState(manager, table);
        }

        void assertUnchanged(final MemoryManager manager, final OffHeapHashTable table, final String what)
        {
            try
            {
                assertEquals(size, table.size(), "size");
                assertEquals(capacity, table.capacity(), "capacity");
                assertEquals(allocatedBytes, table.allocatedBytes(), "allocated bytes");
                assertSame(buffer, table.buffer(), "buffer");
                assertEquals(usedBytes, manager.usedBytes(), "manager's used bytes");
                assertEquals(ownerUsedBytes, manager.usedBytes(table.owner()), "owner's used bytes");
                assertEquals(segmentCount, manager.segmentCount(), "segments");
                assertContents(contents, table);
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError("table changed by a failed restore (" + what + "): " + ex.getMessage(), ex);
            }
        }
    }

    private OffHeapHashTable target(final MemoryManager manager, final int keyWidth, final int valueWidth)
    {
        final OffHeapHashTable table = new OffHeapHashTable(manager, OWNER, keyWidth, valueWidth, 16, 0.65f,
            FINGERPRINT);
        populate(table, keyWidth, valueWidth);
        return table;
    }

    /**
     * Give a target table content different from the source's.
     */
    private static void populate(final OffHeapHashTable table, final int keyWidth, final int valueWidth)
    {
        for (int i = 0; i < 7; i++)
        {
            final byte[] value = value(i + 77, valueWidth);
            TableTestSupport.put(table, new Key(key(i + 100, keyWidth)), value);
        }
    }

    private static Map<Key, byte[]> sourceContents(final int keyWidth, final int valueWidth)
    {
        final Map<Key, byte[]> contents = new HashMap<>();
        for (int i = 0; i < SOURCE_ENTRIES; i++)
        {
            contents.put(new Key(key(i, keyWidth)), value(i, valueWidth));
        }
        return contents;
    }

    /**
     * A snapshot of a small table including the all-zero key, taken through a scratch owner that is gone after.
     */
    private static byte[] sourceSnapshot(final MemoryManager manager, final int keyWidth, final int valueWidth)
        throws IOException
    {
        try (OffHeapHashTable source =
            new OffHeapHashTable(manager, "source", keyWidth, valueWidth, 4, 0.65f, FINGERPRINT))
        {
            sourceContents(keyWidth, valueWidth).forEach((key, value) -> TableTestSupport.put(source, key, value));
            return snapshotBytes(source);
        }
    }

    /**
     * Key 0 is all zeros; the others are distinct and non-zero.
     */
    private static byte[] key(final int i, final int keyWidth)
    {
        final byte[] key = new byte[keyWidth];
        if (0 != i)
        {
            for (int j = 0; j < keyWidth; j++)
            {
                key[j] = (byte)(i * 37 + j * 11);
            }
            key[keyWidth - 1] = (byte)i;
            if (keyWidth >= 3)
            {
                key[keyWidth - 2] = (byte)(i >> 8);
                key[keyWidth - 3] = (byte)(i >> 16);
            }
        }
        return key;
    }

    private static byte[] value(final int i, final int valueWidth)
    {
        final byte[] value = new byte[valueWidth];
        for (int j = 0; j < valueWidth; j++)
        {
            value[j] = (byte)(i * 13 + j + 1);
        }
        return value;
    }

    private Path writeBody(final String name, final SnapshotFiles.BodyWriter body) throws IOException
    {
        final Path file = dir.resolve(name);
        SnapshotFiles.writeAtomically(file, body);
        return file;
    }

    private void restoreViaFile(final OffHeapHashTable target, final String name, final byte[] bytes)
        throws IOException
    {
        target.restore(Files.write(dir.resolve(name), bytes));
    }

    private static void header(
        final SnapshotWriter writer,
        final int magic,
        final int version,
        final long fingerprint,
        final int keyWidth,
        final int valueWidth,
        final long count) throws IOException
    {
        writer.writeInt(magic);
        writer.writeInt(version);
        writer.writeLong(fingerprint);
        writer.writeInt(keyWidth);
        writer.writeInt(valueWidth);
        writer.writeLong(count);
    }

    private static void putIntLe(final byte[] bytes, final int offset, final int value)
    {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
    }

    /**
     * A channel handing out one to three bytes per read.
     */
    private static ReadableByteChannel trickle(final byte[] bytes)
    {
        return new TrickleChannel(bytes, 3);
    }
}
