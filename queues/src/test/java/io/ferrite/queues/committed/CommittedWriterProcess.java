package io.ferrite.queues.committed;

import java.io.PrintStream;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.queues.journal.Journal;

/**
 * A child process for {@link CommittedJournalCrashIT}, playing a job that writes outputs: it restores the checkpoint
 * given on its command line ({@code dir checkpointId position nextSeq}), then writes outputs numbered from
 * {@code nextSeq} and takes a checkpoint every few outputs: it prints {@code MANIFEST id position nextSeq} (the
 * manifest is durable once the parent has it), writes a few more outputs, commits, prints {@code COMMITTED id} — until
 * it is killed.
 */
final class CommittedWriterProcess
{
    static final int PAYLOAD_LENGTH = 48;

    private CommittedWriterProcess()
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

    static boolean valid(final DirectBuffer buffer, final int offset, final int length, final long seq)
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
        final long restoreId = Long.parseLong(args[1]);
        final long restorePosition = Long.parseLong(args[2]);
        final PrintStream out = System.out;
        try (CommittedJournal journal = CommittedJournal.open(new Journal.Context().directory(dir)))
        {
            journal.recover(restoreId, restorePosition);
            out.println("START " + journal.position());
            out.flush();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
            long seq = Long.parseLong(args[3]);
            long checkpointId = Math.max(0, restoreId);
            for (int round = 0; ; round++)
            {
                for (int i = 0; i < 10 + round % 23; i++)
                {
                    fill(payload, seq++);
                    journal.append(payload, 0, PAYLOAD_LENGTH);
                }
                final long position = journal.position();
                checkpointId++;
                out.println("MANIFEST " + checkpointId + " " + position + " " + seq);
                out.flush();
                for (int i = 0; i < round % 7; i++)
                {
                    fill(payload, seq++);
                    journal.append(payload, 0, PAYLOAD_LENGTH);
                }
                journal.commit(checkpointId, position);
                out.println("COMMITTED " + checkpointId);
                out.flush();
            }
        }
    }
}
