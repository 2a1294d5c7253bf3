package io.ferrite.perf.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

import io.ferrite.engine.Job;
import io.ferrite.engine.counters.CountersFile;

/**
 * Reads a running job's counters file ({@code counters.dat} in its directory), as {@code ferrite stat} does: records
 * taken by a stage, and a stage's watermark.
 * <p>
 * <b>Note:</b> Not threadsafe.
 */
final class JobCounters implements AutoCloseable
{
    private final CountersFile.Reader reader;
    private final Map<String, Integer> ids = new HashMap<>();

    JobCounters(final Path jobDirectory) throws IOException
    {
        reader = CountersFile.openReader(jobDirectory);
        reader.counters().forEach((id, typeId, keyBuffer, label) ->
        {
            if (typeId == Job.RECORDS_IN_TYPE_ID || typeId == Job.WATERMARK_TYPE_ID)
            {
                ids.put(label, id);
            }
        });
    }

    /**
     * Records a stage has taken.
     *
     * @param stage the stage's name.
     * @return the count, 0 if the stage has none.
     */
    long recordsIn(final String stage)
    {
        return value("stage " + stage + ": records in", 0);
    }

    /**
     * A stage's watermark.
     *
     * @param stage the stage's name.
     * @return the watermark, {@link Long#MIN_VALUE} before the first.
     */
    long watermark(final String stage)
    {
        final long watermark = value("stage " + stage + ": watermark", Long.MIN_VALUE);
        return watermark == 0 ? Long.MIN_VALUE : watermark;
    }

    private long value(final String label, final long missing)
    {
        final Integer id = ids.get(label);
        if (null == id)
        {
            return missing;
        }
        final CountersReader counters = reader.counters();
        return counters.getCounterValue(id);
    }

    @Override
    public void close()
    {
        reader.close();
    }
}
