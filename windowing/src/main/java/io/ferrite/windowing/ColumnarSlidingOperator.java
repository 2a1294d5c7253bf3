package io.ferrite.windowing;

import java.io.IOException;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.MemorySegment;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotHeader;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.memory.timer.TimerHandler;
import io.ferrite.memory.timer.TimerQueue;
import io.ferrite.windowing.aggregate.AggregateFunction;
import io.ferrite.windowing.assigner.SlicedWindows;

/**
 * Sliding windows of an aggregate that {@link AggregateFunction#canSubtract() subtracts}, with slices kept in
 * columns: every key has a row, every slice of the ring a column, and all keys fire a window boundary together in one
 * sweep over the rows. A record updates its key's cell of the newest columns; firing a boundary reads two columns and
 * the running accumulators in memory order, so the cost of a fired window is a few sequential cache lines instead of
 * hash lookups into every key's slices. This is the layout for many keys and a small slide; the cost per event stays
 * near a tumbling window's however small the slide.
 * <p>
 * <b>State</b>, all off-heap and charged to the owner; the blocks are freed when the last slice leaves:
 * <ul>
 *     <li>blocks of {@code rowsPerBlock} rows: for each of the {@code ring} columns a cell {@code [count][accumulator]}
 *     per row, then per row {@code [live cells][key][running count][running accumulator]}. Column {@code c} of a
 *     block holds slice {@code n} with {@code n mod ring == c}; the ring covers the slices from the oldest unfired
 *     window's first on, a window and a little more;</li>
 *     <li>{@code key -> row}; rows are reused once their last slice leaves;</li>
 *     <li>slices beyond the ring (records far ahead of the watermark) in a table of their own, with a queue that
 *     moves them into the columns as the ring reaches them.</li>
 * </ul>
 * Invariant: a row's running accumulator holds its live slices below {@code pending + size - slide}, where
 * {@code pending} is the row's next window to fire. Firing window {@code w} merges the newest slide of it, emits, then
 * deducts and clears the oldest slide. A record whose slice is already part of the running accumulator updates it
 * too.
 * <p>
 * <b>Fallback.</b> Where the columns do not fit, the operator moves its state into a {@link SlicingWindowOperator} (the
 * hash layout) and delegates to it until that is empty: when keys are so sparse that columns would be mostly empty
 * (more than {@value #SPARSE_COLUMN_BYTES} bytes of columns, under a quarter of the cells live), for timestamps within
 * 2^61 of the ends of the long range, and for records so far out of order before the first firing that the ring cannot
 * hold them. The results are the same either way, so the layout is not part of the configuration.
 * <p>
 * A late record that arrives while the windows a watermark closed are still being fired ({@link #advanceWatermark}
 * returned false) counts in those of them it belongs to that have not fired yet, as it does in the hash layout for a
 * key with a window due. The engine finishes a watermark before it passes on the next record, so there it cannot
 * happen.
 * <p>
 * Results: only ON_TIME results (no allowed lateness, no early results: those configurations use the hash layout).
 * Within a boundary keys fire in row order, which depends on the order keys first arrived and rows were freed;
 * the same input gives the same order.
 * <p>
 * <b>Note:</b> Not threadsafe; see {@link WindowOperator}.
 */
final class ColumnarSlidingOperator implements WindowOperator
{
    static final long SPARSE_COLUMN_BYTES = 64L << 20;
    private static final int LAYOUT_COLUMNS = 1;
    private static final int LAYOUT_HASH = 2;
    private static final int LAYOUT_EMPTY = 3;

    private static final long UNSET = Long.MIN_VALUE;
    private static final long TIME_LIMIT = 1L << 61;
    private static final long MAX_SIZE = 1L << 58;
    private static final int MAX_ROW_BYTES = 256 * 1024;
    private static final int MAX_BLOCK_BYTES = 8 << 20;
    private static final int MAX_ROWS_PER_BLOCK = 256;
    private static final int MIN_ROWS_PER_BLOCK = 8;
    private static final int READ_CHUNK = 32 * 1024;
    private static final long MIN_MARGIN_SLIDES = 4;

    private static final int CELL_COUNT = 0;
    private static final int CELL_ACC = 8;
    private static final int META_LIVE = 0;
    private static final int META_KEY = 8;
    private static final int META_RUN = 16;

    private final MemoryManager memoryManager;
    private final String owner;
    private final SlicedWindows windows;
    private final long size;
    private final long slide;
    private final long sliceSize;
    private final AggregateFunction aggregate;
    private final int accLength;
    private final int cellLength;
    private final WindowOutput output;
    private final long[] configuration;

    private final int slicesPerWindow;
    private final int slicesPerSlide;
    private final int ring;
    private final long marginSlides;
    private final int rowsPerBlock;
    private final int rowShift;
    private final int columnBytes;
    private final int metaAt;
    private final int metaLength;
    private final int blockBytes;
    private final int[] newestColumns;
    private final int[] departColumns;
    private final int[] departIndex;

