package io.ferrite.memory.snapshot;

import java.io.IOException;

/**
 * Thrown when a snapshot cannot be trusted: empty, truncated, a wrong magic, version or fingerprint, or a CRC32C
 * mismatch. It names the snapshot, the byte offset where the problem was found and the reason. Whatever was being
 * restored is left as it was.
 */
public final class SnapshotCorruptedException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;
    private final String reason;

    /**
     * An exception describing a corrupted snapshot.
     *
     * @param source the snapshot's file or stream name.
     * @param offset the byte offset where the problem was found.
     * @param reason what is wrong.
     */
    public SnapshotCorruptedException(final String source, final long offset, final String reason)
    {
        super("snapshot corrupted: " + source + " at offset " + offset + ": " + reason);
        this.source = source;
        this.offset = offset;
        this.reason = reason;
    }

    /**
     * The snapshot's file or stream name.
     *
     * @return the source.
     */
    public String source()
    {
        return source;
    }

    /**
     * The byte offset where the problem was found.
     *
     * @return the offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * What is wrong, without the source and offset: for a caller that adds what it was restoring.
     *
     * @return the reason.
     */
    public String reason()
    {
        return reason;
    }
}
