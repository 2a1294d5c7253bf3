package io.ferrite.queues.journal;

/**
 * Thrown when the journal cannot write, map or sync its files: a full disk, an I/O error, a mapped-memory fault. The
 * append or sync that throws it is not acknowledged; every entry acknowledged before it is on disk. A journal that
 * has thrown it is closed for appends: an error from a sync is fatal, never retried.
 */
public final class JournalIOException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An exception wrapping the I/O fault.
     *
     * @param message what failed, naming the journal.
     * @param cause   the underlying fault.
     */
    public JournalIOException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