    private MemorySegment[] blocks = new MemorySegment[0];
    private UnsafeBuffer[] blockBuffers = new UnsafeBuffer[0];
    private long[] blockLive = new long[0];
    private int blockCount;
    private int rowHigh;
    private int[] freeRows = new int[0];
    private int freeCount;

    private final OffHeapHashTable rows;
    private final OffHeapHashTable overflow;
    private final TimerQueue overflowOrder;
    private final UnsafeBuffer overflowKey = new UnsafeBuffer(new byte[16]);
    private final TimerHandler overflowHandler = this::onOverflowDue;
    private final TimerHandler overflowDiscard = (time, key, offset) -> { };

    private SlicingWindowOperator delegate;
    private long sparseColumnBytes = SPARSE_COLUMN_BYTES;
    private String fallbackReason = "none";

    private long nextFire = UNSET;
    private long lowIndex;
    private int lowColumn;
    private long highOffset;
    private long liveCells;
    private final int[] columnLive;
    private int columnsInUse;
    private int sweepRow;

    private long watermark = Long.MIN_VALUE;
    private long now;
    private long lateRecords;
    private long missedStart;
    private long missedEnd;
    private boolean closed;

    ColumnarSlidingOperator(
        final MemoryManager memoryManager,
        final String owner,
        final SlicedWindows windows,
        final AggregateFunction aggregate,
        final WindowOutput output)
    {
        if (null == aggregate || null == output)
        {
            throw new NullPointerException(owner + ": window aggregate and output are required");
        }
        if (!isEligible(windows, aggregate, 0, 0))
        {
            throw new IllegalArgumentException(owner + ": columns need sliding windows of an aggregate that " +
                "subtracts, no lateness and no early results: " + windows);
        }
        this.memoryManager = memoryManager;
        this.owner = owner;
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.sliceSize = windows.sliceSize();
        this.aggregate = aggregate;
        this.accLength = align8(aggregate.accumulatorLength());
        this.cellLength = CELL_ACC + accLength;
        this.output = output;
        this.configuration = new long[]{size, slide, windows.offset(), aggregate.accumulatorLength(),
            aggregate.canSubtract() ? 1 : 0, 0, 0};
        this.slicesPerWindow = (int)windows.slicesPerWindow();
        this.slicesPerSlide = (int)(slide / sliceSize);
        this.ring = ringLength(windows);
        this.marginSlides = marginSlides(windows);
        int perBlock = MAX_ROWS_PER_BLOCK;
        while (perBlock > MIN_ROWS_PER_BLOCK && (long)perBlock * (ring + 1) * cellLength > MAX_BLOCK_BYTES)
        {
            perBlock >>= 1;
        }
        this.rowsPerBlock = perBlock;
        this.rowShift = Integer.numberOfTrailingZeros(perBlock);
        this.columnBytes = perBlock * cellLength;
        this.metaAt = ring * columnBytes;
        this.metaLength = META_RUN + cellLength;
        this.blockBytes = metaAt + perBlock * metaLength;
        this.columnLive = new int[ring];
        this.newestColumns = new int[slicesPerSlide];
        this.departColumns = new int[slicesPerSlide];
        this.departIndex = new int[slicesPerSlide];

        OffHeapHashTable rowTable = null;
        OffHeapHashTable overflowTable = null;
        try
        {
            rowTable = new OffHeapHashTable(memoryManager, owner, 8, 8, 256, OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            overflowTable = new OffHeapHashTable(memoryManager, owner, 16, cellLength, 16,
                OffHeapHashTable.DEFAULT_LOAD_FACTOR, 0L);
            this.overflowOrder = new TimerQueue(memoryManager, owner, 16, 16);
        }
        catch (final RuntimeException ex)
        {
            if (null != rowTable)
            {
                rowTable.close();
            }
            if (null != overflowTable)
            {
                overflowTable.close();
            }
            throw ex;
        }
        this.rows = rowTable;
        this.overflow = overflowTable;
    }

    /**
     * Set the column bytes beyond which sparse keys move the state to the hash layout; for tests.
     */
    void sparseColumnBytes(final long bytes)
    {
        sparseColumnBytes = bytes;
    }

    /**
     * Whether the state is in columns (or empty) rather than in the fallback hash layout.
     */
    boolean isColumnar()
    {
        return null == delegate;
    }

    /**
     * Whether windows and aggregate suit columns: sliding windows with more than one slice per window, an aggregate
     * that subtracts, no allowed lateness or early results, a size below 2^58 and a row of the ring no longer than
     * {@value #MAX_ROW_BYTES} bytes.
     *
     * @param windows         the windows.
     * @param aggregate       the aggregate.
     * @param lateness        the allowed lateness.
     * @param earlyPeriod     the early results period.
     * @return whether {@link ColumnarSlidingOperator} computes them.
     */
    static boolean isEligible(
        final SlicedWindows windows, final AggregateFunction aggregate, final long lateness, final long earlyPeriod)
    {
        return !windows.isTumbling() && aggregate.canSubtract() && lateness == 0 && earlyPeriod == 0 &&
            windows.slicesPerWindow() > 1 && windows.size() <= MAX_SIZE &&
            (long)ringLength(windows) * (CELL_ACC + align8(aggregate.accumulatorLength())) <= MAX_ROW_BYTES;
    }

    /**
     * The slides the ring starts before a first record's first window, so records a little earlier than it need not
     * move the ring: an eighth of a window, at least {@value #MIN_MARGIN_SLIDES} slides.
     */
    private static long marginSlides(final SlicedWindows windows)
    {
        final long perSlide = windows.slide() / windows.sliceSize();
        return Math.max(MIN_MARGIN_SLIDES, windows.slicesPerWindow() / 8 / perSlide);
    }

    /**
     * The slices of the ring: a window, one more slide (the slide being fired while the next window's records
     * arrive) and twice the margin: once behind a first record, once ahead of the watermark.
     */
    private static int ringLength(final SlicedWindows windows)
    {
        final long perSlide = windows.slide() / windows.sliceSize();
        final long length = windows.slicesPerWindow() + perSlide + 2 * marginSlides(windows) * perSlide;
        return length > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)length;
    }

