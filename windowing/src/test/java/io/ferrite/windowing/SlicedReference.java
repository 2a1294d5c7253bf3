package io.ferrite.windowing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import io.ferrite.memory.schema.Schema;
import io.ferrite.windowing.aggregate.AggregatesReference;
import io.ferrite.windowing.aggregate.AggregatesReference.Part;
import io.ferrite.windowing.aggregate.AggregatesReference.Rec;

/**
 * A from-the-spec model of tumbling and sliding windows, written without looking at how the operator computes them:
 * every accepted record is kept, a window's result is recomputed from its records at each emission, and the expected
 * emissions are collected per key in order, as {@link #emission} text.
 * <ul>
 *     <li>Window starts are {@code offset' + k * slide} ({@code offset'} normalised to {@code [0, slide)}); window
 *     {@code [start, start + size)} holds {@code start <= ts < start + size}; an end past {@link Long#MAX_VALUE}
 *     clamps to it. A window fires when the watermark reaches {@code end - 1} (at the final watermark when its end
 *     clamped to {@link Long#MAX_VALUE}), once, if it holds records.</li>
 *     <li>A record at or below the watermark is refused iff its latest window has expired
 *     ({@code fire time + lateness <= watermark}); otherwise it joins all its windows, and each of them that has
 *     closed but not expired emits LATE with its complete contents, in window order.</li>
 *     <li>Early results: a key with no early timer that takes a record arms one at (latest processing time) + period;
 *     when it fires, each of the key's open non-empty windows emits EARLY, and it is not re-armed until the key's next
 *     record.</li>
 * </ul>
 * Timestamps are assumed to be above {@code Long.MIN_VALUE / 2} (no clamping at the bottom of the range).
 */
final class SlicedReference
{
    private static final class Window
    {
        final long key;
        final long start;
        final long end;
        final long fireTime;
        final List<Rec> records = new ArrayList<>();

        Window(final long key, final long start, final long end)
        {
            this.key = key;
            this.start = start;
            this.end = end;
            this.fireTime = end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1;
        }
    }

    private final long size;
    private final long slide;
    private final long offset;
    private final long lateness;
    private final long earlyPeriod;
    private final Schema outputSchema;
    private final Part[] parts;

    private final Map<Long, TreeMap<Long, Window>> windowsByKey = new HashMap<>();
    private final TreeMap<Long, List<Window>> byFireTime = new TreeMap<>();
    private final Map<Long, Long> earlyTimers = new HashMap<>();
    private final Map<Long, List<String>> emissions = new HashMap<>();
    private final Set<Long> touched = new LinkedHashSet<>();

    private long watermark = Long.MIN_VALUE;
    private long now;
    private long lateRecords;
    private long missedStart;
    private long missedEnd;

    SlicedReference(
        final long size,
        final long slide,
        final long offset,
        final long lateness,
        final long earlyPeriod,
        final Schema outputSchema,
        final Part... parts)
    {
        this.size = size;
        this.slide = slide;
        this.offset = Math.floorMod(offset, slide);
        this.lateness = lateness;
        this.earlyPeriod = earlyPeriod;
        this.outputSchema = outputSchema;
        this.parts = parts.clone();
    }

    static String emission(final long start, final long end, final byte firing, final long count, final String result)
    {
        return "[" + start + ", " + end + ") " + Firing.name(firing) + " n=" + count + " {" + result + "}";
    }

    /**
     * The starts of the windows holding a timestamp, ascending.
     */
    List<Long> windowStarts(final long ts)
    {
        // The greatest start at or below ts, then back by slide while the window still reaches ts.
        final long latest = ts - Math.floorMod(ts - offset, slide);
        final List<Long> starts = new ArrayList<>();
        for (long start = latest; start > ts - size; start -= slide)
        {
            starts.add(0, start);
        }
        return starts;
    }

    long windowEnd(final long start)
    {
        return start > Long.MAX_VALUE - size ? Long.MAX_VALUE : start + size;
    }

    private long fireTime(final long end)
    {
        return end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1;
    }

