package io.ferrite.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.csv.CsvCodec;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.table.OffHeapHashTable;

/**
 * The example of the README's "memory module" section, kept compiling and checked.
 */
class ReadmeExampleTest
{
    @Test
    void shouldRunTheReadmeExample()
    {
        try (MemoryManager memory = new MemoryManager(256L << 20);
            OffHeapHashTable volumes = new OffHeapHashTable(memory, "vwap", 8, 16))
        {
            final Schema trade = Schema.builder("trade")
                .symbol("sym", 8).float64("price").int64("qty").timestamp("ts", TimeUnit.MILLISECONDS)
                .build();
            final SymbolField sym = trade.symbolField("sym");
            final Float64Field price = trade.float64Field("price");
            final Int64Field qty = trade.int64Field("qty");

            final MemorySegment slot = memory.allocate("source", trade.recordLength());
            new CsvCodec(trade).decode("trades.csv", 1, "AAPL,189.5,100,1700000000000", slot.buffer(), 0);

            final int value = volumes.getOrInsert(sym.getAsLong(slot.buffer(), 0));
            final UnsafeBuffer state = volumes.buffer();
            state.putDouble(value, state.getDouble(value) + price.get(slot.buffer(), 0) * qty.get(slot.buffer(), 0));
            state.putLong(value + 8, state.getLong(value + 8) + qty.get(slot.buffer(), 0));

            assertEquals(18950.0, state.getDouble(value));
            assertEquals(100L, state.getLong(value + 8));
            assertEquals("trade{sym='AAPL', price=189.5, qty=100, ts=1700000000000}",
                trade.toString(slot.buffer(), 0));
        }
    }
}
