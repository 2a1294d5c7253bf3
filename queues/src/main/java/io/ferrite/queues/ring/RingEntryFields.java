package io.ferrite.queues.ring;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fields a consumer writes for every entry, padded on the left.
 */
abstract class RingEntryFields extends LhsPadding
{
    UnsafeBuffer buffer;
    int slotOffset;
    long sequence;
}