    private boolean isClosed(final long end)
    {
        return fireTime(end) <= watermark;
    }

    private boolean isExpired(final long end)
    {
        final long fire = fireTime(end);
        final long expiry = fire > Long.MAX_VALUE - lateness ? Long.MAX_VALUE : fire + lateness;
        return expiry <= watermark;
    }

    /**
     * Take a record; returns whether it was accepted, queuing the LATE emissions it causes.
     */
    boolean onRecord(final Rec record)
    {
        final List<Long> starts = windowStarts(record.ts);
        if (record.ts <= watermark)
        {
            final long latest = starts.get(starts.size() - 1);
            if (isExpired(windowEnd(latest)))
            {
                lateRecords++;
                missedStart = latest;
                missedEnd = windowEnd(latest);
                return false;
            }
        }
        final TreeMap<Long, Window> windows = windowsByKey.computeIfAbsent(record.key, k -> new TreeMap<>());
        for (final long start : starts)
        {
            Window window = windows.get(start);
            if (null == window)
            {
                window = new Window(record.key, start, windowEnd(start));
                windows.put(start, window);
                byFireTime.computeIfAbsent(window.fireTime, t -> new ArrayList<>()).add(window);
            }
            window.records.add(record);
            if (isClosed(window.end) && !isExpired(window.end))
            {
                emit(window, Firing.LATE);
            }
        }
        if (earlyPeriod > 0 && !earlyTimers.containsKey(record.key))
        {
            earlyTimers.put(record.key, now > Long.MAX_VALUE - earlyPeriod ? Long.MAX_VALUE : now + earlyPeriod);
        }
        return true;
    }

    void advanceWatermark(final long newWatermark)
    {
        if (newWatermark <= watermark)
        {
            return;
        }
        final NavigableMap<Long, List<Window>> due = byFireTime.subMap(watermark, false, newWatermark, true);
        watermark = newWatermark;
        for (final List<Window> windows : due.values())
        {
            for (final Window window : windows)
            {
                emit(window, Firing.ON_TIME);
            }
        }
    }

    void onProcessingTime(final long time)
    {
        now = Math.max(now, time);
        final List<Long> fired = new ArrayList<>();
        for (final Map.Entry<Long, Long> timer : earlyTimers.entrySet())
        {
            if (timer.getValue() <= now)
            {
                fired.add(timer.getKey());
            }
        }
        for (final long key : fired)
        {
            earlyTimers.remove(key);
            final TreeMap<Long, Window> windows = windowsByKey.get(key);
            if (null != windows)
            {
                for (final Window window : windows.values())
                {
                    if (!isClosed(window.end))
                    {
                        emit(window, Firing.EARLY);
                    }
                }
            }
        }
    }

    void endOfStream()
    {
        advanceWatermark(Long.MAX_VALUE);
    }

    private void emit(final Window window, final byte firing)
    {
        final String result = AggregatesReference.expected(outputSchema, window.records, parts);
        emissions.computeIfAbsent(window.key, k -> new ArrayList<>())
            .add(emission(window.start, window.end, firing, window.records.size(), result));
        touched.add(window.key);
    }

    Map<Long, List<String>> emissions()
    {
        return emissions;
    }

    /**
     * Expect an emission the model did not make: for checking that the driver notices.
     */
    void expectExtra(final long key, final String emission)
    {
        emissions.computeIfAbsent(key, k -> new ArrayList<>()).add(emission);
        touched.add(key);
    }

    /**
     * The keys with emissions since the last call.
     */
    Set<Long> drainTouched()
    {
        final Set<Long> keys = new LinkedHashSet<>(touched);
        touched.clear();
        return keys;
    }

    long watermark()
    {
        return watermark;
    }

    long lateRecords()
    {
        return lateRecords;
    }

    long missedStart()
    {
        return missedStart;
    }

    long missedEnd()
    {
        return missedEnd;
    }

    /**
     * The latest event time any window of any key ends at, to pass every window with the watermark.
     */
    long lastFireTime()
    {
        return byFireTime.isEmpty() ? Long.MIN_VALUE : byFireTime.lastKey();
    }
}
