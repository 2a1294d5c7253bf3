package io.ferrite.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;

class StageSchedulerTest
{
    /**
     * Counts its duty cycles until a target, then reports.
     */
    private static final class CountingAgent implements Agent
    {
        final String name;
        final AtomicLong cycles = new AtomicLong();
        final CountDownLatch reached;
        final long target;
        volatile boolean closed;

        CountingAgent(final String name, final long target)
        {
            this.name = name;
            this.target = target;
            this.reached = new CountDownLatch(1);
        }

        @Override
        public int doWork()
        {
            if (cycles.incrementAndGet() == target)
            {
                reached.countDown();
            }
            return cycles.get() < target ? 1 : 0;
        }

        @Override
        public void onClose()
        {
            closed = true;
        }

        @Override
        public String roleName()
        {
            return name;
        }
    }

    @Test
    void shouldStepEveryAgentOncePerInvokeWithNoThread()
    {
        final CountingAgent a = new CountingAgent("a", 100);
        final CountingAgent b = new CountingAgent("b", 100);
        try (StageScheduler scheduler = new StageScheduler(new StageScheduler.Context().mode(ThreadingMode.INVOKER)))
        {
            scheduler.start(List.of(a, b));
            assertEquals(List.of(), scheduler.threadNames());
            assertEquals(2, scheduler.invoke());
            scheduler.invoke();
            assertEquals(2, a.cycles.get());
            assertEquals(2, b.cycles.get());
        }
        assertTrue(a.closed && b.closed);
    }

    @Test
    void shouldRunAllStagesOnOneThreadInSharedMode() throws InterruptedException
    {
        final CountingAgent a = new CountingAgent("a", 10_000);
        final CountingAgent b = new CountingAgent("b", 10_000);
        try (StageScheduler scheduler = new StageScheduler(new StageScheduler.Context().mode(ThreadingMode.SHARED)))
        {
            scheduler.start(List.of(a, b));
            assertEquals(1, scheduler.threadNames().size());
            assertTrue(a.reached.await(30, TimeUnit.SECONDS));
            assertTrue(b.reached.await(30, TimeUnit.SECONDS));
            assertThrows(IllegalStateException.class, scheduler::invoke);
        }
        assertTrue(a.closed && b.closed);
    }

    @Test
    void shouldBackOffInsteadOfSpinningWhenStagesOutnumberCores() throws InterruptedException
    {
        final List<String> warnings = new ArrayList<>();
        final CountingAgent a = new CountingAgent("a", 1_000);
        final CountingAgent b = new CountingAgent("b", 1_000);
        final CountingAgent c = new CountingAgent("c", 1_000);
        try (StageScheduler scheduler = new StageScheduler(new StageScheduler.Context()
            .mode(ThreadingMode.DEDICATED)
            .idleStrategySupplier(BusySpinIdleStrategy::new)
            .availableProcessors(2)
            .warningHandler(warnings::add)))
        {
            scheduler.start(List.of(a, b, c));
            assertEquals(3, scheduler.threadNames().size());
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("3 stages but 2 cores"), warnings.get(0));
            assertTrue(a.reached.await(30, TimeUnit.SECONDS));
            assertTrue(b.reached.await(30, TimeUnit.SECONDS));
            assertTrue(c.reached.await(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldKeepTheFirstErrorForTheJobHandle()
    {
        final IllegalStateException boom = new IllegalStateException("boom in stage");
        final List<Throwable> handled = new ArrayList<>();
        final Agent failing = new Agent()
        {
            @Override
            public int doWork()
            {
                throw boom;
            }

            @Override
            public String roleName()
            {
                return "failing";
            }
        };
        try (StageScheduler scheduler = new StageScheduler(new StageScheduler.Context()
            .mode(ThreadingMode.INVOKER).errorHandler(handled::add)))
        {
            scheduler.start(List.of(failing));
            scheduler.invoke();
            assertSame(boom, scheduler.firstError());
            assertEquals(List.of(boom), handled);
        }
    }
}