    private static int align8(final int length)
    {
        return (Math.max(1, length) + 7) & ~7;
    }

    private boolean isClosed(final long end)
    {
        return SlicedWindows.firingTime(end) <= watermark;
    }

    /**
     * The first window holding {@code timestamp} that the watermark has not closed.
     */
    private long firstOpenStart(final long timestamp)
    {
        long start = windows.firstWindowStart(timestamp);
        final long last = windows.lastWindowStart(timestamp);
        while (start < last && isClosed(windows.windowEnd(start)))
        {
            start += slide;
        }
        return start;
    }

    /**
     * Where the ring starts for a first window: the margin before it, but no earlier than the first window the
     * watermark leaves open.
     */
    private long ringStart(final long first)
    {
        long start = first - marginSlides * slide;
        while (start < first && isClosed(windows.windowEnd(start)))
        {
            start += slide;
        }
        return start;
    }

    /**
     * The next window a row fires: the boundary being swept has passed the rows before {@link #sweepRow}.
     */
    private long pendingStart(final int row)
    {
        return row < sweepRow ? nextFire + slide : nextFire;
    }

    @Override
    public boolean onRecord(final long key, final long timestamp, final DirectBuffer record, final int offset)
    {
        if (null != delegate)
        {
            return delegate.onRecord(key, timestamp, record, offset);
        }
        if (timestamp <= watermark)
        {
            final long lastStart = windows.lastWindowStart(timestamp);
            final long lastEnd = windows.windowEnd(lastStart);
            if (isClosed(lastEnd))
            {
                lateRecords++;
                missedStart = lastStart;
                missedEnd = lastEnd;
                return false;
            }
        }
        if (timestamp > TIME_LIMIT || timestamp < -TIME_LIMIT)
        {
            fallBack("a timestamp within 2^61 of the ends of the long range");
            return delegate.onRecord(key, timestamp, record, offset);
        }

        if (UNSET == nextFire)
        {
            setLow(ringStart(firstOpenStart(timestamp)));
        }
        else if (timestamp - nextFire < size - slide)
        {
            // A window before nextFire holds it: is one of them still open?
            final long first = firstOpenStart(timestamp);
            if (first < nextFire && !lower(first))
            {
                fallBack("a record too far before the first window for the ring");
                return delegate.onRecord(key, timestamp, record, offset);
            }
        }

        final long cellOffset = (timestamp - nextFire) / sliceSize;
        if (cellOffset >= ring)
        {
            addOverflow(key, windows.sliceStart(timestamp), record, offset, timestamp);
            return true;
        }
        final int row = rowOf(key, true);
        if (row < 0)
        {
            fallBack("sparse keys");
            return delegate.onRecord(key, timestamp, record, offset);
        }
        final UnsafeBuffer block = blockBuffers[row >>> rowShift];
        final int r = row & (rowsPerBlock - 1);
        final int cell = cellAt((int)cellOffset, r);
        final long count = block.getLong(cell + CELL_COUNT);
        if (count == 0)
        {
            newCell(block, row, r, cell, cellOffset);
        }
        block.putLong(cell + CELL_COUNT, count + 1);
        aggregate.add(block, cell + CELL_ACC, record, offset, timestamp);
        if (cellOffset < runCells(row))
        {
            final int run = metaAt + r * metaLength + META_RUN;
            block.putLong(run + CELL_COUNT, block.getLong(run + CELL_COUNT) + 1);
            aggregate.add(block, run + CELL_ACC, record, offset, timestamp);
        }
        return true;
    }

