package io.ferrite.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.ferrite.memory.csv.MalformedRecordException;

/**
 * A stage instance's side of the job's error policy: under {@link ErrorPolicy#FAIL} a failure becomes an
 * {@link OperatorException} that stops the job; under {@link ErrorPolicy#DEAD_LETTER} the record and its reason go
 * to the job's dead-letter journal, the stage's error counter goes up, and the stage carries on.
 */
final class StageErrors
{
    private final ErrorPolicy policy;
    private final DeadLetters deadLetters;
    private final AtomicCounter counter;
    private long errors;
    private long epoch;

    StageErrors(final ErrorPolicy policy, final DeadLetters deadLetters, final AtomicCounter counter)
    {
        this.policy = policy;
        this.deadLetters = deadLetters;
        this.counter = counter;
    }

    /**
     * The stage has passed (or was restored from) checkpoint {@code id}: its dead letters from now on belong after it.
     */
    void epoch(final long id)
    {
        epoch = id;
    }

    void onFunctionError(final String operator, final RecordView record, final Exception cause)
    {
        if (cause instanceof OperatorException)
        {
            throw (OperatorException)cause;
        }
        if (policy == ErrorPolicy.FAIL)
        {
            throw new OperatorException(operator, "record " + record, cause);
        }
        deadLetters.write(epoch, operator, String.valueOf(cause), record.buffer(), record.offset(),
            record.schema().recordLength(), record.sourceId(), record.journalIndex());
        count();
    }

    void onPairError(final String operator, final RecordView left, final RecordView right, final Exception cause)
    {
        if (cause instanceof OperatorException)
        {
            throw (OperatorException)cause;
        }
        if (policy == ErrorPolicy.FAIL)
        {
            throw new OperatorException(operator, "pair of left record " + left + " and right record " + right, cause);
        }
        deadLetters.write(epoch, operator, "paired with right record " + right + ": " + cause, left.buffer(),
            left.offset(), left.schema().recordLength(), left.sourceId(), left.journalIndex());
        count();
    }

    void onTimerError(final String operator, final long key, final long timestamp, final Exception cause)
    {
        if (cause instanceof OperatorException)
        {
            throw (OperatorException)cause;
        }
        if (policy == ErrorPolicy.FAIL)
        {
            throw new OperatorException(operator, "timer key=" + key + " time=" + timestamp, cause);
        }
        deadLetters.write(epoch, operator, "timer key=" + key + " time=" + timestamp + ": " + cause, null, 0, 0, -1,
            timestamp);
        count();
    }

    void onMalformed(
        final String source,
        final MalformedRecordException cause,
        final DirectBuffer line,
        final int offset,
        final int length,
        final int sourceId)
    {
        if (policy == ErrorPolicy.FAIL)
        {
            throw new OperatorException(source, "line " + cause.lineNumber(), cause);
        }
        deadLetters.write(epoch, source, cause.getMessage(), line, offset, length, sourceId, cause.lineNumber());
        count();
    }

    long errors()
    {
        return errors;
    }

    private void count()
    {
        errors++;
        if (null != counter)
        {
            counter.setRelease(errors);
        }
    }
}
