package io.ferrite.perf.latency;

/**
 * The Disruptor baseline's ring entry: a mutable heap object, preallocated by the ring and reused, as the Disruptor
 * is used. A record, a watermark or the end of the stream.
 * <ul>
 *     <li>a trade after its map: {@code sequence}, {@code timeUs}, {@code key} = symbol, {@code a} = quantity,
 *     {@code b} = notional in cents;</li>
 *     <li>a bid: {@code sequence}, {@code timeUs}, {@code key} = auction, {@code a} = price;</li>
 *     <li>a q5 window count: {@code timeUs} = window end - 1, {@code key} = auction, {@code a} = window start,
 *     {@code b} = window end, {@code c} = count;</li>
 *     <li>a watermark: {@code timeUs}.</li>
 * </ul>
 */
final class HeapEvent
{
    static final int RECORD = 0;
    static final int WATERMARK = 1;
    static final int END = 2;

    int type;
    long sequence;
    long timeUs;
    long key;
    long a;
    long b;
    long c;

    HeapEvent record(final long sequence, final long timeUs, final long key, final long a, final long b)
    {
        this.type = RECORD;
        this.sequence = sequence;
        this.timeUs = timeUs;
        this.key = key;
        this.a = a;
        this.b = b;
        this.c = 0;
        return this;
    }

    HeapEvent control(final int type, final long timeUs)
    {
        this.type = type;
        this.timeUs = timeUs;
        return this;
    }
}
