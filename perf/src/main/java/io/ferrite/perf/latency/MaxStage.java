package io.ferrite.perf.latency;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.lmax.disruptor.RingBuffer;

/**
 * q5's last stage in the Disruptor baseline: per window, the highest count and the smallest ids of the auctions that
 * have it ({@link HeapTies}), emitted to the chained sink when the watermark passes the window's end.
 * <p>
 * <b>Note:</b> An {@link org.agrona.concurrent.Agent}: one thread runs it.
 */
final class MaxStage extends PollingStage
{
    private final LatencyRecorder recorder;
    private final List<String> capture;
    private final Runnable onEnd;
    private final TreeMap<Long, HeapTies> windows = new TreeMap<>();

    MaxStage(
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
        switch (event.type)
        {
            case HeapEvent.RECORD:
                windows.computeIfAbsent(event.b, (end) -> new HeapTies(event.a)).offer(event.key, event.c);
                return true;
            case HeapEvent.WATERMARK:
                while (!windows.isEmpty() && windows.firstKey() - 1 <= event.timeUs)
                {
                    final Map.Entry<Long, HeapTies> entry = windows.pollFirstEntry();
                    entry.getValue().emit(entry.getKey(), recorder, capture);
                }
                return true;
            default:
                onEnd.run();
                return false;
        }
    }

    @Override
    public String roleName()
    {
        return "baseline-max";
    }
}
