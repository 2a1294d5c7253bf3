package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;

/**
 * Once warmed up, a running map → keyBy → process → sink pipeline allocates nothing per record: every stage runs on
 * the test thread (invoker mode), which publishes, drives the job and measures its own allocation. The process
 * function keeps value state for about a thousand keys and moves an event-time expiry timer per record (delete the
 * old one, register the new), and some timers fire.
 */
class SteadyStateAllocationTest
{
    private static final int KEYS = 1000;
    private static final long WARM_UP = 200_000;
    private static final long MEASURED = 1_000_000;
    private static final long ALLOWED_BYTES = 64 * 1024;
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static final long TIMEOUT = 1_500;
    private static final long RATE = 3;
    private static final long ROLL_MARGIN_MS = 15_000;

    @TempDir
    Path dir;

    private final Schema event = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("amount").build();
    private final Schema mapped = Schema.builder("mapped")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("cents").build();
    private final Schema state = Schema.builder("expiry").int64("total").int64("deadline").build();
    private final Schema output = Schema.builder("total")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("total").int64("expired").build();

    private final TimestampField time = event.timestampField("time");
    private final Int64Field account = event.int64Field("account");
    private final Int64Field amount = event.int64Field("amount");
    private final TimestampField mappedTime = mapped.timestampField("time");
    private final Int64Field mappedAccount = mapped.int64Field("account");
    private final Int64Field cents = mapped.int64Field("cents");
    private final Int64Field stateTotal = state.int64Field("total");
    private final Int64Field stateDeadline = state.int64Field("deadline");
    private final TimestampField outTime = output.timestampField("time");
    private final Int64Field outAccount = output.int64Field("account");
    private final Int64Field outTotal = output.int64Field("total");
    private final Int64Field outExpired = output.int64Field("expired");

    @ParameterizedTest(name = "journaled={0}")
    @ValueSource(booleans = {true, false})
    void shouldNotAllocatePerRecordOnceWarmedUp(final boolean journaled) throws Exception
    {
        if (journaled)
        {
            awayFromAnHourlyRoll();
        }
        final Tally tally = new Tally();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .warningHandler((warning) -> { })
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("steady");
            final Publisher events = pipeline.publisher("events", event, new SourceOptions().journaled(journaled));
            pipeline.stream(events)
                .map("convert", mapped, (in, out) -> out
                    .put(mappedTime, in.get(time))
                    .put(mappedAccount, in.get(account))
                    .put(cents, in.get(amount) * RATE))
                .keyBy("account", 2)
                .process("expiry", output, state, new Expiry())
                .sink("tally", tally);
            final Job job = pipeline.start();
            final Publisher.Producer producer = events.newProducer();

            publish(producer, job, 0, WARM_UP);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().getId();
            final long probe = threads.getThreadAllocatedBytes(threadId);
            final long overhead = threads.getThreadAllocatedBytes(threadId) - probe;
            final long before = threads.getThreadAllocatedBytes(threadId);
            publish(producer, job, WARM_UP, WARM_UP + MEASURED);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;
            System.out.println("SteadyStateAllocationTest journaled=" + journaled + ": " + allocated +
                " bytes allocated over " + MEASURED + " records");

            events.end(new NoOpIdleStrategy());
            assertTrue(job.await(30, TimeUnit.SECONDS));
            assertTrue(allocated < ALLOWED_BYTES, "journaled=" + journaled + ": " + allocated + " bytes allocated " +
                "over " + MEASURED + " records in steady state");
        }

        long sum = 0;
        for (long i = 0; i < WARM_UP + MEASURED; i++)
        {
            sum += amountOf(i) * RATE;
        }
        assertEquals(WARM_UP + MEASURED, tally.records);
        assertTrue(tally.expiries > KEYS, "timers fired only at the end: " + tally.expiries);
        assertEquals(sum, tally.expiredSum, "every record counted in exactly one expiry");
    }

    /**
     * The journal starts a new file every hour on the hour, which allocates: keep the run away from one.
     */
    static void awayFromAnHourlyRoll() throws InterruptedException
    {
        final long hourMs = TimeUnit.HOURS.toMillis(1);
        final long untilNextHour = hourMs - System.currentTimeMillis() % hourMs;
        if (untilNextHour < ROLL_MARGIN_MS)
        {
            Thread.sleep(untilNextHour + 100);
        }
    }

    /**
     * Publish records {@code [from, to)} from this thread, driving the job whenever the ring is full and at the end
     * until it is idle. Allocates nothing.
     */
    private void publish(final Publisher.Producer producer, final Job job, final long from, final long to)
    {
        for (long i = from; i < to; i++)
        {
            while (!producer.tryClaim())
            {
                job.doWork();
            }
            producer.record().put(time, BASE_TIME + i).put(account, accountOf(i)).put(amount, amountOf(i));
            producer.commit();
        }
        while (job.doWork() > 0)
        {
            Thread.onSpinWait();
        }
    }

    private static long accountOf(final long i)
    {
        return Math.floorMod(mix(i), (long)KEYS);
    }

    private static long amountOf(final long i)
    {
        return Math.floorMod(mix(~i), 1001L) - 200;
    }

    private static long mix(final long value)
    {
        long x = value + 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /**
     * A running total per account, emitted per record, and an expiry timer moved on by each record: when it fires,
     * the total is emitted as expired and the state dropped.
     */
    private final class Expiry implements KeyedProcessFunction
    {
        @Override
        public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
        {
            final RecordWriter values = ctx.state();
            final long previous = values.get(stateDeadline);
            if (previous != 0)
            {
                ctx.deleteEventTimeTimer(previous);
            }
            final long deadline = in.timestamp() + TIMEOUT;
            final long total = values.get(stateTotal) + in.get(cents);
            values.put(stateTotal, total).put(stateDeadline, deadline);
            ctx.registerEventTimeTimer(deadline);
            out.begin().put(outTime, in.timestamp()).put(outAccount, ctx.key()).put(outTotal, total);
            out.emit();
        }

        @Override
        public void onTimer(final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
        {
            final RecordWriter values = ctx.state();
            if (values.get(stateDeadline) != timestamp)
            {
                throw new IllegalStateException("a deleted timer fired");
            }
            out.begin().put(outTime, timestamp).put(outAccount, ctx.key()).put(outTotal, values.get(stateTotal))
                .put(outExpired, 1);
            out.emit();
            ctx.clearState();
        }
    }

    /**
     * Counts what reaches the sink, on the test thread.
     */
    private final class Tally implements SinkFunction
    {
        long records;
        long expiries;
        long expiredSum;

        @Override
        public void accept(final RecordView record)
        {
            if (record.get(outExpired) != 0)
            {
                expiries++;
                expiredSum += record.get(outTotal);
            }
            else
            {
                records++;
            }
        }
    }
}
