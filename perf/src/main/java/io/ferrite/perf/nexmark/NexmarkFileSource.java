package io.ferrite.perf.nexmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.agrona.MutableDirectBuffer;

import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.RecordWriter;
import io.ferrite.memory.csv.CsvLineReader;

/**
 * A NEXMark event file as a generator source: record {@code k} is line {@code k + 1}. The file is read sequentially;
 * asked for any other record first (a job resuming from a checkpoint, or a replay), the reader starts again and skips
 * to that line, so the source is deterministic by sequence as the engine's generator sources must be. Nothing is
 * allocated per line.
 * <p>
 * Empty lines at the end of the file are its end (an editor's extra newline); an empty line before another line is
 * malformed. A malformed line stops the job: the function throws the
 * {@link io.ferrite.memory.csv.MalformedRecordException} naming the file, line, column and field, which fails the job
 * with that message. A line cannot be skipped here,
 * since record numbers are line numbers.
 * <p>
 * <b>Note:</b> Not threadsafe: called on the source stage's thread only.
 */
public final class NexmarkFileSource implements GeneratorFunction, AutoCloseable
{
    private final Path file;
    private final NexmarkCsv csv = new NexmarkCsv();
    private CsvLineReader reader;
    private long nextSequence;

    /**
     * A source over a file.
     *
     * @param file the file.
     */
    public NexmarkFileSource(final Path file)
    {
        this.file = file;
    }

    @Override
    public boolean next(final long sequence, final RecordWriter out)
    {
        return next(sequence, out.mutableBuffer(), out.offset());
    }

    /**
     * Fill a record of {@link NexmarkSchemas#EVENT} from line {@code sequence + 1}.
     *
     * @param sequence the record's number, from 0.
     * @param buffer   the buffer holding the zeroed record.
     * @param offset   where the record starts.
     * @return false past the last line.
     * @throws io.ferrite.memory.csv.MalformedRecordException if the line is malformed.
     */
    public boolean next(final long sequence, final MutableDirectBuffer buffer, final int offset)
    {
        try
        {
            if (null == reader || sequence < nextSequence)
            {
                close();
                reader = new CsvLineReader(file, NexmarkCsv.MAX_LINE_LENGTH);
                nextSequence = 0;
            }
            final CsvLineReader reader = this.reader;
            while (nextSequence < sequence)
            {
                if (reader.next() < 0)
                {
                    return false;
                }
                nextSequence++;
            }
            final int length = reader.next();
            if (length < 0)
            {
                return false;
            }
            if (0 == length && onlyEmptyLinesLeft(buffer, offset))
            {
                return false;
            }
            csv.decode(reader.source(), reader.lineNumber(), reader.buffer(), reader.lineOffset(), length, buffer,
                offset);
            nextSequence++;
            return true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file + " at line " + (nextSequence + 1), ex);
        }
    }

    /**
     * At an empty line: true if only empty lines follow it (a file ending in an extra newline ends there); otherwise
     * the empty line is malformed, and this throws the error naming it.
     */
    private boolean onlyEmptyLinesLeft(final MutableDirectBuffer buffer, final int offset) throws IOException
    {
        final long emptyLine = reader.lineNumber();
        int next;
        do
        {
            next = reader.next();
        }
        while (0 == next);
        if (next < 0)
        {
            return true;
        }
        csv.decode(reader.source(), emptyLine, reader.buffer(), reader.lineOffset(), 0, buffer, offset);
        throw new IllegalStateException("an empty line decoded: " + file + " line " + emptyLine);
    }

    @Override
    public void close()
    {
        if (null != reader)
        {
            try
            {
                reader.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close " + file, ex);
            }
            reader = null;
        }
    }
}
