package io.ferrite.perf.latency;

import io.ferrite.perf.harness.Mix;

/**
 * The generated input, the same for Ferrite and the baseline: record {@code n}'s fields come from {@code (seed, n)}
 * and its event time alone.
 * <ul>
 *     <li>A <b>trade</b> (passthrough, vwap): one of {@value #SYMBOLS} symbols (ids 1 to {@value #SYMBOLS}),
 *     uniformly; a price of 10.00 to 59.99 in cents; a quantity of 1 to 500.</li>
 *     <li>A <b>bid</b> (q5): half the bids go to the {@value #HOT_AUCTIONS} hot auctions of the current second of
 *     event time (the first of them draws 40% of those, then 30%, 20% and 10%), the other half to one of
 *     {@value #AUCTIONS} auctions uniformly (ids from 1000, as NEXMark's); a price of 1 to 10,000.</li>
 * </ul>
 * <b>Note:</b> Stateless and allocation-free: any thread may call it.
 */
final class LatencyInput
{
    static final int SYMBOLS = 100;
    static final int AUCTIONS = 1_000;
    static final int HOT_AUCTIONS = 4;
    static final long FIRST_AUCTION = 1_000;

    private static final long PRICE_SALT = 0x3C6EF372L;
    private static final long QUANTITY_SALT = 0xA54FF53AL;
    private static final long HOT_SALT = 0x5DEECE66DL;

    private final long seed;

    LatencyInput(final long seed)
    {
        this.seed = seed;
    }

    long symbol(final long sequence)
    {
        return 1 + Mix.below(Mix.mix(seed, sequence), SYMBOLS);
    }

    long priceCents(final long sequence)
    {
        return 1_000 + Mix.below(Mix.mix(seed, sequence ^ PRICE_SALT), 5_000);
    }

    long quantity(final long sequence)
    {
        return 1 + Mix.below(Mix.mix(seed, sequence ^ QUANTITY_SALT), 500);
    }

    long auction(final long sequence, final long timeUs)
    {
        final long bits = Mix.mix(seed, sequence);
        final double draw = Mix.unit(bits);
        if (draw < 0.5)
        {
            final int hot = draw < 0.2 ? 0 : draw < 0.35 ? 1 : draw < 0.45 ? 2 : 3;
            final long second = Math.floorDiv(timeUs, 1_000_000L);
            final int first = Mix.below(Mix.mix(seed ^ HOT_SALT, second), AUCTIONS);
            return FIRST_AUCTION + (first + hot) % AUCTIONS;
        }
        return FIRST_AUCTION + Mix.below(Mix.mix(bits, 1), AUCTIONS);
    }

    long bidPrice(final long sequence)
    {
        return 1 + Mix.below(Mix.mix(seed, sequence ^ PRICE_SALT), 10_000);
    }
}
