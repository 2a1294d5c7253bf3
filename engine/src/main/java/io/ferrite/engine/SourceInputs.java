package io.ferrite.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.runtime.SourceInput;
import io.ferrite.memory.csv.CsvCodec;
import io.ferrite.memory.csv.CsvLineReader;
import io.ferrite.memory.csv.MalformedRecordException;
import io.ferrite.memory.schema.Schema;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalHandler;
import io.ferrite.queues.journal.JournalReader;
import io.ferrite.queues.ring.EntryHandler;
import io.ferrite.queues.ring.EntryType;
import io.ferrite.queues.ring.RingConsumer;
import io.ferrite.queues.ring.RingEntry;

/**
 * The kinds of {@link SourceInput}: a publisher's ring, a generator, a journal tail and a CSV file.
 */
final class SourceInputs
{
    private SourceInputs()
    {
    }

    /**
     * Drains the multi-producer ring the application's threads publish into.
     */
    static final class PublisherInput implements SourceInput
    {
        private final RingConsumer consumer;
        private final EntryHandler entryHandler = this::onEntry;
        private Handler handler;
        private boolean ended;

        PublisherInput(final RingConsumer consumer)
        {
            this.consumer = consumer;
        }

        @Override
        public int poll(final Handler recordHandler, final int limit)
        {
            handler = recordHandler;
            return consumer.poll(entryHandler, limit);
        }

        private int onEntry(final RingEntry entry)
        {
            switch (entry.type())
            {
                case EntryType.RECORD:
                    handler.onRecord(entry.buffer(), entry.payloadOffset(), entry.length(), -1);
                    return EntryHandler.CONTINUE;
                case EntryType.END_OF_STREAM:
                    ended = true;
                    return EntryHandler.BREAK;
                default:
                    return EntryHandler.CONTINUE;
            }
        }

        @Override
        public boolean isEnded()
        {
            return ended;
        }

        @Override
        public long backlog()
        {
            return consumer.backlog();
        }

        @Override
        public void close()
        {
            consumer.close();
        }
    }

    /**
     * Calls a generator function for each record, as fast as asked or at a fixed rate.
     */
    static final class GeneratorInput implements SourceInput
    {
        private final GeneratorFunction function;
        private final RecordWriter writer;
        private final UnsafeBuffer scratch;
        private final int length;
        private final long maxRecords;
        private final long periodNs;
        private final NanoClock clock;
        private long startNs = Long.MIN_VALUE;
        private long sequence;
        private boolean ended;

        GeneratorInput(
            final GeneratorFunction function,
            final Schema schema,
            final long maxRecords,
            final long ratePerSecond,
            final NanoClock clock)
        {
            this.function = function;
            this.writer = new RecordWriter(schema);
            this.length = schema.recordLength();
            this.scratch = new UnsafeBuffer(new byte[Math.max(8, length)]);
            this.maxRecords = maxRecords;
            this.periodNs = ratePerSecond == 0 ? 0 : Math.max(1, 1_000_000_000L / ratePerSecond);
            this.clock = clock;
            writer.wrapMutable(scratch, 0);
            this.ended = maxRecords == 0;
        }

        @Override
        public int poll(final Handler handler, final int limit)
        {
            long due = Long.MAX_VALUE;
            if (periodNs > 0)
            {
                final long now = clock.nanoTime();
                if (startNs == Long.MIN_VALUE)
                {
                    if (limit < 1 || ended)
                    {
                        // The schedule starts with the first record made, not with a poll that could take none:
                        // started earlier, the generator would make its first records in a burst, ahead of the times
                        // a rate promises (and an open-loop measurement would see results before their events).
                        return 0;
                    }
                    startNs = now;
                }
                due = (now - startNs) / periodNs + 1;
            }
            int count = 0;
            while (count < limit && !ended && sequence < due)
            {
                writer.clear();
                if (!function.next(sequence, writer))
                {
                    ended = true;
                    break;
                }
                sequence++;
                count++;
                handler.onRecord(scratch, 0, length, -1);
                if (sequence >= maxRecords)
                {
                    ended = true;
                }
            }
            return count;
        }

        @Override
        public boolean isEnded()
        {
            return ended;
        }

        @Override
        public boolean isReplayable()
        {
            return true;
        }

