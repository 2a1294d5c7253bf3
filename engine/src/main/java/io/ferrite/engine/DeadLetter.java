package io.ferrite.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.schema.Schema;
import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalHandler;
import io.ferrite.queues.journal.JournalReader;

/**
 * One entry of a job's dead-letter journal: which operator or source rejected what, why, and where it came from.
 * Read them with {@link #readAll(Path)}; this allocates and is meant for tools, tests and post-mortems.
 * <p>
 * <b>Note:</b> Immutable.
 */
public final class DeadLetter
{
    private final long entryIndex;
    private final String operator;
    private final String reason;
    private final int sourceId;
    private final long originIndex;
    private final byte[] record;

    DeadLetter(
        final long entryIndex,
        final String operator,
        final String reason,
        final int sourceId,
        final long originIndex,
        final byte[] record)
    {
        this.entryIndex = entryIndex;
        this.operator = operator;
        this.reason = reason;
        this.sourceId = sourceId;
        this.originIndex = originIndex;
        this.record = record;
    }

    /**
     * Read every dead letter of a job, each once across crashes: the letters a recovery wrote again (those after the
     * checkpoint it restored) replace the ones the crashed run wrote.
     *
     * @param jobDirectory the job's directory ({@link Job#directory()}).
     * @return the dead letters in order; empty if there were none.
     */
    public static List<DeadLetter> readAll(final Path jobDirectory)
    {
        final List<DeadLetter> letters = new ArrayList<>();
        final Path directory = jobDirectory.resolve(DeadLetters.DIRECTORY);
        if (!Files.isDirectory(directory))
        {
            return letters;
        }
        try (Journal journal = Journal.open(new Journal.Context()
            .directory(directory).maxPayloadLength(DeadLetters.MAX_PAYLOAD));
            JournalReader reader = journal.readerFromStart())
        {
            final List<Long> epochs = new ArrayList<>();
            final JournalHandler handler = (index, buffer, offset, length) ->
            {
                final long epoch = DeadLetters.epoch(buffer, offset);
                if (epoch == DeadLetters.MARKER_EPOCH)
                {
                    final long restored = DeadLetters.markerCheckpoint(buffer, offset);
                    for (int i = letters.size() - 1; i >= 0; i--)
                    {
                        if (epochs.get(i) >= restored)
                        {
                            letters.remove(i);
                            epochs.remove(i);
                        }
                    }
                }
                else
                {
                    letters.add(DeadLetters.decode(index, buffer, offset));
                    epochs.add(epoch);
                }
            };
            int read;
            do
            {
                read = reader.poll(handler, 256);
            }
            while (read > 0);
        }
        return letters;
    }

    /**
     * The dead letter's index in the dead-letter journal.
     *
     * @return the index.
     */
    public long entryIndex()
    {
        return entryIndex;
    }

    /**
     * The operator or source that rejected the record.
     *
     * @return its name.
     */
    public String operator()
    {
        return operator;
    }

    /**
     * Why: the exception, or the malformed input's location and reason.
     *
     * @return the reason.
     */
    public String reason()
    {
        return reason;
    }

    /**
     * The source the record came from, -1 for a timer.
     *
     * @return the source id.
     */
    public int sourceId()
    {
        return sourceId;
    }

    /**
     * The record's origin index in its source (journal index, line number), or the timer's time.
     *
     * @return the index.
     */
    public long originIndex()
    {
        return originIndex;
    }

    /**
     * The record's bytes, or the malformed line's; empty for a timer.
     *
     * @return a copy of the bytes.
     */
    public byte[] record()
    {
        return record.clone();
    }

    /**
     * The record printed through a schema.
     *
     * @param schema the schema it was written with.
     * @return the text.
     */
    public String record(final Schema schema)
    {
        if (record.length < schema.recordLength())
        {
            return new String(record, StandardCharsets.UTF_8);
        }
        return schema.toString(new UnsafeBuffer(record), 0);
    }

    @Override
    public String toString()
    {
        return "DeadLetter{operator=" + operator + ", origin=" + sourceId + ":" + originIndex + ", reason=" + reason +
            ", bytes=" + record.length + "}";
    }
}
