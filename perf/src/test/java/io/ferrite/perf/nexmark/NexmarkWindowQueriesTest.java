package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ferrite.engine.CollectingSink;
import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;

/**
 * NEXMark q5, q7, q8 and q11 run through the engine and compared, as sorted lines, with their plain-Java references:
 * over seeded generated events at parallelism 1 and 2, and over small hand-made inputs whose results are written out
 * here by hand (so a reference cannot share a mistake with the query it checks).
 */
class NexmarkWindowQueriesTest
{
    private static final long SEED = 20_261_121L;
    private static final int EVENTS = 15_000;
    /** Aligned to 10 s, so the hand-made inputs' windows are easy to read. */
    private static final long T = 1_700_000_000_000L;

    private static final List<NexmarkEvent> GENERATED = QueryRunner.events(SEED, EVENTS);

    @TempDir
    Path dir;

    static Stream<Arguments> queries()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final NexmarkQuery query : new NexmarkQuery[]{new Q5(), new Q7(), new Q8(), new Q11()})
        {
            arguments.add(Arguments.of(Named.of(query.name(), query), 1));
            arguments.add(Arguments.of(Named.of(query.name(), query), 2));
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} x{1}")
    @MethodSource("queries")
    void shouldMatchTheReferenceOverGeneratedEvents(final NexmarkQuery query, final int parallelism) throws Exception
    {
        final List<String> expected = query.reference(GENERATED);
        assertTrue(expected.size() >= 50, query.name() + ": a meaningful run has many lines: " + expected.size());
        final List<String> actual = QueryRunner.run(query, GENERATED, parallelism, dir);
        assertEquals(expected.size(), actual.size(), query.name() + ": line count");
        assertEquals(expected, actual);
    }

    @Test
    void generatedEventsShouldHoldTheCornerCasesTheQueriesAreTestedOn()
    {
        assertTrue(windowsWithTies(new Q5().reference(GENERATED)) >= 10, "q5: windows with tied leaders");
        assertTrue(windowsWithTies(new Q7().reference(GENERATED)) >= 5, "q7: windows with tied highest bids");

        final Map<Long, Long> personWindow = new HashMap<>();
        final Map<String, Integer> auctionsPerSellerWindow = new HashMap<>();
        int fromAnotherWindow = 0;
        long maxTime = Long.MIN_VALUE;
        int disordered = 0;
        int persons = 0;
        int auctions = 0;
        int bids = 0;
        for (final NexmarkEvent event : GENERATED)
        {
            disordered += event.dateTime() < maxTime ? 1 : 0;
            assertTrue(maxTime == Long.MIN_VALUE || event.dateTime() > maxTime - 4_000, "never late: " + event);
            maxTime = Math.max(maxTime, event.dateTime());
            if (event instanceof NexmarkEvent.Person person)
            {
                persons++;
                personWindow.put(person.id(), References.alignedStart(person.dateTime(), 10_000));
            }
            else if (event instanceof NexmarkEvent.Auction auction)
            {
                auctions++;
                final long window = References.alignedStart(auction.dateTime(), 10_000);
                final Long sellerWindow = personWindow.get(auction.seller());
                fromAnotherWindow += null == sellerWindow || sellerWindow != window ? 1 : 0;
                auctionsPerSellerWindow.merge(auction.seller() + "@" + window, 1, Integer::sum);
            }
            else
            {
                bids++;
            }
        }
        assertEquals(List.of(EVENTS / 50, 3 * EVENTS / 50, 46 * EVENTS / 50), List.of(persons, auctions, bids));
        assertTrue(disordered > EVENTS / 4, "events out of order: " + disordered);
        assertTrue(fromAnotherWindow > auctions / 10, "q8: auctions whose seller came in another window");
        int sellersOfSeveral = 0;
        for (final String line : new Q8().reference(GENERATED))
        {
            final String[] fields = line.split(",");
            sellersOfSeveral += auctionsPerSellerWindow.get(fields[2] + "@" + fields[0]) > 1 ? 1 : 0;
        }
        assertTrue(sellersOfSeveral >= 10, "q8: new people selling several auctions in their window");

        int singleBid = 0;
        int longer = 0;
        for (final String line : new Q11().reference(GENERATED))
        {
            final long count = Long.parseLong(line.substring(line.lastIndexOf(',') + 1));
            singleBid += count == 1 ? 1 : 0;
            longer += count >= 20 ? 1 : 0;
        }
        assertTrue(singleBid >= 50 && longer >= 50, "q11: single-bid and long sessions: " + singleBid + ", " + longer);
    }

    @ParameterizedTest(name = "x{0}")
    @MethodSource("parallelisms")
    void q5ShouldReportEveryLeaderOfEachSlidingWindow(final int parallelism) throws Exception
    {
        final List<NexmarkEvent> events = List.of(
            bid(1001, 1, 5, T + 1_200),
            bid(1000, 1, 5, T + 1_000),
            bid(1000, 2, 5, T + 1_500),
            bid(1001, 3, 5, T + 3_000),
            bid(1002, 4, 5, T + 9_000));
        final List<String> expected = References.sorted(List.of(
            q5(-8_000, 1000, 2),
            q5(-6_000, 1000, 2), q5(-6_000, 1001, 2),
            q5(-4_000, 1000, 2), q5(-4_000, 1001, 2),
            q5(-2_000, 1000, 2), q5(-2_000, 1001, 2),
            q5(0, 1000, 2), q5(0, 1001, 2),
            q5(2_000, 1001, 1), q5(2_000, 1002, 1),
            q5(4_000, 1002, 1),
            q5(6_000, 1002, 1),
            q5(8_000, 1002, 1)));
        assertQuery(new Q5(), events, parallelism, expected);
    }

    @ParameterizedTest(name = "x{0}")
    @MethodSource("parallelisms")
    void q7ShouldReportEveryBidAtItsOwnWindowsHighestPrice(final int parallelism) throws Exception
    {
        final List<NexmarkEvent> events = List.of(
            bid(1000, 2004, 5, T + 1_000),
            bid(1001, 2000, 9, T + 2_000),
            bid(1000, 2005, 3, T + 500),
            bid(1002, 2001, 9, T + 9_999),
            bid(1000, 2002, 12, T + 10_000),
            bid(1003, 2003, 9, T + 15_000));
        final List<String> expected = References.sorted(List.of(
            T + "," + (T + 10_000) + ",1001,2000,9," + (T + 2_000),
            T + "," + (T + 10_000) + ",1002,2001,9," + (T + 9_999),
            (T + 10_000) + "," + (T + 20_000) + ",1000,2002,12," + (T + 10_000)));
        assertQuery(new Q7(), events, parallelism, expected);
    }

    @ParameterizedTest(name = "x{0}")
    @MethodSource("parallelisms")
    void q8ShouldReportNewSellersOncePerWindowAndOnlyInTheirOwnWindow(final int parallelism) throws Exception
    {
        final List<NexmarkEvent> events = List.of(
            person(1000, "Ann Lee", T + 1_000),
            auction(1000, 1000, T + 2_000),
            auction(1001, 1000, T + 3_000),
            person(1001, "Bob Ray", T + 4_000),
            auction(1002, 1002, T + 9_000),
            person(1002, "Cy Young", T + 9_999),
            auction(1003, 1002, T + 10_000),
            auction(1004, 1001, T + 12_000),
            person(1003, "Di Moss, Jr.", T + 15_000),
            auction(1005, 1000, T + 16_000),
            auction(1006, 1003, T + 19_999));
        final List<String> expected = References.sorted(List.of(
            T + "," + (T + 10_000) + ",1000,Ann Lee",
            T + "," + (T + 10_000) + ",1002,Cy Young",
            (T + 10_000) + "," + (T + 20_000) + ",1003,\"Di Moss, Jr.\""));
        assertQuery(new Q8(), events, parallelism, expected);
    }

    @ParameterizedTest(name = "x{0}")
    @MethodSource("parallelisms")
    void q11ShouldJoinBidsAtMostTheGapApartIntoOneSession(final int parallelism) throws Exception
    {
        final List<NexmarkEvent> events = List.of(
            bid(1000, 3000, 5, T + 1_000),
            bid(1001, 3001, 5, T + 5_000),
            bid(1002, 3000, 5, T + 3_000),
            bid(1000, 3000, 5, T + 13_000),
            bid(1001, 3001, 5, T + 15_001),
            bid(1001, 3000, 5, T + 23_001));
        final List<String> expected = References.sorted(List.of(
            "3000," + (T + 1_000) + "," + (T + 23_000) + ",3",
            "3000," + (T + 23_001) + "," + (T + 33_001) + ",1",
            "3001," + (T + 5_000) + "," + (T + 15_000) + ",1",
            "3001," + (T + 15_001) + "," + (T + 25_001) + ",1"));
        assertQuery(new Q11(), events, parallelism, expected);
    }

    @Test
    void q7CandidatesShouldKeepEveryHighestBidAndDropMostOthers() throws Exception
    {
        final List<String> bids = new ArrayList<>();
        for (final NexmarkEvent event : GENERATED)
        {
            if (event instanceof NexmarkEvent.Bid bid)
            {
                bids.add(bid.auction() + "," + bid.bidder() + "," + bid.price() + "," + bid.dateTime());
            }
        }
        final List<String> highest = new ArrayList<>();
        for (final String line : new Q7().reference(GENERATED))
        {
            highest.add(line.substring(line.indexOf(',', line.indexOf(',') + 1) + 1));
        }
        final List<String> candidates;
        try (Ferrite ferrite = QueryRunner.launch(dir))
        {
            final Pipeline pipeline = ferrite.pipeline("q7-candidates");
            final CollectingSink sink = NexmarkSource.split(QueryRunner.source(pipeline, GENERATED)).bids()
                .keyBy("auction", 2)
                .process("candidates", NexmarkSchemas.BID, Q7.RunningMax.STATE, new Q7.RunningMax(10_000))
                .collect("out");
            try (Job job = pipeline.start())
            {
                assertTrue(job.await(60, TimeUnit.SECONDS));
            }
            candidates = sink.rows();
        }
        assertTrue(bids.containsAll(candidates), "candidates are bids, unchanged");
        assertTrue(candidates.containsAll(highest), "every highest bid is a candidate");
        // About a dozen bids per auction and window here, of which the running maximum passes ln(12) + 0.58 = 3.1.
        assertTrue(candidates.size() * 5 < bids.size() * 2, "at most 40% of the bids pass: " + candidates.size() +
            " of " + bids.size());
    }

    static Stream<Integer> parallelisms()
    {
        return Stream.of(1, 2);
    }

    private void assertQuery(
        final NexmarkQuery query, final List<NexmarkEvent> events, final int parallelism, final List<String> expected)
        throws Exception
    {
        assertEquals(expected, query.reference(events), query.name() + ": the reference");
        assertEquals(expected, QueryRunner.run(query, events, parallelism, dir), query.name() + ": the engine");
    }

    private static int windowsWithTies(final List<String> lines)
    {
        final Map<String, Integer> perWindow = new HashMap<>();
        for (final String line : lines)
        {
            final String[] fields = line.split(",");
            perWindow.merge(fields[0] + "," + fields[1], 1, Integer::sum);
        }
        int ties = 0;
        for (final int count : perWindow.values())
        {
            ties += count > 1 ? 1 : 0;
        }
        return ties;
    }

    private static String q5(final long startOffset, final long auction, final long count)
    {
        return (T + startOffset) + "," + (T + startOffset + 10_000) + "," + auction + "," + count;
    }

    private static NexmarkEvent bid(final long auction, final long bidder, final long price, final long dateTime)
    {
        return new NexmarkEvent.Bid(auction, bidder, price, dateTime);
    }

    private static NexmarkEvent person(final long id, final String name, final long dateTime)
    {
        return new NexmarkEvent.Person(id, name, "someone@example.com", "1234 5678 9012 3456", "Boise", "ID",
            dateTime);
    }

    private static NexmarkEvent auction(final long id, final long seller, final long dateTime)
    {
        return new NexmarkEvent.Auction(id, "item", "an item", 10, 20, dateTime, dateTime + 60_000, seller, 10);
    }
}
