package io.ferrite.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test in this module (see META-INF/services): asserts that Agrona's bounds checks are on, and
 * that every test ends with zero native bytes held by any {@link MemoryManager} in the process.
 */
public final class OffHeapSafetyExtension implements BeforeAllCallback, AfterEachCallback
{
    @Override
    public void beforeAll(final ExtensionContext context)
    {
        assertTrue(UnsafeBuffer.SHOULD_BOUNDS_CHECK, "Agrona bounds checks must be on in tests");
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        assertEquals(0L, MemoryManager.processNativeBytes(),
            "native bytes still held after " + context.getDisplayName() + ": every test must release its memory");
    }
}
