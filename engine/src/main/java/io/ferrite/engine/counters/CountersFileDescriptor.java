package io.ferrite.engine.counters;

import org.agrona.concurrent.status.CountersReader;

/**
 * The layout of a job's counters file, {@value #FILE_NAME} in the job directory: a 128-byte header, then Agrona's
 * counters metadata and values buffers. Header fields are in native byte order.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Magic 'FCNT'                          |
 *  +---------------------------------------------------------------+
 *  |          Version (written last, with release order)           |
 *  +---------------------------------------------------------------+
 *  |                      Process id (64)                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Start time, epoch ms (64)                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Metadata length                          |
 *  +---------------------------------------------------------------+
 *  |                        Values length                          |
 *  +---------------------------------------------------------------+
 *  |                 Reserved, to 128 bytes                      ...
 *  +---------------------------------------------------------------+
 *  |         Counters metadata (Agrona CountersManager)          ...
 *  +---------------------------------------------------------------+
 *  |          Counters values (Agrona CountersManager)           ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CountersFileDescriptor
{
    /**
     * The file's name in the job directory.
     */
    public static final String FILE_NAME = "counters.dat";

    /**
     * The magic number: the bytes {@code FCNT}.
     */
    public static final int MAGIC = 0x544E4346;

    /**
     * The layout version.
     */
    public static final int VERSION = 1;

    /**
     * Offset of the magic number.
     */
    public static final int MAGIC_OFFSET = 0;

    /**
     * Offset of the version.
     */
    public static final int VERSION_OFFSET = 4;

    /**
     * Offset of the writer's process id.
     */
    public static final int PID_OFFSET = 8;

    /**
     * Offset of the start time.
     */
    public static final int START_TIME_OFFSET = 16;

    /**
     * Offset of the metadata buffer's length.
     */
    public static final int METADATA_LENGTH_OFFSET = 24;

    /**
     * Offset of the values buffer's length.
     */
    public static final int VALUES_LENGTH_OFFSET = 28;

    /**
     * Length of the header.
     */
    public static final int HEADER_LENGTH = 128;

    private CountersFileDescriptor()
    {
    }

    /**
     * The values buffer's length for a number of counters.
     *
     * @param maxCounters the most counters.
     * @return the length in bytes.
     */
    public static int valuesLength(final int maxCounters)
    {
        return maxCounters * CountersReader.COUNTER_LENGTH;
    }

    /**
     * The metadata buffer's length for a number of counters.
     *
     * @param maxCounters the most counters.
     * @return the length in bytes.
     */
    public static int metadataLength(final int maxCounters)
    {
        return maxCounters * CountersReader.METADATA_LENGTH;
    }
}
