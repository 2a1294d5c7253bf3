package io.ferrite.queues.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's contract, single-threaded: append and replay, indexes, the past-the-end error, corruption detection,
 * retention and group commit.
 */
class JournalTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldReplayEveryEntryInOrderFromAnyIndex()
    {
        final List<Long> indexes = new ArrayList<>();
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            assertEquals(-1, journal.lastIndex());
            for (int i = 0; i < 1000; i++)
            {
                indexes.add(journal.append(payload, 0, write("entry-" + i)));
            }
            for (int i = 1; i < indexes.size(); i++)
            {
                assertTrue(indexes.get(i) > indexes.get(i - 1));
            }
            assertEquals(indexes.get(999).longValue(), journal.lastIndex());
            assertEquals(journal.lastIndex(), journal.durableIndex());

            assertEquals(allFrom(journal, indexes.get(0)), texts(0, 1000));
            assertEquals(allFrom(journal, indexes.get(637)), texts(637, 1000));
        }
    }

    @Test
    void shouldLetAnotherThreadTakeOverAReaderAndTheAppenderBuiltOnThisOne() throws Exception
    {
        // A job is built on the application's thread (recovery positions a replay reader, a committed sink appends its
        // markers) and then runs on a stage thread: Chronicle's own-thread check must not refuse the handover.
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            for (int i = 0; i < 10; i++)
            {
                journal.append(payload, 0, write("entry-" + i));
            }
            final JournalReader reader = journal.reader(journal.firstIndex());
            final List<String> read = new ArrayList<>();
            final Throwable[] failure = new Throwable[1];
            final Thread stage = new Thread(() ->
            {
                try
                {
                    journal.append(payload, 0, write("entry-10"));
                    while (reader.poll((index, buffer, offset, length) ->
                        read.add(buffer.getStringWithoutLengthAscii(offset, length)), 100) > 0)
                    {
                        // read to the end
                    }
                }
                catch (final Throwable ex)
                {
                    failure[0] = ex;
                }
            }, "stage");
            stage.start();
            stage.join();
            if (null != failure[0])
            {
                throw new AssertionError("the stage thread could not take over the journal", failure[0]);
            }
            assertEquals(texts(0, 11), read);
        }
    }

    @Test
    void shouldKeepEntriesAcrossReopen()
    {
        long last;
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            for (int i = 0; i < 10; i++)
            {
                journal.append(payload, 0, write("entry-" + i));
            }
            last = journal.lastIndex();
        }
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            assertEquals(last, journal.lastIndex());
            final long next = journal.append(payload, 0, write("entry-10"));
            assertTrue(next > last);
            assertEquals(texts(0, 11), allFrom(journal, journal.firstIndex()));
        }
    }

    @Test
    void shouldRefuseToReadPastTheEndInsteadOfStartingOver()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            final IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> journal.reader(5));
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());

            for (int i = 0; i < 3; i++)
            {
                journal.append(payload, 0, write("entry-" + i));
            }
            final long last = journal.lastIndex();
            final IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> journal.reader(last + 2));
            assertTrue(past.getMessage().contains("past the end"), past.getMessage());

            try (JournalReader tail = journal.reader(last + 1))
            {
                assertEquals(0, tail.poll((index, buffer, offset, length) -> { }, 10));
                journal.append(payload, 0, write("entry-3"));
                final List<String> seen = new ArrayList<>();
                assertEquals(1, tail.poll((index, buffer, offset, length) ->
                    seen.add(buffer.getStringWithoutLengthAscii(offset, length)), 10));
                assertEquals(List.of("entry-3"), seen);
            }
        }
    }

    @Test
    void shouldDetectAFlippedBitNamingFileIndexAndOffset() throws IOException
    {
        final long target;
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            for (int i = 0; i < 20; i++)
            {
                journal.append(payload, 0, write("payload-marker-" + (100 + i)));
            }
            target = journal.firstIndex();
        }
        flipFirst("payload-marker-107");

        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            final List<String> seen = new ArrayList<>();
            final JournalReader reader = journal.reader(journal.firstIndex());
            final JournalCorruptedException ex = assertThrows(JournalCorruptedException.class, () ->
            {
                while (reader.poll((index, buffer, offset, length) ->
                    seen.add(buffer.getStringWithoutLengthAscii(offset, length)), 100) > 0)
                {
                    // read until the corruption
                }
            });
            assertEquals(7, seen.size(), "entries before the corrupted one are delivered");
            assertTrue(ex.getMessage().contains("CRC32C mismatch"), ex.getMessage());
            assertTrue(ex.file().endsWith(".cq4"), ex.file());
            assertTrue(ex.offset() > 0);
            assertTrue(ex.index() > target);
        }
    }

    @Test
    void shouldDeleteWholeCyclesBeforeAnIndex()
    {
        final AtomicLong nowMs = new AtomicLong(1_700_000_000_000L);
        final List<Long> firstOfSecond = new ArrayList<>();
        try (Journal journal = Journal.open(new Journal.Context().directory(dir).roll(Journal.Roll.SECONDLY)
            .clockMs(nowMs::get)))
        {
            for (int second = 0; second < 5; second++)
            {
                for (int i = 0; i < 10; i++)
                {
                    final long index = journal.append(payload, 0, write("s" + second + "-" + i));
                    if (0 == i)
                    {
                        firstOfSecond.add(index);
                    }
                }
                nowMs.addAndGet(1000);
            }
            assertEquals(5, cq4Files());
            assertEquals(3, journal.deleteCyclesBefore(firstOfSecond.get(3) + 4));
            assertEquals(2, cq4Files());
            assertEquals(firstOfSecond.get(3).longValue(), journal.firstIndex());
            final List<String> rest = allFrom(journal, journal.firstIndex());
            assertEquals(20, rest.size());
            assertEquals("s3-0", rest.get(0));
            assertThrows(IllegalArgumentException.class, () -> journal.reader(firstOfSecond.get(1)));
        }
    }

    @Test
    void shouldAcknowledgePowerSafeAppendsInSyncedGroups()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)
            .durability(Journal.Durability.POWER_SAFE).groupCommitMaxEntries(4).groupCommitMaxDelayNs(1_000_000)))
        {
            final long first = journal.append(payload, 0, write("a"));
            assertEquals(-1, journal.durableIndex());
            journal.append(payload, 0, write("b"));
            journal.append(payload, 0, write("c"));
            assertEquals(-1, journal.durableIndex());
            final long fourth = journal.append(payload, 0, write("d"));
            assertEquals(fourth, journal.durableIndex(), "the fourth append completes the group");

            final long fifth = journal.append(payload, 0, write("e"));
            assertEquals(fourth, journal.durableIndex());
            assertEquals(0, journal.syncIfDue(System.nanoTime() - 10_000_000));
            assertEquals(1, journal.syncIfDue(System.nanoTime() + 2_000_000));
            assertEquals(fifth, journal.durableIndex());
            assertTrue(first < fifth);
        }
    }

    @Test
    void shouldRejectAnEntryLongerThanTheMaximum()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir).maxPayloadLength(16)))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> journal.append(payload, 0, 17));
            assertTrue(ex.getMessage().contains("length=17"), ex.getMessage());
            journal.append(payload, 0, 16);
            assertEquals(1, allFrom(journal, journal.firstIndex()).size());
        }
    }

    private int write(final String text)
    {
        return payload.putStringWithoutLengthAscii(0, text);
    }

    private static List<String> allFrom(final Journal journal, final long index)
    {
        final List<String> seen = new ArrayList<>();
        try (JournalReader reader = journal.reader(index))
        {
            while (reader.poll((i, buffer, offset, length) ->
                seen.add(buffer.getStringWithoutLengthAscii(offset, length)), 64) > 0)
            {
                // drain
            }
        }
        return seen;
    }

    private static List<String> texts(final int from, final int to)
    {
        final List<String> texts = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            texts.add("entry-" + i);
        }
        return texts;
    }

    private long cq4Files()
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((p) -> p.toString().endsWith(".cq4")).count();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private void flipFirst(final String marker) throws IOException
    {
        final byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files.filter((p) -> p.toString().endsWith(".cq4"))::iterator)
            {
                final byte[] bytes = Files.readAllBytes(file);
                for (int i = 0; i + needle.length <= bytes.length; i++)
                {
                    boolean match = true;
                    for (int j = 0; j < needle.length && match; j++)
                    {
                        match = bytes[i + j] == needle[j];
                    }
                    if (match)
                    {
                        bytes[i + needle.length - 1] ^= 0x01;
                        Files.write(file, bytes);
                        return;
                    }
                }
            }
        }
        throw new AssertionError("marker not found: " + marker);
    }

    @Test
    void shouldRedeliverAnEntryWhoseHandlerThrew()
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            for (int i = 0; i < 3; i++)
            {
                journal.append(payload, 0, write("entry-" + i));
            }
            final List<String> seen = new ArrayList<>();
            try (JournalReader reader = journal.reader(journal.firstIndex()))
            {
                assertThrows(IllegalStateException.class, () -> reader.poll((index, buffer, offset, length) ->
                {
                    final String text = buffer.getStringWithoutLengthAscii(offset, length);
                    if (text.equals("entry-1") && !seen.contains("failed"))
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
            assertEquals(List.of("entry-0", "failed", "entry-1", "entry-2"), seen);
        }
    }
}
