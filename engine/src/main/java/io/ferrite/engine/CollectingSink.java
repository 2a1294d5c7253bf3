package io.ferrite.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.memory.csv.CsvCodec;
import io.ferrite.memory.schema.Schema;

/**
 * A sink that keeps a copy of every record, for tests: read it once the job is done. It allocates as it grows.
 * <p>
 * <b>Note:</b> Threadsafe.
 */
public final class CollectingSink
{
    private final String name;
    private final Schema schema;
    private final int length;
    private final ExpandableArrayBuffer records = new ExpandableArrayBuffer(4096);
    private long[] timestamps = new long[64];
    private long[] origins = new long[64];
    private int[] sourceIds = new int[64];
    private int size;
    private boolean ended;

    CollectingSink(final String name, final Schema schema)
    {
        this.name = name;
        this.schema = schema;
        this.length = schema.recordLength();
    }

    synchronized void add(
        final DirectBuffer buffer,
        final int offset,
        final int recordLength,
        final long timestamp,
        final int sourceId,
        final long journalIndex)
    {
        if (size == timestamps.length)
        {
            timestamps = Arrays.copyOf(timestamps, size * 2);
            origins = Arrays.copyOf(origins, size * 2);
            sourceIds = Arrays.copyOf(sourceIds, size * 2);
        }
        records.putBytes(size * length, buffer, offset, length);
        timestamps[size] = timestamp;
        origins[size] = journalIndex;
        sourceIds[size] = sourceId;
        size++;
    }

    synchronized void markEnded()
    {
        ended = true;
    }

    /**
     * The sink's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The records' schema.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * Records collected so far.
     *
     * @return the count.
     */
    public synchronized int size()
    {
        return size;
    }

    /**
     * Whether the sink has seen its end of stream.
     *
     * @return true once ended.
     */
    public synchronized boolean isEnded()
    {
        return ended;
    }

    /**
     * A copy of one record.
     *
     * @param index from 0, in arrival order.
     * @return a view of the copy, with its event time and origin index.
     */
    public synchronized RecordView get(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("sink '" + name + "' has " + size + " records: " + index);
        }
        final byte[] copy = new byte[length];
        records.getBytes(index * length, copy);
        return new RecordView(schema).wrap(new UnsafeBuffer(copy), 0, timestamps[index], sourceIds[index],
            origins[index]);
    }

    /**
     * Every record as a CSV line (no event time), in arrival order.
     *
     * @return the lines.
     */
    public synchronized List<String> rows()
    {
        final CsvCodec codec = new CsvCodec(schema);
        final List<String> rows = new ArrayList<>(size);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            sb.setLength(0);
            rows.add(codec.encode(records, i * length, sb).toString());
        }
        return rows;
    }

    /**
     * The event time of one record.
     *
     * @param index from 0, in arrival order.
     * @return the event time.
     */
    public synchronized long timestamp(final int index)
    {
        return timestamps[index];
    }

    @Override
    public synchronized String toString()
    {
        return "CollectingSink{" + name + ", " + size + " records}";
    }
}
