package io.ferrite.engine;

/**
 * Thrown by {@link Job#await} when the job failed: the cause is the first error a stage threw, an
 * {@link OperatorException} when a user function failed under the fail policy.
 */
public final class JobFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A failure.
     *
     * @param job   the job's name.
     * @param cause the error that stopped it.
     */
    public JobFailedException(final String job, final Throwable cause)
    {
        super("job '" + job + "' failed: " + cause.getMessage(), cause);
    }
}
