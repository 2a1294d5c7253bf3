package io.ferrite.perf.demo;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.GeneratorFunction;
import io.ferrite.engine.RecordWriter;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.SymbolField;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.perf.harness.Schedule;
import io.ferrite.perf.harness.Mix;

/**
 * Request latencies of a few services, each made from {@code (seed, n)} and the schedule alone: log-normal around a
 * service's median (150 µs to 12 ms), one request in a thousand twenty times slower.
 * <p>
 * <b>Note:</b> {@link #next} runs on the source stage's thread and allocates nothing.
 */
final class TelemetryGenerator implements GeneratorFunction
{
    static final Schema METRIC = Schema.builder("metric")
        .timestamp("time", TimeUnit.MICROSECONDS).symbol("service", 8).int64("latency_us").build();
    static final TimestampField TIME = METRIC.timestampField("time");
    static final SymbolField SERVICE = METRIC.symbolField("service");
    static final Int64Field LATENCY_US = METRIC.int64Field("latency_us");

    /**
     * The highest latency tracked, in microseconds: one minute.
     */
    static final long MAX_LATENCY_US = 60_000_000L;

    static final String[] SERVICES = {"gateway", "auth", "orders", "pricing", "risk", "ledger", "search", "billing"};
    private static final double[] MEDIAN_US = {800, 150, 1_200, 400, 600, 2_500, 12_000, 3_000};

    private final long seed;
    private final Schedule schedule;
    private final long[] keys = new long[SERVICES.length];

    TelemetryGenerator(final long seed, final Schedule schedule)
    {
        this.seed = seed;
        this.schedule = schedule;
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[METRIC.recordLength()]);
        for (int i = 0; i < SERVICES.length; i++)
        {
            SERVICE.put(scratch, 0, SERVICES[i]);
            keys[i] = SERVICE.getAsLong(scratch, 0);
        }
    }

    @Override
    public boolean next(final long sequence, final RecordWriter out)
    {
        final long timeUs = schedule.onRecord(sequence);
        out.put(TIME, timeUs)
            .putSymbolAsLong(SERVICE, keys[serviceOf(sequence)])
            .put(LATENCY_US, latencyOf(sequence));
        return true;
    }

    int serviceOf(final long sequence)
    {
        return Mix.below(Mix.mix(seed ^ 0x1B873593L, sequence), SERVICES.length);
    }

    long latencyOf(final long sequence)
    {
        final long bits = Mix.mix(seed ^ 0x85EBCA6BL, sequence);
        final double u1 = 1.0 - Mix.unit(bits);
        final double u2 = Mix.unit(Mix.mix(bits, 2));
        final double gaussian = StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
        final double slow = Mix.unit(Mix.mix(bits, 3)) < 0.001 ? 20.0 : 1.0;
        final double latency = MEDIAN_US[serviceOf(sequence)] * StrictMath.exp(0.5 * gaussian) * slow;
        return Math.min(MAX_LATENCY_US, Math.max(1L, Math.round(latency)));
    }

    Schedule schedule()
    {
        return schedule;
    }

    long key(final int service)
    {
        return keys[service];
    }
}
