package io.ferrite.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.ferrite.engine.runtime.StageOperator;
import io.ferrite.engine.runtime.StageOutput;
import io.ferrite.engine.time.WatermarkTracker;
import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.crash.CrashPoints;
import io.ferrite.memory.csv.CsvCodec;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;
import io.ferrite.memory.table.OffHeapHashTable;
import io.ferrite.memory.timer.TimerHandler;
import io.ferrite.memory.timer.TimerQueue;
import io.ferrite.queues.committed.CommittedJournal;
import io.ferrite.queues.journal.Journal;

/**
 * The operators of a stage, as a tree of links: each link handles a record and pushes what it produces to the links
 * after it, synchronously, on the stage's thread; the tree's leaves are sinks and routes into the ring channels of
 * the next stages. A chain is the {@link StageOperator} a stage runs.
 */
final class Links
{
    private static final Link[] NONE = new Link[0];

    private Links()
    {
    }

    /**
     * One operator instance in a stage.
     */
    abstract static class Link
    {
        final String name;
        final StageErrors errors;
        Link[] next = NONE;
        int maxOutputs;
        private Link[][] targets;

        Link(final String name, final StageErrors errors)
        {
            this.name = name;
            this.errors = errors;
        }

        void addNext(final Link link)
        {
            next = Arrays.copyOf(next, next.length + 1);
            next[next.length - 1] = link;
            targets = null;
        }

        void addNext(final int port, final Link link)
        {
            if (port != 0)
            {
                throw new IllegalStateException("operator '" + name + "' has no side output " + port);
            }
            addNext(link);
        }

        final Link[][] targets()
        {
            if (null == targets)
            {
                targets = allTargets();
            }
            return targets;
        }

        final void targetsChanged()
        {
            targets = null;
        }

        abstract void onRecord(
            int side, DirectBuffer buffer, int offset, int length, long timestamp, int sourceId, long journalIndex);

        final void push(
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            for (final Link link : next)
            {
                link.onRecord(0, buffer, offset, length, timestamp, sourceId, journalIndex);
            }
        }

        int multiplier()
        {
            return 1;
        }

        Link[][] allTargets()
        {
            return new Link[][]{next};
        }

        int computeMaxOutputs()
        {
            int most = 0;
            for (final Link[] outputs : targets())
            {
                for (final Link link : outputs)
                {
                    most = Math.max(most, link.computeMaxOutputs());
                }
            }
            maxOutputs = multiplier() * most;
            return maxOutputs;
        }

        boolean onWatermark(final long watermark, final int limit)
        {
            boolean done = true;
            for (final Link[] outputs : targets())
            {
                for (final Link link : outputs)
                {
                    done &= link.onWatermark(watermark, limit);
                }
            }
            return done;
        }

        long nextProcessingTime()
        {
            return Long.MAX_VALUE;
        }

        int onProcessingTime(final long nowNs, final int limit)
        {
            return 0;
        }

        /**
         * Whether the link takes a record now; only a stage's head is asked.
         */
        boolean ready()
        {
            return true;
        }

        boolean onEndOfStream(final int limit)
        {
            boolean done = true;
            for (final Link[] outputs : targets())
            {
                for (final Link link : outputs)
                {
                    done &= link.onEndOfStream(limit);
                }
            }
            return done;
        }

        void close()
        {
        }

        /**
         * Whether this operator can take part in checkpoints.
         *
         * @return false for one that cannot: a checkpoint of its job is refused, with {@link #checkpointRefusal()}.
         */
        boolean supportsCheckpoints()
        {
            return true;
        }

        /**
         * Why a checkpoint of this operator's job is refused, and what to use instead, for the message.
         *
         * @return the operator and the reason.
         */
        String checkpointRefusal()
        {
            return "'" + name + "' cannot be checkpointed";
        }

        /**
         * Write this operator's state into a checkpoint; nothing for a stateless one.
         *
         * @param checkpointId the checkpoint.
         * @param writer       where to write.
         * @throws IOException if writing fails.
         */
        void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
        {
        }

        /**
         * Restore the state {@link #snapshot} wrote.
         *
         * @param checkpointId the checkpoint.
         * @param reader       where to read.
         * @throws IOException if reading fails or the state is not this operator's.
         */
        void restore(final long checkpointId, final SnapshotReader reader) throws IOException
        {
        }

        /**
         * Recovery is over: the checkpoint restored, or -1 for none.
         *
         * @param checkpointId the checkpoint, or -1.
         */
        void recovered(final long checkpointId)
        {
        }

