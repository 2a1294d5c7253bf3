package io.ferrite.perf.latency;

import java.util.List;

import com.lmax.disruptor.RingBuffer;

/**
 * Passthrough's second stage in the Disruptor baseline: a copy of each event, then the sink.
 * <p>
 * <b>Note:</b> An {@link org.agrona.concurrent.Agent}: one thread runs it.
 */
final class CopyStage extends PollingStage
{
    private final LatencyRecorder recorder;
    private final List<String> capture;
    private final Runnable onEnd;
    private final HeapEvent copy = new HeapEvent();

    CopyStage(
        final RingBuffer<HeapEvent> in,
        final LatencyRecorder recorder,
        final List<String> capture,
        final Runnable onEnd)
    {
        super(in);
        this.recorder = recorder;
        this.capture = capture;
        this.onEnd = onEnd;
    }

    @Override
    boolean onEvent(final HeapEvent event)
    {
        if (event.type == HeapEvent.RECORD)
        {
            copy.record(event.sequence, event.timeUs, event.key, event.a, event.b);
            recorder.onEvent(copy.sequence, LatencyRecorder.hash(copy.sequence, copy.key, copy.a, copy.b));
            if (null != capture)
            {
                capture.add(FerriteWorkloads.passthroughText(copy.sequence, copy.key, copy.a, copy.b));
            }
        }
        else if (event.type == HeapEvent.END)
        {
            onEnd.run();
            return false;
        }
        return true;
    }

    @Override
    public String roleName()
    {
        return "baseline-copy";
    }
}
