package io.ferrite.memory.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic snapshot files: the complete new file or the untouched old one, and never a temporary file left behind.
 */
class SnapshotFilesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteTheBodyAndTrailerAndLeaveNoTemporaryFile() throws IOException
    {
        final Path file = dir.resolve("state.snap");
        final byte[] payload = "hello, snapshot".getBytes(StandardCharsets.US_ASCII);
        final long length = SnapshotFiles.writeAtomically(file, (writer) ->
        {
            writer.writeInt(0x01020304);
            writer.writeLong(-2L);
            writer.writeBytes(new UnsafeBuffer(payload), 0, payload.length);
        });

        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(bytes.length, length, "returns the file's length");
        assertEquals(4 + 8 + payload.length + SnapshotFormat.TRAILER_LENGTH, bytes.length);
        assertEquals(List.of(file), listing(), "no temporary file");

        final ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x01020304, view.getInt(0), "little-endian int");
        assertEquals(-2L, view.getLong(4), "little-endian long");
        assertArrayEquals(payload, Arrays.copyOfRange(bytes, 12, 12 + payload.length));
        final int bodyLength = bytes.length - SnapshotFormat.TRAILER_LENGTH;
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bodyLength);
        assertEquals((int)crc.getValue(), view.getInt(bodyLength), "CRC32C of the body");
        assertEquals("FEND", new String(bytes, bodyLength + 4, 4, StandardCharsets.US_ASCII), "trailer magic");

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final SnapshotReader reader = new SnapshotReader(channel, file.toString(), 64);
            assertEquals(0x01020304, reader.readInt());
            assertEquals(-2L, reader.readLong());
            final int at = reader.read(payload.length);
            final byte[] read = new byte[payload.length];
            reader.buffer().getBytes(at, read);
            assertArrayEquals(payload, read);
            reader.verifyTrailer();
        }
    }

    @Test
    void shouldReplaceAnOldFileAndLeaveNoTemporaryFile() throws IOException
    {
        final Path file = dir.resolve("state.snap");
        Files.write(file, new byte[10_000]);
        final long length = SnapshotFiles.writeAtomically(file, (writer) -> writer.writeLong(7));
        assertEquals(8 + SnapshotFormat.TRAILER_LENGTH, length);
        assertEquals(length, Files.size(file), "the old, longer file is replaced, not overwritten in place");
        assertEquals(7L, ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        assertEquals(List.of(file), listing());
    }

    @Test
    void shouldKeepTheOldFileWhenTheBodyWriterThrowsAnIOException() throws IOException
    {
        final Path file = dir.resolve("state.snap");
        final byte[] old = oldSnapshot(file);
        final IOException failure = new IOException("disk on fire");
        final IOException thrown = assertThrows(IOException.class, () -> SnapshotFiles.writeAtomically(file,
            (writer) ->
            {
                // More than the writer's staging buffer, so some of it has reached the temporary file.
                final UnsafeBuffer chunk = new UnsafeBuffer(new byte[10_000]);
                for (int i = 0; i < 30; i++)
                {
                    writer.writeBytes(chunk, 0, chunk.capacity());
                }
                assertTrue(Files.size(dir.resolve("state.snap" + SnapshotFiles.TEMP_SUFFIX)) > 0);
                throw failure;
            }));
        assertSame(failure, thrown, "the body's exception is rethrown as is");
        assertArrayEquals(old, Files.readAllBytes(file), "the old file is kept");
        assertEquals(List.of(file), listing(), "the temporary file is deleted");
    }

    @Test
    void shouldKeepTheOldFileWhenTheBodyWriterThrowsARuntimeException() throws IOException
    {
        final Path file = dir.resolve("state.snap");
        final byte[] old = oldSnapshot(file);
        final IllegalStateException failure = new IllegalStateException("operator state inconsistent");
        assertSame(failure, assertThrows(IllegalStateException.class, () -> SnapshotFiles.writeAtomically(file,
            (writer) ->
            {
                writer.writeInt(1);
                throw failure;
            })));
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());

        // A body that finishes the writer itself breaks the frame: refused, and the old file kept.
        assertThrows(IllegalStateException.class, () -> SnapshotFiles.writeAtomically(file, SnapshotWriter::finish));
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());
    }

    @Test
    void shouldCreateNoFileWhenTheBodyWriterFailsAndThereIsNoOldFile() throws IOException
    {
        final Path file = dir.resolve("state.snap");
        assertThrows(IOException.class, () -> SnapshotFiles.writeAtomically(file, (writer) ->
        {
            writer.writeLong(1);
            throw new IOException("failed");
        }));
        assertFalse(Files.exists(file));
        assertEquals(List.of(), listing());
    }

    @Test
    void shouldOverwriteATemporaryFileLeftByACrash() throws IOException
    {
        final Path file = dir.resolve("state.snap");
        final Path leftover = dir.resolve("state.snap" + SnapshotFiles.TEMP_SUFFIX);
        final byte[] garbage = new byte[100_000];
        Arrays.fill(garbage, (byte)0x7F);
        Files.write(leftover, garbage);

        final long length = SnapshotFiles.writeAtomically(file, (writer) -> writer.writeInt(5));
        assertEquals(4 + SnapshotFormat.TRAILER_LENGTH, length);
        assertEquals(length, Files.size(file), "none of the leftover's bytes survive");
        assertEquals(List.of(file), listing());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final SnapshotReader reader = new SnapshotReader(channel, file.toString(), 4);
            assertEquals(5, reader.readInt());
            reader.verifyTrailer();
        }
    }

    @Test
    void shouldWriteBodiesLargerThanTheStagingBuffer() throws IOException
    {
        final Path file = dir.resolve("large.snap");
        final int count = 100_000;
        final long length = SnapshotFiles.writeAtomically(file, (writer) ->
        {
            for (int i = 0; i < count; i++)
            {
                writer.writeInt(i);
                writer.writeLong(i * 3L);
            }
            assertEquals(12L * count, writer.bodyLength());
        });
        assertEquals(12L * count + SnapshotFormat.TRAILER_LENGTH, length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final SnapshotReader reader = new SnapshotReader(channel, file.toString(), 12);
            for (int i = 0; i < count; i++)
            {
                assertEquals(i, reader.readInt());
                assertEquals(i * 3L, reader.readLong());
            }
            assertEquals(12L * count, reader.offset());
            reader.verifyTrailer();
        }
    }

    @Test
    void shouldFailWhenTheDirectoryDoesNotExist()
    {
        final Path file = dir.resolve("missing").resolve("state.snap");
        assertThrows(IOException.class, () -> SnapshotFiles.writeAtomically(file, (writer) -> writer.writeInt(1)));
        assertFalse(Files.exists(file));
    }

    @Test
    void shouldForceADirectory()
    {
        assertDoesNotThrow(() -> SnapshotFiles.forceDirectory(dir));
    }

    private static byte[] oldSnapshot(final Path file) throws IOException
    {
        SnapshotFiles.writeAtomically(file, (writer) ->
        {
            writer.writeLong(0x0DDBA11L);
            writer.writeInt(42);
        });
        return Files.readAllBytes(file);
    }

    private List<Path> listing() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.sorted().collect(Collectors.toList());
        }
    }
}
