package io.ferrite.perf.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.CollectingSink;
import io.ferrite.engine.Ferrite;
import io.ferrite.engine.Job;
import io.ferrite.engine.Pipeline;
import io.ferrite.engine.SourceOptions;

/**
 * The split of the union event stream into persons, auctions and bids: each kind to its own stream, every field
 * (strings too) intact, event time kept.
 */
class NexmarkSourceTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSplitEventsByKindWithEveryFieldIntact() throws Exception
    {
        final List<NexmarkEvent> events = List.of(
            new NexmarkEvent.Person(1000, "Walter Abrams", "walter.abrams@example.com", "1111 2222 3333 4444",
                "San Francisco", "CA", 1_700_000_000_100L),
            new NexmarkEvent.Auction(1000, "vase, blue", "a very old vase with a \"story\"", 15, 250,
                1_700_000_000_050L, 1_700_000_090_000L, 1000, 12),
            new NexmarkEvent.Bid(1000, 1000, 17, 1_700_000_000_300L),
            new NexmarkEvent.Bid(1000, 1001, 23, 1_700_000_000_200L),
            new NexmarkEvent.Person(1001, "Kate Noris", "kate@example.com", "5555 6666 7777 8888", "Bend", "OR",
                1_700_000_000_400L));
        try (Ferrite ferrite = QueryRunner.launch(dir))
        {
            final Pipeline pipeline = ferrite.pipeline("split");
            final NexmarkStreams streams = NexmarkSource.split(QueryRunner.source(pipeline, events));
            assertSame(NexmarkSchemas.PERSON, streams.persons().schema());
            assertSame(NexmarkSchemas.AUCTION, streams.auctions().schema());
            assertSame(NexmarkSchemas.BID, streams.bids().schema());
            final CollectingSink persons = streams.persons().collect("persons-out");
            final CollectingSink auctions = streams.auctions().collect("auctions-out");
            final CollectingSink bids = streams.bids().collect("bids-out");
            try (Job job = pipeline.start())
            {
                assertTrue(job.await(30, TimeUnit.SECONDS));
            }
            assertEquals(List.of(
                "1000,Walter Abrams,walter.abrams@example.com,1111 2222 3333 4444,San Francisco,CA,1700000000100",
                "1001,Kate Noris,kate@example.com,5555 6666 7777 8888,Bend,OR,1700000000400"), persons.rows());
            assertEquals(List.of("1000,\"vase, blue\",\"a very old vase with a \"\"story\"\"\",15,250," +
                "1700000000050,1700000090000,1000,12"), auctions.rows());
            assertEquals(List.of("1000,1000,17,1700000000300", "1000,1001,23,1700000000200"), bids.rows());
            assertEquals(1_700_000_000_400L, persons.timestamp(1), "the event time is dateTime");
            assertEquals(1_700_000_000_050L, auctions.timestamp(0));
            assertEquals(1_700_000_000_200L, bids.timestamp(1));
        }
    }

    @Test
    void shouldSplitGeneratedEventsIntoTheirKindsWithEveryFieldCopied() throws Exception
    {
        final List<NexmarkEvent> events = new NexmarkGenerator(9, 10_000).events(5_000);
        final List<String> persons = new ArrayList<>();
        final List<String> auctions = new ArrayList<>();
        final List<String> bids = new ArrayList<>();
        for (final NexmarkEvent event : events)
        {
            final String line = NexmarkCsv.format(event).substring(2);
            (event instanceof NexmarkEvent.Person ? persons : event instanceof NexmarkEvent.Auction ? auctions : bids)
                .add(line);
        }
        assertEquals(100, persons.size());
        try (Ferrite ferrite = QueryRunner.launch(dir))
        {
            final Pipeline pipeline = ferrite.pipeline("split-generated");
            final NexmarkStreams streams = NexmarkSource.split(QueryRunner.source(pipeline, events));
            final CollectingSink personsOut = streams.persons().collect("persons-out");
            final CollectingSink auctionsOut = streams.auctions().collect("auctions-out");
            final CollectingSink bidsOut = streams.bids().collect("bids-out");
            try (Job job = pipeline.start())
            {
                assertTrue(job.await(30, TimeUnit.SECONDS));
            }
            assertEquals(persons, personsOut.rows(), "in input order");
            assertEquals(auctions, auctionsOut.rows());
            assertEquals(bids, bidsOut.rows());
        }
    }

    @Test
    void shouldRefuseToSplitAStreamOfAnotherSchema()
    {
        try (Ferrite ferrite = QueryRunner.launch(dir))
        {
            final Pipeline pipeline = ferrite.pipeline("not-events");
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> NexmarkSource.split(pipeline.generator("bids", NexmarkSchemas.BID,
                    new SourceOptions().journaled(false), (sequence, out) -> false)));
            assertTrue(error.getMessage().contains("not a NEXMark event stream"), error.getMessage());
        }
    }
}
