package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.ferrite.engine.counters.CountersFile;
import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;

/**
 * A multi-stage keyed pipeline fed by several producer threads at once, in the threaded modes, checked against a
 * plain-Java reference computed from the same input: map (a currency conversion) → filter → keyBy → process (a
 * running balance per account in value state, one output per record, and a final balance per account from an
 * event-time timer fired by the end of the input) → collecting sink.
 */
class PipelineIT
{
    private static final int PRODUCERS = 3;
    private static final int RECORDS_PER_PRODUCER = 50_000;
    private static final int ACCOUNTS = 64;
    private static final long RATE = 3;
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static final long END_TIME = BASE_TIME + TimeUnit.DAYS.toMillis(1);
    private static final long FINAL = -1;

    @TempDir
    Path dir;

    private final Schema payment = Schema.builder("payment")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("amount").int64("origin").build();
    private final Schema converted = Schema.builder("converted")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("cents").int64("origin").build();
    private final Schema balance = Schema.builder("balance").int64("total").int64("count").build();
    private final Schema running = Schema.builder("running")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("account").int64("cents").int64("total").int64("count")
        .int64("origin").build();

    private final TimestampField inTime = payment.timestampField("time");
    private final Int64Field inAccount = payment.int64Field("account");
    private final Int64Field inAmount = payment.int64Field("amount");
    private final Int64Field inOrigin = payment.int64Field("origin");
    private final TimestampField convTime = converted.timestampField("time");
    private final Int64Field convAccount = converted.int64Field("account");
    private final Int64Field convCents = converted.int64Field("cents");
    private final Int64Field convOrigin = converted.int64Field("origin");
    private final Int64Field stateTotal = balance.int64Field("total");
    private final Int64Field stateCount = balance.int64Field("count");
    private final TimestampField outTime = running.timestampField("time");
    private final Int64Field outAccount = running.int64Field("account");
    private final Int64Field outCents = running.int64Field("cents");
    private final Int64Field outTotal = running.int64Field("total");
    private final Int64Field outCount = running.int64Field("count");
    private final Int64Field outOrigin = running.int64Field("origin");

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"DEDICATED", "SHARED"})
    void shouldMatchThePlainJavaReferenceWithConcurrentProducers(final ThreadingMode mode) throws Exception
    {
        final List<String> warnings = new CopyOnWriteArrayList<>();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(mode)
            .idleStrategySupplier(BackoffIdleStrategy::new)
            .warningHandler(warnings::add)
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("balances");
            final Publisher payments = pipeline.publisher("payments", payment, new SourceOptions());
            final CollectingSink out = build(pipeline, payments, 2);
            final Job job = pipeline.start();

            publishConcurrently(payments, PRODUCERS, RECORDS_PER_PRODUCER);
            payments.end(new BackoffIdleStrategy());
            assertTrue(job.await(30, TimeUnit.SECONDS), () -> "job did not complete in 30 s:\n" + job.explain());
            assertNull(job.failure());
            assertTrue(job.isDone());

            final Reference reference = new Reference(PRODUCERS, RECORDS_PER_PRODUCER);
            verify(out, reference, PRODUCERS, RECORDS_PER_PRODUCER);

            final Map<String, Long> recordsIn = counters(job.directory(), Job.RECORDS_IN_TYPE_ID);
            final Map<String, Long> recordsOut = counters(job.directory(), Job.RECORDS_OUT_TYPE_ID);
            assertEquals((long)PRODUCERS * RECORDS_PER_PRODUCER, recordsIn.get("stage payments: records in"),
                recordsIn::toString);
            assertEquals(reference.kept, recordsOut.get("stage payments: records out"), recordsOut::toString);
            assertEquals(reference.kept,
                recordsIn.get("stage balance#0: records in") + recordsIn.get("stage balance#1: records in"),
                recordsIn::toString);
            assertEquals(reference.kept + reference.accounts(), recordsIn.get("stage out: records in"),
                recordsIn::toString);
            assertEquals(List.of(), warnings);
        }
    }

    @Test
    void shouldWarnAndBackOffWhenBusySpinningStagesOutnumberCores() throws Exception
    {
        // one keyed instance per core, so with the source and the sink there are two more stages than cores
        final int cores = Runtime.getRuntime().availableProcessors();
        final int parallelism = cores;
        final int stages = parallelism + 2;
        final int records = 20_000;
        final List<String> warnings = new CopyOnWriteArrayList<>();
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.DEDICATED)
            .idleStrategySupplier(BusySpinIdleStrategy::new)
            .warningHandler(warnings::add)
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("spinning");
            final Publisher payments = pipeline.publisher("payments", payment, new SourceOptions());
            final CollectingSink out = build(pipeline, payments, parallelism);
            final List<Thread> others = agentThreads(List.of(), 0);
            final Job job = pipeline.start();

            assertEquals(1, warnings.size(), warnings::toString);
            assertTrue(warnings.get(0).contains(stages + " stages but " + cores + " cores"), warnings::toString);
            assertTrue(warnings.get(0).contains("back-off"), warnings::toString);

            // with nothing to do, stage threads that back off use a small fraction of a core; spinning ones would
            // use every core there is
            final long windowNs = TimeUnit.MILLISECONDS.toNanos(300);
            final List<Thread> stageThreads = agentThreads(others, stages);
            assertEquals(stages, stageThreads.size(), stageThreads::toString);
            final long before = cpuTimeNs(stageThreads);
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(windowNs));
            final long used = cpuTimeNs(stageThreads) - before;
            assertTrue(used < windowNs / 4, "idle stage threads used " + used / 1000 + " us of CPU in " +
                windowNs / 1000 + " us: they spin");

            publishConcurrently(payments, 1, records);
            payments.end(new BackoffIdleStrategy());
            assertTrue(job.await(30, TimeUnit.SECONDS), () -> "job did not complete in 30 s:\n" + job.explain());
            verify(out, new Reference(1, records), 1, records);
        }
    }

    @Test
    void shouldNameStageThreadsAsExplainSays() throws Exception
    {
        try (Ferrite ferrite = Ferrite.launch(new Ferrite.Context()
            .directory(dir)
            .threadingMode(ThreadingMode.DEDICATED)
            .warningHandler((warning) -> { })
            .memoryBudgetBytes(64L * 1024 * 1024)))
        {
            final Pipeline pipeline = ferrite.pipeline("named");
            final Publisher payments = pipeline.publisher("payments", payment, new SourceOptions());
            build(pipeline, payments, 2);
            final List<Thread> others = agentThreads(List.of(), 0);
            final Job job = pipeline.start();
            final List<String> names = new ArrayList<>();
            for (final Thread thread : agentThreads(others, 4))
            {
                names.add(thread.getName());
            }
            names.sort(null);
            final String explain = job.explain();
            final String listed = explain.substring(explain.indexOf("threads: ") + "threads: ".length()).trim();
            final List<String> explained = new ArrayList<>(List.of(listed.split(", ")));
            explained.sort(null);
            assertEquals(explained, names, explain);
        }
    }

    private CollectingSink build(final Pipeline pipeline, final Publisher payments, final int parallelism)
    {
        return pipeline.stream(payments)
            .map("convert", converted, (in, conv) -> conv
                .put(convTime, in.get(inTime))
                .put(convAccount, in.get(inAccount))
                .put(convCents, convert(in.get(inAmount)))
                .put(convOrigin, in.get(inOrigin)))
            .filter("kept", (in) -> keep(in.get(convCents)))
            .keyBy("account", parallelism)
            .process("balance", running, balance, new KeyedProcessFunction()
            {
                public void processRecord(final RecordView in, final KeyedContext ctx, final Collector out)
                {
                    final RecordWriter state = ctx.state();
                    final long total = state.get(stateTotal) + in.get(convCents);
                    final long count = state.get(stateCount) + 1;
                    state.put(stateTotal, total).put(stateCount, count);
                    ctx.registerEventTimeTimer(END_TIME);
                    out.begin()
                        .put(outTime, in.get(convTime))
                        .put(outAccount, ctx.key())
                        .put(outCents, in.get(convCents))
                        .put(outTotal, total)
                        .put(outCount, count)
                        .put(outOrigin, in.get(convOrigin));
                    out.emit();
                }

                public void onTimer(
                    final long timestamp, final TimeDomain domain, final KeyedContext ctx, final Collector out)
                {
                    if (domain != TimeDomain.EVENT_TIME || timestamp != END_TIME || !ctx.hasState())
                    {
                        throw new IllegalStateException("unexpected timer " + domain + " " + timestamp +
                            " for key " + ctx.key() + ", state " + ctx.hasState());
                    }
                    final RecordWriter state = ctx.state();
                    out.begin()
                        .put(outTime, timestamp)
                        .put(outAccount, ctx.key())
                        .put(outTotal, state.get(stateTotal))
                        .put(outCount, state.get(stateCount))
                        .put(outOrigin, FINAL);
                    out.emit();
                    ctx.clearState();
                }
            })
            .collect("out");
    }

    /**
     * Each producer thread publishes its records, all threads starting together, and waits on a full ring by backing
     * off.
     */
    private void publishConcurrently(final Publisher payments, final int producers, final int records)
        throws InterruptedException
    {
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            final int producerId = p;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    final Publisher.Producer producer = payments.newProducer();
                    final BackoffIdleStrategy idle = new BackoffIdleStrategy();
                    start.await();
                    for (int seq = 0; seq < records; seq++)
                    {
                        producer.claim(idle);
                        producer.record()
                            .put(inTime, BASE_TIME + seq)
                            .put(inAccount, account(producerId, seq))
                            .put(inAmount, amount(producerId, seq))
                            .put(inOrigin, origin(producerId, seq));
                        producer.commit();
                    }
                }
                catch (final Throwable ex)
                {
                    error.compareAndSet(null, ex);
                }
            }, "producer-" + p);
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(thread.isAlive(), thread + " did not finish publishing");
        }
        if (null != error.get())
        {
            fail("a producer failed", error.get());
        }
    }

    /**
     * What the sink must hold: per account, one running record per kept input — each exactly once, in its producer's
     * order, each total the previous one plus its amount — and then one final record with the reference total.
     */
    private void verify(final CollectingSink out, final Reference reference, final int producers, final int records)
    {
        assertTrue(out.isEnded());
        assertEquals(reference.kept + reference.accounts(), out.size(), "records in the sink");
        final long[] lastTotal = new long[ACCOUNTS];
        final long[] lastCount = new long[ACCOUNTS];
        final boolean[] finished = new boolean[ACCOUNTS];
        final long[][] lastSeq = new long[ACCOUNTS][producers];
        for (final long[] seqs : lastSeq)
        {
            Arrays.fill(seqs, -1);
        }
        final boolean[][] seen = new boolean[producers][records];
        for (int i = 0; i < out.size(); i++)
        {
            final RecordView row = out.get(i);
            final int account = (int)row.get(outAccount);
            assertTrue(account >= 0 && account < ACCOUNTS, row::toString);
            assertFalse(finished[account], () -> "a record of account " + account + " after its final one: " + row);
            if (row.get(outOrigin) == FINAL)
            {
                finished[account] = true;
                assertEquals(END_TIME, out.timestamp(i), row::toString);
                assertEquals(reference.total[account], row.get(outTotal), row::toString);
                assertEquals(reference.count[account], row.get(outCount), row::toString);
                assertEquals(lastTotal[account], row.get(outTotal), row::toString);
                assertEquals(lastCount[account], row.get(outCount), row::toString);
                continue;
            }
            final int producer = (int)(row.get(outOrigin) >>> 32);
            final int seq = (int)row.get(outOrigin);
            assertTrue(producer >= 0 && producer < producers && seq >= 0 && seq < records, row::toString);
            assertFalse(seen[producer][seq], () -> "duplicate " + row);
            seen[producer][seq] = true;
            final long cents = convert(amount(producer, seq));
            assertTrue(keep(cents), () -> "the filter let through " + row);
            assertEquals(account(producer, seq), account, row::toString);
            assertEquals(cents, row.get(outCents), row::toString);
            assertEquals(BASE_TIME + seq, row.get(outTime), row::toString);
            assertEquals(BASE_TIME + seq, out.timestamp(i), row::toString);
            assertTrue(seq > lastSeq[account][producer], () -> "out of producer order: " + row);
            lastSeq[account][producer] = seq;
            assertEquals(lastCount[account] + 1, row.get(outCount), row::toString);
            assertEquals(lastTotal[account] + cents, row.get(outTotal), row::toString);
            lastCount[account] = row.get(outCount);
            lastTotal[account] = row.get(outTotal);
        }
        for (int account = 0; account < ACCOUNTS; account++)
        {
            assertEquals(reference.count[account] > 0, finished[account], "final record of account " + account);
            assertEquals(reference.count[account], lastCount[account], "records of account " + account);
        }
    }

    /**
     * The live threads running an Agrona agent, other than those given: a job's stage threads, once it has started.
     */
    private static List<Thread> agentThreads(final List<Thread> excluded, final int expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true)
        {
            final List<Thread> threads = new ArrayList<>();
            for (final Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet())
            {
                for (final StackTraceElement frame : entry.getValue())
                {
                    if (frame.getClassName().equals(AgentRunner.class.getName()) &&
                        frame.getMethodName().equals("run") && !excluded.contains(entry.getKey()))
                    {
                        threads.add(entry.getKey());
                        break;
                    }
                }
            }
            if (threads.size() >= expected || System.nanoTime() > deadline)
            {
                return threads;
            }
            Thread.sleep(10);
        }
    }

    private static long cpuTimeNs(final List<Thread> threads)
    {
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (final Thread thread : threads)
        {
            final long cpu = bean.getThreadCpuTime(thread.getId());
            assertTrue(cpu >= 0, () -> "no CPU time for " + thread);
            total += cpu;
        }
        return total;
    }

    private static Map<String, Long> counters(final Path jobDirectory, final int typeId) throws IOException
    {
        final Map<String, Long> values = new HashMap<>();
        try (CountersFile.Reader reader = CountersFile.openReader(jobDirectory))
        {
            final CountersReader counters = reader.counters();
            counters.forEach((counterId, type, key, label) ->
            {
                if (type == typeId)
                {
                    values.put(label, counters.getCounterValue(counterId));
                }
            });
        }
        assertNotNull(values.get("stage payments: " + (typeId == Job.RECORDS_IN_TYPE_ID ? "records in" :
            "records out")), values::toString);
        return values;
    }

    private static long origin(final int producer, final long seq)
    {
        return ((long)producer << 32) | seq;
    }

    private static long account(final int producer, final long seq)
    {
        return Math.floorMod(mix(origin(producer, seq)), (long)ACCOUNTS);
    }

    private static long amount(final int producer, final long seq)
    {
        return Math.floorMod(mix(~origin(producer, seq)), 2001L) - 500;
    }

    private static long convert(final long amount)
    {
        return amount * RATE;
    }

    private static boolean keep(final long cents)
    {
        return cents % 7 != 0;
    }

    private static long mix(final long value)
    {
        long x = value + 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /**
     * The plain-Java answer: per account, the count and total of the kept records.
     */
    private static final class Reference
    {
        final long[] total = new long[ACCOUNTS];
        final long[] count = new long[ACCOUNTS];
        long kept;

        Reference(final int producers, final int records)
        {
            for (int p = 0; p < producers; p++)
            {
                for (int seq = 0; seq < records; seq++)
                {
                    final long cents = convert(amount(p, seq));
                    if (keep(cents))
                    {
                        final int account = (int)account(p, seq);
                        total[account] += cents;
                        count[account]++;
                        kept++;
                    }
                }
            }
        }

        long accounts()
        {
            long accounts = 0;
            for (final long c : count)
            {
                accounts += c > 0 ? 1 : 0;
            }
            return accounts;
        }
    }
}
