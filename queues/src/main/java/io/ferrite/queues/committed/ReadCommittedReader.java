package io.ferrite.queues.committed;

import java.util.Arrays;

import org.agrona.DirectBuffer;

import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalHandler;
import io.ferrite.queues.journal.JournalReader;

/**
 * Reads a {@link CommittedJournal}'s outputs read-committed: each committed, non-voided output exactly once, in
 * journal order, with its journal index; never an uncommitted one. It follows the tail while a writer appends, in
 * this process or another (open the same directory with a {@link Journal} of the same max payload).
 * <p>
 * Two {@link JournalReader}s: a scout reads ahead, entry by entry, up to the next COMMIT that raises the committed
 * index, noting the VOID markers on the way; then a delivery reader, which stopped just after the last delivered
 * entry, re-reads the outputs up to the committed index and hands over those no VOID marker before the commit
 * discarded. No payload is buffered: memory is the two readers' staging buffers and a short list of voided ranges,
 * dropped once delivery passes them. A torn tail left by a killed writer is handled as {@link JournalReader} does: a
 * half-written entry is never read; a corrupted one throws
 * {@link io.ferrite.queues.journal.JournalCorruptedException}.
 * <p>
 * <b>Note:</b> Not threadsafe: one thread polls a reader.
 */
public final class ReadCommittedReader implements AutoCloseable
{
    private static final StopDelivery STOP = new StopDelivery();
    private static final int START_ATTEMPTS = 5;

    private final String name;
    private final JournalReader scout;
    private final JournalReader delivery;
    private final JournalHandler scoutHandler = this::onScouted;
    private final JournalHandler deliveryHandler = this::onDelivery;
    private long committedIndex;
    private long lastDeliveredIndex;
    private long delivered;
    private boolean caughtUp = true;
    private boolean newCommit;
    private long[] voidedAfter = new long[8];
    private long[] voidedBefore = new long[8];
    private int voidCount;
    private JournalHandler handler;
    private int polled;
    private boolean closed;

    private ReadCommittedReader(
        final String name, final JournalReader scout, final JournalReader delivery, final long afterIndex)
    {
        this.name = name;
        this.scout = scout;
        this.delivery = delivery;
        this.committedIndex = afterIndex;
        this.lastDeliveredIndex = afterIndex;
    }

    /**
     * A read-committed reader of a committed journal.
     *
     * @param journal    the journal a {@link CommittedJournal} writes.
     * @param afterIndex the last index already delivered to the consumer, to resume after it: an entry the journal
     *                   still keeps; -1 to start from the first entry kept.
     * @return the reader; closed with the journal.
     * @throws IllegalArgumentException if {@code afterIndex} is not an entry the journal keeps.
     */
    public static ReadCommittedReader open(final Journal journal, final long afterIndex)
    {
        final String name = journal.directory().toString();
        if (afterIndex < -1)
        {
            throw new IllegalArgumentException("cannot resume a read-committed reader after index " + afterIndex +
                ": negative: journal=" + name);
        }
        final JournalReader scout = positioned(journal, afterIndex, name);
        try
        {
            final JournalReader delivery = positioned(journal, afterIndex, name);
            return new ReadCommittedReader(name, scout, delivery, afterIndex);
        }
        catch (final RuntimeException | Error ex)
        {
            scout.close();
            throw ex;
        }
    }

    /**
     * Read every output committed so far, from the first entry kept, then close the reader: for tests and tools.
     *
     * @param journal the journal a {@link CommittedJournal} writes.
     * @param handler receives each committed output.
     * @return the number of outputs delivered.
     */
    public static long readAllCommitted(final Journal journal, final JournalHandler handler)
    {
        try (ReadCommittedReader reader = open(journal, -1))
        {
            while (reader.poll(handler, 1024) > 0)
            {
                // read up to the last commit
            }
            return reader.delivered();
        }
    }

    /**
     * Hand up to {@code limit} committed outputs to a handler, in journal order, each with its journal index. Reads
     * ahead, without delivering, through uncommitted outputs until it finds a commit or the journal's end.
     *
     * @param handler what to do with each output; its bytes are valid only during the call.
     * @param limit   the most outputs to hand over.
     * @return how many were handed over; 0 when no committed output is waiting.
     * @throws io.ferrite.queues.journal.JournalCorruptedException if an entry fails its check; the reader does not
     *                                                             move past it. If the handler throws, the output is
     *                                                             delivered again by the next poll.
     */
    public int poll(final JournalHandler handler, final int limit)
    {
        if (closed)
        {
            throw new IllegalStateException("read-committed reader is closed: " + name);
        }
        this.handler = handler;
        this.polled = 0;
        try
        {
            while (polled < limit)
            {
                if (!caughtUp)
                {
                    deliver(limit);
                    if (!caughtUp)
                    {
                        break;
                    }
                }
                if (!scoutToNextCommit())
                {
                    break;
                }
            }
            return polled;
        }
        finally
        {
            this.handler = null;
        }
    }

