package io.ferrite.queues.committed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.queues.journal.Journal;
import io.ferrite.queues.journal.JournalCorruptedException;
import io.ferrite.queues.journal.JournalReader;

/**
 * The committed journal and its read-committed reader, single-threaded: commits, crashes simulated by closing the
 * journal without committing and recovering on reopen, voids, resume, the entry format and bad arguments.
 */
class CommittedJournalTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldDeliverOutputsOnlyOnceCommitted()
    {
        try (CommittedJournal journal = open())
        {
            final long a = append(journal, "a");
            final long b = append(journal, "b");
            assertEquals(b, journal.position());
            assertTrue(a < b);
            try (ReadCommittedReader reader = journal.reader(-1))
            {
                final List<String> seen = new ArrayList<>();
                assertEquals(0, poll(reader, seen, 10), "nothing committed yet");
                assertEquals(-1, reader.committedIndex());

                journal.commit(1, journal.position());
                assertEquals(b, journal.committedIndex());
                assertEquals(1, journal.lastCommittedCheckpointId());
                assertTrue(journal.position() > b, "the COMMIT marker is an entry");
                assertEquals(2, poll(reader, seen, 10));
                assertEquals(List.of(a + ":a", b + ":b"), seen);
                assertEquals(b, reader.committedIndex());
                assertEquals(b, reader.lastDeliveredIndex());

                final long c = append(journal, "c");
                assertEquals(0, poll(reader, seen, 10));
                journal.commit(2, c);
                assertEquals(1, poll(reader, seen, 10));
                assertEquals(List.of(a + ":a", b + ":b", c + ":c"), seen);
                assertEquals(3, reader.delivered());
            }
            assertEquals(List.of("a", "b", "c"), committed(journal));
        }
    }

    @Test
    void shouldCommitOnlyUpToTheRecordedPosition()
    {
        try (CommittedJournal journal = open())
        {
            append(journal, "a");
            append(journal, "b");
            final long barrier = journal.position();
            append(journal, "c");
            journal.commit(1, barrier);
            assertEquals(List.of("a", "b"), committed(journal), "c came after the barrier");
            journal.commit(2, journal.position());
            assertEquals(List.of("a", "b", "c"), committed(journal));
        }
    }

    @Test
    void shouldDeliverInLimitedPollsInJournalOrder()
    {
        try (CommittedJournal journal = open())
        {
            for (int i = 0; i < 25; i++)
            {
                append(journal, "e" + i);
                if (i % 7 == 6)
                {
                    journal.commit(i, journal.position());
                }
            }
            journal.commit(100, journal.position());
            try (ReadCommittedReader reader = journal.reader(-1))
            {
                final List<String> seen = new ArrayList<>();
                int polls = 0;
                int n;
                while ((n = reader.poll((index, buffer, offset, length) ->
                    seen.add(buffer.getStringWithoutLengthAscii(offset, length)), 3)) > 0)
                {
                    assertTrue(n <= 3);
                    polls++;
                }
                assertEquals(9, polls);
                assertEquals(texts("e", 0, 25), seen);
            }
        }
    }

    @Test
    void shouldVoidTheOutputsWrittenAfterTheRestoredCheckpoint()
    {
        final long checkpoint1;
        try (CommittedJournal journal = open())
        {
            append(journal, "a");
            checkpoint1 = journal.position();
            journal.commit(1, checkpoint1);
            append(journal, "b");
            append(journal, "c");
            // crash: b and c are never committed
        }
        try (CommittedJournal journal = open())
        {
            assertEquals(1, journal.lastCommittedCheckpointId());
            assertEquals(checkpoint1, journal.committedIndex());
            final long before = journal.position();
            journal.recover(1, checkpoint1);
            assertTrue(journal.position() > before, "a VOID marker was appended");
            assertEquals(List.of("COMMIT 1 " + checkpoint1, "VOID 1 " + checkpoint1), markers(journal));
            append(journal, "b'");
            append(journal, "c'");
            journal.commit(2, journal.position());
            assertEquals(List.of("a", "b'", "c'"), committed(journal));
            assertEquals(List.of("a", "b", "c", "b'", "c'"), everything(journal), "the journal keeps everything");
        }
    }

    @Test
    void shouldCommitTheRestoredCheckpointWhenTheCrashCameBeforeItsMarker()
    {
        final long checkpoint1;
        try (CommittedJournal journal = open())
        {
            append(journal, "a");
            checkpoint1 = journal.position();
            append(journal, "b");
            // the manifest of checkpoint 1 is durable, then the crash: no COMMIT marker
        }
        try (CommittedJournal journal = open())
        {
            assertEquals(CommittedJournal.NO_CHECKPOINT, journal.lastCommittedCheckpointId());
            try (ReadCommittedReader reader = journal.reader(-1))
            {
                final List<String> seen = new ArrayList<>();
                assertEquals(0, poll(reader, seen, 10));
                journal.recover(1, checkpoint1);
                assertEquals(List.of("COMMIT 1 " + checkpoint1, "VOID 1 " + checkpoint1), markers(journal));
                assertEquals(1, journal.lastCommittedCheckpointId());
                assertEquals(checkpoint1, journal.committedIndex());
                assertEquals(1, poll(reader, seen, 10));
                append(journal, "b'");
                journal.commit(2, journal.position());
                assertEquals(1, poll(reader, seen, 10));
                assertTrue(seen.get(0).endsWith(":a") && seen.get(1).endsWith(":b'"), seen.toString());
            }
        }
    }

    @Test
    void shouldCommitWithoutVoidingWhenTheCrashCameRightAfterTheBarrier()
    {
        final long checkpoint1;
        try (CommittedJournal journal = open())
        {
            append(journal, "a");
            checkpoint1 = journal.position();
        }
        try (CommittedJournal journal = open())
        {
            journal.recover(1, checkpoint1);
            assertEquals(List.of("COMMIT 1 " + checkpoint1), markers(journal), "nothing after the barrier to void");
            assertEquals(List.of("a"), committed(journal));
        }
    }

    @Test
    void shouldRecoverFromSeveralCrashesInARow()
    {
        final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        final long checkpoint1;
        try (CommittedJournal journal = open(clock))
        {
            append(journal, "a");
            checkpoint1 = journal.position();
            journal.commit(1, checkpoint1);
            append(journal, "lost-1");
        }
        for (int crash = 2; crash <= 4; crash++)
        {
            clock.addAndGet(1000);
            try (CommittedJournal journal = open(clock))
            {
                journal.recover(1, checkpoint1);
                append(journal, "lost-" + crash);
                clock.addAndGet(1000);
                append(journal, "lost-" + crash + "-next-cycle");
            }
        }
        final long checkpoint2;
        try (CommittedJournal journal = open(clock))
        {
            journal.recover(1, checkpoint1);
            append(journal, "b");
            checkpoint2 = journal.position();
            append(journal, "lost-5");
            // manifest 2 durable, crash before its commit marker
        }
        try (CommittedJournal journal = open(clock))
        {
            journal.recover(2, checkpoint2);
            final long beforeSecondRecover = journal.position();
            journal.recover(2, checkpoint2);
            assertEquals(beforeSecondRecover, journal.position(), "a repeated recovery writes nothing");
            final long c = append(journal, "c");
            journal.commit(3, c);
            assertEquals(List.of("a", "b", "c"), committed(journal));
            final String void1 = "VOID 1 " + checkpoint1;
            assertEquals(List.of("COMMIT 1 " + checkpoint1, void1, void1, void1, void1, "COMMIT 2 " + checkpoint2,
                "VOID 2 " + checkpoint2, "COMMIT 3 " + c), markers(journal));
        }
    }

    @Test
    void shouldVoidEverythingWhenTheCrashCameBeforeAnyCheckpoint()
    {
        try (CommittedJournal journal = open())
        {
            append(journal, "lost-a");
            append(journal, "lost-b");
        }
        try (CommittedJournal journal = open())
        {
            journal.recover(CommittedJournal.NO_CHECKPOINT, -1);
            assertEquals(List.of("VOID -1 -1"), markers(journal));
            assertEquals(CommittedJournal.NO_CHECKPOINT, journal.lastCommittedCheckpointId());
            append(journal, "a");
            journal.commit(1, journal.position());
            assertEquals(List.of("a"), committed(journal));
        }
        try (CommittedJournal journal = open())
        {
            final long position = journal.position();
            journal.recover(1, journal.committedIndex());
            assertEquals(position, journal.position(), "checkpoint 1 is committed, nothing after it to void");
        }
    }

    @Test
    void shouldWriteNothingWhenRecoveringAJournalWithNothingToVoid()
    {
        try (CommittedJournal journal = open())
        {
            journal.recover(CommittedJournal.NO_CHECKPOINT, -1);
            assertEquals(-1, journal.position(), "an empty journal stays empty");
            append(journal, "a");
            journal.commit(1, journal.position());
        }
        try (CommittedJournal journal = open())
        {
            final long position = journal.position();
            journal.recover(1, journal.committedIndex());
            assertEquals(position, journal.position());
            assertEquals(List.of("a"), committed(journal));
        }
    }

    @Test
    void shouldResumeAfterTheLastDeliveredIndex()
    {
        try (CommittedJournal journal = open())
        {
            for (int i = 0; i < 10; i++)
            {
                append(journal, "e" + i);
            }
            journal.commit(1, journal.position());
            final long resumeAfter;
            try (ReadCommittedReader reader = journal.reader(-1))
            {
                final List<String> seen = new ArrayList<>();
                assertEquals(4, poll(reader, seen, 4));
                resumeAfter = reader.lastDeliveredIndex();
            }
            final long barrier = journal.position();
            append(journal, "lost");
            journal.recover(1, journal.committedIndex());
            journal.commit(2, barrier);
            append(journal, "e10");
            journal.commit(3, journal.position());
            try (ReadCommittedReader reader = journal.reader(resumeAfter))
            {
                assertEquals(resumeAfter, reader.lastDeliveredIndex());
                final List<String> seen = new ArrayList<>();
                while (reader.poll((index, buffer, offset, length) ->
                    seen.add(buffer.getStringWithoutLengthAscii(offset, length)), 100) > 0)
                {
                    // drain
                }
                assertEquals(texts("e", 4, 11), seen);
                try (ReadCommittedReader atEnd = journal.reader(reader.lastDeliveredIndex()))
                {
                    assertEquals(0, poll(atEnd, seen, 10));
                    append(journal, "e11");
                    journal.commit(4, journal.position());
                    assertEquals(1, poll(atEnd, seen, 10));
                    assertTrue(seen.get(seen.size() - 1).endsWith(":e11"));
                }
            }
        }
    }

    @Test
    void shouldForgetVoidedRangesOnceDeliveryPassesThem()
    {
        try (CommittedJournal journal = open(); ReadCommittedReader reader = journal.reader(-1))
        {
            final List<String> seen = new ArrayList<>();
            for (int round = 0; round < 200; round++)
            {
                append(journal, "lost-" + round);
                journal.recover(round, journal.committedIndex());
                append(journal, "kept-" + round);
                final long barrier = journal.position();
                append(journal, "lost-again-" + round);
                assertEquals(0, poll(reader, seen, 1));
                assertTrue(reader.voidedRanges() <= 2, "voided ranges kept: " + reader.voidedRanges());
                journal.commit(round + 1, barrier);
                journal.recover(round + 1, barrier);
                while (poll(reader, seen, 1) > 0)
                {
                    // drain
                }
                assertTrue(reader.voidedRanges() <= 1, "voided ranges kept: " + reader.voidedRanges());
            }
            assertEquals(200, seen.size());
            for (int round = 0; round < 200; round++)
            {
                assertTrue(seen.get(round).endsWith(":kept-" + round), seen.get(round));
            }
        }
    }

    @Test
    void shouldDeliverAgainAnOutputWhoseHandlerThrew()
    {
        try (CommittedJournal journal = open())
        {
            append(journal, "a");
            append(journal, "b");
            append(journal, "c");
            journal.commit(1, journal.position());
            final List<String> seen = new ArrayList<>();
            try (ReadCommittedReader reader = journal.reader(-1))
            {
                assertThrows(IllegalStateException.class, () -> reader.poll((index, buffer, offset, length) ->
                {
                    final String text = buffer.getStringWithoutLengthAscii(offset, length);
                    if (text.equals("b") && !seen.contains("failed"))
                    {
                        seen.add("failed");
                        throw new IllegalStateException("handler failed");
                    }
                    seen.add(text);
                }, 10));
                while (reader.poll((index, buffer, offset, length) ->
                    seen.add(buffer.getStringWithoutLengthAscii(offset, length)), 10) > 0)
                {
                    // drain
                }
            }
            assertEquals(List.of("a", "failed", "b", "c"), seen);
        }
    }

    @Test
    void shouldRejectBadArgumentsNamingTheJournal()
    {
        try (CommittedJournal journal = open())
        {
            final String name = dir.toString();
            append(journal, "a");
            final long end = journal.position();
            assertMessage(IllegalArgumentException.class, () -> journal.commit(1, end + 1), "beyond the journal's end",
                name);
            assertMessage(IllegalArgumentException.class, () -> journal.commit(1, -2), "negative", name);
            assertMessage(IllegalArgumentException.class, () -> journal.commit(-1, end), "at least 0", name);
            assertMessage(IllegalArgumentException.class, () -> journal.recover(1, end + 1),
                "beyond the journal's end", name);
            assertMessage(IllegalArgumentException.class, () -> journal.recover(CommittedJournal.NO_CHECKPOINT, end),
                "must be -1", name);
            assertMessage(IllegalArgumentException.class, () -> journal.recover(-2, -1), "at least 0", name);
            assertMessage(IllegalArgumentException.class, () -> journal.append(payload, 0,
                journal.maxPayloadLength() + 1), "too long", name);

            journal.commit(5, end);
            journal.commit(5, end);
            assertEquals(1, markers(journal).size(), "repeating the last commit writes nothing");
            assertMessage(IllegalStateException.class, () -> journal.commit(5, journal.position()), "backwards", name);
            assertMessage(IllegalStateException.class, () -> journal.commit(4, journal.position()), "backwards", name);
            append(journal, "b");
            assertMessage(IllegalStateException.class, () -> journal.commit(6, end - 1), "backwards", name);
            assertMessage(IllegalStateException.class, () -> journal.recover(4, end), "already committed", name);
            assertMessage(IllegalStateException.class, () -> journal.recover(5, journal.position()),
                "was committed up to", name);
            assertMessage(IllegalStateException.class, () -> journal.recover(6, end - 1), "before the committed",
                name);
            assertMessage(IllegalStateException.class, () -> journal.recover(CommittedJournal.NO_CHECKPOINT, -1),
                "already committed", name);
            assertEquals(1, markers(journal).size(), "a rejected call writes nothing");

            assertMessage(IllegalArgumentException.class, () -> journal.reader(journal.position() + 5),
                "cannot resume", name);
            assertMessage(IllegalArgumentException.class, () -> journal.reader(-2), "negative", name);
        }
        final CommittedJournal closed = CommittedJournal.open(new Journal.Context().directory(dir.resolve("closed")));
        closed.close();
        closed.close();
        assertMessage(IllegalStateException.class, () -> append(closed, "c"), "closed", "closed");
        assertMessage(IllegalStateException.class, () -> closed.commit(6, -1), "closed", "closed");
        assertMessage(IllegalArgumentException.class, () -> CommittedJournal.open(new Journal.Context()
            .directory(dir.resolve("small")).maxPayloadLength(CommittedDescriptor.MARKER_LENGTH - 1)),
            "at least " + CommittedDescriptor.MARKER_LENGTH, "small");
    }

    @Test
    void shouldRefuseAJournalThatIsNotACommittedJournal()
    {
        try (Journal plain = Journal.open(new Journal.Context().directory(dir)))
        {
            payload.putStringWithoutLengthAscii(0, "plain entry");
            final long index = plain.append(payload, 0, 11);
            final JournalCorruptedException onRead = assertThrows(JournalCorruptedException.class,
                () -> ReadCommittedReader.readAllCommitted(plain, (i, buffer, offset, length) -> { }));
            assertEquals(index, onRead.index());
            assertTrue(onRead.getMessage().contains("version"), onRead.getMessage());
        }
        final JournalCorruptedException onOpen = assertThrows(JournalCorruptedException.class, this::open);
        assertTrue(onOpen.file().contains(dir.toString()), onOpen.getMessage());
    }

    @Test
    void shouldWrapABorrowedJournalAndLeaveItOpen()
    {
        try (Journal plain = Journal.open(new Journal.Context().directory(dir)))
        {
            try (CommittedJournal journal = CommittedJournal.wrap(plain))
            {
                append(journal, "a");
                journal.commit(1, journal.position());
                assertEquals(dir, journal.directory());
                assertSame(plain, journal.journal());
            }
            assertEquals(List.of("a"), readAll(plain));
            try (CommittedJournal again = CommittedJournal.wrap(plain))
            {
                assertEquals(1, again.lastCommittedCheckpointId());
            }
        }
    }

    @Test
    void shouldSyncCommitsOfAPowerSafeJournal()
    {
        try (CommittedJournal journal = CommittedJournal.open(new Journal.Context().directory(dir)
            .durability(Journal.Durability.POWER_SAFE).groupCommitMaxEntries(1000)
            .groupCommitMaxDelayNs(1_000_000_000L)))
        {
            append(journal, "a");
            append(journal, "b");
            assertEquals(-1, journal.journal().durableIndex());
            journal.commit(1, journal.position());
            assertEquals(journal.position(), journal.journal().durableIndex(), "commit is a durability point");
            append(journal, "c");
            journal.recover(1, journal.committedIndex());
            assertEquals(journal.position(), journal.journal().durableIndex(), "so is recover");
        }
    }

    @Test
    void shouldWriteTheDocumentedEntryFormat()
    {
        try (CommittedJournal journal = open())
        {
            payload.putLong(0, 0x1122334455667788L, ByteOrder.LITTLE_ENDIAN);
            final long data = journal.append(payload, 0, 8);
            journal.commit(7, data);
            final List<byte[]> raw = new ArrayList<>();
            try (JournalReader reader = journal.journal().readerFromStart())
            {
                while (reader.poll((index, buffer, offset, length) ->
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(offset, bytes);
                    raw.add(bytes);
                }, 10) > 0)
                {
                    // drain
                }
            }
            assertEquals(2, raw.size());
            final UnsafeBuffer entry = new UnsafeBuffer(raw.get(0));
            assertEquals(CommittedDescriptor.HEADER_LENGTH + 8, entry.capacity());
            assertEquals(CommittedDescriptor.TYPE_DATA, entry.getByte(0));
            assertEquals(CommittedDescriptor.VERSION, entry.getByte(1));
            assertEquals(0, entry.getShort(2) | entry.getInt(4));
            assertEquals(0x1122334455667788L, entry.getLong(8, ByteOrder.LITTLE_ENDIAN));
            final UnsafeBuffer marker = new UnsafeBuffer(raw.get(1));
            assertEquals(CommittedDescriptor.MARKER_LENGTH, marker.capacity());
            assertEquals(CommittedDescriptor.TYPE_COMMIT, marker.getByte(0));
            assertEquals(7, marker.getLong(8, ByteOrder.LITTLE_ENDIAN));
            assertEquals(data, marker.getLong(16, ByteOrder.LITTLE_ENDIAN));
        }
    }

    private CommittedJournal open()
    {
        return CommittedJournal.open(new Journal.Context().directory(dir));
    }

    private CommittedJournal open(final AtomicLong clock)
    {
        return CommittedJournal.open(new Journal.Context().directory(dir).roll(Journal.Roll.SECONDLY)
            .clockMs(clock::get));
    }

    private long append(final CommittedJournal journal, final String text)
    {
        return journal.append(payload, 0, payload.putStringWithoutLengthAscii(0, text));
    }

    private static int poll(final ReadCommittedReader reader, final List<String> seen, final int limit)
    {
        return reader.poll((index, buffer, offset, length) ->
            seen.add(index + ":" + buffer.getStringWithoutLengthAscii(offset, length)), limit);
    }

    private static List<String> committed(final CommittedJournal journal)
    {
        return readAll(journal.journal());
    }

    private static List<String> readAll(final Journal journal)
    {
        final List<String> seen = new ArrayList<>();
        final long count = ReadCommittedReader.readAllCommitted(journal, (index, buffer, offset, length) ->
            seen.add(buffer.getStringWithoutLengthAscii(offset, length)));
        assertEquals(seen.size(), count);
        return seen;
    }

    /**
     * Every data entry, committed or not, in journal order.
     */
    private static List<String> everything(final CommittedJournal journal)
    {
        final List<String> seen = new ArrayList<>();
        scan(journal, (type, buffer, offset, length) ->
        {
            if (type == CommittedDescriptor.TYPE_DATA)
            {
                seen.add(buffer.getStringWithoutLengthAscii(offset + CommittedDescriptor.HEADER_LENGTH,
                    length - CommittedDescriptor.HEADER_LENGTH));
            }
        });
        return seen;
    }

    /**
     * Every marker, as "COMMIT checkpoint upTo" or "VOID checkpoint upTo", in journal order.
     */
    private static List<String> markers(final CommittedJournal journal)
    {
        final List<String> seen = new ArrayList<>();
        scan(journal, (type, buffer, offset, length) ->
        {
            if (type != CommittedDescriptor.TYPE_DATA)
            {
                seen.add((type == CommittedDescriptor.TYPE_COMMIT ? "COMMIT " : "VOID ") +
                    CommittedDescriptor.checkpointId(buffer, offset) + " " +
                    CommittedDescriptor.upToIndex(buffer, offset));
            }
        });
        return seen;
    }

    private static void scan(final CommittedJournal journal, final TypedHandler handler)
    {
        if (journal.journal().lastIndex() < 0)
        {
            return;
        }
        try (JournalReader reader = journal.journal().readerFromStart())
        {
            while (reader.poll((index, buffer, offset, length) -> handler.onEntry(
                CommittedDescriptor.type(journal.directory().toString(), index, buffer, offset, length),
                buffer, offset, length), 100) > 0)
            {
                // drain
            }
        }
    }

    private static List<String> texts(final String prefix, final int from, final int to)
    {
        final List<String> texts = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            texts.add(prefix + i);
        }
        return texts;
    }

    private static void assertMessage(
        final Class<? extends RuntimeException> type, final Runnable call, final String... fragments)
    {
        final RuntimeException ex = assertThrows(type, call::run);
        for (final String fragment : fragments)
        {
            assertTrue(ex.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + ex.getMessage());
        }
    }

    @FunctionalInterface
    private interface TypedHandler
    {
        void onEntry(byte type, DirectBuffer buffer, int offset, int length);
    }
}
