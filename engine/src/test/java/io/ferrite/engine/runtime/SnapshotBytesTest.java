package io.ferrite.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/**
 * A stage's pool of snapshot buffers: a buffer is reused only once the checkpoint writer has released it, comes back
 * empty, and is not kept once it has grown past the pool's limit.
 */
class SnapshotBytesTest
{
    @Test
    void reusesOnlyReleasedBuffersAndMakesAThirdWhenBothAreInFlight()
    {
        final SnapshotBytes.Pool pool = new SnapshotBytes.Pool(64);
        final SnapshotBytes first = pool.acquire();
        first.write(ByteBuffer.wrap(new byte[100]));
        final SnapshotBytes second = pool.acquire();
        assertNotSame(first, second, "the first is in flight");
        final SnapshotBytes third = pool.acquire();
        assertNotSame(first, third);
        assertNotSame(second, third);

        first.release();
        final SnapshotBytes again = pool.acquire();
        assertSame(first, again, "released: reused");
        assertEquals(0, again.length(), "reused empty");
        assertTrue(again.bytes().length >= 100, "with the capacity it grew to");
    }

    @Test
    void dropsABufferGrownBeyondTheLimit()
    {
        final SnapshotBytes.Pool pool = new SnapshotBytes.Pool(64);
        final SnapshotBytes big = pool.acquire();
        big.write(ByteBuffer.allocate(SnapshotBytes.Pool.MAX_POOLED_BYTES + 1));
        big.release();
        final SnapshotBytes next = pool.acquire();
        assertNotSame(big, next, "a buffer past the limit is not kept");
        assertTrue(next.bytes().length < SnapshotBytes.Pool.MAX_POOLED_BYTES, "its replacement starts small");
    }
}
