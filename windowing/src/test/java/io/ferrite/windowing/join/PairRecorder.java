package io.ferrite.windowing.join;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link JoinOutput} for tests: records each pair and checks both records' bytes against the pattern
 * {@link #fill} wrote, so a wrong offset or a record copied short shows up as a failure.
 */
final class PairRecorder implements JoinOutput
{
    static final int LEFT_LENGTH = 13;
    static final int RIGHT_LENGTH = 20;

    record Pair(long key, long leftId, long leftTs, long rightId, long rightTs, long windowStart, long windowEnd)
    {
    }

    private final List<Pair> pairs = new ArrayList<>();
    private String corruption;

    /**
     * Write a record of the given length: its id, then bytes derived from the id and the side.
     */
    static void fill(final MutableDirectBuffer buffer, final int offset, final long id, final int length)
    {
        buffer.putLong(offset, id);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(offset + i, patternByte(id, i, length));
        }
    }

    static long checkedId(final DirectBuffer buffer, final int offset, final int length)
    {
        final long id = buffer.getLong(offset);
        for (int i = 8; i < length; i++)
        {
            if (buffer.getByte(offset + i) != patternByte(id, i, length))
            {
                return -1;
            }
        }
        return id;
    }

    private static byte patternByte(final long id, final int index, final int length)
    {
        return (byte)(id * 31 + index * 7 + length);
    }

    @Override
    public void onPair(
        final long key,
        final DirectBuffer left,
        final int leftOffset,
        final long leftTimestamp,
        final DirectBuffer right,
        final int rightOffset,
        final long rightTimestamp,
        final long windowStart,
        final long windowEnd)
    {
        final long leftId = checkedId(left, leftOffset, LEFT_LENGTH);
        final long rightId = checkedId(right, rightOffset, RIGHT_LENGTH);
        if ((leftId < 0 || rightId < 0) && null == corruption)
        {
            corruption = "record bytes corrupted in pair #" + pairs.size() + " key=" + key;
        }
        pairs.add(new Pair(key, leftId, leftTimestamp, rightId, rightTimestamp, windowStart, windowEnd));
    }

    List<Pair> pairs()
    {
        if (null != corruption)
        {
            fail(corruption);
        }
        return pairs;
    }

    List<Pair> take()
    {
        final List<Pair> taken = new ArrayList<>(pairs());
        pairs.clear();
        return taken;
    }

    static void assertSamePairs(final List<Pair> expected, final List<Pair> actual, final String context)
    {
        final int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++)
        {
            if (!expected.get(i).equals(actual.get(i)))
            {
                fail(context + ": pair #" + i + " differs: expected " + expected.get(i) + " but was " + actual.get(i) +
                    " (expected " + expected.size() + " pairs, got " + actual.size() + ")");
            }
        }
        if (expected.size() != actual.size())
        {
            fail(context + ": expected " + expected.size() + " pairs but got " + actual.size() + "; first extra: " +
                (expected.size() > n ? "missing " + expected.get(n) : "unexpected " + actual.get(n)));
        }
    }
}
