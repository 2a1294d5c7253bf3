package io.ferrite.perf.demo;

import org.agrona.collections.Long2LongHashMap;

/**
 * Per-symbol risk limits on a window's volume and notional. A symbol's usual volume over a window is its share of
 * the trades that are not in a burst, times the mean quantity; its volume limit is 1.5 to 2.5 times that (by symbol),
 * so a window holding one of the symbol's burst seconds (about five times the usual volume) breaches it and a window
 * without one does not. The notional limit is the volume limit at 1% above the symbol's base price, so a window near
 * its volume limit while the price runs high can breach it alone.
 * <p>
 * <b>Note:</b> Immutable once built; {@link #isBreached} allocates nothing.
 */
final class RiskLimits
{
    private final long[] volumeLimits;
    private final double[] notionalLimits;
    private final Long2LongHashMap indexByKey = new Long2LongHashMap(-1);

    RiskLimits(final TradeGenerator trades, final long windowSeconds)
    {
        final int symbols = trades.symbols();
        final double usualTrades = (1.0 - trades.burstShare()) * trades.schedule().ratePerSecond() * windowSeconds /
            symbols;
        final double usualVolume = usualTrades * TradeGenerator.MEAN_QUANTITY;
        volumeLimits = new long[symbols];
        notionalLimits = new double[symbols];
        for (int i = 0; i < symbols; i++)
        {
            volumeLimits[i] = (long)Math.ceil(usualVolume * (1.5 + 0.25 * (i % 5)));
            notionalLimits[i] = volumeLimits[i] * trades.basePrice(i) * 1.01;
            indexByKey.put(trades.key(i), i);
        }
    }

    /**
     * The symbol of a key.
     *
     * @param key the symbol as a long.
     * @return its index, or -1 for a symbol the generator does not make.
     */
    int indexOf(final long key)
    {
        return (int)indexByKey.get(key);
    }

    long volumeLimit(final int symbol)
    {
        return volumeLimits[symbol];
    }

    double notionalLimit(final int symbol)
    {
        return notionalLimits[symbol];
    }

    boolean isBreached(final long key, final long volume, final double notional)
    {
        final int symbol = indexOf(key);
        return symbol >= 0 && (volume > volumeLimits[symbol] || notional > notionalLimits[symbol]);
    }
}
