package io.ferrite.perf.crash;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;

import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.Firing;

/**
 * The expected results of one window shape over a {@link CrashWorkload}, computed in plain Java from the events
 * themselves — no code of the engine, the windowing module or the aggregates is involved — and the check of the
 * committed results against them: a table with a cell per (window start, key) holding count, sum, min, max and the
 * XOR of the ids, and how often each cell was seen in the output.
 * <p>
 * A result is <b>duplicated</b> when its (window start, key) was seen before, <b>wrong</b> when it differs from the
 * reference (or has no reference: an unknown window or key, a wrong window end, a firing other than ON_TIME); a
 * reference cell never seen is <b>lost</b>.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
public final class CrashReference
{
    private static final int COUNT = 0;
    private static final int SUM = 1;
    private static final int MIN = 2;
    private static final int MAX = 3;
    private static final int XOR = 4;
    private static final int WIDTH = 5;
    private static final int EXAMPLES = 5;

    private final CrashWorkload.Shape shape;
    private final int keys;
    private final long firstStart;
    private final int windows;
    private final long[] cells;
    private final int[] seen;
    private final Schema schema;
    private final int keyAt;
    private final int startAt;
    private final int endAt;
    private final int firingAt;
    private final int countAt;
    private final int sumAt;
    private final int minAt;
    private final int maxAt;
    private final int xorAt;
    private final List<String> examples = new ArrayList<>();
    private long results;
    private long duplicated;
    private long wrong;

    /**
     * Compute the reference of a shape over a workload.
     *
     * @param workload the events.
     * @param shape    the windows.
     */
    public CrashReference(final CrashWorkload workload, final CrashWorkload.Shape shape)
    {
        this.shape = shape;
        this.keys = workload.keys();
        final long size = shape.sizeMs();
        final long slide = shape.slideMs();
        final long lastTime = CrashWorkload.timestamp(workload.events() - 1);
        this.firstStart = Math.floorDiv(CrashWorkload.timestamp(0) - size + slide, slide) * slide;
        final long lastStart = Math.floorDiv(lastTime, slide) * slide;
        final long windowCount = (lastStart - firstStart) / slide + 1;
        if (windowCount * keys > Integer.MAX_VALUE / WIDTH)
        {
            throw new IllegalArgumentException("too many windows x keys for the reference table: " + windowCount +
                " x " + keys);
        }
        this.windows = (int)windowCount;
        this.cells = new long[windows * keys * WIDTH];
        this.seen = new int[windows * keys];
        for (int cell = 0; cell < seen.length; cell++)
        {
            cells[cell * WIDTH + MIN] = Long.MAX_VALUE;
            cells[cell * WIDTH + MAX] = Long.MIN_VALUE;
        }
        for (long i = 0; i < workload.events(); i++)
        {
            if (workload.malformed(i))
            {
                continue;
            }
            final long time = CrashWorkload.timestamp(i);
            final int key = (int)workload.key(i);
            final long value = workload.value(i);
            // Every window [start, start + size) holding the time: starts from the latest at or before it, back by
            // the slide while the window still reaches past it.
            for (long start = Math.floorDiv(time, slide) * slide; start > time - size; start -= slide)
            {
                final int at = (int)(((start - firstStart) / slide) * keys + key) * WIDTH;
                cells[at + COUNT]++;
                cells[at + SUM] += value;
                cells[at + MIN] = Math.min(cells[at + MIN], value);
                cells[at + MAX] = Math.max(cells[at + MAX], value);
                cells[at + XOR] ^= i;
            }
        }
        this.schema = shape.resultSchema();
        this.keyAt = schema.field("key").offset();
        this.startAt = schema.field("window_start").offset();
        this.endAt = schema.field("window_end").offset();
        this.firingAt = schema.field("firing").offset();
        this.countAt = schema.field("count").offset();
        this.sumAt = schema.field("sum").offset();
        this.minAt = shape.minMax() ? schema.field("min").offset() : -1;
        this.maxAt = shape.minMax() ? schema.field("max").offset() : -1;
        this.xorAt = schema.field("xor").offset();
    }

    /**
     * The shape.
     *
     * @return the shape.
     */
    public CrashWorkload.Shape shape()
    {
        return shape;
    }

    /**
     * The number of results expected: the non-empty (window, key) cells.
     *
     * @return the count.
     */
    public long expectedResults()
    {
        long expected = 0;
        for (int cell = 0; cell < seen.length; cell++)
        {
            expected += cells[cell * WIDTH + COUNT] > 0 ? 1 : 0;
        }
        return expected;
    }

    /**
     * Check one committed result.
     *
     * @param index  its journal index, for the report.
     * @param buffer the buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     */
    public void onResult(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        results++;
        if (length != schema.recordLength())
        {
            wrong++;
            example("wrong", index, "a record of " + length + " bytes, not " + schema.recordLength());
            return;
        }
        final long key = buffer.getLong(offset + keyAt);
        final long start = buffer.getLong(offset + startAt);
        final long offsetInSlide = Math.floorMod(start - firstStart, shape.slideMs());
        final long window = Math.floorDiv(start - firstStart, shape.slideMs());
        if (key < 0 || key >= keys || offsetInSlide != 0 || window < 0 || window >= windows)
        {
            wrong++;
            example("wrong", index, "no such window or key: " + schema.toString(buffer, offset));
            return;
        }
        final int cell = (int)(window * keys + key);
        if (++seen[cell] > 1)
        {
            duplicated++;
            example("duplicated", index, "seen " + seen[cell] + " times: " + schema.toString(buffer, offset));
        }
        final int at = cell * WIDTH;
        if (buffer.getLong(offset + endAt) != start + shape.sizeMs() ||
            buffer.getByte(offset + firingAt) != Firing.ON_TIME ||
            buffer.getLong(offset + countAt) != cells[at + COUNT] ||
            buffer.getLong(offset + sumAt) != cells[at + SUM] ||
            (minAt >= 0 && buffer.getLong(offset + minAt) != cells[at + MIN]) ||
            (maxAt >= 0 && buffer.getLong(offset + maxAt) != cells[at + MAX]) ||
            buffer.getLong(offset + xorAt) != cells[at + XOR])
        {
            wrong++;
            example("wrong", index, schema.toString(buffer, offset) + "; expected count=" + cells[at + COUNT] +
                " sum=" + cells[at + SUM] + " min=" + cells[at + MIN] + " max=" + cells[at + MAX] + " xor=" +
                cells[at + XOR]);
        }
    }

    /**
     * The results checked.
     *
     * @return the count.
     */
    public long results()
    {
        return results;
    }

    /**
     * Results whose (window, key) had been seen before.
     *
     * @return the count.
     */
    public long duplicated()
    {
        return duplicated;
    }

    /**
     * Results that differ from the reference or have none.
     *
     * @return the count.
     */
    public long wrong()
    {
        return wrong;
    }

    /**
     * Expected results never seen; also records a few examples.
     *
     * @return the count.
     */
    public long lost()
    {
        long lost = 0;
        for (int cell = 0; cell < seen.length; cell++)
        {
            if (seen[cell] == 0 && cells[cell * WIDTH + COUNT] > 0)
            {
                if (lost++ < EXAMPLES)
                {
                    final int at = cell * WIDTH;
                    examples.add("lost: " + shape.operator() + " key=" + (cell % keys) + " window_start=" +
                        (firstStart + (long)(cell / keys) * shape.slideMs()) + " count=" + cells[at + COUNT] +
                        " sum=" + cells[at + SUM] + " xor=" + cells[at + XOR]);
                }
            }
        }
        return lost;
    }

    /**
     * A few examples of each kind of difference found so far.
     *
     * @return lines of text.
     */
    public List<String> examples()
    {
        return examples;
    }

    private void example(final String kind, final long index, final String what)
    {
        final long count = "duplicated".equals(kind) ? duplicated : wrong;
        if (count <= EXAMPLES)
        {
            examples.add(kind + ": " + shape.operator() + " journal index " + index + ": " + what);
        }
    }
}
