package io.ferrite.queues.journal;

import java.io.PrintStream;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A child process for {@link JournalCrashIT}: opens the journal, counts the valid entries already there, then appends
 * entry after entry, printing {@code ACK seq index} to stdout every few entries, until it is killed.
 */
final class JournalAppenderProcess
{
    static final int PAYLOAD_LENGTH = 64;

    private JournalAppenderProcess()
    {
    }

    static void fill(final UnsafeBuffer buffer, final long seq)
    {
        buffer.putLong(0, seq);
        for (int i = 8; i < PAYLOAD_LENGTH; i += 8)
        {
            buffer.putLong(i, seq * 31 + i);
        }
    }

    static boolean valid(final org.agrona.DirectBuffer buffer, final int offset, final int length, final long seq)
    {
        if (length != PAYLOAD_LENGTH || buffer.getLong(offset) != seq)
        {
            return false;
        }
        for (int i = 8; i < PAYLOAD_LENGTH; i += 8)
        {
            if (buffer.getLong(offset + i) != seq * 31 + i)
            {
                return false;
            }
        }
        return true;
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final PrintStream out = System.out;
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            final long[] count = { 0 };
            if (journal.lastIndex() >= 0)
            {
                try (JournalReader reader = journal.reader(journal.firstIndex()))
                {
                    while (reader.poll((index, buffer, offset, length) -> count[0]++, 1024) > 0)
                    {
                        // count what survived
                    }
                }
            }
            out.println("START " + count[0]);
            out.flush();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
            for (long seq = count[0]; ; seq++)
            {
                fill(payload, seq);
                final long index = journal.append(payload, 0, PAYLOAD_LENGTH);
                if (seq % 64 == 0)
                {
                    out.println("ACK " + seq + " " + index);
                    out.flush();
                }
            }
        }
    }
}