    /**
     * The cells, from the ring's low end, a row's running accumulator holds.
     */
    private long runCells(final int row)
    {
        return slicesPerWindow - slicesPerSlide + (row < sweepRow ? slicesPerSlide : 0);
    }

    private int cellAt(final int cellOffset, final int r)
    {
        return columnOf(cellOffset) * columnBytes + r * cellLength;
    }

    /**
     * The ring column of the cell {@code cellOffset} slices from the ring's low end.
     */
    private int columnOf(final int cellOffset)
    {
        final int column = lowColumn + cellOffset;
        return column >= ring ? column - ring : column;
    }

    private void newCell(final UnsafeBuffer block, final int row, final int r, final int cell, final long cellOffset)
    {
        block.setMemory(cell + CELL_ACC, accLength, (byte)0);
        aggregate.create(block, cell + CELL_ACC);
        block.putLong(metaAt + r * metaLength + META_LIVE, block.getLong(metaAt + r * metaLength + META_LIVE) + 1);
        blockLive[row >>> rowShift]++;
        liveCells++;
        if (columnLive[columnOf((int)cellOffset)]++ == 0)
        {
            columnsInUse++;
        }
        highOffset = Math.max(highOffset, cellOffset);
    }

    private void setLow(final long start)
    {
        nextFire = start;
        lowIndex = Math.floorDiv(start - windows.sliceStart(0), sliceSize);
        lowColumn = (int)Math.floorMod(lowIndex, (long)ring);
        highOffset = 0;
    }

    /**
     * Move the ring's low end back to an earlier first window, before any of the current ones fired: the running
     * accumulators give back the cells beyond their new reach.
     *
     * @return false if the live cells would not fit the ring from there.
     */
    private boolean lower(final long start)
    {
        final long shift = (nextFire - start) / sliceSize;
        if (highOffset + shift >= ring)
        {
            return false;
        }
        final long oldLow = lowIndex;
        final int oldColumn = lowColumn;
        final long oldHigh = highOffset;
        final int runCells = slicesPerWindow - slicesPerSlide;
        for (int row = 0; row < rowHigh; row++)
        {
            final UnsafeBuffer block = blockBuffers[row >>> rowShift];
            final int r = row & (rowsPerBlock - 1);
            if (block.getLong(metaAt + r * metaLength + META_LIVE) == 0)
            {
                continue;
            }
            final int run = metaAt + r * metaLength + META_RUN;
            // Offsets from the old low end: [runCells - shift, runCells) leave the run.
            for (long at = Math.max(0, runCells - shift); at < runCells; at++)
            {
                int column = oldColumn + (int)at;
                if (column >= ring)
                {
                    column -= ring;
                }
                final int cell = column * columnBytes + r * cellLength;
                final long count = block.getLong(cell + CELL_COUNT);
                if (count > 0)
                {
                    block.putLong(run + CELL_COUNT, block.getLong(run + CELL_COUNT) - count);
                    aggregate.subtract(block, run + CELL_ACC, block, cell + CELL_ACC);
                }
            }
        }
        setLow(start);
        highOffset = oldHigh + (oldLow - lowIndex);
        return true;
    }

    /**
     * The row of a key, created if new.
     *
     * @return the row, or -1 if {@code mayRefuse} and the columns should not grow: more than
     * {@link #sparseColumnBytes} bytes and under a quarter of the cells of the columns in use live.
     */
    private int rowOf(final long key, final boolean mayRefuse)
    {
        final int at = rows.getOrInsert(key);
        if (!rows.lastInsertCreated())
        {
            return (int)rows.buffer().getLong(at);
        }
        final int row;
        if (freeCount > 0)
        {
            row = freeRows[--freeCount];
        }
        else
        {
            if (rowHigh == blockCount * rowsPerBlock)
            {
                final long columns = (long)(blockCount + 1) * blockBytes;
                if (mayRefuse && columns > sparseColumnBytes && liveCells * 4 < (long)rowHigh * columnsInUse)
                {
                    rows.remove(key);
                    return -1;
                }
                try
                {
                    addBlock();
                }
                catch (final RuntimeException ex)
                {
                    rows.remove(key);
                    throw ex;
                }
            }
            row = rowHigh++;
        }
        rows.buffer().putLong(rows.get(key), row);
        final UnsafeBuffer block = blockBuffers[row >>> rowShift];
        final int r = row & (rowsPerBlock - 1);
        block.putLong(metaAt + r * metaLength + META_KEY, key);
        final int run = metaAt + r * metaLength + META_RUN;
        block.setMemory(run, cellLength, (byte)0);
        aggregate.create(block, run + CELL_ACC);
        return row;
    }

