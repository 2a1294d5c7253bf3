package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Float64Field;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;

/**
 * The README's engine example, kept compiling and correct: a one-minute VWAP per symbol.
 */
class ReadmeExampleTest
{
    @TempDir
    Path dir;

    @Test
    void vwapPerSymbolPerMinute() throws Exception
    {
        // README example begins
        final Schema trade = Schema.builder("trade")
            .timestamp("time", TimeUnit.MILLISECONDS).symbol("symbol", 8).float64("price").int64("quantity")
            .build();
        final Schema vwap = Schema.builder("vwap")
            .timestamp("minute", TimeUnit.MILLISECONDS).symbol("symbol", 8).float64("vwap").int64("volume")
            .build();
        final Schema sums = Schema.builder("sums")
            .timestamp("minute", TimeUnit.MILLISECONDS).float64("notional").int64("volume").build();

        final TimestampField time = trade.timestampField("time");
        final SymbolField symbol = trade.symbolField("symbol");
        final Float64Field price = trade.float64Field("price");
        final Int64Field quantity = trade.int64Field("quantity");
        final TimestampField minute = sums.timestampField("minute");
        final Float64Field notional = sums.float64Field("notional");
        final Int64Field volume = sums.int64Field("volume");
        final TimestampField outMinute = vwap.timestampField("minute");
        final SymbolField outSymbol = vwap.symbolField("symbol");
        final Float64Field outVwap = vwap.float64Field("vwap");
        final Int64Field outVolume = vwap.int64Field("volume");

        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.SHARED)
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("vwap");
            final Publisher trades = pipeline.publisher("trades", trade,
                new SourceOptions().watermarks(WatermarkStrategy.monotonic()));

            final CollectingSink results = pipeline.stream(trades)
                .filter("positive", (in) -> in.get(quantity) > 0)
                .keyBy("symbol", 2)
                .process("vwap-1m", vwap, sums, new KeyedProcessFunction()
                {
                    public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
                    {
                        final long tradeMinute = in.timestamp() / 60_000 * 60_000;
                        final RecordWriter state = ctx.state();
                        if (state.get(volume) > 0 && state.get(minute) != tradeMinute)
                        {
                            // the key's previous minute is complete: emit it now rather than wait for its timer
                            ctx.deleteEventTimeTimer(state.get(minute) + 59_999);
                            emit(state, ctx.key(), out);
                            state.clear();
                        }
                        state.put(minute, tradeMinute)
                            .put(notional, state.get(notional) + in.get(price) * in.get(quantity))
                            .put(volume, state.get(volume) + in.get(quantity));
                        ctx.registerEventTimeTimer(tradeMinute + 59_999);
                    }

                    public void onTimer(
                        final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
                    {
                        emit(ctx.state(), ctx.key(), out);
                        ctx.clearState();
                    }

                    private void emit(final RecordWriter state, final long key, final Collector out)
                    {
                        out.begin()
                            .put(outMinute, state.get(minute))
                            .putSymbolAsLong(outSymbol, key)
                            .put(outVwap, state.get(notional) / state.get(volume))
                            .put(outVolume, state.get(volume));
                        out.emit(state.get(minute) + 59_999);
                    }
                })
                .collect("out");

            System.out.println(pipeline.explain());
            final Job job = pipeline.start();

            final Publisher.Producer producer = trades.newProducer();
            final BackoffIdleStrategy idle = new BackoffIdleStrategy();
            final String[] symbols = {"AAPL", "MSFT", "AAPL", "MSFT", "AAPL"};
            final double[] prices = {100.0, 200.0, 102.0, 202.0, 110.0};
            final long[] times = {1_000, 2_000, 30_000, 59_000, 61_000};
            for (int i = 0; i < symbols.length; i++)
            {
                producer.claim(idle);
                producer.record().put(time, times[i]).put(symbol, symbols[i]).put(price, prices[i])
                    .put(quantity, 10L * (i + 1));
                producer.commit();
            }
            trades.end(idle);
            job.await();
            // README example ends

            final List<String> rows = results.rows();
            assertEquals(3, rows.size(), rows.toString());
            final double aaplFirst = (100.0 * 10 + 102.0 * 30) / 40;
            final double msft = (200.0 * 20 + 202.0 * 40) / 60;
            assertEquals(List.of(
                "0,AAPL," + aaplFirst + ",40",
                "0,MSFT," + msft + ",60",
                "60000,AAPL,110.0,50").stream().sorted().toList(), rows.stream().sorted().toList());
            job.close();
        }
    }

    @Test
    void readmeShowsThisExampleVerbatim() throws Exception
    {
        final String source = Files.readString(Path.of("src/test/java/io/ferrite/engine/ReadmeExampleTest.java"));
        final String begin = "// README example begins\n";
        final int from = source.indexOf(begin) + begin.length();
        final int to = source.lastIndexOf("\n", source.indexOf("// README example ends"));
        final StringBuilder example = new StringBuilder();
        for (final String line : source.substring(from, to + 1).split("\n"))
        {
            example.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
        }
        final String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(example), "README.md's engine example differs from ReadmeExampleTest; copy it " +
            "over (the lines between the markers, unindented by 8)");
    }
}
