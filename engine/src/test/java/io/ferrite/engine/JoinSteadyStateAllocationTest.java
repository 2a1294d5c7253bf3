package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
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
 * Once warmed up, a running keyBy → window join (or interval join) → sink pipeline allocates nothing per record:
 * every stage runs on the test thread (invoker mode), which publishes both sides, drives the job and measures its own
 * allocation. The join holds a few hundred keys' records at any time, fires windows (or frees records) as the
 * watermark moves, and emits pairs; the number of pairs is checked against a plain-Java count.
 */
class JoinSteadyStateAllocationTest
{
    private static final int KEYS = 200;
    private static final int WARM_UP = 100_000;
    private static final int MEASURED = 300_000;
    private static final long ALLOWED_BYTES = 64 * 1024;
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static final long WINDOW_MS = 100;
    private static final long INTERVAL_MS = 20;

    @TempDir
    Path dir;

    private final Schema order = Schema.builder("order")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("amount").build();
    private final Schema payment = Schema.builder("payment")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("paid").build();
    private final Schema matched = Schema.builder("matched")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("amount").int64("paid").build();

    private final TimestampField orderTime = order.timestampField("time");
    private final Int64Field orderAccount = order.int64Field("account");
    private final Int64Field amount = order.int64Field("amount");
    private final TimestampField paymentTime = payment.timestampField("time");
    private final Int64Field paymentAccount = payment.int64Field("account");
    private final Int64Field paid = payment.int64Field("paid");
    private final TimestampField outTime = matched.timestampField("time");
    private final Int64Field outAccount = matched.int64Field("account");
    private final Int64Field outAmount = matched.int64Field("amount");
    private final Int64Field outPaid = matched.int64Field("paid");

    @ParameterizedTest(name = "{0} join")
    @ValueSource(strings = {"window", "interval"})
    void shouldNotAllocatePerRecordOnceWarmedUp(final String kind) throws Exception
    {
        final boolean window = kind.equals("window");
        final Tally tally = new Tally();
        final JoinFunction function = (left, right, windowStart, windowEnd, out) -> out
            .put(outTime, left.timestamp())
            .put(outAccount, left.get(orderAccount))
            .put(outAmount, left.get(amount))
            .put(outPaid, right.get(paid));
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .warningHandler((warning) -> { })
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("steady-" + kind);
            final Publisher orders = pipeline.publisher("orders", order, new SourceOptions().journaled(false));
            final Publisher payments = pipeline.publisher("payments", payment, new SourceOptions().journaled(false));
            final KeyedStream left = pipeline.stream(orders).keyBy("account", 2);
            final KeyedStream right = pipeline.stream(payments).keyBy("account", 2);
            final DataStream joined = window ?
                left.join(right).window(Windows.tumbling(Duration.ofMillis(WINDOW_MS)))
                    .apply("matched", matched, function) :
                left.intervalJoin(right).between(Duration.ofMillis(-INTERVAL_MS), Duration.ofMillis(INTERVAL_MS))
                    .process("matched", matched, function);
            joined.sink("tally", tally);
            final Job job = pipeline.start();
            final Publisher.Producer orderProducer = orders.newProducer();
            final Publisher.Producer paymentProducer = payments.newProducer();

            publish(orderProducer, paymentProducer, job, 0, WARM_UP);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().getId();
            final long probe = threads.getThreadAllocatedBytes(threadId);
            final long overhead = threads.getThreadAllocatedBytes(threadId) - probe;
            final long before = threads.getThreadAllocatedBytes(threadId);
            publish(orderProducer, paymentProducer, job, WARM_UP, WARM_UP + MEASURED);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;
            System.out.println("JoinSteadyStateAllocationTest " + kind + " join: " + allocated +
                " bytes allocated over " + MEASURED + " records per side");

            orders.end(new NoOpIdleStrategy());
            payments.end(new NoOpIdleStrategy());
            assertTrue(job.await(30, TimeUnit.SECONDS));
            assertTrue(allocated < ALLOWED_BYTES, kind + " join: " + allocated + " bytes allocated over " + MEASURED +
                " records per side in steady state");
        }
        final int records = WARM_UP + MEASURED;
        assertEquals(window ? windowPairs(records) : intervalPairs(records), tally.pairs);
        assertTrue(tally.pairs > MEASURED / 10, "pairs flow all along: " + tally.pairs);
    }

    /**
     * Publish records {@code [from, to)} of each side from this thread, driving the job whenever a ring is full and
     * at the end until it is idle. Allocates nothing.
     */
    private void publish(
        final Publisher.Producer orders, final Publisher.Producer payments, final Job job, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            while (!orders.tryClaim())
            {
                job.doWork();
            }
            orders.record().put(orderTime, BASE_TIME + i).put(orderAccount, orderAccountOf(i)).put(amount, i);
            orders.commit();
            while (!payments.tryClaim())
            {
                job.doWork();
            }
            payments.record().put(paymentTime, BASE_TIME + i).put(paymentAccount, paymentAccountOf(i)).put(paid, i);
            payments.commit();
        }
        while (job.doWork() > 0)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Pairs of a window join: per tumbling window, the product of each account's orders and payments.
     */
    private static long windowPairs(final int records)
    {
        final long[] orders = new long[KEYS];
        final long[] payments = new long[KEYS];
        long pairs = 0;
        long windowOf = -1;
        for (int i = 0; i <= records; i++)
        {
            final long w = i == records ? -2 : Math.floorDiv(BASE_TIME + i, WINDOW_MS);
            if (w != windowOf)
            {
                for (int k = 0; k < KEYS; k++)
                {
                    pairs += orders[k] * payments[k];
                    orders[k] = 0;
                    payments[k] = 0;
                }
                windowOf = w;
            }
            if (i < records)
            {
                orders[(int)orderAccountOf(i)]++;
                payments[(int)paymentAccountOf(i)]++;
            }
        }
        return pairs;
    }

    /**
     * Pairs of an interval join: each order with the payments of its account within the interval.
     */
    private static long intervalPairs(final int records)
    {
        long pairs = 0;
        for (int i = 0; i < records; i++)
        {
            for (long j = Math.max(0, i - INTERVAL_MS); j <= Math.min(records - 1, i + INTERVAL_MS); j++)
            {
                if (paymentAccountOf(j) == orderAccountOf(i))
                {
                    pairs++;
                }
            }
        }
        return pairs;
    }

    private static long orderAccountOf(final long i)
    {
        return Math.floorMod(mix(i), (long)KEYS);
    }

    private static long paymentAccountOf(final long i)
    {
        return Math.floorMod(mix(~i), (long)KEYS);
    }

    private static long mix(final long value)
    {
        long x = value + 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /**
     * Counts the pairs that reach the sink, on the test thread.
     */
    private static final class Tally implements SinkFunction
    {
        long pairs;

        @Override
        public void accept(final RecordView record)
        {
            pairs++;
        }
    }
}
