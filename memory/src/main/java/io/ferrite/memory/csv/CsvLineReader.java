package io.ferrite.memory.csv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a file line by line into one reusable buffer, counting lines, for a {@link CsvCodec} to decode in place: no
 * allocation per line. A line ends at LF (a CR before it is left for the codec, which ignores it); the last line may
 * lack its LF. A line longer than the limit is an error naming the file and the line, never a silent truncation.
 * <pre>{@code
 * try (CsvLineReader lines = new CsvLineReader(path, 4096))
 * {
 *     int length;
 *     while ((length = lines.next()) >= 0)
 *     {
 *         codec.decode(lines.source(), lines.lineNumber(), lines.buffer(), lines.lineOffset(), length, slot, 0);
 *     }
 * }
 * }</pre>
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class CsvLineReader implements AutoCloseable
{
    private static final int DEFAULT_CHUNK = 64 * 1024;

    private final FileChannel channel;
    private final String source;
    private final int maxLineLength;
    private final byte[] bytes;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private int start;
    private int limit;
    private int lineOffset;
    private long lineNumber;
    private boolean endOfFile;

    /**
     * A reader of a file whose lines are at most {@code maxLineLength} bytes.
     *
     * @param file          the file.
     * @param maxLineLength the longest line accepted, without its terminator.
     * @throws IOException if the file cannot be opened.
     */
    public CsvLineReader(final Path file, final int maxLineLength) throws IOException
    {
        this(file, maxLineLength, DEFAULT_CHUNK);
    }

    CsvLineReader(final Path file, final int maxLineLength, final int chunk) throws IOException
    {
        if (maxLineLength < 1)
        {
            throw new IllegalArgumentException("max line length must be positive: " + maxLineLength);
        }
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.source = file.toString();
        this.maxLineLength = maxLineLength;
        this.bytes = new byte[Math.max(chunk, maxLineLength + 2)];
        this.byteBuffer = ByteBuffer.wrap(bytes);
        this.buffer = new UnsafeBuffer(bytes);
    }

    /**
     * Move to the next line.
     *
     * @return the line's length without its LF, or -1 at the end of the file.
     * @throws MalformedRecordException if the line is longer than the limit.
     * @throws IOException              if reading fails.
     */
    public int next() throws IOException
    {
        while (true)
        {
            for (int i = start; i < limit; i++)
            {
                if (bytes[i] == '\n')
                {
                    return line(i - start, i + 1);
                }
            }
            if (limit - start > maxLineLength + 1)
            {
                throw new MalformedRecordException(source, lineNumber + 1, 1, null,
                    "line longer than " + maxLineLength + " bytes");
            }
            if (endOfFile)
            {
                if (start == limit)
                {
                    return -1;
                }
                return line(limit - start, limit);
            }
            fill();
        }
    }

    /**
     * The buffer holding the current line.
     *
     * @return the buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the current line starts in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int lineOffset()
    {
        return lineOffset;
    }

    /**
     * The current line's number, from 1.
     *
     * @return the line number.
     */
    public long lineNumber()
    {
        return lineNumber;
    }

    /**
     * The file's name, for errors.
     *
     * @return the source.
     */
    public String source()
    {
        return source;
    }

    /**
     * Close the file.
     *
     * @throws IOException if closing fails.
     */
    @Override
    public void close() throws IOException
    {
        channel.close();
    }

    private int line(final int length, final int nextStart)
    {
        final int content = length > 0 && bytes[start + length - 1] == '\r' ? length - 1 : length;
        if (content > maxLineLength)
        {
            throw new MalformedRecordException(source, lineNumber + 1, 1, null,
                "line longer than " + maxLineLength + " bytes");
        }
        lineOffset = start;
        start = nextStart;
        lineNumber++;
        return length;
    }

    private void fill() throws IOException
    {
        if (start > 0)
        {
            System.arraycopy(bytes, start, bytes, 0, limit - start);
            limit -= start;
            start = 0;
        }
        byteBuffer.limit(bytes.length).position(limit);
        final int read = channel.read(byteBuffer);
        if (read < 0)
        {
            endOfFile = true;
        }
        else
        {
            limit += read;
        }
    }
}
