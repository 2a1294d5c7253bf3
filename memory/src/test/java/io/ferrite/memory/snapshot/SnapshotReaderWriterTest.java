package io.ferrite.memory.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The snapshot frame: what the writer produces, and every way the reader rejects a damaged one.
 */
class SnapshotReaderWriterTest
{
    @Test
    void shouldRoundTripThroughChannelsThatMoveAFewBytesAtATime() throws IOException
    {
        final Random random = new Random(42);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int[] lengths = new int[300];
        final byte[][] chunks = new byte[lengths.length][];
        final SnapshotWriter writer = new SnapshotWriter(dribble(Channels.newChannel(out), 5));
        long body = 0;
        for (int i = 0; i < lengths.length; i++)
        {
            writer.writeInt(i);
            writer.writeLong(-i * 1_000_003L);
            lengths[i] = random.nextInt(3_000);
            chunks[i] = new byte[lengths[i]];
            random.nextBytes(chunks[i]);
            writer.writeBytes(new UnsafeBuffer(chunks[i]), 0, lengths[i]);
            body += 12 + lengths[i];
            assertEquals(body, writer.bodyLength());
        }
        final long total = writer.finish();
        assertEquals(body + SnapshotFormat.TRAILER_LENGTH, total);
        assertEquals(total, out.size());
        assertThrows(IllegalStateException.class, writer::finish, "a writer finishes once");

        final byte[] bytes = out.toByteArray();
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, (int)body);
        final ByteBuffer trailer = ByteBuffer.wrap(bytes, (int)body, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((int)crc.getValue(), trailer.getInt((int)body));
        assertEquals(SnapshotFormat.TRAILER_MAGIC, trailer.getInt((int)body + 4));

        final SnapshotReader reader = new SnapshotReader(trickle(bytes), "trickle", 3_000);
        assertEquals("trickle", reader.source());
        for (int i = 0; i < lengths.length; i++)
        {
            assertEquals(i, reader.readInt());
            assertEquals(-i * 1_000_003L, reader.readLong());
            final int at = reader.read(lengths[i]);
            final byte[] read = new byte[lengths[i]];
            reader.buffer().getBytes(at, read);
            assertArrayEquals(chunks[i], read, "chunk " + i);
        }
        assertEquals(body, reader.offset());
        reader.verifyTrailer();
    }

