package io.ferrite.perf.nexmark;

/**
 * One NEXMark event as plain Java, for the generator's CSV and the queries' references. Times are epoch milliseconds.
 */
public sealed interface NexmarkEvent
{
    /**
     * The event time.
     *
     * @return epoch milliseconds.
     */
    long dateTime();

    /**
     * A new person.
     *
     * @param id           the person's id, from 1000.
     * @param name         a name.
     * @param emailAddress an e-mail address.
     * @param creditCard   a credit card number.
     * @param city         a city.
     * @param state        a US state's code.
     * @param dateTime     the event time.
     */
    record Person(long id, String name, String emailAddress, String creditCard, String city, String state,
        long dateTime) implements NexmarkEvent
    {
    }

    /**
     * A new auction.
     *
     * @param id          the auction's id, from 1000.
     * @param itemName    the item.
     * @param description the item's description.
     * @param initialBid  the opening price.
     * @param reserve     the reserve price.
     * @param dateTime    the event time.
     * @param expires     when the auction closes.
     * @param seller      the seller's person id.
     * @param category    the category, from 10.
     */
    record Auction(long id, String itemName, String description, long initialBid, long reserve, long dateTime,
        long expires, long seller, long category) implements NexmarkEvent
    {
    }

    /**
     * A bid.
     *
     * @param auction  the auction's id.
     * @param bidder   the bidder's person id.
     * @param price    the price offered.
     * @param dateTime the event time.
     */
    record Bid(long auction, long bidder, long price, long dateTime) implements NexmarkEvent
    {
    }
}
