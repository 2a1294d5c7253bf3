package io.ferrite.queues.ring;

/**
 * The counters a producer writes for every claim, padded on the left.
 */
abstract class RingProducerFields extends LhsPadding
{
    long claims;
    long backPressureEvents;
}