    private void addBlock()
    {
        if (blockCount == blocks.length)
        {
            final int length = Math.max(4, blockCount * 2);
            blocks = Arrays.copyOf(blocks, length);
            blockBuffers = Arrays.copyOf(blockBuffers, length);
            blockLive = Arrays.copyOf(blockLive, length);
            freeRows = Arrays.copyOf(freeRows, length * rowsPerBlock);
        }
        final MemorySegment segment = memoryManager.allocate(owner, blockBytes);
        blocks[blockCount] = segment;
        blockBuffers[blockCount] = segment.buffer();
        blockLive[blockCount] = 0;
        blockCount++;
    }

    private void clearColumns()
    {
        for (int i = 0; i < blockCount; i++)
        {
            blocks[i].release();
            blocks[i] = null;
            blockBuffers[i] = null;
        }
        blockCount = 0;
        rowHigh = 0;
        freeCount = 0;
        liveCells = 0;
        Arrays.fill(columnLive, 0);
        columnsInUse = 0;
        sweepRow = 0;
        highOffset = 0;
        nextFire = UNSET;
        rows.clear();
        overflow.clear();
        while (overflowOrder.size() > 0)
        {
            overflowOrder.fireUpTo(Long.MAX_VALUE, overflowDiscard, Integer.MAX_VALUE);
        }
        rows.trimIfEmpty();
        overflow.trimIfEmpty();
        overflowOrder.trimIfEmpty();
    }

    private void addOverflow(
        final long key, final long sliceStart, final DirectBuffer record, final int offset, final long timestamp)
    {
        overflowKey.putLong(0, key);
        overflowKey.putLong(8, sliceStart);
        final int at = overflow.getOrInsert(overflowKey, 0);
        final UnsafeBuffer buffer = overflow.buffer();
        if (overflow.lastInsertCreated())
        {
            aggregate.create(buffer, at + CELL_ACC);
            overflowOrder.register(sliceStart, overflowKey, 0);
        }
        aggregate.add(buffer, at + CELL_ACC, record, offset, timestamp);
        buffer.putLong(at + CELL_COUNT, buffer.getLong(at + CELL_COUNT) + 1);
    }

    /**
     * Move the overflow slices the ring now reaches into the columns.
     */
    private void drainOverflow()
    {
        if (overflowOrder.size() > 0)
        {
            overflowOrder.fireUpTo(nextFire + (ring - 1) * sliceSize, overflowHandler, Integer.MAX_VALUE);
        }
    }

    private void onOverflowDue(final long sliceStart, final DirectBuffer timerKey, final int keyOffset)
    {
        final long key = timerKey.getLong(keyOffset);
        overflowKey.putLong(0, key);
        overflowKey.putLong(8, sliceStart);
        final int at = overflow.get(overflowKey, 0);
        final int row = rowOf(key, false);
        final long cellOffset = (sliceStart - nextFire) / sliceSize;
        final UnsafeBuffer block = blockBuffers[row >>> rowShift];
        final int r = row & (rowsPerBlock - 1);
        final int cell = cellAt((int)cellOffset, r);
        final UnsafeBuffer source = overflow.buffer();
        final long count = source.getLong(at + CELL_COUNT);
        if (block.getLong(cell + CELL_COUNT) == 0)
        {
            newCell(block, row, r, cell, cellOffset);
        }
        block.putLong(cell + CELL_COUNT, block.getLong(cell + CELL_COUNT) + count);
        aggregate.merge(block, cell + CELL_ACC, source, at + CELL_ACC);
        if (cellOffset < runCells(row))
        {
            final int run = metaAt + r * metaLength + META_RUN;
            block.putLong(run + CELL_COUNT, block.getLong(run + CELL_COUNT) + count);
            aggregate.merge(block, run + CELL_ACC, source, at + CELL_ACC);
        }
        overflow.remove(overflowKey, 0);
    }

    /**
     * The columns are empty: start again from the oldest overflow slice, or free the state when there is none.
     */
    private void restart()
    {
        sweepRow = 0;
        if (overflowOrder.size() == 0)
        {
            clearColumns();
            return;
        }
        // Its windows fire even if the watermark has passed them: they were open when its records arrived.
        setLow(ringStart(windows.firstWindowStart(overflowOrder.nextTimestamp())));
        drainOverflow();
    }

    /**
     * Fire the boundaries the watermark has passed, at most {@code budget} results.
     *
     * @return whether every due boundary has fired.
     */
    private boolean fireDue(final int limit)
    {
        int budget = limit;
        while (UNSET != nextFire && isClosed(windows.windowEnd(nextFire)))
        {
            budget = sweep(budget);
            if (budget < 0)
            {
                return false;
            }
            nextFire += slide;
            lowIndex += slicesPerSlide;
            lowColumn += slicesPerSlide;
            if (lowColumn >= ring)
            {
                lowColumn -= ring;
            }
            highOffset = Math.max(0, highOffset - slicesPerSlide);
            sweepRow = 0;
            if (liveCells == 0)
            {
                restart();
            }
            else
            {
                drainOverflow();
            }
        }
        return true;
    }