        /**
         * A checkpoint completed.
         *
         * @param checkpointId the checkpoint.
         */
        void onCheckpointComplete(final long checkpointId)
        {
        }

        /**
         * Visit this link and every link after it, depth first in a fixed order.
         *
         * @param visitor what to do with each.
         * @throws IOException if the visitor fails.
         */
        final void visit(final LinkVisitor visitor) throws IOException
        {
            visitor.visit(this);
            for (final Link[] outputs : targets())
            {
                for (final Link link : outputs)
                {
                    link.visit(visitor);
                }
            }
        }
    }

    /**
     * Visits the links of a chain.
     */
    @FunctionalInterface
    interface LinkVisitor
    {
        /**
         * Visit one link.
         *
         * @param link the link.
         * @throws IOException if it fails.
         */
        void visit(Link link) throws IOException;
    }

    /**
     * The operator tree of one stage instance, as the stage sees it.
     */
    static final class Chain implements StageOperator
    {
        private final Link head;
        private final int maxOutputs;
        private final StageErrors errors;

        Chain(final Link head, final StageErrors errors)
        {
            this.head = head;
            this.errors = errors;
            this.maxOutputs = Math.max(1, head.computeMaxOutputs());
        }

        @Override
        public int maxOutputsPerRecord()
        {
            return maxOutputs;
        }

        @Override
        public boolean readyForRecord()
        {
            return head.ready();
        }

        @Override
        public void onRecord(
            final int input,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex,
            final StageOutput output)
        {
            head.onRecord(input, buffer, offset, length, timestamp, sourceId, journalIndex);
        }

        @Override
        public boolean onWatermark(final long watermark, final StageOutput output, final int limit)
        {
            return head.onWatermark(watermark, limit);
        }

        @Override
        public long nextProcessingTime()
        {
            return head.nextProcessingTime();
        }

        @Override
        public int onProcessingTime(final long nowNs, final StageOutput output, final int limit)
        {
            return head.onProcessingTime(nowNs, limit);
        }

        @Override
        public boolean onEndOfStream(final StageOutput output, final int limit)
        {
            return head.onEndOfStream(limit);
        }

        @Override
        public void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
        {
            head.visit((link) ->
            {
                writer.writeInt(link.name.hashCode());
                link.snapshot(checkpointId, writer);
            });
            errors.epoch(checkpointId);
        }

        @Override
        public void restore(final long checkpointId, final SnapshotReader reader) throws IOException
        {
            head.visit((link) ->
            {
                final int nameHash = reader.readInt();
                if (nameHash != link.name.hashCode())
                {
                    throw new SnapshotCorruptedException(reader.source(), reader.offset(), "the checkpoint's " +
                        "operators differ from this stage's at '" + link.name + "' (the pipeline changed?)");
                }
                try
                {
                    link.restore(checkpointId, reader);
                }
                catch (final SnapshotCorruptedException ex)
                {
                    final SnapshotCorruptedException named = new SnapshotCorruptedException(ex.source(), ex.offset(),
                        "operator '" + link.name + "': " + ex.reason());
                    named.initCause(ex);
                    throw named;
                }
            });
            errors.epoch(checkpointId);
        }

        @Override
        public void onCheckpointComplete(final long checkpointId)
        {
            visitUnchecked((link) -> link.onCheckpointComplete(checkpointId));
        }

        @Override
        public void recovered(final long checkpointId)
        {
            visitUnchecked((link) -> link.recovered(checkpointId));
        }

