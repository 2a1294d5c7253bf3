package io.ferrite.engine;

/**
 * Which clock a timer follows.
 */
public enum TimeDomain
{
    /**
     * Event time: the timer fires when the operator's watermark reaches its timestamp.
     */
    EVENT_TIME,

    /**
     * Processing time: the timer fires when the job's clock reaches its timestamp, in nanoseconds.
     */
    PROCESSING_TIME
}
