package io.ferrite.perf.nexmark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small seeded NEXMark event maker for the query tests, standing in for the real generator: in every 50 events one
 * person, three auctions and 46 bids (person first, then the auctions, then the bids), ids from 1000, categories 10 to
 * 14, and each event's {@code dateTime} its position's time minus a delay of 0 to 3,000 ms, so the disorder stays
 * within the source's 4 s watermark. The choices are skewed so the queries meet their corner cases: most bids go to
 * a few hot auctions and prices come from a narrow range (ties for q5's and q7's maxima), most auctions are sold by
 * the newest person (several auctions per person and window for q8) and the rest by older persons (sellers created
 * in another window), most bids come from a few recent bidders and the rest from anyone (long sessions and single-bid
 * sessions for q11). An optional pause with no events leaves windows empty.
 */
final class TestEvents
{
    /** Not aligned to any window, so the first and last windows are partial. */
    static final long START_MS = 1_700_000_003_217L;

    private static final String[] FIRST = {"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah"};
    private static final String[] LAST = {"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith",
        "Jones, Jr.", "Noris"};
    private static final String[] CITIES = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend"};
    private static final String[] STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};

    private TestEvents()
    {
    }

    /**
     * Events, one every {@code intervalMs} of position time.
     *
     * @param seed       the seed.
     * @param count      how many events.
     * @param intervalMs position time between two events.
     * @param pauseMs    position time skipped halfway through, 0 for none.
     * @return the events in input order.
     */
    static List<NexmarkEvent> generate(final long seed, final int count, final long intervalMs, final long pauseMs)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<NexmarkEvent> events = new ArrayList<>(count);
        long persons = 0;
        long auctions = 0;
        for (int i = 0; i < count; i++)
        {
            final long position = START_MS + i * intervalMs + (i >= count / 2 ? pauseMs : 0);
            final long dateTime = position - random.nextInt(3_001);
            final int offset = i % 50;
            if (offset == 0)
            {
                final long id = 1000 + persons++;
                final String name = FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)];
                events.add(new NexmarkEvent.Person(id, name, "p" + id + "@example.com",
                    "1234 5678 9012 " + (1000 + id % 9000), CITIES[random.nextInt(CITIES.length)],
                    STATES[random.nextInt(STATES.length)], dateTime));
            }
            else if (offset <= 3)
            {
                final long id = 1000 + auctions++;
                final int pick = random.nextInt(10);
                final long seller = pick < 5 ? 1000 + persons - 1 : pick < 8 ? recent(random, 1000, persons, 10) :
                    1000 + random.nextLong(persons);
                final long initialBid = 1 + random.nextInt(100);
                events.add(new NexmarkEvent.Auction(id, "item " + id, "a fine item, number " + id, initialBid,
                    initialBid + random.nextInt(1_000), dateTime, dateTime + 10_000 + random.nextInt(20_000), seller,
                    10 + random.nextInt(5)));
            }
            else
            {
                final long auction = random.nextInt(2) == 0 ? recent(random, 1000, auctions, 4) :
                    recent(random, 1000, auctions, 40);
                final long bidder = random.nextInt(10) < 6 ? recent(random, 1000, persons, 5) :
                    1000 + random.nextLong(persons);
                events.add(new NexmarkEvent.Bid(auction, bidder, 100 + random.nextInt(400), dateTime));
            }
        }
        return events;
    }

    private static long recent(final SplittableRandom random, final long firstId, final long made, final int last)
    {
        return firstId + made - 1 - random.nextInt((int)Math.min(made, last));
    }
}