        /**
         * Visit every link for a hook that does no I/O of the visit's own.
         */
        private void visitUnchecked(final LinkVisitor visitor)
        {
            try
            {
                head.visit(visitor);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /**
     * The head of a source stage or a union: passes records on unchanged.
     */
    static final class PassLink extends Link
    {
        PassLink(final String name, final StageErrors errors)
        {
            super(name, errors);
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            push(buffer, offset, length, timestamp, sourceId, journalIndex);
        }
    }

    /**
     * map.
     */
    static final class MapLink extends Link
    {
        private final MapFunction function;
        private final RecordView in;
        private final RecordWriter out;
        private final UnsafeBuffer scratch;
        private final int outLength;

        MapLink(
            final String name,
            final StageErrors errors,
            final MapFunction function,
            final Schema inSchema,
            final Schema outSchema)
        {
            super(name, errors);
            this.function = function;
            this.in = new RecordView(inSchema);
            this.out = new RecordWriter(outSchema);
            this.outLength = outSchema.recordLength();
            this.scratch = new UnsafeBuffer(new byte[Math.max(8, outLength)]);
            out.wrapMutable(scratch, 0);
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            in.wrap(buffer, offset, timestamp, sourceId, journalIndex);
            out.clear();
            out.wrap(scratch, 0, timestamp, sourceId, journalIndex);
            try
            {
                function.map(in, out);
            }
            catch (final Exception ex)
            {
                errors.onFunctionError(name, in, ex);
                return;
            }
            push(scratch, 0, outLength, timestamp, sourceId, journalIndex);
        }
    }

    /**
     * filter.
     */
    static final class FilterLink extends Link
    {
        private final FilterFunction function;
        private final RecordView in;

        FilterLink(final String name, final StageErrors errors, final FilterFunction function, final Schema schema)
        {
            super(name, errors);
            this.function = function;
            this.in = new RecordView(schema);
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            in.wrap(buffer, offset, timestamp, sourceId, journalIndex);
            final boolean keep;
            try
            {
                keep = function.test(in);
            }
            catch (final Exception ex)
            {
                errors.onFunctionError(name, in, ex);
                return;
            }
            if (keep)
            {
                push(buffer, offset, length, timestamp, sourceId, journalIndex);
            }
        }
    }

    /**
     * The collector an operator emits through: a zeroed output record in a scratch buffer, pushed on emit, with the
     * operator's declared bound per call enforced.
     */
    static final class OutputCollector implements Collector
    {
        private final String operator;
        private final RecordWriter writer;
        private final UnsafeBuffer scratch;
        private final int length;
        private final int max;
        private Link[] targets = NONE;
        private int emitted;
        private boolean begun;
        private long timestamp;
        private int sourceId;
        private long journalIndex;

        OutputCollector(final String operator, final Schema schema, final int max)
        {
            this.operator = operator;
            this.writer = new RecordWriter(schema);
            this.length = schema.recordLength();
            this.scratch = new UnsafeBuffer(new byte[Math.max(8, length)]);
            this.max = max;
            writer.wrapMutable(scratch, 0);
        }

        void addTarget(final Link link)
        {
            targets = Arrays.copyOf(targets, targets.length + 1);
            targets[targets.length - 1] = link;
        }

        Link[] targets()
        {
            return targets;
        }

        void reset(final long timestamp, final int sourceId, final long journalIndex)
        {
            this.timestamp = timestamp;
            this.sourceId = sourceId;
            this.journalIndex = journalIndex;
            this.emitted = 0;
            this.begun = false;
        }

        @Override
        public RecordWriter begin()
        {
            if (emitted >= max)
            {
                throw new IllegalStateException("operator '" + operator + "' emitted more than its declared " +
                    "maximum of " + max + " record(s) per call; declare a larger maximum when adding it");
            }
            writer.clear();
            writer.wrap(scratch, 0, timestamp, sourceId, journalIndex);
            begun = true;
            return writer;
        }

        @Override
        public void emit()
        {
            emit(timestamp);
        }

        @Override
        public void emit(final long eventTime)
        {
            if (!begun)
            {
                throw new IllegalStateException("operator '" + operator + "': emit() without begin()");
            }
            begun = false;
            emitted++;
            for (final Link link : targets)
            {
                link.onRecord(0, scratch, 0, length, eventTime, sourceId, journalIndex);
            }
        }
    }

    /**
     * flatMap.
     */
    static final class FlatMapLink extends Link
    {
        private final FlatMapFunction function;
        private final RecordView in;
        private final OutputCollector out;
        private final int maxPerRecord;

        FlatMapLink(
            final String name,
            final StageErrors errors,
            final FlatMapFunction function,
            final Schema inSchema,
            final Schema outSchema,
            final int maxPerRecord)
        {
            super(name, errors);
            this.function = function;
            this.in = new RecordView(inSchema);
            this.out = new OutputCollector(name, outSchema, maxPerRecord);
            this.maxPerRecord = maxPerRecord;
        }

        @Override
        void addNext(final Link link)
        {
            super.addNext(link);
            out.addTarget(link);
        }

        @Override
        int multiplier()
        {
            return maxPerRecord;
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            in.wrap(buffer, offset, timestamp, sourceId, journalIndex);
            out.reset(timestamp, sourceId, journalIndex);
            try
            {
                function.flatMap(in, out);
            }
            catch (final Exception ex)
            {
                errors.onFunctionError(name, in, ex);
            }
        }
    }

    /**
     * A keyed process operator, one or two inputs: value state in an off-heap table, event-time and processing-time
     * timers in off-heap timer queues, a main output and side outputs. Always the head of its stage. A checkpoint
     * holds the table and both timer queues.
     */
    static final class ProcessLink extends Link implements KeyedContext
    {
        private final KeyedProcessFunction single;
        private final CoProcessFunction dual;
        private final int[] sideOfInput;
        private final KeySpec.KeyReader[] keys;
        private final RecordView[] views;
        private final OffHeapHashTable state;
        private final RecordWriter stateWriter;
        private final TimerQueue eventTimers;
        private final TimerQueue processingTimers;
        private final OutputCollector main;
        private final OutputCollector[] sides;
        private final OutputTag[] tags;
        private final NanoClock clock;
        private final int maxPerCall;
        private final TimerHandler eventHandler = this::onEventTimer;
        private final TimerHandler processingHandler = this::onProcessingTimer;
        private long key;
        private long timestamp;
        private long watermark = WatermarkTracker.NO_WATERMARK;

        ProcessLink(
            final Node node,
            final String instanceName,
            final StageErrors errors,
            final int[] sideOfInput,
            final KeySpec[] keySpecs,
            final MemoryManager memoryManager,
            final NanoClock clock)
        {
            super(node.name, errors);
            this.single = node.kind == Node.Kind.PROCESS ? (KeyedProcessFunction)node.function : null;
            this.dual = node.kind == Node.Kind.CO_PROCESS ? (CoProcessFunction)node.function : null;
            this.sideOfInput = sideOfInput;
            this.keys = new KeySpec.KeyReader[keySpecs.length];
            this.views = new RecordView[keySpecs.length];
            for (int i = 0; i < keySpecs.length; i++)
            {
                keys[i] = keySpecs[i].newReader();
                views[i] = new RecordView(keySpecs[i].schema);
            }
            this.clock = clock;
            this.maxPerCall = node.maxOutputs;
            this.tags = node.sideTags.clone();
            this.main = new OutputCollector(node.name, node.schema, maxPerCall);
            this.sides = new OutputCollector[tags.length];
            for (int i = 0; i < tags.length; i++)
            {
                sides[i] = new OutputCollector(node.name + "." + tags[i].name(), tags[i].schema(), maxPerCall);
            }
            OffHeapHashTable table = null;
            TimerQueue event = null;
            try
            {
                if (null != node.stateSchema)
                {
                    table = new OffHeapHashTable(memoryManager, instanceName + ".state", 8,
                        node.stateSchema.recordLength(), 1024, OffHeapHashTable.DEFAULT_LOAD_FACTOR,
                        node.stateSchema.fingerprint());
                }
                event = new TimerQueue(memoryManager, instanceName + ".event-timers", 8, 256);
                this.processingTimers = new TimerQueue(memoryManager, instanceName + ".processing-timers", 8, 64);
            }
            catch (final RuntimeException ex)
            {
                if (null != table)
                {
                    table.close();
                }
                if (null != event)
                {
                    event.close();
                }
                throw ex;
            }
            this.state = table;
            this.eventTimers = event;
            this.stateWriter = null == node.stateSchema ? null : new RecordWriter(node.stateSchema);
        }

        @Override
        void addNext(final Link link)
        {
            addNext(0, link);
        }

        @Override
        void addNext(final int port, final Link link)
        {
            if (port == 0)
            {
                super.addNext(link);
                main.addTarget(link);
            }
            else
            {
                sides[port - 1].addTarget(link);
                targetsChanged();
            }
        }

        @Override
        Link[][] allTargets()
        {
            final Link[][] all = new Link[1 + sides.length][];
            all[0] = next;
            for (int i = 0; i < sides.length; i++)
            {
                all[i + 1] = sides[i].targets();
            }
            return all;
        }

        @Override
        int multiplier()
        {
            return maxPerCall;
        }

        private void reset(final long time, final int sourceId, final long journalIndex)
        {
            main.reset(time, sourceId, journalIndex);
            for (final OutputCollector side : sides)
            {
                side.reset(time, sourceId, journalIndex);
            }
        }

        @Override
        void onRecord(
            final int input,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long recordTime,
            final int sourceId,
            final long journalIndex)
        {
            final int side = sideOfInput[input];
            key = keys[side].key(buffer, offset, recordTime, sourceId, journalIndex);
            timestamp = recordTime;
            reset(recordTime, sourceId, journalIndex);
            final RecordView view = views[side].wrap(buffer, offset, recordTime, sourceId, journalIndex);
            try
            {
                if (null != single)
                {
                    single.processRecord(view, this, main);
                }
                else if (side == 0)
                {
                    dual.processFirst(view, this, main);
                }
                else
                {
                    dual.processSecond(view, this, main);
                }
            }
            catch (final Exception ex)
            {
                errors.onFunctionError(name, view, ex);
            }
        }

        private void fire(final long time, final long timerKey, final TimeDomain domain)
        {
            key = timerKey;
            timestamp = time;
            reset(time, -1, time);
            try
            {
                if (null != single)
                {
                    single.onTimer(time, domain, this, main);
                }
                else
                {
                    dual.onTimer(time, domain, this, main);
                }
            }
            catch (final Exception ex)
            {
                errors.onTimerError(name, timerKey, time, ex);
            }
        }

        private void onEventTimer(final long time, final DirectBuffer keyBuffer, final int keyOffset)
        {
            fire(time, keyBuffer.getLong(keyOffset), TimeDomain.EVENT_TIME);
        }

        private void onProcessingTimer(final long time, final DirectBuffer keyBuffer, final int keyOffset)
        {
            fire(time, keyBuffer.getLong(keyOffset), TimeDomain.PROCESSING_TIME);
        }

        private int timersPerCall(final int limit)
        {
            return limit / Math.max(1, maxOutputs);
        }

        @Override
        boolean onWatermark(final long newWatermark, final int limit)
        {
            watermark = newWatermark;
            if (eventTimers.size() > 0 && eventTimers.nextTimestamp() <= newWatermark)
            {
                final int timers = timersPerCall(limit);
                if (timers < 1)
                {
                    return false;
                }
                eventTimers.fireUpTo(newWatermark, eventHandler, timers);
                if (eventTimers.size() > 0 && eventTimers.nextTimestamp() <= newWatermark)
                {
                    return false;
                }
            }
            return super.onWatermark(newWatermark, limit);
        }

        @Override
        long nextProcessingTime()
        {
            return processingTimers.size() > 0 ? processingTimers.nextTimestamp() : Long.MAX_VALUE;
        }

        @Override
        int onProcessingTime(final long nowNs, final int limit)
        {
            final int timers = timersPerCall(limit);
            return timers < 1 ? 0 : processingTimers.fireUpTo(nowNs, processingHandler, timers);
        }

        @Override
        public long key()
        {
            return key;
        }

        @Override
        public long timestamp()
        {
            return timestamp;
        }

        @Override
        public long watermark()
        {
            return watermark;
        }

        @Override
        public long processingTime()
        {
            return clock.nanoTime();
        }

        @Override
        public boolean hasState()
        {
            return null != state && state.get(key) != OffHeapHashTable.MISSING;
        }

        @Override
        public RecordWriter state()
        {
            if (null == state)
            {
                throw new IllegalStateException("operator '" + name + "' declared no state schema");
            }
            final int valueOffset = state.getOrInsert(key);
            return stateWriter.wrapMutable(state.buffer(), valueOffset);
        }

        @Override
        public void clearState()
        {
            if (null != state)
            {
                state.remove(key);
            }
        }

        @Override
        public void registerEventTimeTimer(final long time)
        {
            eventTimers.register(time, key);
        }

        @Override
        public void deleteEventTimeTimer(final long time)
        {
            eventTimers.delete(time, key);
        }

        @Override
        public void registerProcessingTimeTimer(final long timeNs)
        {
            processingTimers.register(timeNs, key);
        }

        @Override
        public void deleteProcessingTimeTimer(final long timeNs)
        {
            processingTimers.delete(timeNs, key);
        }

        @Override
        public Collector side(final OutputTag tag)
        {
            for (int i = 0; i < tags.length; i++)
            {
                if (tags[i] == tag)
                {
                    return sides[i];
                }
            }
            throw new IllegalArgumentException("operator '" + name + "' declares no side output " + tag);
        }

        /**
         * The watermark and the current key and time, whether the function declared value state, then the state
         * table, the event-time and the processing-time timer queues, each with its own header. Processing-time
         * timers keep their absolute times: on the default epoch clock, those that fell due while the job was down
         * fire as soon as it runs again.
         */
        @Override
        void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
        {
            writer.writeLong(watermark);
            writer.writeLong(key);
            writer.writeLong(timestamp);
            writer.writeInt(null != state ? 1 : 0);
            if (null != state)
            {
                state.writeTo(writer);
            }
            eventTimers.writeTo(writer);
            processingTimers.writeTo(writer);
        }

        @Override
        void restore(final long checkpointId, final SnapshotReader reader) throws IOException
        {
            final long restoredWatermark = reader.readLong();
            final long restoredKey = reader.readLong();
            final long restoredTimestamp = reader.readLong();
            final long flagOffset = reader.offset();
            final int hasState = reader.readInt();
            if (hasState != (null != state ? 1 : 0))
            {
                throw new SnapshotCorruptedException(reader.source(), flagOffset, "checkpoint taken with " +
                    (hasState == 0 ? "no value state" : hasState == 1 ? "value state" : "a state flag of " +
                    hasState) + ", this operator has " + (null != state ? "value state" : "no value state"));
            }
            if (null != state)
            {
                state.readFrom(reader);
            }
            eventTimers.readFrom(reader);
            processingTimers.readFrom(reader);
            watermark = restoredWatermark;
            key = restoredKey;
            timestamp = restoredTimestamp;
        }

        @Override
        void close()
        {
            if (null != state)
            {
                state.close();
            }
            eventTimers.close();
            processingTimers.close();
        }
    }

    /**
     * The edge into the next stage: copies each record into a slot of the ring channel of its partition.
     */
    static final class RouteLink extends Link
    {
        private final StageOutput output;
        private final int route;
        private final KeySpec.KeyReader key;

        RouteLink(
            final String name,
            final StageErrors errors,
            final StageOutput output,
            final int route,
            final KeySpec keySpec)
        {
            super(name, errors);
            this.output = output;
            this.route = route;
            this.key = null == keySpec ? null : keySpec.newReader();
        }

        @Override
        int computeMaxOutputs()
        {
            maxOutputs = 1;
            return 1;
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            final long hash = null == key ? 0 : key.key(buffer, offset, timestamp, sourceId, journalIndex);
            output.claim(route, hash);
            output.buffer().putBytes(output.payloadOffset(), buffer, offset, length);
            output.commit(length, timestamp, sourceId, journalIndex);
        }
    }

    /**
     * A leaf that consumes records.
     */
    abstract static class SinkLink extends Link
    {
        final RecordView view;

        SinkLink(final String name, final StageErrors errors, final Schema schema)
        {
            super(name, errors);
            this.view = new RecordView(schema);
        }

        @Override
        int computeMaxOutputs()
        {
            maxOutputs = 0;
            return 0;
        }
    }

    /**
     * A callback sink.
     */
    static final class CallbackSinkLink extends SinkLink
    {
        private final SinkFunction function;

        CallbackSinkLink(final String name, final StageErrors errors, final Schema schema, final SinkFunction function)
        {
            super(name, errors, schema);
            this.function = function;
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            view.wrap(buffer, offset, timestamp, sourceId, journalIndex);
            try
            {
                function.accept(view);
            }
            catch (final Exception ex)
            {
                errors.onFunctionError(name, view, ex);
            }
        }
    }

    /**
     * The collecting sink for tests.
     */
    static final class CollectSinkLink extends SinkLink
    {
        private final CollectingSink sink;

        CollectSinkLink(final String name, final StageErrors errors, final Schema schema, final CollectingSink sink)
        {
            super(name, errors, schema);
            this.sink = sink;
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            sink.add(buffer, offset, length, timestamp, sourceId, journalIndex);
        }

        @Override
        boolean onEndOfStream(final int limit)
        {
            sink.markEnded();
            return true;
        }
    }

    /**
     * A CSV file sink: lines are encoded into a buffer and written in blocks. Exactly-once with checkpoints: at a
     * barrier the lines so far are written and forced to disk and the file's length goes into the checkpoint; a job
     * restored from it truncates the file to that length before it writes again, so after any number of crashes the
     * file is the uninterrupted run's. Without a checkpoint to restore, the file is rewritten from the start. A job
     * that fails before it starts (a checkpoint its operators refuse) leaves the file as it was.
     */
    static final class CsvSinkLink extends SinkLink
    {
        private static final int FLUSH_BYTES = 64 * 1024;

        private final CsvCodec codec;
        private final Path file;
        private final UnsafeBuffer block;
        private final ByteBuffer blockBytes;
        private final FileChannel channel;
        private final int maxLine;
        private final OutputIdentity.Counter outputs;
        private int position;
        private boolean started;
        private boolean live;

        CsvSinkLink(
            final String name,
            final StageErrors errors,
            final Schema schema,
            final Path file,
            final boolean identity,
            final boolean header)
        {
            super(name, errors, schema);
            this.codec = new CsvCodec(schema);
            this.file = file;
            this.outputs = identity ? new OutputIdentity.Counter() : null;
            this.maxLine = 64 + 48 + schema.recordLength() * 4 + schema.fieldCount() * 32;
            this.blockBytes = ByteBuffer.allocateDirect(FLUSH_BYTES + maxLine);
            this.block = new UnsafeBuffer(blockBytes);
            try
            {
                this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("sink '" + name + "': cannot open " + file, ex);
            }
            if (header)
            {
                position = block.putStringWithoutLengthAscii(0,
                    codec.header() + (identity ? ",source_id,journal_index,output_index" : "") + "\n");
            }
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            position += codec.encode(buffer, offset, block, position);
            if (null != outputs)
            {
                block.putByte(position++, (byte)',');
                position += block.putIntAscii(position, sourceId);
                block.putByte(position++, (byte)',');
                position += block.putLongAscii(position, journalIndex);
                block.putByte(position++, (byte)',');
                position += block.putIntAscii(position, outputs.next(sourceId, journalIndex));
            }
            block.putByte(position++, (byte)'\n');
            if (position >= FLUSH_BYTES)
            {
                flush();
            }
        }

        private void flush()
        {
            blockBytes.clear().limit(position);
            try
            {
                if (!started)
                {
                    // Not restored from a checkpoint: whatever an earlier run left is rewritten.
                    channel.truncate(0);
                    started = true;
                }
                while (blockBytes.hasRemaining())
                {
                    channel.write(blockBytes);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("sink '" + name + "': cannot write " + file, ex);
            }
            position = 0;
        }

        @Override
        boolean onEndOfStream(final int limit)
        {
            flush();
            return true;
        }

        @Override
        void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
        {
            flush();
            channel.force(false);
            writer.writeLong(channel.position());
            if (null != outputs)
            {
                outputs.writeTo(writer);
            }
        }

        @Override
        void restore(final long checkpointId, final SnapshotReader reader) throws IOException
        {
            final long length = reader.readLong();
            if (null != outputs)
            {
                outputs.readFrom(reader);
            }
            final long size = channel.size();
            if (length < 0 || length > size)
            {
                throw new SnapshotCorruptedException(reader.source(), reader.offset(), "sink '" + name + "': the " +
                    "checkpoint recorded " + length + " bytes of " + file + ", which holds " + size);
            }
            channel.truncate(length);
            channel.position(length);
            channel.force(false);
            position = 0;
            started = true;
        }

        @Override
        void recovered(final long checkpointId)
        {
            live = true;
        }

        @Override
        void close()
        {
            try
            {
                if (channel.isOpen())
                {
                    if (live)
                    {
                        flush();
                    }
                    channel.close();
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("sink '" + name + "': cannot close " + file, ex);
            }
        }
    }

    /**
     * A journal sink: one entry per record, nothing committed — at-least-once across crashes, so a checkpoint of its
     * job is refused; {@link CommittedJournalSinkLink} is the exactly-once one. A plain journal has no markers a
     * reader would honour and cannot be truncated, so what a crashed run wrote after its checkpoint's barrier stays
     * and the replay writes it again; suppressing the replay's first outputs instead would need the restored run to
     * produce them in the same order, which two inputs interleaved by scheduling do not guarantee.
     */
    static final class JournalSinkLink extends SinkLink
    {
        private final Journal journal;

        JournalSinkLink(final String name, final StageErrors errors, final Schema schema, final Journal journal)
        {
            super(name, errors, schema);
            this.journal = journal;
        }

        @Override
        boolean supportsCheckpoints()
        {
            return false;
        }

        @Override
        String checkpointRefusal()
        {
            return "sink '" + name + "' is a plain journal (sinkToJournal), which cannot take back what it wrote " +
                "after a checkpoint, so a recovery would write it twice; use sinkToCommittedJournal(\"" + name +
                "\") for output that is exactly-once across crashes";
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            journal.append(buffer, offset, length);
        }

        @Override
        void close()
        {
            journal.close();
        }
    }

    /**
     * A committed journal sink: each record is appended at once (consumers that want everything read the journal as
     * it grows), and when a checkpoint completes a commit marker covers everything written before its barrier; a
     * read-committed reader ({@code ReadCommittedReader}) delivers only committed records. A job restored from
     * checkpoint n voids what was written after n's barrier (the replay writes it again); one started without a
     * checkpoint voids everything uncommitted. The end of the input commits everything.
     */
    static final class CommittedJournalSinkLink extends SinkLink
    {
        /**
         * The checkpoint id of the commit at the end of the input: above any real checkpoint.
         */
        static final long FINAL_COMMIT = Long.MAX_VALUE;

        private final CommittedJournal journal;
        private final long[] barrierIds = new long[4];
        private final long[] barrierPositions = new long[4];
        private long restoredPosition = -1;
        private long pendingCommitId = -1;
        private boolean complete;
        private long pendingCommitPosition = -1;
        private final UnsafeBuffer entry;
        private final OutputIdentity.Counter outputs = new OutputIdentity.Counter();

        CommittedJournalSinkLink(
            final String name,
            final StageErrors errors,
            final Schema schema,
            final CommittedJournal journal,
            final boolean identity)
        {
            super(name, errors, schema);
            this.journal = journal;
            this.entry = identity ? new UnsafeBuffer(new byte[OutputIdentity.LENGTH + schema.recordLength()]) : null;
            Arrays.fill(barrierIds, -1);
        }

        @Override
        void onRecord(
            final int side,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long timestamp,
            final int sourceId,
            final long journalIndex)
        {
            if (complete)
            {
                return;
            }
            if (null == entry)
            {
                journal.append(buffer, offset, length);
                CrashPoints.hit(CrashPoints.OUTPUT_APPEND);
                return;
            }
            entry.putInt(0, sourceId);
            entry.putLong(4, journalIndex);
            entry.putInt(12, outputs.next(sourceId, journalIndex));
            entry.putBytes(OutputIdentity.LENGTH, buffer, offset, length);
            journal.append(entry, 0, OutputIdentity.LENGTH + length);
            CrashPoints.hit(CrashPoints.OUTPUT_APPEND);
        }

        @Override
        void snapshot(final long checkpointId, final SnapshotWriter writer) throws IOException
        {
            final long position = journal.position();
            final int slot = (int)(checkpointId & (barrierIds.length - 1));
            barrierIds[slot] = checkpointId;
            barrierPositions[slot] = position;
            writer.writeLong(position);
            outputs.writeTo(writer);
        }

        @Override
        void restore(final long checkpointId, final SnapshotReader reader) throws IOException
        {
            restoredPosition = reader.readLong();
            outputs.readFrom(reader);
        }

        @Override
        void recovered(final long checkpointId)
        {
            if (journal.lastCommittedCheckpointId() == FINAL_COMMIT)
            {
                // An earlier run reached the end of the input and committed all of it (it may have been killed
                // before it exited): the output is complete, so this run, replaying to the same end, writes nothing.
                complete = true;
                return;
            }
            journal.recover(checkpointId < 0 ? CommittedJournal.NO_CHECKPOINT : checkpointId,
                checkpointId < 0 ? -1 : restoredPosition);
        }

        /**
         * Commit one checkpoint behind: when checkpoint n completes, what came before the barrier of the checkpoint
         * completed before it is committed, and n's own outputs wait for the next one. So the newest checkpoint's
         * outputs are never committed, and a recovery that finds it damaged can fall back to the one before without
         * having committed outputs the older state would write again. Read-committed consumers see outputs one
         * checkpoint interval later for it; a recovery from n itself writes n's missing commit.
         */
        @Override
        void onCheckpointComplete(final long checkpointId)
        {
            final int slot = (int)(checkpointId & (barrierIds.length - 1));
            if (complete || barrierIds[slot] != checkpointId || checkpointId <= pendingCommitId)
            {
                return;
            }
            if (pendingCommitId > journal.lastCommittedCheckpointId())
            {
                journal.commit(pendingCommitId, pendingCommitPosition);
                CrashPoints.hit(CrashPoints.COMMIT);
            }
            pendingCommitId = checkpointId;
            pendingCommitPosition = barrierPositions[slot];
        }

        @Override
        boolean onEndOfStream(final int limit)
        {
            if (!complete && journal.position() > journal.committedIndex())
            {
                journal.commit(FINAL_COMMIT, journal.position());
                CrashPoints.hit(CrashPoints.COMMIT);
            }
            return super.onEndOfStream(limit);
        }

        @Override
        void close()
        {
            journal.close();
        }
    }
}