    /**
     * Fire window {@link #nextFire} for the rows from {@link #sweepRow} on.
     *
     * @return the budget left, or -1 if it ran out before the last row.
     */
    private int sweep(final int limit)
    {
        int budget = limit;
        final long start = nextFire;
        final long end = windows.windowEnd(start);
        final int perSlide = slicesPerSlide;
        final int[] newestColumns = this.newestColumns;
        final int[] departColumns = this.departColumns;
        final int[] departIndex = this.departIndex;
        for (int i = 0; i < perSlide; i++)
        {
            newestColumns[i] = cellAt(slicesPerWindow - perSlide + i, 0);
            departIndex[i] = columnOf(i);
            departColumns[i] = departIndex[i] * columnBytes;
        }
        final AggregateFunction aggregate = this.aggregate;
        for (int row = sweepRow; row < rowHigh; )
        {
            final int blockIndex = row >>> rowShift;
            if (blockLive[blockIndex] == 0)
            {
                row = (blockIndex + 1) << rowShift;
                continue;
            }
            final UnsafeBuffer block = blockBuffers[blockIndex];
            final int blockEnd = Math.min(rowHigh, (blockIndex + 1) << rowShift);
            long blockDeparted = 0;
            for (; row < blockEnd; row++)
            {
                final int r = row & (rowsPerBlock - 1);
                final int meta = metaAt + r * metaLength;
                final long live = block.getLong(meta + META_LIVE);
                if (live == 0)
                {
                    continue;
                }
                final int rowCell = r * cellLength;
                final int run = meta + META_RUN;
                long runCount = block.getLong(run + CELL_COUNT);
                if (budget == 0)
                {
                    long window = runCount;
                    for (int i = 0; i < perSlide; i++)
                    {
                        window += block.getLong(newestColumns[i] + rowCell + CELL_COUNT);
                    }
                    if (window > 0)
                    {
                        blockLive[blockIndex] -= blockDeparted;
                        liveCells -= blockDeparted;
                        sweepRow = row;
                        return -1;
                    }
                }
                for (int i = 0; i < perSlide; i++)
                {
                    final int cell = newestColumns[i] + rowCell;
                    final long count = block.getLong(cell + CELL_COUNT);
                    if (count > 0)
                    {
                        runCount += count;
                        aggregate.merge(block, run + CELL_ACC, block, cell + CELL_ACC);
                    }
                }
                if (runCount > 0)
                {
                    output.onWindow(block.getLong(meta + META_KEY), start, end, Firing.ON_TIME, runCount, block,
                        run + CELL_ACC);
                    budget--;
                }
                long departed = 0;
                for (int i = 0; i < perSlide; i++)
                {
                    final int cell = departColumns[i] + rowCell;
                    final long count = block.getLong(cell + CELL_COUNT);
                    if (count > 0)
                    {
                        runCount -= count;
                        aggregate.subtract(block, run + CELL_ACC, block, cell + CELL_ACC);
                        block.putLong(cell + CELL_COUNT, 0);
                        departed++;
                        if (--columnLive[departIndex[i]] == 0)
                        {
                            columnsInUse--;
                        }
                    }
                }
                block.putLong(run + CELL_COUNT, runCount);
                if (departed > 0)
                {
                    blockDeparted += departed;
                    final long left = live - departed;
                    block.putLong(meta + META_LIVE, left);
                    if (left == 0)
                    {
                        rows.remove(block.getLong(meta + META_KEY));
                        freeRows[freeCount++] = row;
                    }
                }
            }
            blockLive[blockIndex] -= blockDeparted;
            liveCells -= blockDeparted;
        }
        return budget;
    }