    @Test
    void aResetWriterStartsAFreshSnapshotEvenAfterOneLeftHalfWritten() throws IOException
    {
        final SnapshotWriter writer = new SnapshotWriter();
        final ByteArrayOutputStream abandoned = new ByteArrayOutputStream();
        writer.reset(Channels.newChannel(abandoned));
        writer.writeLong(7);
        writer.writeBytes(new UnsafeBuffer(new byte[100_000]), 0, 100_000);

        for (int round = 0; round < 3; round++)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertSame(writer, writer.reset(Channels.newChannel(out)));
            assertEquals(0, writer.bodyLength(), "round " + round);
            for (int i = 0; i <= round; i++)
            {
                writer.writeInt(round * 10 + i);
            }
            assertEquals(4L * (round + 1) + SnapshotFormat.TRAILER_LENGTH, writer.finish());
            final SnapshotReader reader = new SnapshotReader(Channels.newChannel(
                new ByteArrayInputStream(out.toByteArray())), "round " + round, 64);
            for (int i = 0; i <= round; i++)
            {
                assertEquals(round * 10 + i, reader.readInt());
            }
            reader.verifyTrailer();
        }
    }

    @Test
    void shouldReadChunksAsLongAsDeclaredAcrossStagingBoundaries() throws IOException
    {
        final int chunk = 100_003;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final SnapshotWriter writer = new SnapshotWriter(Channels.newChannel(out));
        final byte[] bytes = new byte[chunk];
        for (int i = 0; i < 7; i++)
        {
            Arrays.fill(bytes, (byte)i);
            bytes[chunk - 1] = (byte)~i;
            writer.writeInt(i);
            writer.writeBytes(new UnsafeBuffer(bytes), 0, chunk);
        }
        writer.finish();

        for (final ReadableByteChannel channel : new ReadableByteChannel[] {
            Channels.newChannel(new ByteArrayInputStream(out.toByteArray())), trickle(out.toByteArray())})
        {
            final SnapshotReader reader = new SnapshotReader(channel, "big", chunk);
            for (int i = 0; i < 7; i++)
            {
                assertEquals(i, reader.readInt());
                final int at = reader.read(chunk);
                assertEquals((byte)i, reader.buffer().getByte(at));
                assertEquals((byte)i, reader.buffer().getByte(at + chunk / 2));
                assertEquals((byte)~i, reader.buffer().getByte(at + chunk - 1));
            }
            reader.verifyTrailer();
        }
    }

    @Test
    void shouldReportAnEmptySnapshot()
    {
        final SnapshotCorruptedException ex = assertThrows(SnapshotCorruptedException.class,
            () -> reader(new byte[0]).readInt());
        assertEquals(0, ex.offset());
        assertEquals("s", ex.source());
        assertEquals("snapshot corrupted: s at offset 0: empty", ex.getMessage());
        assertInstanceOf(IOException.class, ex);
    }

    @Test
    void shouldReportATruncatedBodyAtTheOffsetWhereItEnds() throws IOException
    {
        final byte[] frame = frame();
        for (int cut = 1; cut < 12; cut++)
        {
            final SnapshotReader reader = reader(Arrays.copyOf(frame, cut));
            final SnapshotCorruptedException ex = assertThrows(SnapshotCorruptedException.class, () ->
            {
                reader.readInt();
                reader.readLong();
            });
            assertEquals(cut, ex.offset());
            assertTrue(ex.getMessage().contains("truncated"), ex::getMessage);
        }
    }

    @Test
    void shouldReportAMissingOrTruncatedTrailer() throws IOException
    {
        final byte[] frame = frame();
        for (int cut = 12; cut < frame.length; cut++)
        {
            final SnapshotReader reader = reader(Arrays.copyOf(frame, cut));
            readBody(reader);
            final SnapshotCorruptedException ex = assertThrows(SnapshotCorruptedException.class,
                reader::verifyTrailer);
            assertEquals(cut, ex.offset());
            assertTrue(ex.getMessage().contains("truncated"), ex::getMessage);
        }
    }

    @Test
    void shouldReportABadTrailerMagic() throws IOException
    {
        final byte[] frame = frame();
        frame[frame.length - 1] ^= 0x20;
        final SnapshotReader reader = reader(frame);
        readBody(reader);
        final SnapshotCorruptedException ex = assertThrows(SnapshotCorruptedException.class, reader::verifyTrailer);
        assertEquals(16, ex.offset());
        assertTrue(ex.getMessage().contains("bad trailer magic"), ex::getMessage);
    }

    @Test
    void shouldReportACrcMismatchForAnyChangedBodyOrCrcByte() throws IOException
    {
        final byte[] frame = frame();
        for (int i = 0; i < 16; i++)
        {
            final byte[] corrupted = frame.clone();
            corrupted[i] ^= 0x01;
            final SnapshotReader reader = reader(corrupted);
            readBody(reader);
            final SnapshotCorruptedException ex =
                assertThrows(SnapshotCorruptedException.class, reader::verifyTrailer, "byte " + i);
            assertEquals(12, ex.offset());
            assertTrue(ex.getMessage().contains("CRC32C mismatch"), ex::getMessage);
        }
    }

    @Test
    void shouldReportBytesAfterTheTrailer() throws IOException
    {
        for (final int extra : new int[] {1, 8, 70_000})
        {
            final byte[] frame = Arrays.copyOf(frame(), 20 + extra);
            final SnapshotReader reader = reader(frame);
            readBody(reader);
            final SnapshotCorruptedException ex =
                assertThrows(SnapshotCorruptedException.class, reader::verifyTrailer);
            assertEquals(20, ex.offset());
            assertTrue(ex.getMessage().contains("unexpected bytes after the trailer"), ex::getMessage);
        }
    }

    @Test
    void shouldRefuseAReadLongerThanItsStagingBuffer() throws IOException
    {
        final SnapshotReader reader = reader(frame());
        assertThrows(IllegalArgumentException.class, () -> reader.read(1 << 20));
    }

    @Test
    void shouldPropagateAFailingChannel()
    {
        final IOException failure = new IOException("device gone");
        final SnapshotWriter writer = new SnapshotWriter(new WritableByteChannel()
        {
            @Override
            public int write(final ByteBuffer src) throws IOException
            {
                throw failure;
            }

            @Override
            public boolean isOpen()
            {
                return true;
            }

            @Override
            public void close()
            {
            }
        });
        assertSame(failure, assertThrows(IOException.class, () ->
        {
            writer.writeLong(1);
            writer.finish();
        }));
    }

    /**
     * A body of an int and a long, then the trailer.
     */
    private static byte[] frame() throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final SnapshotWriter writer = new SnapshotWriter(Channels.newChannel(out));
        writer.writeInt(0x0A0B0C0D);
        writer.writeLong(Long.MIN_VALUE + 5);
        assertEquals(20, writer.finish());
        return out.toByteArray();
    }

    private static void readBody(final SnapshotReader reader) throws IOException
    {
        reader.readInt();
        reader.readLong();
        assertEquals(12, reader.offset());
    }

    private static SnapshotReader reader(final byte[] bytes)
    {
        return new SnapshotReader(Channels.newChannel(new ByteArrayInputStream(bytes)), "s", 16);
    }

    /**
     * A channel handing out one to seven bytes per read.
     */
    private static ReadableByteChannel trickle(final byte[] bytes)
    {
        return new TrickleChannel(bytes, 7);
    }

    /**
     * A channel accepting at most {@code most} bytes per write.
     */
    private static WritableByteChannel dribble(final WritableByteChannel channel, final int most)
    {
        return new WritableByteChannel()
        {
            @Override
            public int write(final ByteBuffer src) throws IOException
            {
                final ByteBuffer part = src.duplicate();
                part.limit(part.position() + Math.min(most, part.remaining()));
                final int written = channel.write(part);
                src.position(src.position() + written);
                return written;
            }

            @Override
            public boolean isOpen()
            {
                return true;
            }

            @Override
            public void close()
            {
            }
        };
    }
}
