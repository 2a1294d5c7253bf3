package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ferrite.engine.JobFailedException;

class NexmarkQueryTest
{
    private static final int EVENTS = 50_000;
    /** At 1,000 events per second of event time: 50 s, so several 10 s windows, with events up to 3 s late. */
    private static final List<NexmarkEvent> GENERATED = new NexmarkGenerator(42, 1_000).events(EVENTS);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} at parallelism {1}")
    @CsvSource({"q0,1", "q0,2", "q1,1", "q1,2", "q2,1", "q2,2", "q3,1", "q3,2", "q5,1", "q5,2", "q7,1", "q7,2", "q8,1", "q8,2",
        "q11,1", "q11,2"})
    void shouldMatchThePlainJavaReference(final String name, final int parallelism) throws Exception
    {
        final NexmarkQuery query = NexmarkQueries.create(name);
        final List<String> expected = query.reference(GENERATED);
        assertTrue(expected.size() >= 5, name + " gives too few results to test: " + expected.size());
        final List<String> actual = QueryRunner.run(query, GENERATED, parallelism, dir);
        assertEquals(expected.size(), actual.size(), name);
        assertEquals(expected, actual, name);
        assertEquals(query.columns().split(",").length, actual.get(0).split(",").length, query.columns());
    }

    @Test
    void shouldConvertPricesWithIntegerDivision()
    {
        assertEquals(89, Q1.convert(100));
        assertEquals(0, Q1.convert(1));
        assertEquals(88, Q1.convert(99));
    }

    @Test
    void q3ShouldJoinWhicheverSideArrivesFirst() throws Exception
    {
        final List<NexmarkEvent> events = new ArrayList<>();
        // Auctions before their sellers: 2000 lives in Oregon, 2001 in Washington.
        events.add(auction(5000, 2000, 10));
        events.add(auction(5001, 2001, 10));
        events.add(auction(5002, 2000, 11));
        // Bids (which q3 ignores) between, so the auctions pass the join in an earlier duty cycle than the persons:
        // within one cycle the join polls its person input first.
        bids(events);
        events.add(person(2000, "OR"));
        events.add(person(2001, "WA"));
        // Sellers before their auctions: 2002 in Idaho, 2003 in California.
        events.add(person(2002, "ID"));
        events.add(person(2003, "CA"));
        events.add(auction(5003, 2002, 10));
        events.add(auction(5004, 2003, 10));
        events.add(auction(5005, 2000, 10));
        events.add(auction(5006, 2001, 10));
        // A seller who never comes.
        events.add(auction(5007, 2999, 10));
        final Q3 q3 = new Q3();
        final List<String> expected = List.of("Kate Smith,Boise,ID,5003", "Kate Smith,Los Angeles,CA,5004",
            "Kate Smith,Portland,OR,5000", "Kate Smith,Portland,OR,5005");
        assertEquals(expected, q3.reference(events));
        assertEquals(expected, QueryRunner.run(q3, events, 2, dir));
    }

    @Test
    void q3ShouldFailRatherThanDropAnAuctionWhenTooManyWait()
    {
        final List<NexmarkEvent> events = new ArrayList<>();
        for (int i = 0; i <= Q3.MAX_WAITING; i++)
        {
            events.add(auction(5000 + i, 2000, 10));
        }
        bids(events);
        events.add(person(2000, "OR"));
        final JobFailedException ex = assertThrows(JobFailedException.class,
            () -> QueryRunner.run(new Q3(), events, 1, dir));
        assertTrue(String.valueOf(ex.getCause()).contains("wait for seller 2000"), String.valueOf(ex.getCause()));
    }

    private static void bids(final List<NexmarkEvent> events)
    {
        for (int i = 0; i < 10_000; i++)
        {
            events.add(new NexmarkEvent.Bid(5000, 3000, 100, NexmarkGenerator.EPOCH_MS + i));
        }
    }

    private static NexmarkEvent person(final long id, final String state)
    {
        final String city = switch (state)
        {
            case "OR" -> "Portland";
            case "ID" -> "Boise";
            case "CA" -> "Los Angeles";
            default -> "Seattle";
        };
        return new NexmarkEvent.Person(id, "Kate Smith", "kate@smith.com", "1234 5678 9012 3456", city, state,
            NexmarkGenerator.EPOCH_MS + id);
    }

    private static NexmarkEvent auction(final long id, final long seller, final long category)
    {
        return new NexmarkEvent.Auction(id, "item", "description", 100, 200, NexmarkGenerator.EPOCH_MS + id,
            NexmarkGenerator.EPOCH_MS + id + 10_000, seller, category);
    }
}
