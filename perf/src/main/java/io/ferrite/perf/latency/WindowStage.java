package io.ferrite.perf.latency;

import java.util.List;

import com.lmax.disruptor.RingBuffer;

/**
 * The Disruptor baseline's sliding window stage: vwap's (window sums, VWAP, the sink, chained) or q5's (window count,
 * to the next ring). A watermark stops the poll; the stage then fires the windows it made due,
 * {@link DisruptorBaseline#FIRE_BATCH} results a duty cycle and no more than the next ring has room for, before it
 * forwards the watermark and polls again, as Ferrite's operator stage does.
 * <p>
 * <b>Note:</b> An {@link org.agrona.concurrent.Agent}: one thread runs it.
 */
final class WindowStage extends PollingStage implements HeapSlidingWindow.Emitter
{
    private final RingBuffer<HeapEvent> out;
    private final LatencyRecorder recorder;
    private final List<String> capture;
    private final Runnable onEnd;
    private final HeapSlidingWindow window;
    private long watermark = Long.MIN_VALUE;
    private long forwardedWatermark = Long.MIN_VALUE;
    private boolean endPending;

    /**
     * A window stage.
     *
     * @param in       the input ring.
     * @param out      the ring to the next stage (q5), or null when the sink is chained here (vwap).
     * @param options  the window's size and slide.
     * @param recorder where the chained sink records latencies.
     * @param capture  where the chained sink also writes each result as text, or null.
     * @param onEnd    called when the chained sink saw the end of the stream.
     */
    WindowStage(
        final RingBuffer<HeapEvent> in,
        final RingBuffer<HeapEvent> out,
        final LatencyOptions options,
        final LatencyRecorder recorder,
        final List<String> capture,
        final Runnable onEnd)
    {
        super(in);
        this.out = out;
        this.recorder = recorder;
        this.capture = capture;
        this.onEnd = onEnd;
        this.window = new HeapSlidingWindow(options.windowUs(), options.slideUs());
    }

    @Override
    public int doWork() throws Exception
    {
        if (window.isDue(watermark) || forwardedWatermark != watermark || endPending)
        {
            return fire();
        }
        return poll();
    }

    private int fire()
    {
        final int room = null == out ? DisruptorBaseline.FIRE_BATCH :
            (int)Math.min(DisruptorBaseline.FIRE_BATCH, out.remainingCapacity() - DisruptorBaseline.CONTROL_RESERVE);
        int work = room > 0 ? window.fire(watermark, this, room) : 0;
        if (window.isDue(watermark) ||
            (null != out && out.remainingCapacity() < DisruptorBaseline.CONTROL_RESERVE))
        {
            return work;
        }
        if (forwardedWatermark != watermark)
        {
            if (null != out)
            {
                publish(HeapEvent.WATERMARK, watermark);
            }
            forwardedWatermark = watermark;
            work++;
        }
        if (endPending)
        {
            endPending = false;
            if (null != out)
            {
                publish(HeapEvent.END, Long.MAX_VALUE);
            }
            else
            {
                onEnd.run();
            }
            work++;
        }
        return work;
    }

    private void publish(final int type, final long timeUs)
    {
        final long claimed = out.next();
        out.get(claimed).control(type, timeUs);
        out.publish(claimed);
    }

    @Override
    boolean onEvent(final HeapEvent event)
    {
        switch (event.type)
        {
            case HeapEvent.RECORD:
                window.add(event.key, event.timeUs, event.a, event.b);
                return true;
            case HeapEvent.WATERMARK:
                watermark = event.timeUs;
                return false;
            default:
                endPending = true;
                return false;
        }
    }

    @Override
    public void onResult(
        final long key, final long startUs, final long endUs, final long count, final long sumA, final long sumB)
    {
        if (null == out)
        {
            final double vwap = FerriteWorkloads.vwapOf(sumB, sumA);
            recorder.onWindowResult(endUs, LatencyRecorder.hash(key, endUs, count,
                LatencyRecorder.hash(sumA, sumB, Double.doubleToLongBits(vwap), 0)));
            if (null != capture)
            {
                capture.add(FerriteWorkloads.vwapText(key, startUs, endUs, count, sumA, sumB, vwap));
            }
        }
        else
        {
            final long claimed = out.next();
            final HeapEvent event = out.get(claimed);
            event.record(0, endUs - 1, key, startUs, endUs);
            event.c = count;
            out.publish(claimed);
        }
    }

    @Override
    public String roleName()
    {
        return "baseline-window";
    }
}
