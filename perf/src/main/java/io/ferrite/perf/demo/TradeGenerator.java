package io.ferrite.perf.demo;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.RecordWriter;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.perf.harness.Schedule;
import io.ferrite.perf.harness.Mix;

/**
 * Trades for a set of symbols, each made from {@code (seed, n)} and the schedule alone. Every second of event time
 * one symbol, chosen by the second, draws a burst: a share {@code 40 / (symbols + 40)} of that second's trades, about
 * four times its usual volume over a 10 s window — what the risk limits are there to catch. The other trades go to
 * symbols uniformly. A symbol's price wanders within 2% of its base price over a minute; quantities are 1 to 500.
 * <p>
 * <b>Note:</b> {@link #next} runs on the source stage's thread and allocates nothing.
 */
final class TradeGenerator implements GeneratorFunction
{
    static final Schema TRADE = Schema.builder("trade")
        .timestamp("time", TimeUnit.MICROSECONDS).symbol("symbol", 8).float64("price").int64("quantity").build();
    static final TimestampField TIME = TRADE.timestampField("time");
    static final SymbolField SYMBOL = TRADE.symbolField("symbol");
    static final Float64Field PRICE = TRADE.float64Field("price");
    static final Int64Field QUANTITY = TRADE.int64Field("quantity");

    static final int MAX_QUANTITY = 500;
    static final double MEAN_QUANTITY = (1 + MAX_QUANTITY) / 2.0;

    private static final long BURST_SALT = 0x5DEECE66DL;
    private static final double TWO_PI = 2 * Math.PI;
    private static final double PRICE_PERIOD_US = 60_000_000.0;

    private final long seed;
    private final Schedule schedule;
    private final int symbols;
    private final String[] names;
    private final long[] keys;
    private final double[] basePrices;
    private final double[] phases;
    private final double burstShare;

    TradeGenerator(final long seed, final Schedule schedule, final int symbols)
    {
        this.seed = seed;
        this.schedule = schedule;
        this.symbols = symbols;
        this.names = new String[symbols];
        this.keys = new long[symbols];
        this.basePrices = new double[symbols];
        this.phases = new double[symbols];
        this.burstShare = 40.0 / (symbols + 40.0);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[TRADE.recordLength()]);
        for (int i = 0; i < symbols; i++)
        {
            names[i] = ticker(i);
            SYMBOL.put(scratch, 0, names[i]);
            keys[i] = SYMBOL.getAsLong(scratch, 0);
            final long bits = Mix.mix(seed ^ 0x7F4A7C15L, i);
            basePrices[i] = 10.0 + Math.floor(Mix.unit(bits) * 49_000.0) / 100.0;
            phases[i] = TWO_PI * Mix.unit(Mix.mix(bits, i));
        }
    }

    /**
     * A four-letter ticker per index, distinct for every index below 26^4: the index times a number coprime with
     * 26^4, in base 26.
     */
    static String ticker(final int index)
    {
        int value = (int)((index * 7_919L + 11_881L) % 456_976L);
        final char[] letters = new char[4];
        for (int i = 3; i >= 0; i--)
        {
            letters[i] = (char)('A' + value % 26);
            value /= 26;
        }
        return new String(letters);
    }

    @Override
    public boolean next(final long sequence, final RecordWriter out)
    {
        final long timeUs = schedule.onRecord(sequence);
        final int symbol = symbolOf(sequence, timeUs);
        out.put(TIME, timeUs)
            .putSymbolAsLong(SYMBOL, keys[symbol])
            .put(PRICE, priceOf(sequence, symbol, timeUs))
            .put(QUANTITY, quantityOf(sequence));
        return true;
    }

    int symbolOf(final long sequence, final long timeUs)
    {
        final long bits = Mix.mix(seed, sequence);
        if (Mix.unit(bits) < burstShare)
        {
            return burstSymbol(Math.floorDiv(timeUs, 1_000_000L));
        }
        return Mix.below(Mix.mix(bits, 1), symbols);
    }

    /**
     * The symbol drawing the burst in a second of event time.
     *
     * @param second seconds since the epoch.
     * @return the symbol's index.
     */
    int burstSymbol(final long second)
    {
        return Mix.below(Mix.mix(seed ^ BURST_SALT, second), symbols);
    }

    double priceOf(final long sequence, final int symbol, final long timeUs)
    {
        final double wave = StrictMath.sin(TWO_PI * (timeUs % 60_000_000L) / PRICE_PERIOD_US + phases[symbol]);
        final double noise = Mix.unit(Mix.mix(seed, sequence ^ 0x3C6EF372L)) - 0.5;
        return Math.round(basePrices[symbol] * (1.0 + 0.02 * wave + 0.001 * noise) * 100.0) / 100.0;
    }

    long quantityOf(final long sequence)
    {
        return 1 + Mix.below(Mix.mix(seed, sequence ^ 0xA54FF53AL), MAX_QUANTITY);
    }

    Schedule schedule()
    {
        return schedule;
    }

    int symbols()
    {
        return symbols;
    }

    double burstShare()
    {
        return burstShare;
    }

    String name(final int symbol)
    {
        return names[symbol];
    }

    long key(final int symbol)
    {
        return keys[symbol];
    }

    double basePrice(final int symbol)
    {
        return basePrices[symbol];
    }
}
