package io.ferrite.perf.latency;

import java.util.ArrayList;
import java.util.List;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.NanoClock;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;

import io.ferrite.engine.runtime.ThreadingMode;
import io.ferrite.perf.harness.ThreadingChoice;

/**
 * The workload as a hand-built LMAX Disruptor pipeline: heap events ({@link HeapEvent}) on Disruptor ring buffers,
 * one ring per stage boundary of the Ferrite plan, and the same work in each stage:
 * <pre>
 * passthrough  [generator -> notional] -> ring -> [copy -> sink]
 * vwap         [generator -> notional] -> ring -> [heap sliding window sums -> VWAP -> sink]
 * q5           [generator] -> ring -> [heap sliding window count] -> ring -> [max with ties -> sink]
 * </pre>
 * Each stage ({@link BaselineSource}, {@link CopyStage}, {@link WindowStage}, {@link MaxStage}) is an Agrona
 * {@link Agent} that polls its ring with an {@link EventPoller} (as the ping-pong's raw
 * Disruptor pair does), run the way Ferrite runs its stages in the same threading choice: every stage in one
 * {@link CompositeAgent} on one thread (shared), or a thread per stage (dedicated), with the same idle strategy — so
 * the rings' {@link BusySpinWaitStrategy} is never waited on, and the waiting is the same as Ferrite's. The ring
 * capacity (1024), the source's batch (256, room for every record and two controls checked first), the stages' poll
 * batch (256) and firing batch (64) are Ferrite's defaults. The source paces itself as Ferrite's generator input
 * does, and sends a watermark ({@code max event time - 1}) after each batch that advanced it, then, at the end, a
 * final watermark and the end of the stream.
 * <p>
 * <b>Note:</b> {@link #start()}, {@link #isDone()} and {@link #close()} from one thread.
 */
final class DisruptorBaseline implements AutoCloseable
{
    static final int RING_CAPACITY = 1024;
    static final int BATCH_LIMIT = 256;
    static final int FIRE_BATCH = 64;
    static final int CONTROL_RESERVE = 2;

    private final List<Agent> agents = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final ThreadingChoice threading;
    private volatile boolean done;
    private volatile Throwable failure;

    /**
     * The pipeline of a workload, not started.
     *
     * @param options   the run's options.
     * @param input     the generated input.
     * @param stats     the generator's schedule and lag.
     * @param recorder  where the sink records latencies.
     * @param capture   where the sink also writes each result as text, or null.
     * @param clock     the clock, the schedule's.
     * @param threading how to run the stages.
     */
    DisruptorBaseline(
        final LatencyOptions options,
        final LatencyInput input,
        final GeneratorStats stats,
        final LatencyRecorder recorder,
        final List<String> capture,
        final NanoClock clock,
        final ThreadingChoice threading)
    {
        this.threading = threading;
        final RingBuffer<HeapEvent> first = newRing();
        agents.add(new BaselineSource(first, options, input, stats, clock));
        switch (options.workload)
        {
            case PASSTHROUGH:
                agents.add(new CopyStage(first, recorder, capture, this::finish));
                break;
            case VWAP:
                agents.add(new WindowStage(first, null, options, recorder, capture, this::finish));
                break;
            default:
                final RingBuffer<HeapEvent> second = newRing();
                agents.add(new WindowStage(first, second, options, recorder, capture, this::finish));
                agents.add(new MaxStage(second, recorder, capture, this::finish));
                break;
        }
    }

    private static RingBuffer<HeapEvent> newRing()
    {
        return RingBuffer.createSingleProducer(HeapEvent::new, RING_CAPACITY, new BusySpinWaitStrategy());
    }

    /**
     * The pipeline's stages.
     *
     * @return the count.
     */
    int stages()
    {
        return agents.size();
    }

    /**
     * Start the stages' threads.
     */
    void start()
    {
        if (threading.mode() == ThreadingMode.DEDICATED)
        {
            for (final Agent agent : agents)
            {
                runners.add(new AgentRunner(threading.idleStrategySupplier().get(), this::onError, null, agent));
            }
        }
        else
        {
            runners.add(new AgentRunner(threading.idleStrategySupplier().get(), this::onError, null,
                new CompositeAgent(new ArrayList<>(agents))));
        }
        for (final AgentRunner runner : runners)
        {
            AgentRunner.startOnThread(runner);
        }
    }

    private void onError(final Throwable error)
    {
        if (null == failure)
        {
            failure = error;
        }
        done = true;
    }

    /**
     * Whether the sink has seen the end of the stream, or a stage failed.
     *
     * @return true when done.
     */
    boolean isDone()
    {
        return done;
    }

    /**
     * The first error a stage threw.
     *
     * @return the error, or null.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * Stop the stages' threads and wait for them; idempotent.
     */
    void stop()
    {
        CloseHelper.closeAll(runners);
    }

    @Override
    public void close()
    {
        stop();
    }

    private void finish()
    {
        done = true;
    }
}
