package io.ferrite.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ferrite.memory.MemoryManager;
import io.ferrite.memory.schema.Int64Field;
import io.ferrite.memory.schema.Schema;
import io.ferrite.memory.schema.TimestampField;
import io.ferrite.memory.snapshot.SnapshotCorruptedException;
import io.ferrite.memory.snapshot.SnapshotReader;
import io.ferrite.memory.snapshot.SnapshotWriter;

/**
 * A join link's checkpoint taken by hand, through the chain a stage runs, at the moment an interval join holds pairs
 * it has not emitted: a stage holds its barriers back until they are out, but the link's snapshot does not rely on it
 * — a restored link emits the rest of them, then goes on exactly as the original.
 */
class JoinLinkCheckpointTest
{
    private static final Schema EVENT = Schema.builder("event")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("key").int64("value").build();
    private static final TimestampField TIME = EVENT.timestampField("time");
    private static final Int64Field KEY = EVENT.int64Field("key");
    private static final Int64Field VALUE = EVENT.int64Field("value");

    private static final Schema PAIR = Schema.builder("pair")
        .timestamp("time", TimeUnit.MILLISECONDS).int64("key").int64("left").int64("right").build();

    private static final int LEFT = 0;
    private static final int RIGHT = 1;

    private final MemoryManager memory = new MemoryManager(16L << 20);
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[EVENT.recordLength()]);

    @AfterEach
    void tearDown()
    {
        memory.close();
    }

    private static JoinLink intervalJoin(final MemoryManager memory, final String owner, final long upper)
    {
        final Node node = new Node(0, "pairs", Node.Kind.INTERVAL_JOIN, PAIR, 1, TimeUnit.MILLISECONDS);
        node.function = JoinSpec.interval(-10, upper, TimeUnit.MILLISECONDS, (left, right, start, end, out) -> out
            .put(PAIR.timestampField("time"), Math.max(left.timestamp(), right.timestamp()))
            .put(PAIR.int64Field("key"), left.get(KEY))
            .put(PAIR.int64Field("left"), left.get(VALUE))
            .put(PAIR.int64Field("right"), right.get(VALUE)));
        final KeySpec[] keys = {KeySpec.ofField(EVENT, "key"), KeySpec.ofField(EVENT, "key")};
        return JoinLink.create(node, owner, new StageErrors(ErrorPolicy.FAIL, null, null), new int[]{LEFT, RIGHT},
            keys, memory, null);
    }

    private static Links.Chain chain(final JoinLink join, final CollectingSink sink)
    {
        join.addNext(new Links.CollectSinkLink("out", new StageErrors(ErrorPolicy.FAIL, null, null), PAIR, sink));
        return new Links.Chain(join, new StageErrors(ErrorPolicy.FAIL, null, null));
    }

    private void send(final Links.Chain chain, final int side, final long time, final long key, final long value)
    {
        record.putLong(TIME.offset(), time);
        record.putLong(KEY.offset(), key);
        record.putLong(VALUE.offset(), value);
        assertTrue(chain.readyForRecord(), "a stage hands a record only to a ready join");
        chain.onRecord(side, record, 0, EVENT.recordLength(), time, side, time, null);
    }

    private static void drain(final Links.Chain chain)
    {
        while (!chain.readyForRecord())
        {
            assertEquals(Long.MIN_VALUE, chain.nextProcessingTime(), "queued pairs are due at once");
            chain.onProcessingTime(0, null, 2);
        }
    }

    /**
     * What comes after the checkpoint: the rest of the queued pairs, more records, a watermark, the end.
     */
    private void goOn(final Links.Chain chain)
    {
        drain(chain);
        send(chain, RIGHT, 106, 1, 200);    // pairs with the five left records
        drain(chain);
        send(chain, LEFT, 107, 1, 6);       // pairs with both right records
        drain(chain);
        send(chain, LEFT, 108, 2, 7);       // another key: nothing to pair with yet
        assertTrue(chain.onWatermark(100, null, 64));
        send(chain, RIGHT, 109, 2, 300);
        drain(chain);
        assertTrue(chain.onEndOfStream(null, 64));
    }

    @Test
    void shouldRestorePairsQueuedAtTheSnapshotAndEmitTheRestExactlyOnce() throws IOException
    {
        final CollectingSink original = new CollectingSink("original", PAIR);
        final JoinLink join = intervalJoin(memory, "original", 10);
        final Links.Chain chain = chain(join, original);
        for (int i = 0; i < 5; i++)
        {
            send(chain, LEFT, 100 + i, 1, 1 + i);
        }
        send(chain, RIGHT, 105, 1, 100);    // five pairs: one out at once, four queued
        assertFalse(chain.readyForRecord(), "pairs are queued");
        final int before = original.size();
        assertEquals(1, before);

        final byte[] snapshot = snapshot(chain);
        goOn(chain);
        final List<String> after = withOrigins(original).subList(before, original.size());
        assertEquals(4 + 5 + 2 + 1, after.size(), "the queued pairs, then the new ones");

        final CollectingSink restored = new CollectingSink("restored", PAIR);
        final JoinLink copy = intervalJoin(memory, "restored", 10);
        final Links.Chain copyChain = chain(copy, restored);
        restore(copyChain, snapshot);
        assertFalse(copyChain.readyForRecord(), "the restored join still owes the queued pairs");
        goOn(copyChain);
        assertEquals(after, withOrigins(restored),
            "the restored join emits exactly what the original did after it, with the same origins");
        assertArrayEquals(snapshot(chain), snapshot(copyChain), "and ends in the same state");
        copy.close();
        join.close();
    }

    @Test
    void shouldRefuseACheckpointOfAJoinWithAnotherIntervalNamingTheOperator() throws IOException
    {
        final JoinLink join = intervalJoin(memory, "original", 10);
        final Links.Chain chain = chain(join, new CollectingSink("a", PAIR));
        send(chain, LEFT, 100, 1, 1);
        final byte[] snapshot = snapshot(chain);
        final JoinLink wider = intervalJoin(memory, "wider", 20);
        final Links.Chain widerChain = chain(wider, new CollectingSink("b", PAIR));
        final SnapshotCorruptedException ex = assertThrows(SnapshotCorruptedException.class,
            () -> restore(widerChain, snapshot));
        assertTrue(ex.getMessage().contains("operator 'pairs': interval join wider: checkpoint taken with"),
            ex.getMessage());
        wider.close();
        join.close();
    }

    private static List<String> withOrigins(final CollectingSink sink)
    {
        final List<String> rows = new ArrayList<>(sink.rows());
        for (int i = 0; i < rows.size(); i++)
        {
            final RecordView view = sink.get(i);
            rows.set(i, rows.get(i) + " from " + view.sourceId() + ":" + view.journalIndex() + " at " +
                view.timestamp());
        }
        return rows;
    }

    private static byte[] snapshot(final Links.Chain chain) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SnapshotWriter writer = new SnapshotWriter(Channels.newChannel(bytes));
        chain.snapshot(1, writer);
        writer.finish();
        return bytes.toByteArray();
    }

    private static void restore(final Links.Chain chain, final byte[] snapshot) throws IOException
    {
        final SnapshotReader reader = new SnapshotReader(Channels.newChannel(new ByteArrayInputStream(snapshot)),
            "test", 1 << 16);
        chain.restore(1, reader);
        reader.verifyTrailer();
    }
}
