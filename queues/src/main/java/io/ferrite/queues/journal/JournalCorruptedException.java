package io.ferrite.queues.journal;

/**
 * Thrown when a journal entry fails its check: a CRC32C mismatch or an impossible length. It names the journal file,
 * the entry's index and the byte offset of the entry in that file.
 */
public final class JournalCorruptedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long index;
    private final long offset;

    /**
     * An exception describing a corrupted entry.
     *
     * @param file   the journal file holding the entry.
     * @param index  the entry's index.
     * @param offset the entry's byte offset in the file, -1 when unknown.
     * @param reason what is wrong.
     */
    public JournalCorruptedException(final String file, final long index, final long offset, final String reason)
    {
        super("journal corrupted: file=" + file + " index=" + index + " (0x" + Long.toHexString(index) + ") offset=" +
            offset + ": " + reason);
        this.file = file;
        this.index = index;
        this.offset = offset;
    }

    /**
     * The journal file holding the entry.
     *
     * @return the file's path.
     */
    public String file()
    {
        return file;
    }

    /**
     * The entry's index.
     *
     * @return the index.
     */
    public long index()
    {
        return index;
    }

    /**
     * The entry's byte offset in its file.
     *
     * @return the offset, -1 when unknown.
     */
    public long offset()
    {
        return offset;
    }
}