    /**
     * Move the state into the hash layout and delegate to it from now on, until it is empty.
     */
    private void fallBack(final String reason)
    {
        fallbackReason = reason;
        final SlicingWindowOperator hash = new SlicingWindowOperator(
            memoryManager, owner, windows, aggregate, 0, 0, output);
        try
        {
            hash.adopt(watermark, now, lateRecords, missedStart, missedEnd);
            for (int row = 0; row < rowHigh; row++)
            {
                final UnsafeBuffer block = blockBuffers[row >>> rowShift];
                final int r = row & (rowsPerBlock - 1);
                if (block.getLong(metaAt + r * metaLength + META_LIVE) == 0)
                {
                    continue;
                }
                final long key = block.getLong(metaAt + r * metaLength + META_KEY);
                final long pending = pendingStart(row);
                for (int at = 0; at < ring; at++)
                {
                    final int cell = cellAt(at, r);
                    final long count = block.getLong(cell + CELL_COUNT);
                    if (count > 0)
                    {
                        hash.insertSlice(key, nextFire + at * sliceSize, count, block, cell + CELL_ACC, pending);
                    }
                }
            }
            final OffHeapHashTable.Cursor cursor = overflow.cursor();
            while (cursor.next())
            {
                final UnsafeBuffer buffer = cursor.buffer();
                final int value = cursor.valueOffset();
                hash.insertSlice(buffer.getLong(cursor.keyOffset()), buffer.getLong(cursor.keyOffset() + 8),
                    buffer.getLong(value + CELL_COUNT), buffer, value + CELL_ACC, nextFire);
            }
        }
        catch (final RuntimeException ex)
        {
            hash.close();
            throw ex;
        }
        clearColumns();
        delegate = hash;
    }

    /**
     * Back to columns once the hash layout holds nothing.
     */
    private void returnIfEmpty()
    {
        if (null != delegate && delegate.isEmpty())
        {
            watermark = delegate.watermark();
            now = delegate.now();
            lateRecords = delegate.lateRecords();
            missedStart = delegate.missedWindowStart();
            missedEnd = delegate.missedWindowEnd();
            delegate.close();
            delegate = null;
        }
    }

    @Override
    public long missedWindowStart()
    {
        return null != delegate ? delegate.missedWindowStart() : missedStart;
    }

    @Override
    public long missedWindowEnd()
    {
        return null != delegate ? delegate.missedWindowEnd() : missedEnd;
    }

    @Override
    public boolean hasPending()
    {
        return null != delegate && delegate.hasPending();
    }

    @Override
    public int emitPending(final int limit)
    {
        return null != delegate ? delegate.emitPending(limit) : 0;
    }

    @Override
    public boolean advanceWatermark(final long newWatermark, final int limit)
    {
        if (null != delegate)
        {
            final boolean done = delegate.advanceWatermark(newWatermark, limit);
            if (done)
            {
                returnIfEmpty();
            }
            return done;
        }
        if (newWatermark > watermark)
        {
            watermark = newWatermark;
        }
        return limit > 0 ? fireDue(limit) : UNSET == nextFire || !isClosed(windows.windowEnd(nextFire));
    }

    @Override
    public long watermark()
    {
        return null != delegate ? delegate.watermark() : watermark;
    }

    @Override
    public long nextFiringTime()
    {
        if (null != delegate)
        {
            return delegate.nextFiringTime();
        }
        return UNSET == nextFire ? Long.MAX_VALUE : SlicedWindows.firingTime(windows.windowEnd(nextFire));
    }

    @Override
    public long nextProcessingTime()
    {
        return null != delegate ? delegate.nextProcessingTime() : Long.MAX_VALUE;
    }

    @Override
    public int onProcessingTime(final long nowTime, final int limit)
    {
        if (null != delegate)
        {
            return delegate.onProcessingTime(nowTime, limit);
        }
        if (nowTime > now)
        {
            now = nowTime;
        }
        return 0;
    }

    @Override
    public boolean endOfStream(final int limit)
    {
        if (null != delegate)
        {
            final boolean done = delegate.endOfStream(limit);
            if (done)
            {
                returnIfEmpty();
            }
            return done;
        }
        return advanceWatermark(Long.MAX_VALUE, limit);
    }

    @Override
    public long lateRecords()
    {
        return null != delegate ? delegate.lateRecords() : lateRecords;
    }

    @Override
    public long allocatedBytes()
    {
        return memoryManager.usedBytes(owner);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The sliced operator's header and configuration, then the layout: hash (the fallback's state follows), empty, or
     * columns: the time and late-record bookkeeping, the ring's position, the rows and free rows, each block's bytes,
     * the key-to-row table and the overflow slices with their queue.
     */
    @Override
    public void snapshot(final SnapshotWriter writer) throws IOException
    {
        checkOpen();
        SnapshotHeader.write(writer, SlicingWindowOperator.SNAPSHOT_MAGIC, SlicingWindowOperator.SNAPSHOT_VERSION,
            configuration);
        if (null != delegate)
        {
            writer.writeInt(LAYOUT_HASH);
            delegate.writeBody(writer);
            return;
        }
        writer.writeInt(UNSET == nextFire ? LAYOUT_EMPTY : LAYOUT_COLUMNS);
        writer.writeLong(watermark);
        writer.writeLong(now);
        writer.writeLong(lateRecords);
        writer.writeLong(missedStart);
        writer.writeLong(missedEnd);
        if (UNSET == nextFire)
        {
            return;
        }
        writer.writeLong(nextFire);
        writer.writeLong(highOffset);
        writer.writeLong(liveCells);
        writer.writeInt(sweepRow);
        writer.writeInt(rowHigh);
        writer.writeInt(blockCount);
        writer.writeInt(freeCount);
        for (int i = 0; i < freeCount; i++)
        {
            writer.writeInt(freeRows[i]);
        }
        for (int i = 0; i < ring; i++)
        {
            writer.writeInt(columnLive[i]);
        }
        for (int i = 0; i < blockCount; i++)
        {
            writer.writeLong(blockLive[i]);
            writer.writeBytes(blockBuffers[i], 0, blockBytes);
        }
        rows.writeTo(writer);
        overflow.writeTo(writer);
        overflowOrder.writeTo(writer);
    }

