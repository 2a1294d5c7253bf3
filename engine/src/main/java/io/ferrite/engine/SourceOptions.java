package io.ferrite.engine;

import java.util.concurrent.TimeUnit;

import io.ferrite.queues.journal.Journal;

/**
 * How a source is read: its event-time field and watermark strategy, its idle timeout, whether it is journaled and
 * how durably, its ring's size, and the options only some kinds of source use. Defaults: the schema's only
 * timestamp field, bounded out-of-orderness of 0 (monotonic), no idle timeout, journaled process-safe, a ring of
 * 1024 slots, generators as fast as possible without end, journal tails that keep tailing.
 * <p>
 * <b>Note:</b> Copied when the source is added; not threadsafe while being built.
 */
public final class SourceOptions
{
    String timestampField;
    WatermarkStrategy watermarks = WatermarkStrategy.monotonic();
    long idleTimeoutNs;
    boolean journaled = true;
    Journal.Durability durability = Journal.Durability.PROCESS_SAFE;
    int ringCapacity = 1024;
    long ratePerSecond;
    long maxRecords = Long.MAX_VALUE;
    boolean endAtLastEntry;

    /**
     * Options with the defaults.
     */
    public SourceOptions()
    {
    }

    SourceOptions copy()
    {
        final SourceOptions copy = new SourceOptions();
        copy.timestampField = timestampField;
        copy.watermarks = watermarks;
        copy.idleTimeoutNs = idleTimeoutNs;
        copy.journaled = journaled;
        copy.durability = durability;
        copy.ringCapacity = ringCapacity;
        copy.ratePerSecond = ratePerSecond;
        copy.maxRecords = maxRecords;
        copy.endAtLastEntry = endAtLastEntry;
        return copy;
    }

    /**
     * The field holding each record's event time; needed when the schema has more than one timestamp field.
     *
     * @param fieldName a timestamp field of the source's schema.
     * @return this for a fluent API.
     */
    public SourceOptions timestampField(final String fieldName)
    {
        this.timestampField = fieldName;
        return this;
    }

    /**
     * The watermark strategy.
     *
     * @param strategy the strategy.
     * @return this for a fluent API.
     */
    public SourceOptions watermarks(final WatermarkStrategy strategy)
    {
        this.watermarks = strategy;
        return this;
    }

    /**
     * After this much silence the source marks itself idle, so downstream watermarks do not wait for it.
     *
     * @param timeout the silence; 0 for never.
     * @param unit    its unit.
     * @return this for a fluent API.
     */
    public SourceOptions idleTimeout(final long timeout, final TimeUnit unit)
    {
        if (timeout < 0)
        {
            throw new IllegalArgumentException("idle timeout must not be negative: " + timeout);
        }
        this.idleTimeoutNs = unit.toNanos(timeout);
        return this;
    }

    /**
     * Whether a publisher or generator source journals its records before they enter the pipeline. Without a
     * journal nothing can be replayed and the job says it cannot recover.
     *
     * @param journaled false to turn journaling off.
     * @return this for a fluent API.
     */
    public SourceOptions journaled(final boolean journaled)
    {
        this.journaled = journaled;
        return this;
    }

    /**
     * How durable an acknowledged record is: process-safe (survives the process) or power-safe (synced to disk
     * before the record enters the pipeline).
     *
     * @param durability the durability.
     * @return this for a fluent API.
     */
    public SourceOptions durability(final Journal.Durability durability)
    {
        this.durability = durability;
        return this;
    }

    /**
     * Slots in the ring a publisher's threads write into.
     *
     * @param capacity a power of two.
     * @return this for a fluent API.
     */
    public SourceOptions ringCapacity(final int capacity)
    {
        this.ringCapacity = capacity;
        return this;
    }

    /**
     * A generator's rate; 0 for as fast as the pipeline takes records.
     *
     * @param recordsPerSecond the rate.
     * @return this for a fluent API.
     */
    public SourceOptions ratePerSecond(final long recordsPerSecond)
    {
        if (recordsPerSecond < 0)
        {
            throw new IllegalArgumentException("rate must not be negative: " + recordsPerSecond);
        }
        this.ratePerSecond = recordsPerSecond;
        return this;
    }

    /**
     * A generator ends after this many records.
     *
     * @param count the count.
     * @return this for a fluent API.
     */
    public SourceOptions maxRecords(final long count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("max records must not be negative: " + count);
        }
        this.maxRecords = count;
        return this;
    }

    /**
     * A journal tail ends at the journal's last entry as of the job's start (a replay), instead of tailing on.
     *
     * @param end true to end there.
     * @return this for a fluent API.
     */
    public SourceOptions endAtLastEntry(final boolean end)
    {
        this.endAtLastEntry = end;
        return this;
    }
}