        @Override
        public void seekAfter(final long originIndex)
        {
            // The function makes record n from n alone, so resuming is starting at n + 1 (with the rate's clock too).
            sequence = originIndex + 1;
            ended = sequence >= maxRecords;
            if (periodNs > 0)
            {
                startNs = clock.nanoTime() - sequence * periodNs;
            }
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * Tails a Ferrite journal of records; the journal index is each record's origin.
     */
    static final class JournalInput implements SourceInput
    {
        private final String source;
        private final Journal journal;
        private final int recordLength;
        private final long endIndex;
        private final JournalHandler journalHandler = this::onEntry;
        private Handler handler;
        private JournalReader reader;
        private long skipThrough = -1;
        private boolean ended;

        JournalInput(final String source, final Path directory, final Schema schema, final boolean endAtLastEntry)
        {
            this.source = source;
            this.recordLength = schema.recordLength();
            this.journal = Journal.open(new Journal.Context().directory(directory)
                .maxPayloadLength(Math.max(recordLength, 64)));
            try
            {
                this.reader = journal.readerFromStart();
            }
            catch (final RuntimeException ex)
            {
                journal.close();
                throw ex;
            }
            this.endIndex = endAtLastEntry ? journal.lastIndex() : Long.MAX_VALUE;
            this.ended = endAtLastEntry && endIndex < 0;
        }

        @Override
        public int poll(final Handler recordHandler, final int limit)
        {
            handler = recordHandler;
            return reader.poll(journalHandler, limit);
        }

        private void onEntry(
            final long index, final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != recordLength)
            {
                throw new OperatorException(source, "journal " + journal.directory() + " index " + index,
                    new IllegalStateException("entry of " + length + " bytes where the schema's records are " +
                    recordLength));
            }
            if (index <= skipThrough)
            {
                return;
            }
            handler.onRecord(buffer, offset, length, index);
            if (index >= endIndex)
            {
                ended = true;
            }
        }

        @Override
        public boolean isEnded()
        {
            return ended;
        }

        @Override
        public boolean isReplayable()
        {
            return true;
        }

        @Override
        public void seekAfter(final long originIndex)
        {
            final long last = journal.lastIndex();
            if (originIndex > last)
            {
                throw new IllegalStateException("source '" + source + "': the checkpoint's position " + originIndex +
                    " is past the end of the journal " + journal.directory() + " (last " + last + ")");
            }
            reader.close();
            reader = journal.reader(originIndex);
            skipThrough = originIndex;
            ended = originIndex >= endIndex;
        }

        @Override
        public void close()
        {
            reader.close();
            journal.close();
        }
    }

    /**
     * Reads a CSV file line by line; the line number is each record's origin. A header line is skipped; a
     * malformed line follows the job's error policy.
     */
    static final class CsvInput implements SourceInput
    {
        private final String source;
        private final int sourceId;
        private final CsvCodec codec;
        private final CsvLineReader reader;
        private final StageErrors errors;
        private final UnsafeBuffer scratch;
        private final int length;
        private long skipThrough;
        private boolean ended;

        CsvInput(
            final String source, final int sourceId, final Path file, final Schema schema, final StageErrors errors)
        {
            this.source = source;
            this.sourceId = sourceId;
            this.codec = new CsvCodec(schema);
            this.errors = errors;
            this.length = schema.recordLength();
            this.scratch = new UnsafeBuffer(new byte[Math.max(8, length)]);
            try
            {
                this.reader = new CsvLineReader(file, 64 * 1024);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("source '" + source + "': cannot open " + file, ex);
            }
        }

        @Override
        public int poll(final Handler handler, final int limit)
        {
            int work = 0;
            int records = 0;
            while (records < limit && !ended)
            {
                final int lineLength;
                try
                {
                    lineLength = reader.next();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("source '" + source + "': cannot read " + reader.source() +
                        " at line " + (reader.lineNumber() + 1), ex);
                }
                catch (final MalformedRecordException ex)
                {
                    throw new OperatorException(source, "line " + ex.lineNumber() + " (a line too long to skip " +
                        "is fatal under every error policy)", ex);
                }
                if (lineLength < 0)
                {
                    ended = true;
                    break;
                }
                work++;
                final long line = reader.lineNumber();
                if (line <= skipThrough || lineLength == 0 ||
                    (line == 1 && codec.isHeader(reader.buffer(), reader.lineOffset(), lineLength)))
                {
                    continue;
                }
                scratch.setMemory(0, length, (byte)0);
                try
                {
                    codec.decode(reader.source(), line, reader.buffer(), reader.lineOffset(), lineLength, scratch, 0);
                }
                catch (final MalformedRecordException ex)
                {
                    errors.onMalformed(source, ex, reader.buffer(), reader.lineOffset(), lineLength, sourceId);
                    continue;
                }
                records++;
                handler.onRecord(scratch, 0, length, line);
            }
            return work;
        }

        @Override
        public boolean isReplayable()
        {
            return true;
        }

        @Override
        public void seekAfter(final long originIndex)
        {
            // Lines up to it are read and dropped, malformed ones included: their dead letters were written before.
            skipThrough = originIndex;
        }

        @Override
        public boolean isEnded()
        {
            return ended;
        }

        @Override
        public void close()
        {
            try
            {
                reader.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("source '" + source + "': cannot close " + reader.source(), ex);
            }
        }
    }
}
