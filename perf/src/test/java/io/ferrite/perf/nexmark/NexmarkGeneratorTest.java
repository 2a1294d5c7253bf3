package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class NexmarkGeneratorTest
{
    private static final int EVENTS = 50_000;

    @Test
    void shouldMakeTheSameEventsFromTheSameSeedAndOthersFromAnother()
    {
        final List<NexmarkEvent> a = new NexmarkGenerator(7, 10_000).events(EVENTS);
        final List<NexmarkEvent> b = new NexmarkGenerator(7, 10_000).events(EVENTS);
        final List<NexmarkEvent> c = new NexmarkGenerator(8, 10_000).events(EVENTS);
        assertEquals(a, b);
        assertNotEquals(a, c);
        final NexmarkGenerator random = new NexmarkGenerator(7, 10_000);
        for (int n = EVENTS - 1; n >= 0; n -= 997)
        {
            assertEquals(a.get(n), random.event(n), "event " + n + " made out of order");
        }
    }

    @Test
    void shouldFillTheEngineRecordExactlyAsThePlainEvent()
    {
        final NexmarkGenerator plain = new NexmarkGenerator(3, 10_000);
        final NexmarkGenerator engine = new NexmarkGenerator(3, 10_000);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[NexmarkSchemas.EVENT.recordLength() + 16]);
        for (int n = 0; n < EVENTS; n++)
        {
            record.setMemory(0, record.capacity(), (byte)0);
            engine.write(n, record, 8);
            assertEquals(plain.event(n), NexmarkSource.read(record, 8), "event " + n);
        }
    }

    @Test
    void shouldFillEngineRecordsWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemoryEnabled(), "allocation counting is on");
        final NexmarkGenerator generator = new NexmarkGenerator(3, 10_000);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[NexmarkSchemas.EVENT.recordLength()]);
        long check = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int n = 0; n < 200_000; n++)
            {
                record.setMemory(0, record.capacity(), (byte)0);
                generator.write(n, record, 0);
                check += record.getLong(8);
            }
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 2)
            {
                // A few hundred bytes at most for the counter's own call; 200,000 events allocating would be MBs.
                assertTrue(allocated < 4_096, "allocated " + allocated + " bytes for 200,000 events");
            }
        }
        assertTrue(check != 0);
    }

    @Test
    void shouldFollowBeamsProportionsIdsCategoriesAndBoundedDisorder()
    {
        final NexmarkGenerator generator = new NexmarkGenerator(11, 10_000);
        final List<NexmarkEvent> events = generator.events(EVENTS);
        long persons = 0;
        long auctions = 0;
        long hotBids = 0;
        long bids = 0;
        final boolean[] categories = new boolean[15];
        for (int n = 0; n < EVENTS; n++)
        {
            final NexmarkEvent event = events.get(n);
            final long position = NexmarkGenerator.EPOCH_MS + n / 10;
            assertTrue(event.dateTime() <= position && event.dateTime() >= position - 3_000, "event " + n + ": " +
                event.dateTime() + " against position " + position);
            final long offset = n % 50;
            if (event instanceof NexmarkEvent.Person person)
            {
                assertEquals(0, offset, "event " + n);
                assertEquals(1_000 + persons, person.id());
                persons++;
                assertTrue(Arrays.asList(NexmarkGenerator.STATES).contains(person.state()), person.state());
                assertTrue(Arrays.asList(NexmarkGenerator.CITIES).contains(person.city()), person.city());
                assertEquals(17, person.emailAddress().length(), person.emailAddress());
                assertTrue(person.creditCard().matches("\\d{4} \\d{4} \\d{4} \\d{4}"), person.creditCard());
                assertTrue(person.name().matches("[A-Z][a-z]+ [A-Z][a-z]+"), person.name());
            }
            else if (event instanceof NexmarkEvent.Auction auction)
            {
                assertTrue(offset >= 1 && offset <= 3, "event " + n);
                assertEquals(1_000 + auctions, auction.id());
                auctions++;
                assertTrue(auction.category() >= 10 && auction.category() <= 14, "category " + auction.category());
                categories[(int)auction.category()] = true;
                assertTrue(auction.seller() >= 1_000 && auction.seller() < 1_000 + persons + 10, "seller");
                assertTrue(auction.reserve() >= auction.initialBid());
                assertTrue(auction.expires() > auction.dateTime());
                assertTrue(auction.itemName().length() <= NexmarkSchemas.NAME_LENGTH);
                assertTrue(auction.description().length() <= NexmarkSchemas.DESCRIPTION_LENGTH);
                assertTrue(!auction.itemName().contains(",") && !auction.description().contains(","));
            }
            else
            {
                final NexmarkEvent.Bid bid = (NexmarkEvent.Bid)event;
                assertTrue(offset >= 4, "event " + n);
                bids++;
                hotBids += (bid.auction() - 1_000) % 100 == 0 ? 1 : 0;
                assertTrue(bid.auction() >= 1_000 && bid.auction() < 1_000 + auctions + 10, "auction " + bid);
                assertTrue(bid.price() >= 100 && bid.price() <= 100_000_000, "price " + bid.price());
            }
        }
        assertEquals(EVENTS / 50, persons);
        assertEquals(EVENTS / 50 * 3, auctions);
        assertEquals(EVENTS / 50 * 46, bids);
        for (int category = 10; category <= 14; category++)
        {
            assertTrue(categories[category], "category " + category + " never drawn");
        }
        // Half the bids go to the hot auction, and some of the rest land on multiples of 100 by chance.
        assertTrue(hotBids > bids / 2 && hotBids < bids * 6 / 10, hotBids + " of " + bids + " bids hot");
    }

    @Test
    void shouldAdvanceEventTimeAtTheEventRate()
    {
        final NexmarkGenerator generator = new NexmarkGenerator(1, 1_000);
        assertEquals(NexmarkGenerator.EPOCH_MS, generator.positionTimeMs(0));
        assertEquals(NexmarkGenerator.EPOCH_MS + 1_000, generator.positionTimeMs(1_000));
        assertEquals(0, NexmarkGenerator.EPOCH_MS % 10_000, "the epoch is aligned to every window size");
    }
}
