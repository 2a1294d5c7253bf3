package io.ferrite.perf.latency;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import com.lmax.disruptor.RingBuffer;

/**
 * The Disruptor baseline's first stage: the generator, paced as Ferrite's generator input is (the schedule starts at
 * the first poll with room; every record due by now is made, at most {@link DisruptorBaseline#BATCH_LIMIT} a poll and
 * no more than the ring has room for, two slots kept for controls), and the chained map (a trade's notional) of
 * passthrough and vwap. After a batch that advanced it, a watermark ({@code last event time - 1}); after the last
 * record, a final watermark and the end of the stream.
 * <p>
 * <b>Note:</b> An {@link Agent}: one thread runs it.
 */
final class BaselineSource implements Agent
{
    private final RingBuffer<HeapEvent> out;
    private final LatencyInput input;
    private final GeneratorStats stats;
    private final NanoClock clock;
    private final boolean bids;
    private final long periodNs;
    private final long maxRecords;
    private long startNs = Long.MIN_VALUE;
    private long sequence;
    private long watermark = Long.MIN_VALUE;
    private boolean ended;

    BaselineSource(
        final RingBuffer<HeapEvent> out,
        final LatencyOptions options,
        final LatencyInput input,
        final GeneratorStats stats,
        final NanoClock clock)
    {
        this.out = out;
        this.input = input;
        this.stats = stats;
        this.clock = clock;
        this.bids = options.workload == Workload.Q5;
        this.periodNs = Math.max(1, 1_000_000_000L / options.rate);
        this.maxRecords = options.maxRecords();
    }

    @Override
    public int doWork()
    {
        if (ended)
        {
            return 0;
        }
        final long limit = Math.min(DisruptorBaseline.BATCH_LIMIT,
            out.remainingCapacity() - DisruptorBaseline.CONTROL_RESERVE);
        if (limit < 1)
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        if (Long.MIN_VALUE == startNs)
        {
            startNs = nowNs;
        }
        final long due = Math.min(maxRecords, (nowNs - startNs) / periodNs + 1);
        int count = 0;
        long lastTimeUs = Long.MIN_VALUE;
        while (count < limit && sequence < due)
        {
            final long timeUs = stats.onRecord(sequence);
            final long claimed = out.next();
            final HeapEvent event = out.get(claimed);
            if (bids)
            {
                event.record(sequence, timeUs, input.auction(sequence, timeUs), input.bidPrice(sequence), 0);
            }
            else
            {
                final long quantity = input.quantity(sequence);
                event.record(sequence, timeUs, input.symbol(sequence), quantity, input.priceCents(sequence) * quantity);
            }
            out.publish(claimed);
            lastTimeUs = timeUs;
            sequence++;
            count++;
        }
        if (count > 0 && lastTimeUs - 1 > watermark)
        {
            watermark = lastTimeUs - 1;
            publishControl(HeapEvent.WATERMARK, watermark);
        }
        if (sequence >= maxRecords)
        {
            publishControl(HeapEvent.WATERMARK, Long.MAX_VALUE);
            publishControl(HeapEvent.END, Long.MAX_VALUE);
            ended = true;
        }
        return count;
    }

    private void publishControl(final int type, final long timeUs)
    {
        final long claimed = out.next();
        out.get(claimed).control(type, timeUs);
        out.publish(claimed);
    }

    @Override
    public String roleName()
    {
        return "baseline-source";
    }
}
