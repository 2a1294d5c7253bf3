package io.ferrite.queues.ring;

/**
 * 64 bytes of padding, the first link of the {@code LhsPadding → fields → RhsPadding} chain (Disruptor's
 * {@code Sequence}, Aeron's {@code SenderHotFields}): the JVM lays out a superclass's fields first, so the hot fields
 * of a subclass sit a cache line away from whatever precedes the object. Objects written for every entry by one thread
 * then do not share a line with objects another thread reads.
 */
abstract class LhsPadding
{
    long p01;
    long p02;
    long p03;
    long p04;
    long p05;
    long p06;
    long p07;
    long p08;
}