    @Override
    public void restore(final SnapshotReader reader) throws IOException
    {
        checkOpen();
        SnapshotHeader.read(reader, SlicingWindowOperator.SNAPSHOT_MAGIC, SlicingWindowOperator.SNAPSHOT_VERSION,
            "sliced window operator " + owner, configuration, SlicingWindowOperator::describe);
        final long at = reader.offset();
        final int layout = reader.readInt();
        clearColumns();
        if (null != delegate)
        {
            delegate.close();
            delegate = null;
        }
        if (LAYOUT_HASH == layout)
        {
            final SlicingWindowOperator hash = new SlicingWindowOperator(
                memoryManager, owner, windows, aggregate, 0, 0, output);
            try
            {
                hash.readBody(reader);
            }
            catch (final IOException | RuntimeException ex)
            {
                hash.close();
                throw ex;
            }
            delegate = hash;
            return;
        }
        if (LAYOUT_COLUMNS != layout && LAYOUT_EMPTY != layout)
        {
            throw new SnapshotCorruptedException(reader.source(), at, "unknown window layout " + layout);
        }
        watermark = reader.readLong();
        now = reader.readLong();
        lateRecords = reader.readLong();
        missedStart = reader.readLong();
        missedEnd = reader.readLong();
        if (LAYOUT_EMPTY == layout)
        {
            return;
        }
        try
        {
            readColumns(reader);
        }
        catch (final IOException | RuntimeException ex)
        {
            clearColumns();
            throw ex;
        }
    }

    private void readColumns(final SnapshotReader reader) throws IOException
    {
        final long fire = reader.readLong();
        final long high = reader.readLong();
        final long live = reader.readLong();
        final int sweep = reader.readInt();
        final int rowTotal = reader.readInt();
        final int blockTotal = reader.readInt();
        final int free = reader.readInt();
        final long at = reader.offset();
        if (fire == UNSET || high < 0 || high >= ring || live <= 0 || blockTotal < 0 ||
            rowTotal > blockTotal * (long)rowsPerBlock || rowTotal < 0 || sweep < 0 || sweep > rowTotal || free < 0 ||
            free > rowTotal)
        {
            throw new SnapshotCorruptedException(reader.source(), at, "column state out of range: next window " + fire +
                ", high cell " + high + ", live cells " + live + ", sweep row " + sweep + ", rows " + rowTotal +
                ", blocks " + blockTotal + ", free rows " + free);
        }
        setLow(fire);
        highOffset = high;
        liveCells = live;
        for (int i = 0; i < blockTotal; i++)
        {
            addBlock();
        }
        rowHigh = rowTotal;
        sweepRow = sweep;
        freeCount = free;
        for (int i = 0; i < free; i++)
        {
            freeRows[i] = reader.readInt();
        }
        columnsInUse = 0;
        for (int i = 0; i < ring; i++)
        {
            columnLive[i] = reader.readInt();
            columnsInUse += columnLive[i] > 0 ? 1 : 0;
        }
        for (int i = 0; i < blockTotal; i++)
        {
            blockLive[i] = reader.readLong();
            for (int done = 0; done < blockBytes; )
            {
                final int chunk = Math.min(READ_CHUNK, blockBytes - done);
                blockBuffers[i].putBytes(done, reader.buffer(), reader.read(chunk), chunk);
                done += chunk;
            }
        }
        rows.readFrom(reader);
        overflow.readFrom(reader);
        overflowOrder.readFrom(reader);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("window operator is closed: " + owner);
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (int i = 0; i < blockCount; i++)
            {
                blocks[i].release();
            }
            blockCount = 0;
            rows.close();
            overflow.close();
            overflowOrder.close();
            if (null != delegate)
            {
                delegate.close();
                delegate = null;
            }
        }
    }

    @Override
    public String toString()
    {
        return "ColumnarSlidingOperator{" + owner + ' ' + windows + ", " + aggregate +
            (null != delegate ? ", hash layout for " + fallbackReason + ": " + delegate : ", rows " + rowHigh +
            ", live cells " + liveCells + ", ring " + ring + ", rows per block " + rowsPerBlock) + '}';
    }
}