    /**
     * The index up to which outputs are committed, as far as this reader has read.
     *
     * @return the up-to index of the last COMMIT read, or the index the reader resumed after, -1 if none.
     */
    public long committedIndex()
    {
        return committedIndex;
    }

    /**
     * The index of the last output delivered: resume after it with {@link #open(Journal, long)}.
     *
     * @return the index, or the index the reader resumed after, -1 if none.
     */
    public long lastDeliveredIndex()
    {
        return lastDeliveredIndex;
    }

    /**
     * Outputs delivered by this reader.
     *
     * @return the count.
     */
    public long delivered()
    {
        return delivered;
    }

    /**
     * The voided ranges kept: those that may still cover an output not yet delivered.
     *
     * @return the count.
     */
    int voidedRanges()
    {
        return voidCount;
    }

    /**
     * Release the reader. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                scout.close();
            }
            finally
            {
                delivery.close();
            }
        }
    }

    private static JournalReader positioned(final Journal journal, final long afterIndex, final String name)
    {
        if (afterIndex == -1)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return journal.readerFromStart();
                }
                catch (final IllegalArgumentException ex)
                {
                    // The first index changed under Journal.readerFromStart: the writer's first append to an empty
                    // journal, or cycles deleted. Look again.
                    if (attempt == START_ATTEMPTS)
                    {
                        throw ex;
                    }
                }
            }
        }
        final JournalReader reader;
        try
        {
            reader = journal.reader(afterIndex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("cannot resume a read-committed reader after index " + afterIndex +
                ": " + ex.getMessage(), ex);
        }
        try
        {
            if (reader.poll((index, buffer, offset, length) -> { }, 1) != 1 || reader.index() <= afterIndex)
            {
                throw new IllegalArgumentException("cannot resume a read-committed reader after index " +
                    afterIndex + ": no entry there: journal=" + name);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            reader.close();
            throw ex;
        }
        return reader;
    }

    private void deliver(final int limit)
    {
        while (polled < limit && !caughtUp)
        {
            try
            {
                if (delivery.poll(deliveryHandler, limit - polled) == 0)
                {
                    return;
                }
            }
            catch (final StopDelivery ex)
            {
                caughtUp = true;
                dropPassedVoids();
            }
        }
    }

    private boolean scoutToNextCommit()
    {
        while (scout.poll(scoutHandler, 1) > 0)
        {
            if (newCommit)
            {
                newCommit = false;
                return true;
            }
        }
        return false;
    }

    private void onScouted(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte type = CommittedDescriptor.type(name, index, buffer, offset, length);
        if (type == CommittedDescriptor.TYPE_COMMIT)
        {
            final long upTo = CommittedDescriptor.upToIndex(buffer, offset);
            if (upTo > committedIndex)
            {
                committedIndex = upTo;
                caughtUp = false;
                newCommit = true;
            }
        }
        else if (type == CommittedDescriptor.TYPE_VOID)
        {
            final long upTo = CommittedDescriptor.upToIndex(buffer, offset);
            if (index - 1 > Math.max(upTo, lastDeliveredIndex))
            {
                addVoid(upTo, index);
            }
        }
    }

    private void onDelivery(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (index > committedIndex)
        {
            // Leave the delivery reader on the first entry past the commit: the JournalReader rolls it back.
            throw STOP;
        }
        final byte type = CommittedDescriptor.type(name, index, buffer, offset, length);
        if (type == CommittedDescriptor.TYPE_DATA && index > lastDeliveredIndex && !isVoided(index))
        {
            handler.onEntry(index, buffer, offset + CommittedDescriptor.HEADER_LENGTH,
                length - CommittedDescriptor.HEADER_LENGTH);
            lastDeliveredIndex = index;
            delivered++;
            polled++;
        }
    }

    private boolean isVoided(final long index)
    {
        for (int i = 0; i < voidCount; i++)
        {
            if (index > voidedAfter[i] && index < voidedBefore[i])
            {
                return true;
            }
        }
        return false;
    }

    private void addVoid(final long after, final long before)
    {
        if (voidCount == voidedAfter.length)
        {
            voidedAfter = Arrays.copyOf(voidedAfter, voidCount * 2);
            voidedBefore = Arrays.copyOf(voidedBefore, voidCount * 2);
        }
        voidedAfter[voidCount] = after;
        voidedBefore[voidCount] = before;
        voidCount++;
    }

    private void dropPassedVoids()
    {
        int kept = 0;
        for (int i = 0; i < voidCount; i++)
        {
            if (voidedBefore[i] - 1 > committedIndex)
            {
                voidedAfter[kept] = voidedAfter[i];
                voidedBefore[kept] = voidedBefore[i];
                kept++;
            }
        }
        voidCount = kept;
    }

    /**
     * Thrown by the delivery handler at the first entry past the committed index, so that the JournalReader leaves
     * its tailer on that entry. Preallocated, without a stack trace.
     */
    private static final class StopDelivery extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        StopDelivery()
        {
            super("delivery reached the committed index", null, false, false);
        }
    }
}
