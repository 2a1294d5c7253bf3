package io.ferrite.windowing;

// TEMPORARY PLACEHOLDER so the module compiles while this class is written; replaced before commit.
final class CountWindowOperator implements WindowOperator
{
    CountWindowOperator(final io.ferrite.memory.MemoryManager m,
        final String o,
        final long s,
        final long sl,
        final io.ferrite.windowing.aggregate.AggregateFunction a,
        final WindowOutput out)
    {
        throw new UnsupportedOperationException("not built yet");
    }

    private static UnsupportedOperationException todo()
    {
        return new UnsupportedOperationException("not built yet");
    }

    @Override
    public boolean onRecord(final long key, final long timestamp, final org.agrona.DirectBuffer record,
        final int offset)
    {
        throw todo();
    }

    @Override
    public long missedWindowStart()
    {
        throw todo();
    }

    @Override
    public long missedWindowEnd()
    {
        throw todo();
    }

    @Override
    public boolean hasPending()
    {
        throw todo();
    }

    @Override
    public int emitPending(final int limit)
    {
        throw todo();
    }

    @Override
    public boolean advanceWatermark(final long watermark, final int limit)
    {
        throw todo();
    }

    @Override
    public long watermark()
    {
        throw todo();
    }

    @Override
    public long nextFiringTime()
    {
        throw todo();
    }

    @Override
    public long nextProcessingTime()
    {
        throw todo();
    }

    @Override
    public int onProcessingTime(final long now, final int limit)
    {
        throw todo();
    }

    @Override
    public boolean endOfStream(final int limit)
    {
        throw todo();
    }

    @Override
    public long lateRecords()
    {
        throw todo();
    }

    @Override
    public long allocatedBytes()
    {
        throw todo();
    }

    @Override
    public void close()
    {
    }
}
